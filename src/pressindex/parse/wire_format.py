"""Which transmission format a decoded file is in, and its messages.

``iptc7901``: SOH, a header line ``bdt0123 4 pl 231  dpa 0456``, a slug line, STX, the text, ETX and
a trailer ``140918 Mär 25``, EOT. ``anpa1312``: SYN SYN SOH, a selector line, priority, category and a
``BC-`` slug, STX, ``^`` header lines, tab-indented paragraphs, ETX, ``AP-WF-03-14-25 0918GMT``.
``text``: everything else (article text, HTML remnants).

Recognised on the decoded text *before* cleaning (cleaning drops the control characters), by the
control characters or, when a system on the way stripped them, by the header shapes: a first line
shaped like an IPTC 7901 header, or a ``BC-`` slug among the first lines with a selector or
``^`` lines. A file may hold many messages: SOH (or, stripped, the next header line) starts one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import NamedTuple

from pressindex.parse._envelope import scan_envelope
from pressindex.parse.dates import DateValue
from pressindex.parse.nonpublic import remove_nonpublic
from pressindex.parse.wire_notes import CONTROLS

SOH, STX, ETX, EOT, SYN = "\x01", "\x02", "\x03", "\x04", "\x16"

# <service><seq> <priority> <category> <words>  [<selector>] <agent> <agent seq> [<ref>]
IPTC_HEADER = re.compile(
    r"[ \t]{0,5}(?P<service>[A-Za-z]{1,4})(?P<seq>\d{3,5})[ \t]{1,3}(?P<prio>[1-9])[ \t]{1,3}(?P<cat>[A-Za-z]{1,3})"
    r"[ \t]{1,3}(?P<words>\d{1,5})[ \t]{1,4}"
    r"(?:(?P<sel>[A-Za-z0-9]{1,12})[ \t]{1,3}(?=[A-Za-z][A-Za-z-]{0,15}[ \t]{1,3}\d))?"
    # APA sends no agent sequence number ("apa0231 4 CI 0187 II"): then the agent is a code of at
    # most four letters closing the line, and there is no selector before it and no reference after
    r"(?=[A-Za-z]{1,4}[ \t]{0,5}$|[A-Za-z][A-Za-z-]{0,15}[ \t]{1,3}\d)"
    r"(?P<agent>[A-Za-z][A-Za-z-]{0,15})(?:[ \t]{1,3}(?P<aseq>\d{1,5})(?:[ \t]{1,3}(?P<ref>\S{1,60}))?)?[ \t]{0,5}"
)


@lru_cache(maxsize=8)  # the reader matches the header line detect_format matched: once per message
def header_match(line: str) -> re.Match[str] | None:
    """``IPTC_HEADER.fullmatch(line)`` for a line of at most 200 characters (else None)."""
    return IPTC_HEADER.fullmatch(line) if len(line) <= 200 else None


# A line that may be a header: checked with IPTC_HEADER.fullmatch only where this matches.
_HEADER_START = re.compile(r"^[ \t]{0,5}[A-Za-z]{1,4}\d{3,5}[ \t]{1,3}[1-9][ \t]", re.MULTILINE)
_ANPA_SLUG = re.compile(r"(?:^|[\s^])BC-[A-Za-z0-9]", re.MULTILINE)
_ANPA_SELECTOR = re.compile(r"^[ \t]{0,5}[a-z]{1,2}\d{4}\b", re.MULTILINE)
_ANPA_TRAILER_LINE = re.compile(
    r"^[ \t]{0,5}[A-Z]{2,4}-[A-Z]{2,4}-\d{2}-\d{2}-\d{2}[ \t]{1,3}\d{4}[ \t]{0,3}[A-Z]{0,4}.{0,10}$",
    re.MULTILINE,
)
_LEAD_CONTROLS = "\x00\x01\x02\x03\x04\x07\x16\x7f \t\r\n\ufeff"
# A character that is none of those: a message holds one near its start (no stripped copy of it)
_CONTENT = re.compile(f"[^{re.escape(_LEAD_CONTROLS)}]")


@dataclass(slots=True)
class WireMessage:
    """What the format reader found in one message; the story text still goes through cleaning and
    :func:`~pressindex.parse.structure.split_structure` like any copy."""

    format: str
    story: str  # teaser and body paragraphs (unwrapped: each stripped, none holding a line end), separated by blank lines
    headline: str | None = None
    byline: str | None = None
    wire_service: str | None = None
    urgency: int | None = None
    category: str | None = None
    keywords: tuple[str, ...] = ()
    genre: str | None = None
    correction: str | None = None
    embargo_note: str | None = None
    editorial_notes: str | None = None
    editor_codes: str | None = None
    agent: str | None = None
    trailer: DateValue | None = None
    withdrawal: bool = False
    withdrawal_text: str = ""  # notes, headline and first paragraphs: where a notice names its story
    extra_footer: tuple[str, ...] = ()  # photo notes, header references: kept verbatim, not body
    repairs: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)
    printable: bool = False  # the story holds only characters str.isprintable accepts and line ends


def detect_format(text: str) -> str:
    """``"iptc7901"``, ``"anpa1312"`` or ``"text"`` for decoded (not yet cleaned) text."""
    head = text[:4000]
    start = len(head) - len(head.lstrip(_LEAD_CONTROLS))
    if SYN in head[:start] or SYN in head[:16]:
        return "anpa1312"
    first_end = head.find("\n", start)
    first = head[start : first_end if first_end >= 0 else len(head)].rstrip("\r")
    if header_match(first):
        return "iptc7901"
    # the slug pattern has no literal prefix: run only where its "BC-" is (most text has none)
    top = "\n".join(head[start:].splitlines()[:8]) if "BC-" in head else ""
    if top and _ANPA_SLUG.search(top) and (_ANPA_SELECTOR.match(top) or "\n^" in head or STX + "^" in head):
        return "anpa1312"
    if SOH in head and STX in text:
        return "iptc7901"  # the envelope, with a header we do not know
    return "text"


def split_messages(text: str, fmt: str) -> list[str]:
    """The messages of a file in format ``fmt`` (one for ``text``), in order."""
    if fmt == "text":
        return [text]
    if text.startswith(SOH) and text.find(SOH, 1) < 0:
        pieces = [text[1:]]  # one message, the usual file: no list of pieces to split and test
    elif SOH in text:
        pieces = text.split(SOH)
    elif fmt == "iptc7901":
        starts = [m.start() for m in _HEADER_START.finditer(text) if _is_header_line(text, m.start())]
        if not starts or (starts[0] > 0 and text[: starts[0]].strip(_LEAD_CONTROLS)):
            starts.insert(0, 0)
        pieces = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)], strict=False)]
    else:  # stripped ANPA: a message ends with its trailer line
        pieces, pos = [], 0
        for m in _ANPA_TRAILER_LINE.finditer(text):
            pieces.append(text[pos : m.end()])
            pos = m.end()
        pieces.append(text[pos:])
    messages = [p for p in pieces if _CONTENT.search(p)]
    return messages or [text]


def header_only(message: str) -> bool:
    """Whether an IPTC 7901 message is a header line alone (blank lines after it at most): the
    reader would find no headline and no text in it. Only the plainest shape is recognised here
    (anything else goes to the reader)."""
    nl = message.find("\n")
    if nl < 0:
        line, rest = message, ""
    else:
        line, rest = message[:nl], message[nl + 1 :]
    if rest and not rest.isspace():
        return False
    line = line.rstrip("\r")
    if not line or len(line) > 200 or "\r" in line or not line.isprintable():
        return False
    return IPTC_HEADER.fullmatch(line.rstrip()) is not None


def _is_header_line(text: str, start: int) -> bool:
    end = text.find("\n", start)
    line = text[start : end if end >= 0 else len(text)].rstrip("\r")
    return len(line) <= 200 and IPTC_HEADER.fullmatch(line) is not None


class Envelope(NamedTuple):  # a tuple: built once per message, at half a frozen dataclass's cost
    head: str  # before STX: header, selector, slug
    text: str  # between STX and ETX
    tail: str  # after ETX: the trailer
    nonpublic_removed: bool
    line_ends: str | None = None  # "crlf" or "cr" when they were made LF
    # every character of the message but LF and the four envelope controls is one str.isprintable
    # accepts: so is every one of text's (the scan's answer, not asked again of the story)
    printable: bool = False

    @property
    def repairs(self) -> tuple[str, ...]:
        if self.line_ends:
            return (self.line_ends, "nonpublic_removed") if self.nonpublic_removed else (self.line_ends,)
        return ("nonpublic_removed",) if self.nonpublic_removed else ()


def open_envelope(
    message: str,
    split_head: Callable[[str], tuple[str, str]],
    split_trailer: Callable[[str], tuple[str, str]],
    nonpublic: bool = True,
) -> Envelope:
    """Line ends made LF, the non-public part cut (first, before any line is read), then head, text
    and tail split at STX and ETX, or where the format's ``split_head``/``split_trailer`` say when a
    system stripped the control characters; control characters other than TAB and LF dropped.
    ``nonpublic`` False: the caller found no non-public marker word in the whole file (searched
    once per file, not once per message).

    One compiled pass over the message (:func:`scan_envelope`) finds the marker's first word and
    whether it holds a control character other than the envelope's SOH STX ETX EOT: without a word
    nothing is cut, without such a character only those four are looked for in the parts; and
    whether all its characters are printable (``Envelope.printable``)."""
    line_ends = None
    if "\r" in message:
        line_ends = "crlf" if "\r\n" in message else "cr"
        message = message.replace("\r\n", "\n").replace("\r", "\n")
    word_start, word_end, controls, printable = scan_envelope(message)
    removed = False
    if nonpublic:  # with no word found, only the signs the compiled scan does not know are looked for
        message, removed = remove_nonpublic(message, first_word=(word_start, word_end))
    stx = message.find(STX)
    if stx >= 0:
        # the text sliced once from the message (not the rest after STX first, then the text of it)
        head, etx = message[:stx], message.find(ETX, stx + 1)
        if etx >= 0:
            text, tail = message[stx + 1 : etx], message[etx + 1 :]
        else:
            text, tail = split_trailer(message[stx + 1 :])
    else:
        head, rest = split_head(message)
        etx = rest.find(ETX)
        text, tail = (rest[:etx], rest[etx + 1 :]) if etx >= 0 else split_trailer(rest)
    if controls:
        return Envelope(
            CONTROLS.sub("", head), CONTROLS.sub("", text), CONTROLS.sub("", tail), removed, line_ends
        )
    return Envelope(
        _drop_envelope_controls(head),
        _drop_envelope_controls(text),
        _drop_envelope_controls(tail),
        removed,
        line_ends,
        printable,
    )


def _drop_envelope_controls(part: str) -> str:
    """``CONTROLS.sub("", part)`` for a part of a message that holds no control character but SOH
    STX ETX EOT: four ``in`` tests (a C memchr each) instead of the pattern's scan."""
    if SOH in part or STX in part or ETX in part or EOT in part:
        return CONTROLS.sub("", part)
    return part


@cache  # its imports run once, not once per file
def reader(fmt: str) -> Callable[..., WireMessage]:
    """The reader of format ``fmt``'s messages (chosen once per file)."""
    if fmt == "anpa1312":
        from pressindex.parse.anpa1312 import read_anpa1312

        return read_anpa1312
    from pressindex.parse.iptc7901 import read_iptc7901

    return read_iptc7901


def read_message(message: str, fmt: str) -> WireMessage:
    """One message of a wire file, read by its format's reader."""
    return reader(fmt)(message)
