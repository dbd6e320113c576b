"""Do the structured formats give the same fields as plain text? Each test text, three ways.

For every plain-text item of the evaluation corpora (the 10kGNAD test split, and the fundus
articles as ``pressindex evaluate`` reads them for dates), :func:`agreement` parses the text
(:func:`~pressindex.parse.parse_messages`), renders the parsed fields as a composed NewsML-G2
``newsItem`` (:func:`render_newsml_g2`) and as a dpa digitalwires JSON item
(:func:`render_digitalwires`), parses both renderings the same way and compares, field by field,
what the three representations give (:data:`COMPARED`). Texts are compared with their whitespace
collapsed: the renderings put a teaser and the body's paragraphs in elements of their own, where
the text ran them together.

The renderings put each field where an agency's file has it: headline, byline, dateline place,
teaser (a lead that precedes the dateline paragraph, as DER STANDARD's), the body's paragraphs
and subheadings as XHTML, published, credits, wire service, urgency, embargo, category, genre,
keywords, correction, editorial notes, editor initials, copyright, status, and the dpa urn and
version when the text has a dpa id (else a guid of the project's own). What the text's footer
lines say is carried by those elements, not by footer lines; a date the text knows to the day is
written as that day alone.

Fields not compared, because a file states them where the text lets the parser guess, or because
they describe the bytes rather than the story: :data:`FORMAT_FIELDS`.

Corpus text is only read; :class:`FormatAgreement` holds counts and row numbers, no text.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from pressindex.errors import InputError
from pressindex.ingest.withdrawals import is_dpa_key
from pressindex.model import Article

FORMATS = ("newsml_g2", "digitalwires")
# Fields every representation should give alike.
COMPARED = (
    "title", "lead", "byline", "body", "subheadings", "dateline", "dateline_raw", "agencies",
    "regional_services", "published", "language", "dpa_id", "dpa_version", "urgency", "embargo_until",
    "wire_service", "category", "category_name", "keywords", "genre", "correction", "is_correction",
    "editorial_notes", "editor_initials", "copyright", "kind", "withdraws",
)  # fmt: skip
# Fields a structured file carries more of (or that name the bytes, not the story), and why.
FORMAT_FIELDS = {
    "format": "names the representation",
    "id": "an item without a dpa urn is known by its guid (guid-…), a text by its text hash (sha1-…); "
    "dpa stories are dpa-<story> in all three (compared as dpa_id)",
    "published_precision": "the file states a moment (versionCreated/version_created): 'minute'; where the "
    "text knows the day only, published is compared on that day",
    "published_source": "'file' where the file states it",
    "dpa_id, dpa_version of a withdrawal": "a canceled item is the withdrawn story's own item (its urn); a text "
    "notice naming that story has no dpa id of its own",
    "language_confidence": "the file states the language (1.0)",
    "footer_lines": "credits, date, copyright and dpa id are elements of their own in a file, not footer lines",
    "repairs, warnings": "what cleaning did to these bytes; a file's value settles what the text rules guessed",
    "text_sha1, content_sha256, size, encoding, source_path, message_index": "the bytes and the file, not the story",
}
_EXAMPLES_PER_FIELD = 5
_XHTML = "http://www.w3.org/1999/xhtml"
_G2 = "http://iptc.org/std/nar/2006-10-01/"


# -- rendering ----------------------------------------------------------------------------------


def _guid(article: Article) -> tuple[str, int]:
    """The dpa urn and version when the text has a dpa id, else a guid of our own (version 1). A
    withdrawal notice naming one dpa story is that story's canceled item, as agencies send it."""
    named = [key for key in article.withdraws if is_dpa_key(key)]
    if article.kind == "withdrawal" and len(named) == 1:
        return f"urn:newsml:dpa.com:20090101:{named[0]}", (article.dpa.version if article.dpa else 1)
    if article.dpa:
        return f"urn:newsml:dpa.com:20090101:{article.dpa.story}", article.dpa.version
    return f"urn:newsml:pressindex.invalid:{article.text_sha1}", 1


def _teaser_and_paragraphs(article: Article) -> tuple[str | None, list[str]]:
    """A lead that opens the body ahead of the dateline paragraph is a teaser element of its own
    (DER STANDARD's leads, dpa's teasers); a lead that is the first paragraph stays in the body."""
    body = article.body
    lead = article.lead
    teaser = None
    if lead and body.startswith(lead) and body[len(lead) :].strip() and article.dateline_raw:
        rest = body[len(lead) :].lstrip()
        if rest.startswith(article.dateline_raw):  # the dateline paragraph follows the teaser
            teaser, body = lead, rest
    return teaser, [p for p in body.split("\n\n") if p.strip()]


def _published(article: Article) -> str | None:
    """A moment as the file writes it; a day alone as the date; a month or year: nothing."""
    if not article.published or article.published_precision not in ("minute", "day"):
        return None
    return article.published


def _credit(article: Article) -> list[str]:
    """One credit per agency; dpa with its regional services as dpa writes them (``dpa/lni``)."""
    services = "/".join(article.regional_services)
    return [f"{a}/{services}" if a == "dpa" and services else a for a in article.agencies]


def _xhtml_paragraphs(article: Article, paragraphs: list[str]) -> str:
    headings = set(article.subheadings)
    return "".join(f"<h2>{escape(p)}</h2>" if p in headings else f"<p>{escape(p)}</p>" for p in paragraphs)


def render_newsml_g2(article: Article) -> bytes:
    """``article``'s fields as one NewsML-G2 ``newsItem`` (UTF-8 XML)."""
    guid, version = _guid(article)
    teaser, paragraphs = _teaser_and_paragraphs(article)
    lang = f" xml:lang={quoteattr(article.language)}" if article.language != "und" else ""
    meta = ['<itemClass qcode="ninat:text"/>']
    published = _published(article)
    if published:
        meta.append(f"<versionCreated>{escape(published)}</versionCreated>")
    if article.embargo_until:
        meta.append(f"<embargoed>{escape(article.embargo_until)}</embargoed>")
    meta.append(f'<pubStatus qcode="stat:{"canceled" if article.kind == "withdrawal" else "usable"}"/>')
    if article.wire_service:
        meta.append(f"<service qcode={quoteattr('dpasrv:' + article.wire_service)}/>")
    if article.is_correction:
        meta.append('<signal qcode="sig:correction"/>')
    if article.correction:
        meta.append(f'<edNote role="dpaednoterole:correction">{escape(article.correction)}</edNote>')
    if article.editorial_notes:
        meta.append(f"<edNote>{escape(article.editorial_notes)}</edNote>")
    if article.editor_initials:
        meta.append(f'<edNote role="dpaednoterole:closingline">{escape(article.editor_initials)}</edNote>')
    content = []
    if article.urgency is not None:
        content.append(f"<urgency>{article.urgency}</urgency>")
    content += [f'<infoSource role="cRole:source" literal={quoteattr(c)}/>' for c in _credit(article)]
    if article.dateline_raw:
        content.append(f"<located><name>{escape(article.dateline_raw)}</name></located>")
    if article.category:
        name = f"<name>{escape(article.category_name)}</name>" if article.category_name else ""
        content.append(
            f"<subject type=\"dpatype:category\" qcode={quoteattr('dpacat:' + article.category)}>{name}</subject>"
        )
    if article.genre:
        content.append(f"<genre><name>{escape(article.genre)}</name></genre>")
    content += [f"<keyword>{escape(k)}</keyword>" for k in article.keywords]
    content.append(f"<headline>{escape(article.title)}</headline>")
    if article.byline:
        content.append(f"<by>{escape(article.byline)}</by>")
    if teaser:
        content.append(f'<description role="drol:teaser">{escape(teaser)}</description>')
    if article.language != "und":
        content.append(f"<language tag={quoteattr(article.language)}/>")
    rights = (
        f"<rightsInfo><copyrightNotice>{escape(article.copyright)}</copyrightNotice></rightsInfo>"
        if article.copyright else ""
    )  # fmt: skip
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<newsItem xmlns="{_G2}" guid={quoteattr(guid)} version="{version}" standard="NewsML-G2" '
        f'standardversion="2.33" conformance="power"{lang}>'
        f"<itemMeta>{''.join(meta)}</itemMeta>{rights}<contentMeta>{''.join(content)}</contentMeta>"
        f'<contentSet><inlineXML contenttype="application/xhtml+xml">'
        f'<html xmlns="{_XHTML}"><head><title>{escape(article.title)}</title></head>'
        f"<body>{_xhtml_paragraphs(article, paragraphs)}</body></html></inlineXML></contentSet></newsItem>\n"
    )
    return xml.encode("utf-8")


def render_digitalwires(article: Article) -> bytes:
    """``article``'s fields as one dpa digitalwires JSON item (UTF-8)."""
    urn, version = _guid(article)
    teaser, paragraphs = _teaser_and_paragraphs(article)
    categories: list[dict] = []
    if article.wire_service:
        categories.append({"type": "dnltype:wire", "qcode": f"dpasrv:{article.wire_service}"})
    if article.category:
        categories.append({"type": "dnltype:desk", "qcode": f"dpacat:{article.category}",
                           "name": article.category_name or article.category})  # fmt: skip
    if article.genre:
        categories.append({"type": "dnltype:genre", "name": article.genre})
    categories += [{"type": "dnltype:keyword", "name": k} for k in article.keywords]
    categories += [{"type": "dnltype:infosource", "name": c} for c in _credit(article)]
    ednotes = []
    if article.correction:
        ednotes.append({"role": "dpaednoterole:correction", "ednote": article.correction})
    if article.editorial_notes:
        ednotes.append({"role": "dpaednoterole:editorialnote", "ednote": article.editorial_notes})
    if article.editor_initials:
        ednotes.append({"role": "dpaednoterole:closingline", "ednote": article.editor_initials})
    item = {
        "urn": urn,
        "version": version,
        "version_created": _published(article),
        "pubstatus": "canceled" if article.kind == "withdrawal" else "usable",
        "embargoed": article.embargo_until,
        "urgency": article.urgency,
        "language": article.language if article.language != "und" else None,
        "headline": article.title,
        "byline": article.byline,
        "teaser": teaser,
        "dateline": article.dateline_raw,
        "article_html": f'<section class="main">{_xhtml_paragraphs(article, paragraphs)}</section>',
        "signal": "sig:correction" if article.is_correction else None,
        "categories": categories,
        "ednotes": ednotes,
        "copyrightnotice": article.copyright,
    }
    return json.dumps({k: v for k, v in item.items() if v not in (None, [])}, ensure_ascii=False).encode(
        "utf-8"
    )


RENDERERS = {"newsml_g2": render_newsml_g2, "digitalwires": render_digitalwires}


# -- comparing ----------------------------------------------------------------------------------


def field_value(article: Article, name: str):
    """A compared field, texts with their whitespace collapsed (tuples item by item)."""
    value = _raw_value(article, name)
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, tuple):
        return tuple(" ".join(v.split()) if isinstance(v, str) else v for v in value)
    return value


def _raw_value(article: Article, name: str):
    if name == "dpa_version":
        return article.dpa.version if article.dpa else None
    return getattr(article, name)


def differing_fields(text: Article, other: Article) -> list[str]:
    """The :data:`COMPARED` fields in which ``other`` differs from ``text``; ``published`` on the
    day alone where the text knows only the day (a file states a moment)."""
    differ = [name for name in COMPARED if field_value(text, name) != field_value(other, name)]
    if (
        "published" in differ
        and text.published_precision == "day"
        and (other.published or "")[:10] == text.published
    ):
        differ.remove("published")
    if text.kind == "withdrawal" and other.dpa_id and other.dpa_id in text.withdraws:
        differ = [name for name in differ if name not in ("dpa_id", "dpa_version")]  # the story's own item
    return differ


@dataclass(frozen=True, slots=True)
class SetAgreement:
    """One corpus' items, three ways."""

    name: str
    items: int  # texts that parsed (the others are no item in any format)
    failed: dict[str, dict[str, int]]  # format → error code → renderings that did not parse
    identical: dict[str, dict[str, int]]  # format → field → items where it equals the text's
    all_identical: dict[str, int]  # format → items identical in every compared field
    with_value: dict[str, int]  # field → items whose text parse has a value there
    examples: dict[str, tuple[str, ...]]  # "format field" → row numbers of the first disagreements

    def share(self, fmt: str, name: str) -> float:
        return self.identical[fmt].get(name, 0) / self.items if self.items else 1.0


@dataclass(frozen=True, slots=True)
class FormatAgreement:
    sets: tuple[SetAgreement, ...]
    format_fields: dict[str, str] = field(default_factory=lambda: dict(FORMAT_FIELDS))

    def as_dict(self) -> dict:
        return asdict(self)

    def to_markdown(self) -> str:
        out = ["## Structured formats: the same fields three ways", ""]
        for s in self.sets:
            g2, dw = s.all_identical.get("newsml_g2", 0), s.all_identical.get("digitalwires", 0)
            out += [
                f"**{s.name}**: {s.items} texts; identical in every compared field: NewsML-G2 "
                f"{_pct(g2, s.items)}, digitalwires {_pct(dw, s.items)}"
                + "".join(
                    f"; {fmt} not parsed: {sum(c.values())} ({', '.join(c)})"
                    for fmt, c in s.failed.items()
                    if c
                ),
                "",
                "| Field | Text has a value | NewsML-G2 identical | digitalwires identical |",
                "|---|---:|---:|---:|",
            ]
            out += [
                f"| {name} | {s.with_value.get(name, 0)} | {s.share('newsml_g2', name):.1%} "
                f"| {s.share('digitalwires', name):.1%} |"
                for name in COMPARED
            ]
            out.append("")
        out += ["Not compared (the format carries more, or they name the bytes):", ""]
        out += [f"- {name}: {why}" for name, why in self.format_fields.items()]
        return "\n".join(out)

    __str__ = to_markdown


def _pct(n: int, total: int) -> str:
    return f"{n / total:.1%}" if total else "-"


def _has_value(value) -> bool:
    return value not in (None, "", (), False)


def agreement(name: str, texts: Iterable[bytes], *, now: datetime | None = None) -> SetAgreement:
    """Parse each text, render it in each of :data:`FORMATS`, parse those and count agreement."""
    from pressindex.parse import parse_messages

    now = now or datetime.now(UTC)
    items = 0
    failed: dict[str, Counter[str]] = {fmt: Counter() for fmt in FORMATS}
    identical: dict[str, Counter[str]] = {fmt: Counter() for fmt in FORMATS}
    all_identical: Counter[str] = Counter()
    with_value: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for row, raw in enumerate(texts):
        try:
            text = parse_messages(raw, f"{name}:{row}", now=now)[0]
        except InputError:
            continue
        items += 1
        with_value.update(n for n in COMPARED if _has_value(_raw_value(text, n)))
        for fmt in FORMATS:
            try:
                parsed = parse_messages(RENDERERS[fmt](text), f"{name}:{row}.{fmt}", now=now)[0]
            except InputError as exc:
                failed[fmt][exc.code] += 1
                continue
            differ = differing_fields(text, parsed)
            identical[fmt].update(n for n in COMPARED if n not in differ)
            all_identical[fmt] += not differ
            for n in differ:
                rows = examples.setdefault(f"{fmt} {n}", [])
                if len(rows) < _EXAMPLES_PER_FIELD:
                    rows.append(f"row {row}")
    return SetAgreement(
        name=name,
        items=items,
        failed={fmt: dict(c) for fmt, c in failed.items()},
        identical={fmt: dict(c) for fmt, c in identical.items()},
        all_identical=dict(all_identical),
        with_value=dict(with_value),
        examples={k: tuple(v) for k, v in sorted(examples.items())},
    )


def format_agreement(gnad_texts: Iterable[str], fundus_texts: Iterable[str], *, now: datetime | None = None
                     ) -> FormatAgreement:  # fmt: skip
    """The 10kGNAD test split (the main set) and the fundus articles, each three ways."""
    return FormatAgreement((
        agreement("10kGNAD test split", (t.encode("utf-8") for t in gnad_texts), now=now),
        agreement("fundus articles", (t.encode("utf-8") for t in fundus_texts), now=now),
    ))  # fmt: skip
