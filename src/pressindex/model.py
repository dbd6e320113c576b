"""The document model: what a parsed news file is, and the one place that builds its ``_source``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from typing import Any

import orjson

from pressindex.languages import language_fields

PARSER_VERSION = "1"


def display_path(path: str) -> str:
    """A path that is valid UTF-8 (undecodable bytes in file names become U+FFFD)."""
    return os.fsencode(path).decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class DpaId:
    """A dpa-infocom story id such as ``dpa:210413-99-186470/5``."""

    story: str  # "210413-99-186470": the stable key across versions
    version: int  # 5
    issue_date: str  # "2021-04-13"


@dataclass(frozen=True, slots=True)
class Article:
    """A parsed news document. Built by :func:`pressindex.parse.parse_document`."""

    id: str  # Elasticsearch _id: "dpa-<story>" or "sha1-<hash of normalised text>"
    source_path: str
    title: str
    body: str
    lead: str | None = None
    byline: str | None = None
    subheadings: tuple[str, ...] = ()
    language: str = "und"  # ISO 639-1, or "und" when undecided
    language_confidence: float = 0.0
    agencies: tuple[str, ...] = ()  # canonical names: "dpa", "AFP", "dpa-AFX", …
    regional_services: tuple[str, ...] = ()  # "lni" from "dpa/lni"
    # the originating source or publication the file's metadata names (NewsML-G2 and digitalwires
    # infoSource, NITF pubdata/@name); plain text, IPTC 7901 and ANPA 1312 carry none
    source: str | None = None
    dateline: str | None = None  # normalised place for facets: "Frankfurt"
    dateline_raw: str | None = None  # as written: "FRANKFURT"
    published: str | None = None  # ISO 8601 date or datetime, as precise as known
    published_precision: str | None = None  # "year" | "month" | "day" | "minute"
    published_source: str | None = None  # "trailer" | "header" | "dpa_id" | "footer" | "dateline" | "text"
    dpa: DpaId | None = None
    copyright: str | None = None  # "© dpa-infocom, dpa:210413-99-186470/5"
    footer_lines: tuple[str, ...] = ()  # boilerplate removed from the body, kept verbatim
    editor_initials: str | None = None  # "/ck/stk"
    encoding: str = "utf-8"
    repairs: tuple[str, ...] = ()  # cleaning steps that changed the text: "bom", "crlf", "html", …
    content_sha256: str = ""  # of the raw bytes: change detection
    size: int | None = None  # of the raw bytes: the state record's size, not indexed
    text_sha1: str = ""  # of the normalised text: content identity
    parser_version: str = PARSER_VERSION
    # Wire transmission formats (IPTC 7901, ANPA 1312); plain text keeps the defaults.
    format: str = "text"  # "text" | "iptc7901" | "anpa1312"
    wire_service: str | None = (
        None  # the header's service: "bdt", "nsb", "spe", "eca"; ANPA: the selector's letters
    )
    urgency: int | None = None  # 1–9, 1 highest: Blitz/FLASH 1, Eil/URGENT 2, else the header's priority
    category: str | None = None  # the ressort code as sent: "pl", "wi", "vm", "sp", "i"
    category_name: str | None = None  # readable, for the facet: "Politik", "Wirtschaft", …
    keywords: tuple[str, ...] = ()  # the slug line split on "/"
    genre: str | None = None  # "Vorschau", "Zusammenfassung", "KORR-Bericht", "Planungshinweis", …
    correction: str | None = None  # the text of a correction note
    is_correction: bool = False
    embargo_until: str | None = None  # ISO 8601 with offset: "2025-03-14T18:00:00+01:00"
    editorial_notes: str | None = None  # the public part of the Notizblock (stored, not searched)
    kind: str = "news"  # "news" | "withdrawal" | "media" (a picture, graphic, audio or video item)
    media_type: str | None = None  # kind "media": "picture" | "graphic" | "audio" | "video"
    withdraws: tuple[str, ...] = ()  # dpa story keys a withdrawal names, else the headline it quotes
    message_index: int | None = None  # 0-based position in a file of several messages; None for one
    warnings: tuple[str, ...] = field(default=())

    @property
    def dpa_id(self) -> str | None:
        return self.dpa.story if self.dpa else None

    def to_source(self) -> dict[str, Any]:
        """The Elasticsearch ``_source``; every key here must exist in ``mappings/``.

        Built field by field (``dataclasses.asdict`` deep-copies and cost more than the JSON encoding)."""
        src: dict[str, Any] = {name: getattr(self, name) for name in _SOURCE_FIELDS}
        for name in _LIST_FIELDS:
            src[name] = list(src[name])
        src["source_path"] = display_path(self.source_path)  # the file name may not be UTF-8
        dpa = self.dpa
        src["dpa_id"] = dpa.story if dpa else None
        src["dpa_version"] = dpa.version if dpa else None
        src["dpa_issue_date"] = dpa.issue_date if dpa else None
        src.update(language_fields(src))  # title_lang.en … for documents in other languages
        return src

    def to_json_dict(self) -> dict[str, Any]:
        """What ``pressindex parse`` prints: the source plus the id and warnings."""
        out: dict[str, Any] = {"source_path": self.source_path, "id": self.id}
        out.update(self.to_source())
        out["warnings"] = list(self.warnings)
        return out


# Every field but the id (it is ``_id``), the warnings (parse diagnostics), the file's size and
# the nested dpa id.
_SOURCE_FIELDS = tuple(f.name for f in fields(Article) if f.name not in ("id", "warnings", "size", "dpa"))
_LIST_FIELDS = tuple(
    name for name in _SOURCE_FIELDS if isinstance(getattr(Article("", "", "", ""), name), tuple)
)


@dataclass(frozen=True, slots=True)
class BulkDocument:
    """An article ready for ``_bulk``: its ``_source`` already encoded, plus the few fields that
    loading and the state records need.

    Made where the article was parsed (a parse process), so the process that sends to
    Elasticsearch neither rebuilds nor re-encodes the source, and receives a tenth of the objects.
    """

    id: str
    source_path: str
    source: bytes  # the JSON of Article.to_source() with ingested_at and run_id
    content_sha256: str
    size: int | None  # bytes parsed: the state record's size, without a stat in the loading process
    text_sha1: str
    dpa_version: int | None  # the external version of a dpa story, else None
    language: str
    agencies: tuple[str, ...]

    def __reduce__(self) -> tuple[type[BulkDocument], tuple[object, ...]]:
        # as a plain tuple: the pickling that frozen slotted dataclasses get calls fields() per object
        return BulkDocument, tuple(getattr(self, name) for name in BulkDocument.__slots__)

    @classmethod
    def from_article(cls, article: Article, *, run_id: str | None, ingested_at: str) -> BulkDocument:
        source = article.to_source()
        source.update(_story_fields(article))  # here, in the parse process: never computed again
        return cls(
            id=article.id,
            source_path=article.source_path,
            # the run's stamp last, so that :meth:`restamped` can swap it without decoding the rest
            source=orjson.dumps(source)[:-1] + b"," + _run_stamp(run_id, ingested_at),
            content_sha256=article.content_sha256,
            size=article.size,
            text_sha1=article.text_sha1,
            dpa_version=article.dpa.version if article.dpa else None,
            language=article.language,
            agencies=article.agencies,
        )

    def restamped(self, *, was: tuple[str | None, str], run_id: str | None, ingested_at: str) -> BulkDocument:
        """This document as run ``run_id`` would have made it at ``ingested_at``; ``was`` is the
        ``(run_id, ingested_at)`` it was made with (a file parsed before its run had an id)."""
        old = _run_stamp(*was)
        if not self.source.endswith(old):
            raise ValueError(f"{self.source_path}: the document does not end with the stamp it was made with")
        return replace(self, source=self.source[: -len(old)] + _run_stamp(run_id, ingested_at))


def _story_fields(article: Article) -> dict[str, Any]:
    """Its own story, LSH keys and fingerprint (:mod:`pressindex.stories.fields`)."""
    from pressindex.stories.fields import story_day, story_source  # numpy: parse processes only

    day = story_day(article.published, article.dpa.issue_date if article.dpa else None)
    return story_source(article.id, article.title, article.body, article.language, day)


@lru_cache(maxsize=8)  # one stamp per batch (and the parsed-ahead one): not encoded per document
def _run_stamp(run_id: str | None, ingested_at: str) -> bytes:
    """The end of a document's JSON: ``"ingested_at":…,"run_id":…}``."""
    return orjson.dumps({"ingested_at": ingested_at, "run_id": run_id})[1:]
