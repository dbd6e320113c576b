"""The document model: what a parsed news file is, and the one place that builds its ``_source``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from pressindex.languages import language_fields

PARSER_VERSION = "1"


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
    dateline: str | None = None  # normalised place for facets: "Frankfurt"
    dateline_raw: str | None = None  # as written: "FRANKFURT"
    published: str | None = None  # ISO 8601 date or datetime, as precise as known
    published_precision: str | None = None  # "year" | "month" | "day" | "minute"
    published_source: str | None = None  # "header" | "dpa_id" | "footer" | "dateline" | "text"
    dpa: DpaId | None = None
    copyright: str | None = None  # "© dpa-infocom, dpa:210413-99-186470/5"
    footer_lines: tuple[str, ...] = ()  # boilerplate removed from the body, kept verbatim
    editor_initials: str | None = None  # "/ck/stk"
    encoding: str = "utf-8"
    repairs: tuple[str, ...] = ()  # cleaning steps that changed the text: "bom", "crlf", "html", …
    content_sha256: str = ""  # of the raw bytes: change detection
    text_sha1: str = ""  # of the normalised text: content identity
    parser_version: str = PARSER_VERSION
    warnings: tuple[str, ...] = field(default=())

    @property
    def dpa_id(self) -> str | None:
        return self.dpa.story if self.dpa else None

    def to_source(self) -> dict:
        """The Elasticsearch ``_source``; every key here must exist in ``mappings/``."""
        src = asdict(self)
        src.pop("id")
        src.pop("warnings")
        dpa = src.pop("dpa")
        src["dpa_id"] = dpa["story"] if dpa else None
        src["dpa_version"] = dpa["version"] if dpa else None
        src["dpa_issue_date"] = dpa["issue_date"] if dpa else None
        for key, value in list(src.items()):
            if isinstance(value, tuple):
                src[key] = list(value)
        src.update(language_fields(src))  # title_lang.en … for documents in other languages
        return src

    def to_json_dict(self) -> dict:
        """What ``pressindex parse`` prints: the source plus the id and warnings."""
        out = {"source_path": self.source_path, "id": self.id}
        out.update(self.to_source())
        out["warnings"] = list(self.warnings)
        return out
