"""One IPTC 7901 message (dpa dialect and generic): header, slug, notes, headline, story, Notizblock.

Layout (control characters optional, a system on the way may have stripped them)::

    SOH
    bdt0123 4 pl 231  dpa 0456               service+seq, priority, category, words, [selector] agent seq [ref]
    Niedersachsen/Verkehr/Brücken/            slug: keywords
    STX
    (Eil<BEL>)  (Berichtigung: …)  (Vorschau)  (Sperrfrist …)     notes, each possibly wrapped
    Neue Brücke über die Leine                headline, possibly wrapped, ending in " ="
    eröffnet =
    Von Erika Beispiel, dpa =                 byline, photo note "(Foto Archiv) ="
    Teaser …
    Peine (dpa/lni) - Body …
    # Notizblock                              public notes for editors (not body, not searched)
    ## Redaktionelle Hinweise …
    dpa xyz yyab n1                           editor codes
    ETX
    140918 Mär 25                             trailer: DDHHMM Mon YY, Europe/Berlin unless GMT
    EOT

The non-public part (``* * * *`` and "Die folgenden Informationen sind nicht zur Veröffentlichung
bestimmt" onwards) is cut first, by :mod:`pressindex.parse.nonpublic`, before any line is read.
"""

from __future__ import annotations

import re

from pressindex.parse._unwrap import unwrap_story
from pressindex.parse.agencies import agent_credit
from pressindex.parse.wire_format import IPTC_HEADER, WireMessage, header_match, open_envelope
from pressindex.parse.wire_notes import (
    APA_TRAILER,
    CONTROLS,
    CORRECTION_NOTE_REACH,
    IPTC_TRAILER,
    MAX_NOTE_LINES,
    Notes,
    find_notebook,
    is_withdrawal,
    may_be_withdrawal,
    may_open_correction_note,
    read_notebook,
    read_notes,
    trailer_date,
)

_TOP_LINES = 40  # notes and the headline block are read from at most this many first lines
_FIRST_LINES = 12  # the lines split off first: enough for most messages' notes and headline
_BYLINE = re.compile(r"^(?:Von|By|Ein Bericht von|Eine Analyse von)\s[^\n]{2,120}$")
_PHOTO = re.compile(
    r"^\(\s{0,3}(?:Foto|Fotos|Bild|Bilder|Grafik|Video|Audio|Photo|Photos|Graphic)\b", re.IGNORECASE
)
_MAX_HEADLINE_LINES = 8


def read_iptc7901(message: str, nonpublic: bool = True) -> WireMessage:
    env = open_envelope(message, _split_stripped_head, _split_trailer, nonpublic)
    head, text, tail = env.head, env.text, env.tail
    msg = WireMessage(format="iptc7901", story="", repairs=env.repairs, printable=env.printable)
    _read_head(head, msg)
    trailer = tail.strip()
    if trailer and "\n" not in trailer:  # the usual tail: the trailer line alone
        msg.trailer = trailer_date(trailer)
    else:
        for line in tail.split("\n"):
            if line.strip():
                found = trailer_date(line.strip())
                if found:
                    msg.trailer = found
                    break

    # the notes and the headline are within the first lines: only those are split into lines, the
    # first few at first, all _TOP_LINES when reading them went as far as the rest of the text
    lines = text.split("\n", _FIRST_LINES)
    extra_footer = msg.extra_footer
    i, reach = _read_top(lines, msg, msg_notes := Notes())
    if len(lines) > _FIRST_LINES and reach >= _FIRST_LINES:
        msg.headline, msg.byline, msg.extra_footer = None, None, extra_footer
        lines = text.split("\n", _TOP_LINES)
        i, reach = _read_top(lines, msg, msg_notes := Notes())
    start = sum(map(len, lines[:i])) + i  # each line and its line end

    # Notizblock: from "# Notizblock" to the end of the text; the editor codes close the message.
    m = find_notebook(text, start)
    body_end = m.start() if m else len(text)
    note_lines = text[body_end:].split("\n") if m else []
    body = text[start:body_end]
    if m:  # the notes' first line is the "# Notizblock" heading: the codes close the notes
        msg.editor_codes = _pop_editor_codes(note_lines, msg.agent)
    else:
        body, closing_codes = _pop_closing_lines(body, msg)
        tail_at = body.rfind("\n", 0, len(body.rstrip()))
        tail_lines = body[tail_at + 1 :].split("\n")
        msg.editor_codes = _pop_editor_codes(tail_lines, msg.agent) or closing_codes
        if msg.editor_codes:
            body = body[: tail_at + 1] + "\n".join(tail_lines)

    msg.story = unwrap_story(body)  # paragraphs joined by a blank line, none holding a line end
    if note_lines:
        notes_text, correction = read_notebook(note_lines)
        msg.editorial_notes = notes_text
        if correction and msg_notes.correction is None:
            msg_notes.correction = correction
    if msg_notes.others:
        others = "\n".join(f"({o})" for o in msg_notes.others)
        msg.editorial_notes = others + ("\n\n" + msg.editorial_notes if msg.editorial_notes else "")

    if msg_notes.urgency is not None:
        msg.urgency = msg_notes.urgency if msg.urgency is None else min(msg.urgency, msg_notes.urgency)
    msg.correction = msg_notes.correction
    msg.genre = msg_notes.genre
    msg.embargo_note = msg_notes.embargo_note
    # the text a notice names its story in is put together only when the message may be one
    if may_be_withdrawal(msg_notes, msg_notes.others[0] if msg_notes.others else msg.headline or ""):
        # the first three paragraphs: the story's only line ends are the blank lines between them
        first = "\n".join(msg.story.split("\n", 5)[:5:2])
        msg.withdrawal_text = "\n".join([*(msg_notes.others or ()), msg.headline or "", first])[:4000]
        msg.withdrawal = is_withdrawal(msg_notes, msg.withdrawal_text)
    return msg


def _split_stripped_head(message: str) -> tuple[str, str]:
    """Without STX: the header line and a slug line (it holds a "/") are the head."""
    lines = message.split("\n")
    k = 0
    while k < len(lines) and not CONTROLS.sub("", lines[k]).strip():
        k += 1
    if k < len(lines) and len(lines[k]) <= 200 and IPTC_HEADER.fullmatch(CONTROLS.sub("", lines[k]).rstrip()):
        k += 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        if k < len(lines):
            slug = lines[k].strip()
            if "/" in slug and len(slug) <= 200 and not slug.startswith("(") and not slug.endswith("="):
                k += 1
        return "\n".join(lines[:k]), "\n".join(lines[k:])
    return "", message


def _split_trailer(rest: str) -> tuple[str, str]:
    """Without ETX: the last non-empty line is the trailer when it has the trailer's shape."""
    end = len(rest.rstrip())
    start = rest.rfind("\n", 0, end) + 1
    line = CONTROLS.sub("", rest[start:end]).strip()
    if line and len(line) <= 40 and IPTC_TRAILER.match(line):
        return rest[:start], rest[start:]
    return rest, ""


def _read_head(head: str, msg: WireMessage) -> None:
    lines = [x for x in map(str.strip, head.split("\n")) if x]
    if not lines:
        return
    m = header_match(lines[0])
    if m:
        service, _seq, prio, cat, _words, _sel, agent, aseq, ref = m.groups()  # one call, not one per group
        msg.wire_service = service.lower()
        msg.urgency = int(prio)
        msg.category = cat
        msg.agent = agent
        if aseq is None and agent_credit(agent).unknown:
            # no agent sequence: the last code is a routing code ("II"), the service names the agency
            msg.agent = service if not agent_credit(service).unknown else None
        if ref:
            msg.extra_footer = (ref,)
        lines = lines[1:]
    else:
        msg.warnings.append("iptc7901_unknown_header")
    slug = lines[0] if len(lines) == 1 else None
    for line in lines:
        if "/" in line:
            slug = line
            break
    if slug and len(slug) <= 300:
        msg.keywords = tuple(filter(None, map(str.strip, slug.split("/"))))


def _read_top(lines: list[str], msg: WireMessage, notes: Notes) -> tuple[int, int]:
    """Notes and headline block from the first ``lines``: where the story starts, and the highest
    index of ``lines`` read (a bound) to get there. With the text split into more lines, the same
    result when that is below the last index (the rest of the text, when not split all through)."""
    i = read_notes(lines, 0, notes, headline_marked=True)
    # read_notes read line i, and up to 7 more when one opening "(" found no closing one
    notes_reach = i + MAX_NOTE_LINES - 1 if i < len(lines) and lines[i].lstrip().startswith("(") else i
    if any(may_open_correction_note(line) for line in lines[: i + 1]):
        notes_reach = i + CORRECTION_NOTE_REACH  # telling a bare correction note from the headline read on
    start, reach = _read_headline(lines, i, msg)
    return start, max(notes_reach, reach)


def _read_headline(lines: list[str], i: int, msg: WireMessage) -> tuple[int, int]:
    """The headline block up to the first line ending in "=": headline, byline and photo note;
    where the story starts, and the highest index of ``lines`` read."""
    n = len(lines)
    while i < n and not lines[i].strip():
        i += 1
    block: list[str] = []
    j = i
    while j < n and len(block) < _MAX_HEADLINE_LINES:
        line = lines[j].strip()
        if not line:
            break
        block.append(line)
        j += 1
        if line.endswith("="):
            break
    reach = j  # j was read unless a "=" or the block's limit ended the block before it: a bound
    if not block or not block[-1].endswith("="):
        return i, reach  # no "=": the story's first lines are read by the structure rules
    headline: list[str] = []
    extra: list[str] = []
    for line in block:
        line = line.rstrip("= ").strip()
        if not line:
            continue
        if headline and _BYLINE.match(line):  # a headline line first: no pattern tried on it
            msg.byline = line
        elif headline and _PHOTO.match(line):
            extra.append(line)
        else:
            headline.append(line)
    # a byline or photo note on its own after a headline that carried the "=" already
    while True:
        k = j
        while k < n and not lines[k].strip():
            k += 1
        line = lines[k].strip() if k < n else ""
        reach = max(reach, k)
        if line.endswith("=") and len(line) <= 160 and (_BYLINE.match(line) or _PHOTO.match(line)):
            line = line.rstrip("= ").strip()
            if _BYLINE.match(line):
                msg.byline = line
            else:
                extra.append(line)
            j = k + 1
            continue
        break
    msg.headline = " ".join(headline) or None
    msg.extra_footer = msg.extra_footer + tuple(extra)
    return j, reach


# APA's closing lines: "(Schluss) ab/cd" with the editors' codes, and the message id with its
# time, "APA0231 2025-03-14/12:00" (the publication time when no trailer gives one)
_CLOSING_NOTE = re.compile(
    r"\((?:Schluss|Ende|Forts\.(?:[ \t]{0,2}mögl\.)?)\)(?:[ \t]{1,3}(?P<codes>[\w/., \t-]{1,60}))?"
)


def _pop_closing_lines(body: str, msg: WireMessage) -> tuple[str, str | None]:
    """``body`` without APA's closing lines at its end, and the editors' codes they give."""
    codes = None
    for _ in range(3):  # the note, the id line and one line break between them at most
        end = len(body.rstrip())
        start = body.rfind("\n", 0, end) + 1
        line = body[start:end].strip()
        if line.startswith("(") and len(line) <= 80 and (m := _CLOSING_NOTE.fullmatch(line)):
            codes = (m.group("codes") or "").strip() or codes
        elif line[:1].isupper() and len(line) <= 40 and APA_TRAILER.match(line):
            msg.trailer = msg.trailer or trailer_date(line)
        else:
            break
        body = body[:start]
    return body, codes


_LOWER_CODES = re.compile(r"[a-z0-9 \t]{1,100}")  # after the header's agent: "lni s5 xyz"
_CODES = re.compile(r"^(?:dpa|dpa-[A-Za-z]{2,5}|l[a-z]{2})(?:[ \t]{1,3}[a-z0-9]{1,8}){1,10}$")


def _pop_editor_codes(lines: list[str], agent: str | None) -> str | None:
    """Remove and return the closing editor-code line (``dpa xyz yyab n1``) of ``lines``."""
    k = len(lines) - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    if k < 0:
        return None
    line = lines[k].strip()
    if len(line) <= 120 and (
        _CODES.match(line)
        or (agent and line.startswith(agent + " ") and _LOWER_CODES.fullmatch(line[len(agent) :]))
    ):
        del lines[k]
        return line
    return None
