"""One ANPA 1312 message (AP and others).

Layout (control characters optional)::

    SYN SYN SOH
    a0918                                     selector: service letters and sequence
    u i BC-US-Harbor-Bridge 0412              priority letter, category, slug, word count
    STX
    ^BC-US-Harbor-Bridge,0412<                header lines start with "^" ("<" ends a line)
    ^Eds: Moves on general news.<            notes for editors (public: editorial_notes)
    ^Harbor bridge reopens after repairs<     headline
    ^By EXAMPLE PERSON=<                      byline (ends in "=")
    ^Associated Press Writer=<
    <TAB>BAYTOWN, Ore. (AP) _ The bridge …    tab-indented paragraphs; " _ " is a dash
    ETX
    AP-WF-03-14-25 0918GMT<                   trailer (UTC)
    EOT

Priority letters: f (flash) 1, u (urgent) 2, b (bulletin) 3, r (regular) 4, d (deferred) 5,
z (optional) 6; other letters give no urgency and a warning. A slug or note naming ``KILL`` or
``WITHDRAWN`` makes the message a withdrawal notice.
"""

from __future__ import annotations

import re

from pressindex.parse.wire_format import WireMessage, open_envelope
from pressindex.parse.wire_notes import (
    ANPA_TRAILER,
    Notes,
    is_marker_note,
    is_withdrawal,
    read_note,
    trailer_date,
    unwrap,
)

PRIORITY = {"f": 1, "u": 2, "b": 3, "r": 4, "d": 5, "z": 6}
_SELECTOR = re.compile(r"^(?P<svc>[a-z]{1,2})(?P<seq>\d{4})$")
_SLUG = re.compile(r"^BC-[A-Za-z0-9][\w-]{0,80}$")
_EDS = re.compile(r"^(?:Eds|EDS|EDITOR'?S\s{1,3}NOTE|Editors?)\b\s{0,3}[:_-]?\s{0,3}", re.IGNORECASE)
_BY = re.compile(r"^By\s\S", re.IGNORECASE)
_KILL_SLUG = re.compile(
    r"(?:^|[-,])[ \t]{0,2}(?:Kill|KILL|Withdrawn|WITHDRAWN|Withdrawal|WITHDRAWAL|Elimination|ELIMINATION)[ \t]{0,2}(?:[-,]|$)"
)
_DASH = re.compile(r"(?<=\S) _ (?=\S)")  # ANPA's 7-bit em dash


def read_anpa1312(message: str, nonpublic: bool = True) -> WireMessage:
    env = open_envelope(message, _split_stripped_head, _split_trailer, nonpublic)
    head, text, tail = env.head, env.text, env.tail
    repairs = env.repairs

    msg = WireMessage(format="anpa1312", story="", repairs=tuple(repairs), agent="AP")
    slug = _read_head(head, msg)
    for line in tail.split("\n"):
        found = trailer_date(line.strip().rstrip("<")) if line.strip() else None
        if found:
            msg.trailer = found
            agency = ANPA_TRAILER.match(line.strip())
            msg.agent = agency.group("agency") if agency else msg.agent
            break

    notes = Notes()
    editorial: list[str] = []
    lines = [x.rstrip().rstrip("<").rstrip() for x in text.split("\n")]
    i = 0
    byline: list[str] = []
    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        if not line:
            i += 1
            continue
        if not line.startswith("^"):
            break
        line = line[1:].strip()
        i += 1
        if not line:
            continue
        if _SLUG.match(line.split(",")[0]):
            slug = slug or line.split(",")[0]
            if _KILL_SLUG.search(line):  # "^BC-Dam-Repairs,ELIMINATION<": the slug line names the kill
                notes.kill = True
                editorial.append(line)
            continue
        m = _EDS.match(line)
        if m:
            note = line[m.end() :].strip()
            editorial.append(line)
            if "KILL" in note or "withdrawn" in note.lower():
                notes.kill = True
            elif len(note) <= 60 or is_marker_note(note):  # "CORRECTS …", "ELIMINATION: …" at any length
                read_note(note, notes)
            continue
        if line.endswith("="):
            line = line.rstrip("= ").strip()
            if _BY.match(line) or byline:
                byline.append(line)
                continue
        if msg.headline is None:
            msg.headline = line
        else:
            editorial.append(line)
    if byline:
        msg.byline = ", ".join(byline)
    body = "\n".join(lines[i:])
    paragraphs = unwrap(_DASH.sub(" — ", body) if " _ " in body else body)
    # AP's closing lines: "(END)", "___", "AP-WF-…" handled as footer by the structure rules
    msg.story = "\n\n".join(p for p in paragraphs if p not in ("(END)", "___", "-0-"))
    msg.editorial_notes = "\n".join(editorial) or None
    if slug and _KILL_SLUG.search(slug):
        notes.kill = True
    msg.correction = notes.correction
    msg.genre = notes.genre
    msg.embargo_note = notes.embargo_note
    if notes.urgency is not None:
        msg.urgency = notes.urgency if msg.urgency is None else min(msg.urgency, notes.urgency)
    msg.withdrawal_text = "\n".join([*editorial, msg.headline or "", *paragraphs[:3]])[:4000]
    msg.withdrawal = is_withdrawal(notes, msg.withdrawal_text)
    if msg.withdrawal and msg.headline is None and not msg.story.strip() and editorial:
        # an elimination or kill advisory is its editor's note alone: that note is the operator
        # record's title (not a message without text)
        msg.headline = _EDS.sub("", editorial[-1], count=1)
    return msg


def _split_stripped_head(message: str) -> tuple[str, str]:
    """Without STX: the head ends at the first "^" line or tab-indented line."""
    pos = 0
    for _ in range(8):
        end = message.find("\n", pos)
        if end < 0:
            break
        nxt = message[end + 1 : end + 2]
        pos = end + 1
        if nxt in ("^", "\t"):
            return message[:pos], message[pos:]
    return "", message


def _split_trailer(rest: str) -> tuple[str, str]:
    end = len(rest.rstrip())
    start = rest.rfind("\n", 0, end) + 1
    line = rest[start:end].strip().rstrip("<")
    if line and len(line) <= 60 and ANPA_TRAILER.match(line):
        return rest[:start], rest[start:]
    return rest, ""


def _read_head(head: str, msg: WireMessage) -> str | None:
    """Selector, priority letter, category, slug and word count, wherever their lines break."""
    tokens = head.split()[:40]
    slug = None
    letters: list[str] = []
    for tok in tokens:
        m = _SELECTOR.match(tok)
        if m and msg.wire_service is None:
            msg.wire_service = m.group("svc")
            continue
        if tok.startswith("BC-") and slug is None:
            slug = tok.split(",")[0].rstrip("<")
            continue
        if len(tok) == 1 and tok.isalpha() and tok.islower() and len(letters) < 2:
            letters.append(tok)
    if letters:
        prio = letters[0]
        msg.urgency = PRIORITY.get(prio)
        if msg.urgency is None:
            msg.warnings.append(f"anpa_unknown_priority:{prio}")
    if len(letters) > 1:
        msg.category = letters[1]
    if slug:
        parts = [p for p in slug[3:].split("-") if p]
        msg.keywords = tuple(parts)
    return slug
