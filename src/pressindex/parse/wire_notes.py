"""Editors' markers in wire copy: urgency, corrections, genres, embargoes, withdrawals, trailers.

Shared by the IPTC 7901 and ANPA 1312 readers (and cheap enough for plain text). Every pattern is
anchored or bounded: the texts here are single note lines or the first few kilobytes of a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

# compiled (the Python steps it stands for are in its source): a pattern split, a substitution and a
# replace per paragraph each scanned and copied the whole text. Built with the language scorer, whose
# import says how to mend an install that skipped the build.
from pressindex.parse._unwrap import unwrap_story
from pressindex.parse.dates import DateValue

BERLIN = ZoneInfo("Europe/Berlin")

# Control characters inside a message's text (BEL rings in "(Eil)"); line ends and tabs stay.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")

_MONTHS = {
    "jan": 1, "januar": 1, "jänner": 1, "january": 1, "feb": 2, "februar": 2, "february": 2,
    "mär": 3, "mrz": 3, "mar": 3, "märz": 3, "maerz": 3, "march": 3, "apr": 4, "april": 4,
    "mai": 5, "may": 5, "jun": 6, "juni": 6, "june": 6, "jul": 7, "juli": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10, "oct": 10, "oktober": 10,
    "october": 10, "nov": 11, "november": 11, "dez": 12, "dec": 12, "dezember": 12, "december": 12,
}  # fmt: skip
_MONTH_RE = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))

# dpa ressort codes and the one-letter ANPA/English-service categories → readable facet names.
CATEGORY_NAMES = {
    "pl": "Politik", "wi": "Wirtschaft", "vm": "Vermischtes", "ku": "Kultur", "sp": "Sport",
    "rs": "Redaktionsservice", "wt": "Wissenschaft und Technik", "bi": "Bildung",
    "a": "Domestic", "e": "Entertainment", "f": "Financial", "i": "International", "k": "Commentary",
    "l": "Lifestyle", "n": "State and regional", "p": "Politics", "s": "Sports", "v": "Advisories",
    "w": "Washington",
}  # fmt: skip


def category_name(code: str | None) -> str | None:
    return CATEGORY_NAMES.get(code.lower()) if code else None


# ---------------------------------------------------------------------------------------------
# Notes before the headline


@dataclass(slots=True)
class Notes:
    urgency: int | None = None
    correction: str | None = None
    genre: str | None = None
    embargo_note: str | None = None
    attention: bool = False  # "(Achtung)": a withdrawal when kill wording follows
    kill: bool = False  # "KILL KILL KILL"
    others: list[str] | None = None  # notes that are none of these (kept for the editorial notes)


_URGENT = re.compile(r"^(?P<word>Blitz|Eil|Eilmeldung|FLASH|URGENT|EXTRA|BULLETIN)\b", re.IGNORECASE)
# A noun or participle opens a note whose rest is the correction ("Berichtigung: …"); a verb
# ("CORRECTS spelling of …", AP and English services) is the correction's text itself.
_CORRECTION = re.compile(
    r"^(?:(?:Berichtigung|Berichtigt|Berichtigte\s{1,3}Fassung|Korrektur|Korrigiert|Korrigierte\s{1,3}Fassung"
    r"|Correction|Corrected)\b\s{0,3}[:.-]?\s{0,3}|(?=(?:Corrects|Correcting|Berichtigt|Korrigiert)\s))",
    re.IGNORECASE,
)
_EMBARGO = re.compile(
    r"Sperrfrist|Nicht\s{1,3}vor\b|Embargo|Not\s{1,3}for\s{1,3}(?:use|release|publication)\s{1,3}before",
    re.IGNORECASE,
)
_ATTENTION = re.compile(r"^(?:Achtung|Attention|Advisory)\b\s{0,3}[-–:]?\s{0,3}", re.IGNORECASE)
# Withdrawal words as agencies write them opening a note or marker line ("STORNO", "WITHDRAWAL",
# AP's "ELIMINATION"); capitals only where the word is also common prose ("Storno-Welle").
_KILL = re.compile(
    r"\bKILL(?:\s{1,3}KILL){1,4}\b|^(?:(?:MANDATORY|URGENT)\s{1,3})?KILL\b"
    r"|^(?:WITHDRAWN?|WITHDRAWAL|ELIMINATION|STORNO|STORNIERUNG)\b(?!-)"
    r"|^(?:Storno|Stornierung|Withdrawal)$"
)
# Bare marker lines of English services.
ENGLISH_MARKER = re.compile(
    r"^(?:FLASH|URGENT|EXTRA|BULLETIN|REFILE|CORRECTED|CORRECTION|REPEAT|ADVISORY|KILL(?:\s{1,3}KILL){0,4}|WITHDRAWN"
    r"|WITHDRAWAL|ELIMINATION|STORNO|STORNIERUNG|EILMELDUNG|EIL|BLITZ|BERICHTIGUNG|KORREKTUR|(?:MANDATORY|URGENT)\s{1,3}KILL"
    r"|(?:\d{1,2}(?:ST|ND|RD|TH)|FIRST|SECOND|THIRD)\s{1,3}LEAD|UPDATE\s{1,3}\d{1,2}|LEAD)\s{0,3}[:.-]?$"
)
_LEAD = re.compile(r"^(\d{1,2}(?:ST|ND|RD|TH)|FIRST|SECOND|THIRD)\s{1,3}LEAD$")
_GENRE_WORDS = {"REFILE": "Refile", "REPEAT": "Repeat", "ADVISORY": "Advisory", "LEAD": "Lead"}
_URGENCY_WORDS = {"blitz": 1, "flash": 1, "eil": 2, "eilmeldung": 2, "urgent": 2, "bulletin": 2, "extra": 2}


# An embargo written as a line of its own, without parentheses (plain-text copy often has it so).
_EMBARGO_LINE = re.compile(
    r"^(?:Sperrfrist|SPERRFRIST|Embargo|EMBARGO|Embargoed|EMBARGOED)\b[ \t]{0,3}[:.-]?"
)
MAX_NOTE_LINES = 8  # a note wraps over this many lines at most
# A correction line with its explanation ("REFILE - CORRECTS name of minister in 2nd paragraph",
# "CORRECTED - adds quote"): a capitals marker opens it, a headline ends in "=" and is none.
_CORRECTION_LINE = re.compile(
    r"^(?:(?P<prefix>REFILE|REPEAT|UPDATE[ \t]{1,3}\d{1,2})[ \t]{0,3}[-–:][ \t]{0,3})?"
    r"(?=(?:CORRECTS|CORRECTED|CORRECTING|CORRECTION|BERICHTIGUNG|KORREKTUR)\b)"
)


def _correction_line(line: str) -> re.Match[str] | None:
    if not line or len(line) > 200 or line[0] not in "RUCBK" or line.endswith("="):
        return None
    return _CORRECTION_LINE.match(line)


# A correction note in mixed case without parentheses ("Berichtigung: Im zweiten Absatz …"): a
# note only where the headline's "=" shows where the headline starts (IPTC 7901); in plain text a
# headline may open so.
_CORRECTION_NOTE = re.compile(
    r"^[ \t]{0,8}(?:Berichtigung|Korrektur|Berichtigte\s{1,3}Fassung|Korrigierte\s{1,3}Fassung|Correction)"
    r"(?:\s{0,3}:|(?P<alone>[ \t]{0,3}[-–]?[ \t]{0,3}$))",
    re.IGNORECASE,
)
_NOTE_END = (".", "!", "?", ")", "\u201c", '"')
_HEADLINE_BLOCK_LINES = 8  # a headline block (headline, byline, photo note) ends within this many lines
_GAP_LINES = 2  # blank lines between such a note and the headline
# How far past its first line telling such a note from a headline reads: a caller that split only
# the first lines of a text knows whether the rest was reached.
CORRECTION_NOTE_REACH = MAX_NOTE_LINES + _GAP_LINES + _HEADLINE_BLOCK_LINES


def may_open_correction_note(line: str) -> bool:
    return _CORRECTION_NOTE.match(line) is not None  # no strip: the last line may be the whole rest


def _correction_note_end(lines: list[str], i: int) -> int | None:
    """Where a bare ``Berichtigung: …`` note starting at line ``i`` ends, when it is one: it ends in a
    full stop or a blank line, before a headline block that ends in "=". A line ending in "=" first
    makes it the headline's own first line ("Berichtigung: Stadtrat" / "beschließt Etat =")."""
    opening = _CORRECTION_NOTE.match(lines[i])
    if opening is None:
        return None
    n, j = len(lines), i
    while True:
        if j >= n or j >= i + MAX_NOTE_LINES:
            return None
        line = lines[j].strip()
        if line.endswith("="):
            return None
        j += 1
        # the word alone ("Berichtigung") is the whole note
        if opening.group("alone") is not None or line.endswith(_NOTE_END) or j >= n or not lines[j].strip():
            break
    k = j
    while k < n and k < j + _GAP_LINES and not lines[k].strip():
        k += 1
    for line in lines[k : k + _HEADLINE_BLOCK_LINES]:
        line = line.strip()
        if not line:
            return None
        if line.endswith("="):
            return j
    return None


def read_notes(lines: list[str], i: int, notes: Notes, *, headline_marked: bool = False) -> int:
    """Notes before the headline, from line ``i`` of ``lines``: parenthesised notes (possibly
    wrapped), English marker lines and a bare embargo line ("Sperrfrist: 14. März, 18.00 Uhr");
    with ``headline_marked`` (the headline ends in "=", IPTC 7901) a bare ``Berichtigung: …`` note
    too. Returns the index of the first line that is none of these."""
    n = len(lines)
    while i < n:
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        if line.startswith("("):
            # a note, possibly wrapped: up to its closing parenthesis
            depth, parts, j = 0, [], i
            while j < n and j < i + MAX_NOTE_LINES:
                part = lines[j].strip()
                parts.append(part)
                depth += part.count("(") - part.count(")")
                j += 1
                if depth <= 0:
                    break
            joined = " ".join(parts)
            if depth > 0 or not joined.endswith(")") or joined.endswith("="):
                return i  # no closed note: the headline (or a photo note) starts here
            read_note(joined[1:-1], notes)
            i = j
            continue
        # an English marker is all capitals, an embargo line starts with S or E: most lines are neither
        if (len(line) <= 40 and line.isupper() and ENGLISH_MARKER.match(line)) or (
            len(line) <= 200 and line[0] in "SE" and _EMBARGO_LINE.match(line)
        ):
            read_note(line, notes)
            i += 1
            continue
        m = _correction_line(line)
        if m:
            if m.group("prefix"):
                read_note(m.group("prefix"), notes)  # "REFILE": the genre
            read_note(line[m.end() :], notes)
            i += 1
            continue
        end = _correction_note_end(lines, i) if headline_marked and line[0] in "BKCbkc" else None
        if end is not None:
            read_note(" ".join(part.strip() for part in lines[i:end]), notes)
            i = end
            continue
        return i
    return i


_LEADING_SPACE = re.compile(r"\s*")
_PICTURE_NOTE = re.compile(
    r"^\(\s{0,3}(?:Foto|Fotos|Bild|Bilder|Grafik|Video|Audio|Photo|Photos|Graphic)\b", re.IGNORECASE
)


def opening_notes(text: str) -> tuple[Notes | None, int]:
    """Notes that open a plain text, before its headline (``(Sperrfrist 14. März, 18.00 Uhr)``,
    ``(Eil)``, ``URGENT``, a ``Sperrfrist: …`` line), and where the text after them starts; (None,
    0) when the text opens with none. Only the opening lines are looked at."""
    leading = _LEADING_SPACE.match(text)  # always matches (\s*): None only to the type checker
    start = leading.end() if leading else 0
    end = text.find("\n", start, start + 400)
    first = text[start : end if end >= 0 else start + 400].strip()
    if first.startswith("("):
        if _PICTURE_NOTE.match(first):
            return None, 0  # a picture credit above the text, not an editor's note
    elif not (
        (len(first) <= 40 and ENGLISH_MARKER.match(first))
        or _EMBARGO_LINE.match(first)
        or _correction_line(first)
    ):
        return None, 0
    lines = text[start : start + 8000].split("\n", 40)
    notes = Notes()
    i = read_notes(lines, 0, notes)
    if i == 0:
        return None, 0
    return notes, min(len(text), start + sum(len(x) + 1 for x in lines[:i]))


def read_note(inner: str, notes: Notes) -> None:
    """Classify one note (the text inside its parentheses, or an English marker line) into ``notes``."""
    note = _classify_note(inner)
    if note is None:
        return
    kind = note.kind
    if kind == "urgency" and note.urgency is not None:
        notes.urgency = note.urgency if notes.urgency is None else min(notes.urgency, note.urgency)
    elif kind == "correction" and note.value is not None:
        notes.correction = note.value if notes.correction is None else notes.correction + " " + note.value
    elif kind == "kill":
        notes.kill = True
    elif kind == "embargo":
        notes.embargo_note = note.text if notes.embargo_note is None else notes.embargo_note
    elif kind == "attention":
        notes.attention = True
        if note.may_be_genre and notes.genre is None:
            notes.genre = note.value  # "(Achtung - Planungshinweis)"
        elif note.value:
            notes.others = (notes.others or []) + [note.text]
    elif kind == "genre":
        notes.genre = notes.genre or note.value
    else:
        notes.others = (notes.others or []) + [note.text]


class _Note(NamedTuple):
    kind: str  # "urgency", "correction", "kill", "embargo", "attention", "genre" or "other"
    text: str  # the note, whitespace runs made one space
    urgency: int | None = None
    value: str | None = None  # the correction's text, the genre, or what follows "Achtung"
    may_be_genre: bool = False  # "attention": what follows is short and no kill wording


@lru_cache(maxsize=1024)  # a feed repeats its notes ("(Eil)", "(Vorschau)"): each is classified once
def _classify_note(inner: str) -> _Note | None:
    """What one note is (None for an empty one); what it means for a message's notes, which may
    hold others already, is :func:`read_note`'s."""
    inner = " ".join(inner.split())  # unwrap, drop BEL remnants' spaces
    if not inner:
        return None
    if _KILL.search(inner):  # before urgency: "URGENT KILL" is a kill
        return _Note("kill", inner)
    m = _URGENT.match(inner)
    if m:
        return _Note("urgency", inner, urgency=_URGENCY_WORDS[m.group("word").lower()])
    m = _CORRECTION.match(inner)
    if m:
        return _Note("correction", inner, value=inner[m.end() :].strip() or inner)
    if _EMBARGO.search(inner):
        return _Note("embargo", inner)
    m = _ATTENTION.match(inner)
    if m:
        rest = inner[m.end() :].strip(" -–:")
        short = bool(rest) and len(rest) <= 60 and not _KILL_WORDING.search(rest)
        return _Note("attention", inner, value=rest, may_be_genre=short)
    upper = inner.upper()
    lead = _LEAD.match(upper)
    if lead:
        title = lead.group(0).title()
        return _Note(
            "genre",
            inner,
            value=title.replace("St ", "st ")
            .replace("Nd ", "nd ")
            .replace("Rd ", "rd ")
            .replace("Th ", "th "),
        )
    if upper in _GENRE_WORDS:
        return _Note("genre", inner, value=_GENRE_WORDS[upper])
    if upper.startswith("UPDATE"):
        return _Note("genre", inner, value=inner.title())
    if len(inner) <= 60:
        # "(Zusammenfassung 1200)", "(Vorschau 18.00 Uhr)": the time says which edition, the genre
        # facet is the word alone
        timed = _GENRE_TIME.search(inner)
        return _Note("genre", inner, value=inner[: timed.start()] if timed and timed.start() else inner)
    return _Note("other", inner)


_GENRE_TIME = re.compile(
    r"[ \t]{1,3}(?:um[ \t]{1,3})?(?:(?:[01]?\d|2[0-3])[.:][0-5]\d|(?:[01]\d|2[0-3])[0-5]\d)"
    r"(?:[ \t]{0,2}(?:Uhr|h|MEZ|MESZ|GMT|UTC))?$"
)


# ---------------------------------------------------------------------------------------------
# Withdrawals

_KILL_WORDING = re.compile(
    r"zurückgezogen|zurückziehen|\bzieh(?:t|en)\s[^\n]{0,200}?\bzurück\b|wird\s{1,3}gestrichen|ist\s{1,3}gestrichen"
    r"|(?:bitte\s{1,3})?nicht\s{1,3}(?:mehr\s{1,3})?(?:zu\s{1,3})?(?:verwenden|veröffentlichen)\b(?!\s{0,3}vor)"
    r"|(?:ist|sind|bitte)\s{1,3}zu\s{1,3}(?:streichen|löschen)|\bbitte\s{1,3}(?:streichen|löschen)\b|\bwird\s{1,3}storniert|\bwithdrawn\b|\bwithdraws\b|\bkilled\b"
    r"|\bis\s{1,3}eliminated\b|\bdo\s{1,3}not\s{1,3}use\b|\bplease\s{1,3}(?:kill|disregard)\b|KILL\s{1,3}KILL",
    re.IGNORECASE,
)
# an "Achtung" opening the text, behind any "(" and spaces: _ATTENTION after lstrip("( ")
_ATTENTION_OPENING = re.compile(r"[( ]*(?:Achtung|Attention|Advisory)\b", re.IGNORECASE)
# a withdrawal word opening the notes or headline ("STORNO: Entscheidung vertagt ="): a notice by itself
_KILL_OPENING = re.compile(r"[( ]*(?:STORNO|STORNIERUNG|WITHDRAWAL|WITHDRAWN|ELIMINATION|KILL)\b(?!-)")
_QUOTED = re.compile(r"[„\"»“‚']([^„\"“”»«\n]{5,200})[“\"”«‘']")


def is_withdrawal(notes: Notes, text: str) -> bool:
    """A withdrawal notice: ``KILL KILL KILL``, or an ``(Achtung)`` note (or an "Achtung" headline)
    with kill wording in the first lines of ``text`` (notes, headline and the first paragraphs)."""
    if notes.kill or _KILL_OPENING.match(text, 0, 200):
        return True
    # the first 2,000 characters, read in place (no slice and stripped copy of them)
    attention = notes.attention or _ATTENTION_OPENING.match(text, 0, 2000) is not None
    return attention and _KILL_WORDING.search(text, 0, 2000) is not None


def may_be_withdrawal(notes: Notes, opening: str) -> bool:
    """Whether :func:`is_withdrawal` can be True for a text that starts with ``opening`` (its
    first line: the first note kept, else the headline): a KILL or Achtung note, or an opening
    "Achtung". False spares putting that text together."""
    if notes.kill or notes.attention:
        return True
    # the word's first letter after any "(" and spaces: most openings have none of the words
    first = opening.lstrip("( ")[:1]
    if first in ("S", "W", "E", "K"):
        return _KILL_OPENING.match(opening, 0, 200) is not None
    return first in ("a", "A") and _ATTENTION_OPENING.match(opening, 0, 2000) is not None


def quoted_headline(text: str) -> str | None:
    m = _QUOTED.search(text[:2000])
    return m.group(1).strip() if m else None


_NAMED_SLUG = re.compile(r"\bBC-[A-Za-z0-9][\w-]{0,80}")


def named_story(text: str) -> str | None:
    """What a notice names its story by when it gives no dpa id: the headline it quotes, else the
    ANPA slug ("ELIMINATION: BC-Dam-Repairs, 1st Ld-Writethru, is eliminated")."""
    quoted = quoted_headline(text)
    if quoted:
        return quoted
    m = _NAMED_SLUG.search(text, 0, 2000)
    return m.group(0) if m else None


def is_marker_note(note: str) -> bool:
    """A note of any length that opens with correction or withdrawal wording ("CORRECTS spelling
    of …", "ELIMINATION: …"): read as a marker, not kept only as an editor's remark."""
    return _CORRECTION.match(note) is not None or _KILL.match(note) is not None


# ---------------------------------------------------------------------------------------------
# Trailers: "140918 Mär 25" (IPTC 7901, Europe/Berlin unless GMT), "AP-WF-03-14-25 0918GMT" (ANPA)

IPTC_TRAILER = re.compile(
    rf"^\s{{0,5}}(?P<dd>[0-3]\d)(?P<hh>[0-2]\d)(?P<mi>[0-5]\d)[ \t]{{1,3}}(?:(?P<gmt>GMT|UTC)[ \t]{{1,3}})?"
    rf"(?P<mon>{_MONTH_RE})\.?[ \t]{{1,3}}(?P<yy>\d{{2}})[ \t]{{0,5}}$",
    re.IGNORECASE,
)
ANPA_TRAILER = re.compile(
    r"^\s{0,5}(?P<agency>[A-Z]{2,4})-(?P<svc>[A-Z]{2,4})-(?P<mm>[01]\d)-(?P<dd>[0-3]\d)-(?P<yy>\d{2})"
    r"[ \t]{1,3}(?P<hh>[0-2]\d)(?P<mi>[0-5]\d)[ \t]{0,3}(?P<zone>GMT|UTC|[A-Z]{3})?"
)

# APA closes a message with its id and time, "APA0231 2025-03-14/12:00" (Vienna time)
APA_TRAILER = re.compile(
    r"^\s{0,5}[A-Z]{2,5}\d{3,5}[ \t]{1,6}(?P<y>\d{4})-(?P<mm>[01]\d)-(?P<dd>[0-3]\d)/(?P<hh>[0-2]\d):(?P<mi>[0-5]\d)"
    r"[ \t]{0,5}$"
)
VIENNA = ZoneInfo("Europe/Vienna")


@lru_cache(maxsize=64)  # a file's messages often share a trailer; DateValue is frozen
def trailer_date(line: str) -> DateValue | None:
    """The publication time a trailer line gives, with its offset, minute precision."""
    m = IPTC_TRAILER.match(line)
    if m:
        month = _MONTHS.get(m.group("mon").lower())
        zone = UTC if m.group("gmt") else BERLIN
        return _minute(
            2000 + int(m.group("yy")), month, int(m.group("dd")), int(m.group("hh")), int(m.group("mi")), zone
        )
    m = ANPA_TRAILER.match(line)
    if m:
        zone = UTC if m.group("zone") in (None, "GMT", "UTC") else _US_ZONES.get(m.group("zone"), UTC)
        return _minute(
            2000 + int(m.group("yy")),
            int(m.group("mm")),
            int(m.group("dd")),
            int(m.group("hh")),
            int(m.group("mi")),
            zone,
        )
    m = APA_TRAILER.match(line) if line[:1].isupper() else None
    if m:
        y, mo, d, hh, mi = (int(m.group(k)) for k in ("y", "mm", "dd", "hh", "mi"))
        return _minute(y, mo, d, hh, mi, VIENNA)
    return None


_US_ZONES = {
    "EST": timezone(timedelta(hours=-5)), "EDT": timezone(timedelta(hours=-4)),
    "CST": timezone(timedelta(hours=-6)), "CDT": timezone(timedelta(hours=-5)),
    "PST": timezone(timedelta(hours=-8)), "PDT": timezone(timedelta(hours=-7)),
}  # fmt: skip


def _minute(y: int, mo: int | None, d: int, hh: int, mi: int, zone: tzinfo) -> DateValue | None:
    if mo is None or hh > 23:
        return None
    try:
        moment = datetime(y, mo, d, hh, mi, tzinfo=zone)
    except ValueError:
        return None
    return DateValue(moment.isoformat(timespec="minutes"), "minute", "trailer")


# ---------------------------------------------------------------------------------------------
# Embargoes: "(Sperrfrist 14. März, 18.00 Uhr)", "Nicht vor Freitag, 18.00 Uhr verwenden",
# "EMBARGOED until 1800 GMT March 14"

_WRITTEN = re.compile(
    rf"(?<!\d)(?P<d>[0-3]?\d)\.?\s{{0,3}}(?P<mon>{_MONTH_RE})\b\.?(?:,?\s{{0,3}}(?P<y>\d{{4}})\b)?",
    re.IGNORECASE,
)
_WRITTEN_EN = re.compile(
    rf"\b(?P<mon>{_MONTH_RE})\.?\s{{1,3}}(?P<d>[0-3]?\d)(?!\d)(?:,?\s{{0,3}}(?P<y>\d{{4}})\b)?", re.IGNORECASE
)
_NUMERIC = re.compile(r"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>\d{4}|\d{2})?(?![\d])")
_TIME = re.compile(
    r"(?<![\d.:])(?P<hh>[01]?\d|2[0-3])[.:](?P<mi>[0-5]\d)(?!\d)(?!\.\d)|(?<!\d)(?P<hh2>[01]\d|2[0-3])(?P<mi2>[0-5]\d)\s{0,2}(?=GMT|UTC|MEZ|MESZ|CET|CEST|Uhr|h\b)"
)
_ZONE = re.compile(r"\b(?P<z>GMT|UTC|MEZ|MESZ|CET|CEST)\b")
_WEEKDAY = re.compile(
    r"\b(?P<w>Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonnabend|Sonntag|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b",
    re.IGNORECASE,
)
_WEEKDAYS = {
    "montag": 0, "monday": 0, "dienstag": 1, "tuesday": 1, "mittwoch": 2, "wednesday": 2, "donnerstag": 3,
    "thursday": 3, "freitag": 4, "friday": 4, "samstag": 5, "sonnabend": 5, "saturday": 5, "sonntag": 6, "sunday": 6,
}  # fmt: skip
_OFFSETS = {"GMT": UTC, "UTC": UTC, "MEZ": timezone(timedelta(hours=1)), "CET": timezone(timedelta(hours=1)),
            "MESZ": timezone(timedelta(hours=2)), "CEST": timezone(timedelta(hours=2))}  # fmt: skip


def embargo_until(note: str, base: date) -> str | None:
    """The moment an embargo note names, ISO 8601 with offset, or None when it names none.

    ``base`` is the message's date (trailer, else dpa id, else today): it gives the year when the
    note has none, and the day when the note names only a time ("Sperrfrist 18.00 Uhr") or a weekday
    (the next such day, ``base`` included)."""
    note = note[:300]
    day: date | None = None
    for pattern in (_NUMERIC, _WRITTEN, _WRITTEN_EN):
        m = pattern.search(note)
        if not m:
            continue
        g = m.groupdict()
        month = int(g["m"]) if "m" in g else _MONTHS.get(g["mon"].lower())
        if not month:
            continue
        year = int(g["y"]) if g.get("y") else base.year
        if g.get("y") and len(g["y"]) == 2:
            year += 2000
        try:
            day = date(year, month, int(g["d"]))
        except ValueError:
            continue
        if not g.get("y") and day < base - timedelta(days=180):
            day = day.replace(year=year + 1)  # a December message embargoed to January
        break
    if day is None:
        w = _WEEKDAY.search(note)
        if w:
            ahead = (_WEEKDAYS[w.group("w").lower()] - base.weekday()) % 7
            day = base + timedelta(days=ahead)
    t = _TIME.search(note)
    if day is None and t is None:
        return None
    day = day or base
    hh, mi = 0, 0
    if t:
        hh, mi = (
            (int(t.group("hh")), int(t.group("mi")))
            if t.group("hh")
            else (int(t.group("hh2")), int(t.group("mi2")))
        )
    z = _ZONE.search(note)
    zone = _OFFSETS[z.group("z").upper()] if z else BERLIN
    return datetime(day.year, day.month, day.day, hh, mi, tzinfo=zone).isoformat()


# ---------------------------------------------------------------------------------------------
# Paragraphs of wrapped wire lines


def unwrap(text: str) -> list[str]:
    """Paragraphs from wire lines wrapped at about 70 characters: a blank line or an indented line
    (spaces or a tab) starts a paragraph; the lines of one are joined by a space ("Corona-" at a
    line end before a capital joins without one). :func:`unwrap_story` split into its paragraphs."""
    story = unwrap_story(text)
    return story.split("\n\n") if story else []


# ---------------------------------------------------------------------------------------------
# The Notizblock: public notes for editors at the end of a message (not body, not searched)

# case-sensitive alternatives: an IGNORECASE search over the whole text costs several times more
_NOTEBOOK = re.compile(r"^#[ \t]{0,3}(?:Notizblock|NOTIZBLOCK|Notebook|NOTEBOOK|Notes|NOTES)\b", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")
_SECTION = re.compile(r"^##[ \t]{0,3}(?P<name>[^\n]{1,80})$")


def find_notebook(text: str, start: int) -> re.Match[str] | None:
    """``_NOTEBOOK.search(text, start)``, tried only at the line starts holding a "#": a multi-line
    ``^`` pattern is otherwise tried at every position. The "#" is found alone (a one-character
    ``str.find`` is a memchr; "\\n#" is compared at every line end of wrapped copy), then its line
    start checked."""
    at = text.find("#", start)
    while at >= 0:
        if at == 0 or text[at - 1] == "\n":
            m = _NOTEBOOK.match(text, at)
            if m:
                return m
        at = text.find("\n", at)  # the next "#" that can start a line is on a later line
        if at < 0:
            return None
        at = text.find("#", at + 1)
    return None


def read_notebook(lines: list[str]) -> tuple[str | None, str | None]:
    """The public Notizblock as text, and the text of its ``## Berichtigung`` section."""
    kept = [x.rstrip() for x in lines]
    while kept and not kept[-1].strip():
        kept.pop()
    text = "\n".join(kept).strip()
    correction: list[str] = []
    inside = False
    for line in kept:
        m = _SECTION.match(line.strip()) if "##" in line else None  # a section heading holds "##"
        if m:
            inside = m.group("name").strip().lower() in (
                "berichtigung",
                "berichtigungen",
                "korrektur",
                "correction",
                "corrections",
            )
            continue
        if inside and line.strip():
            correction.append(line.strip())
    text = _BLANK_LINES.sub("\n\n", text) if "\n\n\n" in text else text
    return (text or None), (" ".join(correction) or None)
