"""Assemble an :class:`~pressindex.model.Article` from raw bytes: the one entry point of the parser."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from pressindex.errors import InputError, NoText
from pressindex.model import Article
from pressindex.parse.agencies import Credit, merge
from pressindex.parse.clean import clean_text
from pressindex.parse.dates import DateValue, find_date, month_day_in_year, parse_header_date, pick_published
from pressindex.parse.decode import DEFAULT_MAX_BYTES, Decoded, decode_bytes
from pressindex.parse.dpa_ids import find_dpa_id
from pressindex.parse.language import detect_language
from pressindex.parse.structure import split_structure

# str.isalnum as a pattern (\w is alphanumerics and "_"): one C scan, not a generator per character
_ALNUM = re.compile(r"[^\W_]")


def parse_document(
    raw: bytes,
    source_path: str,
    *,
    now: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Article:
    """Parse one wire file.

    Returns an Article or raises an :class:`~pressindex.errors.InputError` subclass:
    EmptyInput, BinaryInput, TooLarge, Undecodable or NoText. ``now`` bounds the publication
    date (a later date is refused); it defaults to the current UTC time.

    IPTC 7901 and ANPA 1312 files are recognised (:mod:`pressindex.parse.wire_format`); a file of
    several messages gives its **first** message's Article here —
    :func:`~pressindex.parse.messages.parse_messages` gives one per message.
    """
    from pressindex.parse.messages import parse_messages  # it builds on parse_text below

    return parse_messages(raw, source_path, now=now, max_bytes=max_bytes)[0]


def parse_text(raw: bytes, source_path: str, **options: Any) -> Article:
    """Parse ``raw`` as article text (no wire format): what :func:`parse_document` does for a
    plain text file. ``options`` are :func:`text_fields`' keywords."""
    return Article(**text_fields(raw, source_path, **options))


def text_fields(
    raw: bytes,
    source_path: str,
    *,
    now: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    headline: str | None = None,
    byline: str | None = None,
    decoded: Decoded | None = None,
    content_sha256: str | None = None,
    identity: bool = True,
    unwrapped: bool = False,
    printable: bool = False,
) -> dict[str, Any]:
    """The fields :func:`parse_text` builds its Article from, as keyword arguments: a wire message
    adds its own to them and builds the Article once. ``headline``/``byline`` are a wire reader's,
    cleaned here like the text; ``decoded`` is text already decoded from ``raw`` (a wire message's
    story), not decoded again. ``content_sha256`` is the file's hash when
    the caller has it (one per file, not per message); ``identity=False`` leaves ``id`` and
    ``text_sha1`` out (a wire message computes its own); ``unwrapped``: the text is a wire reader's
    story and ``printable`` that every character of it is one str.isprintable accepts or a line end
    (see :func:`~pressindex.parse.clean.clean_text`)."""
    now = now or datetime.now(UTC)
    try:
        decoded = decoded or decode_bytes(raw, max_bytes=max_bytes)
    except InputError as exc:
        exc.path = source_path  # the decoder sees bytes only; the quarantine record wants the file
        raise
    try:
        cleaned = clean_text(decoded.text, max_chars=max_bytes, unwrapped=unwrapped, printable=printable)
    except InputError as exc:
        exc.path = source_path
        raise
    text = cleaned.text
    if not _ALNUM.search(text):
        raise NoText("no text left after cleaning", path=source_path)
    repairs = tuple(dict.fromkeys(decoded.repairs + cleaned.repairs))
    warnings: list[str] = []

    if headline is not None:
        headline = clean_text(headline).text or None
    if byline is not None:
        byline = clean_text(byline).text or None
    # a wire reader's story that cleaning left as it was, but for runs of spaces: a paragraph a line
    paragraph_lines = unwrapped and all(r == "whitespace" for r in cleaned.repairs)
    parts = split_structure(text, headline=headline, byline=byline, paragraph_lines=paragraph_lines)
    if not parts.paragraphs and not parts.headline:
        raise NoText("only boilerplate (copyright, credits, links) in this file", path=source_path)
    warnings.extend(parts.warnings)  # a bounded footer: what stayed in the body (structure.FOOTER_MAX)

    footer_text = "\n".join(f.text for f in parts.footer)
    dpa = find_dpa_id(footer_text, bare=True) or find_dpa_id(text)

    dateline = parts.dateline
    credit = merge(dateline.credit if dateline else Credit(), parts.footer_credit)
    if dpa and "dpa" not in credit.agencies:
        credit = merge(credit, Credit(("dpa",)))  # a dpa-infocom id alone proves a dpa story
    if dateline and dateline.credit.unknown:
        warnings.append("unknown_agency:" + "/".join(dateline.credit.unknown))

    candidates: list[DateValue] = []
    if parts.header_date:
        header = parse_header_date(parts.header_date)
        if header:
            candidates.append(header)
        else:
            warnings.append(f"bad_header_date:{parts.header_date}")
    if dpa:
        candidates.append(DateValue(dpa.issue_date, "day", "dpa_id"))
    dates: dict[tuple[str, str], DateValue | None] = {}  # a footer repeating a line parses it once
    for line in parts.footer:
        if line.kind in ("credit", "copyright", "source", "date"):
            source = "text" if line.kind == "date" else "footer"
            key = (source, line.text)
            if key not in dates:
                dates[key] = find_date(line.text, source=source, now_year=now.year)
            found = dates[key]
            if found and found.precision != "month":  # "Copyright 2024-…" is no publication date
                candidates.append(found)
    if dateline and dateline.date:
        candidates.append(dateline.date)
    elif dateline and dateline.month_day:  # "WASHINGTON, March 14 (Reuters)": a year from the rest
        completed = month_day_in_year(dateline.month_day, candidates, now)
        if completed:
            candidates.append(completed)
    published, future = pick_published(candidates, now)
    warnings.extend(f"future_date_ignored:{c.source}:{c.value}" for c in future)

    # Boilerplate does not vote: headline and story paragraphs only.
    story = "\n\n".join(([parts.headline] if parts.headline else []) + list(parts.paragraphs))
    guess = detect_language(story)
    if guess.language == "und" and guess.best_guess:
        warnings.append(f"language_undecided:{guess.best_guess}")

    copyright_line = next((f.text for f in parts.footer if f.kind == "copyright"), None)
    initials = next((f.text for f in parts.footer if f.kind == "editor_initials"), None)
    fields = {
        "source_path": source_path,
        "title": parts.title,
        "body": parts.body,
        "lead": parts.lead,
        "byline": parts.byline,
        "subheadings": parts.subheadings,
        "language": guess.language,
        "language_confidence": guess.probability,
        "agencies": credit.agencies,
        "regional_services": credit.services,
        "dateline": dateline.place if dateline else None,
        "dateline_raw": dateline.place_raw if dateline else None,
        "published": published.value if published else None,
        "published_precision": published.precision if published else None,
        "published_source": published.source if published else None,
        "dpa": dpa,
        "copyright": copyright_line,
        "footer_lines": tuple(f.text for f in parts.footer),
        "editor_initials": initials,
        "encoding": decoded.encoding,
        "repairs": repairs,
        "content_sha256": content_sha256 or hashlib.sha256(raw).hexdigest(),
        "size": len(raw),
        "warnings": tuple(warnings),
    }
    if identity:
        text_sha1 = hashlib.sha1(text.encode("utf-8")).hexdigest()
        fields["id"] = f"dpa-{dpa.story}" if dpa else f"sha1-{text_sha1}"
        fields["text_sha1"] = text_sha1
    return fields
