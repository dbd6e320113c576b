"""Wire files → Articles, one per message: ``parse_messages``.

Plain text files go to :func:`~pressindex.parse.document.parse_text` unchanged (one Article,
``message_index`` None). IPTC 7901 and ANPA 1312 files are decoded once, split into messages, and
each message is read by its format's reader (:mod:`~pressindex.parse.iptc7901`,
:mod:`~pressindex.parse.anpa1312`); the reader hands back the headline, byline and header fields,
and the story (teaser and body, lines unwrapped) goes through the same cleaning, structure,
dateline, credit, date and language rules as any copy. What the format adds is merged on top:

* ``published`` from the trailer (minute precision, ``published_source`` "trailer"; a trailer
  after ``now`` is refused like any future date);
* agencies: the header's agent (``lni`` → dpa + lni) with the dateline's and the footer's credits;
* ``embargo_until`` from the embargo note, the year (or day) taken from the trailer, else the dpa
  id's issue date, else ``now``;
* ``kind`` "withdrawal" and ``withdraws``: the dpa story keys the notice names (never its own),
  else the headline it quotes.

Ids: the dpa story id when the message carries one, else ``sha1-`` of its headline, body and
footer. ``content_sha256`` and ``size`` are the file's (change detection is per file).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import lru_cache

from pressindex.errors import InputError, NoText
from pressindex.model import Article, DpaId
from pressindex.parse.agencies import Credit, agent_credit, merge
from pressindex.parse.dates import DateValue
from pressindex.parse.decode import DEFAULT_MAX_BYTES, Decoded, decode_bytes
from pressindex.parse.document import text_fields
from pressindex.parse.dpa_ids import find_all_dpa_ids, find_dpa_id
from pressindex.parse.file_articles import FileArticles
from pressindex.parse.nonpublic import may_hold_nonpublic, raw_may_hold_nonpublic, remove_nonpublic
from pressindex.parse.structured import detect_structured, parse_structured
from pressindex.parse.wire_format import (
    WireMessage,
    detect_format,
    header_only,
    reader,
    split_messages,
)
from pressindex.parse.wire_notes import (
    category_name,
    embargo_until,
    find_notebook,
    is_withdrawal,
    named_story,
    opening_notes,
    read_notebook,
)


def parse_messages(
    raw: bytes,
    source_path: str,
    *,
    now: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[Article]:
    """Parse one file into one Article per message (one for plain text).

    Raises an :class:`~pressindex.errors.InputError` subclass as :func:`parse_document` does; in a
    file of several messages, a message without text is skipped (a warning on the first Article
    names it) and NoText is raised only when no message has text."""
    structured = detect_structured(raw)  # NewsML-G2, NITF, digitalwires or ninjs: by the first bytes
    if structured:
        return parse_structured(raw, source_path, structured, now=now, max_bytes=max_bytes)
    now = now or datetime.now(UTC)
    # The format is in the first bytes, in ASCII: Latin-1 reads them whatever the encoding.
    fmt = detect_format(raw[:4096].decode("latin-1"))
    if fmt == "text":
        return [_text_article(raw, source_path, now, max_bytes)]
    try:
        decoded = decode_bytes(raw, max_bytes=max_bytes)
    except InputError as exc:
        exc.path = source_path
        raise
    messages = split_messages(decoded.text, fmt)
    read = reader(fmt)
    file_sha256 = hashlib.sha256(raw).hexdigest()  # the file's, once: not hashed again per message
    if len(messages) == 1:  # the usual file: its message's Article or its error, nothing to collect
        wire = read(messages[0], True)
        return [
            _wire_article(
                wire, raw, decoded.encoding, decoded.repairs, source_path, now, max_bytes, None, file_sha256
            )
        ]
    out = FileArticles(several=True)
    # per file, not per message: the non-public marker's words (a single message's reader scans it)
    nonpublic = may_hold_nonpublic(decoded.text)
    # A message repeated in the file (a re-sent story) is read once: its Article depends on the
    # message's text and on what is the file's, nothing else but the index.
    seen: dict[str, Article | str] = {}  # the Article, or the code of the error it raised
    for index, message in enumerate(messages):
        earlier = seen.get(message)
        if isinstance(earlier, Article):
            out.add(replace(earlier, message_index=index))
            continue
        if earlier is not None:
            out.skip_code(index, earlier)
            continue
        if fmt == "iptc7901" and header_only(message):
            # a header line and nothing else: no text, rejected before any per-message work
            out.skip(index, NoText("a message of this file holds no text", path=source_path))
            seen[message] = NoText.code
            continue
        wire = read(message, nonpublic)
        try:
            article = _wire_article(
                wire,
                raw,
                decoded.encoding,
                decoded.repairs,
                source_path,
                now,
                max_bytes,
                index,
                file_sha256,
            )
        except InputError as exc:
            out.skip(index, exc)
            seen[message] = exc.code
            continue
        out.add(article)
        seen[message] = article
    return out.result(NoText("no message with text in this file", path=source_path))


def _text_article(raw: bytes, source_path: str, now: datetime, max_bytes: int) -> Article:
    """Plain text: :func:`~pressindex.parse.document.text_fields` on the text without its
    non-public part, its opening notes (``(Sperrfrist …)``, ``(Eil)``, ``(Berichtigung: …)``) and
    its Notizblock, which become fields as in IPTC 7901. Decoded once; the non-public cut runs only
    when the bytes hold the marker's words."""
    try:
        decoded = decode_bytes(raw, max_bytes=max_bytes)
    except InputError as exc:
        exc.path = source_path
        raise
    # the marker's words are ASCII: in UTF-8 and cp1252 bytes they are there when the text holds
    # them (a cheaper test than the text's); UTF-16 and other codecs' bytes do not show them
    if decoded.encoding in ("utf-8", "cp1252"):
        marked = raw_may_hold_nonpublic(raw)
    else:
        marked = may_hold_nonpublic(decoded.text)
    text, removed = remove_nonpublic(decoded.text) if marked else (decoded.text, False)
    notes, offset = opening_notes(text)
    if offset:
        text = text[offset:]
    notebook = find_notebook(text, 0) if "#" in text else None
    notebook_text = correction = None
    if notebook:
        notebook_text, correction = read_notebook(text[notebook.start() :].split("\n"))
        text = text[: notebook.start()]
    repairs = decoded.repairs + (("nonpublic_removed",) if removed else ())
    fields = text_fields(
        raw, source_path, now=now, max_bytes=max_bytes, decoded=Decoded(text, decoded.encoding, repairs)
    )
    if notes is None and notebook is None:
        return Article(**fields)
    if notes is not None and notes.correction is not None:
        correction = notes.correction
    others = "\n".join(f"({o})" for o in notes.others) if notes is not None and notes.others else None
    fields.update(
        editorial_notes="\n\n".join(x for x in (others, notebook_text) if x) or None,
        correction=correction,
        is_correction=correction is not None,
    )
    if notes is not None:
        warnings = list(fields["warnings"])
        published = fields["published"]
        day = (
            fields["dpa"].issue_date
            if fields["dpa"]
            else published
            if published and len(published) >= 10
            else None
        )
        withdrawal_text = "\n".join([*(notes.others or ()), fields["title"], fields["body"][:2000]])
        dpa: DpaId | None = fields["dpa"]
        withdraws: tuple[str, ...] = ()
        if is_withdrawal(notes, withdrawal_text):
            dpa, withdraws = _withdrawn(dpa, fields["copyright"] is not None, withdrawal_text)
            fields.update(kind="withdrawal", withdraws=withdraws, dpa=dpa)
            if fields["id"].startswith("dpa-") and dpa is None:
                fields["id"] = f"sha1-{fields['text_sha1']}"
        fields.update(
            urgency=notes.urgency,
            genre=notes.genre,
            embargo_until=_embargo(
                notes.embargo_note, date.fromisoformat(day[:10]) if day else now.date(), warnings
            ),
            warnings=tuple(dict.fromkeys(warnings)),
        )
    return Article(**fields)


def _wire_article(
    wire: WireMessage,
    raw: bytes,
    encoding: str,
    decode_repairs: tuple[str, ...],
    source_path: str,
    now: datetime,
    max_bytes: int,
    index: int | None,
    file_sha256: str,
) -> Article:
    story = wire.story
    if wire.byline and wire.headline is None:
        story = wire.byline + "\n\n" + story
    if not story.strip() and wire.headline:
        story = wire.headline
    if not story.strip():
        raise NoText("a message of this file holds no text", path=source_path)
    try:
        # the fields of the story's Article: the Article is built once, below, with the wire's
        base = text_fields(
            raw,
            source_path,
            now=now,
            max_bytes=max_bytes,
            headline=wire.headline,
            byline=wire.byline,
            decoded=Decoded(story, encoding),
            content_sha256=file_sha256,
            identity=False,
            unwrapped=story is wire.story,
            printable=wire.printable and story is wire.story,
        )
    except InputError as exc:
        exc.path = source_path
        raise
    warnings = list(base["warnings"]) + wire.warnings

    agent = agent_credit(wire.agent) if wire.agent else Credit()
    agencies, services = base["agencies"], base["regional_services"]
    if (not agencies or agencies == agent.agencies) and (not services or services == agent.services):
        credit = agent  # the story credits what the header's agent stands for, or nothing: no union to build
    else:
        credit = merge(agent, Credit(agencies, services))
    if agent.unknown:
        warnings.append(f"unknown_agent:{wire.agent}")

    if wire.trailer:
        if _after_day(wire.trailer, now.date()):
            warnings.append(f"future_date_ignored:trailer:{wire.trailer.value}")
        else:
            base["published"] = wire.trailer.value
            base["published_precision"] = wire.trailer.precision
            base["published_source"] = wire.trailer.source

    base_dpa = base["dpa"]
    dpa = base_dpa
    if dpa is None and wire.editorial_notes:
        dpa = find_dpa_id(wire.editorial_notes)
    kind = "withdrawal" if wire.withdrawal else "news"
    withdraws: tuple[str, ...] = ()
    if wire.withdrawal:
        dpa, withdraws = _withdrawn(dpa, bool(base_dpa and base["copyright"]), wire.withdrawal_text)

    embargo = _embargo(wire.embargo_note, _base_day(wire, dpa, now), warnings) if wire.embargo_note else None

    footer = base["footer_lines"] + wire.extra_footer  # photo notes, header references: verbatim, not body
    text_sha1 = hashlib.sha1(
        "\n\n".join([base["title"], base["body"], "\n".join(footer)]).encode("utf-8")
    ).hexdigest()
    base.update(
        id=f"dpa-{dpa.story}" if dpa else f"sha1-{text_sha1}",
        agencies=credit.agencies,
        regional_services=credit.services,
        dpa=dpa,
        footer_lines=footer,
        editor_initials=wire.editor_codes or base["editor_initials"],
        repairs=tuple(dict.fromkeys(decode_repairs + wire.repairs + base["repairs"])),
        text_sha1=text_sha1,
        warnings=tuple(dict.fromkeys(warnings)),
        format=wire.format,
        wire_service=wire.wire_service,
        urgency=wire.urgency,
        category=wire.category,
        category_name=category_name(wire.category),
        keywords=wire.keywords,
        genre=wire.genre,
        correction=wire.correction,
        is_correction=wire.correction is not None,
        embargo_until=embargo,
        editorial_notes=wire.editorial_notes,
        kind=kind,
        withdraws=withdraws,
        message_index=index,
    )
    return Article(**base)


# An embargo whose end cannot be read holds the text back: publishing it early is the one failure
# an embargo exists to prevent. The warning names it; an operator sees it in the concrete index.
EMBARGO_HELD = "9999-12-31T23:59:59+00:00"


def _embargo(note: str | None, base_day: date, warnings: list[str]) -> str | None:
    """``embargo_until`` for an embargo note (None without one); :data:`EMBARGO_HELD` and the
    warning ``embargo_unread`` when the note names no moment."""
    if not note:
        return None
    moment = embargo_until(note, base_day)
    if moment is None:
        warnings.append("embargo_unread")
        return EMBARGO_HELD
    return moment


def _withdrawn(dpa: DpaId | None, own_id: bool, withdrawal_text: str) -> tuple[DpaId | None, tuple[str, ...]]:
    """A withdrawal notice's own dpa id (None when the id it carries is the withdrawn story's)
    and what it withdraws: the dpa story keys it names, else the headline it quotes. ``own_id``:
    the notice's id came from its own footer (a copyright line), so it is not the story's."""
    own = dpa.story if dpa and own_id else None
    named = [key for key in find_all_dpa_ids(withdrawal_text) if key != own]
    if dpa and not own and dpa.story in named:
        dpa = None  # the id the notice names is the withdrawn story's, not the notice's
    quoted = named_story(withdrawal_text)
    return dpa, tuple(named) or ((quoted,) if quoted else ())


@lru_cache(maxsize=64)  # a feed's messages share their trailers (trailer_date gives the same DateValue)
def _after_day(value: DateValue, today: date) -> bool:
    """``value.is_after`` a moment of ``today`` (it compares days only)."""
    return value.is_after(datetime(today.year, today.month, today.day))


def _base_day(wire: WireMessage, dpa: DpaId | None, now: datetime) -> date:
    if wire.trailer:
        return date.fromisoformat(wire.trailer.value[:10])
    if dpa:
        return date.fromisoformat(dpa.issue_date)
    return now.date()
