"""Notes the agency marks as not for publication: cut before anything else reads the text.

dpa copy may close with ``* * * *``, the sentence ``Die folgenden Informationen sind nicht zur
Veröffentlichung bestimmt`` (English services: ``The following information is not for
publication``) and a ``## Kontakte`` section with reporters' and sources' phone numbers and e-mail
addresses. Everything from that marker to the end of the message text (the ETX, EOT or next SOH
control character, a transmission trailer line, or the end of the text) is dropped. The one line
kept is a closing editor-code line (``dpa xyz yyab``) that ends the dropped part: its shape allows
nothing but lower-case codes, so no personal data can ride along.

Agencies word the marker otherwise too ("Folgende Angaben sind nicht für die Veröffentlichung
bestimmt:", "Nur für die Redaktion, nicht zur Veröffentlichung:", "Contact details (not for
publication):"), and systems mangle it (NFD umlauts, HTML entities, soft hyphens): a short line
that is nothing but such a phrase is a marker too (:data:`_MARKER_LINE`, matched on that line
alone, or with the line above or below when wrapped, even hyphenated, normalised), and so is the
phrase with a dash and contact data after it on its line. A prose sentence that mentions the
phrase is not: it has other words around it. Wordings that restrict a note to the newsroom
without naming publication ("Vertraulich", "Nur für den internen Gebrauch", "Confidential", "For
internal use only") are markers only as such a line with contact data on it or right after it.
A contact heading (``## Kontakte``) in a Notizblock is non-public by itself, marker or not; a
contact heading elsewhere when contact data follows it and the message ends soon after.

Linear: a case-sensitive literal prefilter, then patterns whose repeats are bounded.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import NamedTuple

from pressindex.parse._envelope import cut_usual_marker
from pressindex.parse.wire_notes import find_notebook

# The distinctive word, in any case: most text has none of these, and then nothing else runs.
# Looked for with str.find (a literal search in C), several times faster than a regex alternation;
# a wire envelope's compiled scan (_envelope.c) looks for the same words, in the same case.
_PREFILTER_WORDS = ("ffentlichung", "FFENTLICHUNG", "ublication", "UBLICATION")
# What else may start a non-public part, looked for after the words' cut (the compiled scan knows
# only the words): a soft hyphen that splits a word; a marker line in other words and a Markdown
# contact heading are found at their line's start (_LINE_SIGN, _CONTACT_LIKE).
_OTHER_SIGNS = ("\xad", "&shy;")
# The same words in a file's bytes (UTF-8 and Latin-1 alike: ASCII, and a soft hyphen's byte is
# 0xAD in both), before decoding.
NONPUBLIC_BYTES = tuple(w.encode("latin-1") for w in (*_PREFILTER_WORDS, *_OTHER_SIGNS, "#"))
_SENTENCE = re.compile(
    r"Die\s{1,5}folgenden\s{1,5}Informationen\s{1,5}sind\s{1,5}nicht\s{1,5}zur\s{1,5}Ver(?:ö|oe|o)ffentlichung"
    r"|The\s{1,5}following\s{1,5}information\s{1,5}is\s{1,5}not\s{1,5}for\s{1,5}publication"
    # the marker as a line of its own: "Nicht zur Veröffentlichung:", "*** NOT FOR PUBLICATION ***"
    r"|^[ \t*#-]{0,10}(?:nicht\s{1,5}zur\s{1,5}Ver(?:ö|oe|o)ffentlichung(?:\s{1,5}bestimmt)?|not\s{1,5}for\s{1,5}publication)"
    r"[ \t]{0,5}[.:!)]?[ \t*#-]{0,10}\r?$",
    re.IGNORECASE | re.MULTILINE,
)
# Where the message text ends: a control character of the envelope or a trailer line.
_END = re.compile(
    r"[\x01\x03\x04]"
    r"|^[ \t]{0,5}\d{6}[ \t]{1,3}(?:GMT[ \t]{1,3})?[A-Za-zÄäÖöÜü]{3}[ \t]{1,3}\d{2}[ \t]{0,5}\r?$"  # IPTC 7901 trailer
    r"|^[ \t]{0,5}[A-Z]{2,4}-[A-Z]{2,4}-\d{2}-\d{2}-\d{2}[ \t]{1,3}\d{4}[ \t]{0,3}GMT",  # ANPA trailer
    re.MULTILINE,
)
# How far from a hit its marker can reach: a marker sentence is under 100 characters and ends at its
# word, a marker line of its own ends within 40 after it; the window before a hit holds the two
# short lines above it. (A window end inside a line: "$" matches there, but no marker reaches it.)
_REACH = 200
_SEPARATOR = re.compile(r"^[ \t]{0,5}(?:\*[ \t]{0,3}){3,10}$|^[ \t]{0,5}-{3,20}[ \t]{0,5}$")
_EDITOR_CODES = re.compile(
    r"^[ \t]{0,5}(?:dpa(?:[ \t]{1,3}[a-z0-9]{1,8}){1,10}|/[a-z]{1,4}(?:/[a-z]{1,4}){0,19})[ \t]{0,5}$"
)


def may_hold_nonpublic(text: str) -> bool:
    """Whether ``text`` holds one of the marker's distinctive words or another sign of a
    non-public part (else nothing is cut from it, nor from any part of it)."""
    return any(w in text for w in _PREFILTER_WORDS) or may_hold_other_marker(text)


def may_hold_other_marker(text: str) -> bool:
    """Whether ``text`` holds a sign of a non-public part that the marker's words miss."""
    return bool(_present_signs(text))


def _present_signs(text: str) -> list[str]:
    """The :data:`_OTHER_SIGNS` in ``text``, "#" when a heading line may name contacts, and "\n"
    when a line may open with another wording (:data:`_LINE_SIGN`). Each word is a str.find
    (about 0.5 µs a KB in German text), hence few of them: a message pays for each."""
    signs = [w for w in _OTHER_SIGNS if w in text]
    if "#" in text and _contact_like_heading(text):
        signs.append("#")
    if _LINE_SIGN.search(text) is not None or _LINE_SIGN.match("\n" + text[:64]) is not None:
        signs.append("\n")
    return signs


def raw_may_hold_nonpublic(raw: bytes) -> bool:
    """:func:`may_hold_nonpublic` on a file's UTF-8 or cp1252 bytes, before decoding."""
    return (
        any(w in raw for w in NONPUBLIC_BYTES)
        or _LINE_SIGN_BYTES.search(raw) is not None
        or _LINE_SIGN_BYTES.match(b"\n" + raw[:64]) is not None
    )


# A heading line whose word begins like the contact headings' (K, A, C): the Notizblock's usual
# sections (Redaktionelle Hinweise, Internet, Orte, Termine) are not. Its literal "\n" lets the
# pattern skip to each line end in C (a Python loop over the "#"s took three times as long).
_CONTACT_LIKE = re.compile(r"\n#{1,3}[ \t]{0,3}[KkAaCc]")


# How a marker line in other words opens (after decoration or an HTML tag): a lead of _LEAD, the
# phrase of _NOT_FOR, a wording of _RESTRICTED, or the second half of a hyphenated
# "Veröffent-|lichung". A marker line's phrase is led by nothing else, so these find every one
# whatever words follow (Publikation, release, broadcast, veröffentlichen, Vertraulich, …). ASCII:
# the same pattern searches a file's UTF-8 or cp1252 bytes.
_LEAD_WORDS = (
    "kontakt", "kontakte", "kontaktdaten", "ansprechpartner", "ansprechpartnerin", "ansprechpartnerinnen",
    "hinweis", "redaktioneller hinweis", "embargo-hinweis", "embargohinweis", "sperrvermerk", "intern",
    "achtung", "contact", "contacts", "contact details", "contact information", "note to editors",
    "editors' note",
)  # fmt: skip
_LINE_OPENINGS = (
    "nicht z", "nicht f", "nicht v", "nicht p", "bitte nicht", "not intended", "not meant", "not to be used",
    "not cleared", "not for ", "nur f", "nur z", "nur i", "for internal", "for editors", "for the newsroom",
    "internal use", "streng ", "strictly ", "vertraul", "confidential", "die folgende", "die nachfolgende",
    "die unten", "diese folgende", "diese nachfolgende", "folgende", "nachfolgende", "untenstehende",
    "unten stehende", "the following", "lichung",
    # a lead word only with the punctuation _LEAD has after it ("Kontakte (", not "## Kontaktformular";
    # its dash: a phrase after it holds one of the marker's words or an opening above)
    *(w + p for w in _LEAD_WORDS for p in (":", " :", "(", " (", ",", "-", " -")),
)  # fmt: skip


def _any_case_trie(words: list[str], *, literal_heads: bool = False) -> str:
    """An alternation of ``words`` in any case as a trie: its branches open with distinct
    characters, so a line start is given up after a comparison or two (an IGNORECASE alternation
    tried each word in turn: six times the cost). ``literal_heads``: the first letter's two cases
    as two branches, each opening with a literal, which the regex engine rejects without entering
    the branch (a character class it enters: the first letter cost 40 % of the line-start search)."""
    heads: dict[str, list[str]] = {}
    for word in words:
        heads.setdefault(word[0], []).append(word[1:])
    branches = []
    for head, rests in sorted(heads.items()):
        # a shorter word ends here: the longer ones need not be told apart
        rest = "" if "" in rests else _any_case_trie(rests)
        if head.isalpha() and literal_heads:
            branches += [head + rest, head.upper() + rest]
        else:
            char = f"[{head}{head.upper()}]" if head.isalpha() else re.escape(head)
            branches.append(char + rest)
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


# One search whose literal "\n" lets the pattern skip to each line end in C: about 2 µs a KB of
# wrapped German copy, the cost of the four str.find it replaces ("Publikation", "release").
# The decoration is taken possessively ("{0,12}+"): no opening starts with its characters, so giving
# some back never let a line match, it only cost a retry per line.
_LINE_SIGN_PATTERN = r"\n[ \t*#>=_\[(^–-]{0,12}+(?:<[^<>\n]{1,8}>[ \t]{0,3})?" + _any_case_trie(
    list(_LINE_OPENINGS), literal_heads=True
)
_LINE_SIGN = re.compile(_LINE_SIGN_PATTERN)
_LINE_SIGN_BYTES = re.compile(_LINE_SIGN_PATTERN.encode())  # \w is ASCII there: umlauts pass as decoration


def _contact_like_heading(text: str) -> bool:
    return _CONTACT_LIKE.search(text) is not None or (
        text.startswith("#") and _CONTACT_LIKE.match("\n" + text[:8]) is not None
    )


def remove_nonpublic(text: str, first_word: tuple[int, int] | None = None) -> tuple[str, bool]:
    """``text`` without its not-for-publication parts, and whether one was found. ``first_word``:
    where the first of the marker's distinctive words is, when the caller's own pass over the text
    found it (a wire envelope's scan); then the usual marker there is cut in one compiled pass
    (:func:`cut_usual_marker`), and the text is searched for the words only after it otherwise.
    ``first_word`` (-1, -1): the caller's pass found no word. Then what is left is searched for
    the other signs (:func:`_remove_other_markers`)."""
    if first_word is not None and first_word[0] < 0:
        kept, removed = text, False
    else:
        kept, removed = _remove_at_words(text, first_word)
    signs = _present_signs(kept)
    if signs:
        kept, other = _remove_other_markers(kept, signs)
        removed = removed or other
    return kept, removed


def _remove_at_words(text: str, first_word: tuple[int, int] | None) -> tuple[str, bool]:
    if first_word is not None:
        # the usual case in one compiled pass (what the steps below give; None when not usual)
        usual = cut_usual_marker(text, *first_word)
        if usual is not None:
            start, end, codes_start, codes_end = usual
            kept = text[codes_start:codes_end] + "\n" if codes_start >= 0 else ""  # the codes line
            return text[:start] + kept + text[end:], True
    hits = _Prefilter(text, searched=first_word is not None)
    hit = first_word or hits.next(0)
    if hit is None:
        return text, False
    pieces: list[str] = []
    pos = 0
    removed = False
    line_checked = 0  # where the last marker line check ended
    while hit is not None:
        # the marker around this hit only: from two lines above (it may wrap) to the hit's line end
        # (an IGNORECASE search over the whole text cost more than the rest of the message), and
        # never further than _REACH either side: on a long line every hit searched the whole line
        hit_start, hit_end = hit
        floor = max(pos, hit_start - _REACH)
        lo = max(floor, text.rfind("\n", floor, max(floor, hit_start - 120)) + 1)
        hi = text.find("\n", hit_end, hit_end + _REACH)
        m: _Span | re.Match[str] | None = _usual_sentence(text, lo, hit_start) or _SENTENCE.search(
            text, lo, min(len(text), hit_end + _REACH) if hi < 0 else hi
        )
        if isinstance(m, re.Match) and _is_prose(text, m, pos):
            m = None
        if m is None and hit_start >= line_checked:  # each line once, however many words it holds
            m, line_checked = _marker_line(text, hit_start, hit_end, pos)
        if m is None:
            hit = hits.next(hit_end)
            continue
        removed = True
        pos = _cut(text, m, pos, pieces)
        hit = hits.next(pos)
    if not removed:
        return text, False
    pieces.append(text[pos:])
    return "".join(pieces), True


def _cut(text: str, m: _Span | re.Match[str], pos: int, pieces: list[str]) -> int:
    """Appends to ``pieces`` what is kept from ``pos`` up to the end of the message text after the
    marker ``m`` (the text before the marker's line, or the ``* * * *`` line above it, and the
    closing editor codes), and returns where that end is."""
    start = _back_to_separator(text, max(pos, text.rfind("\n", pos, m.start()) + 1), pos)
    end_match = _END.search(text, m.end())
    end = end_match.start() if end_match else len(text)
    pieces.append(text[pos:start])
    codes = _closing_codes(text, m.end(), end)
    if codes:
        pieces.append(codes + "\n")
    return end


# A marker line is at most this long, and its distinctive word lies within it.
_LINE_MAX = 120
_PUBLICATION = r"(?:ver(?:ö|oe|o)ffentlichung|publikation|publication|release|broadcast)"
# Wordings that restrict a note to the newsroom without naming publication: a marker only with
# contact data (a phone number, an e-mail address, a contact word) on its line or right after it,
# since a one-word subheading "Vertraulich" may open a story's paragraph.
_RESTRICTED = (
    r"(?:streng |strictly )?(?:vertraulich|confidential)"
    r"|nur (?:für den |fuer den |zum )internen gebrauch|nur zur internen verwendung"
    r"|nur zur (?:internen )?information (?:der|für die|fuer die) redaktion"
    r"|nur (?:für|fuer) die redaktion|nur intern|nicht zur weitergabe(?: bestimmt)?"
    r"|(?:for )?internal use only|for (?:editors|the newsroom) only"
)
# The not-for-publication phrase, German or English; "bestimmt" and the like may follow.
_NOT_FOR = (
    r"(?:bitte )?nicht (?:zur |zu |für die |fuer die |fur die |für |fuer |zwecks )?"
    r"(?:ver(?:ö|oe|o)ffentlichung|publikation|ver(?:ö|oe|o)ffentlichen|publizieren)"
    r"(?: (?:bestimmt|gedacht|vorgesehen|freigegeben))?"
    rf"|not (?:intended |meant |to be used |cleared )?for {_PUBLICATION}"
)
# What may lead into the phrase on its line: "Die (nach)folgenden Informationen sind", "Nur für die
# Redaktion,", "Contact details (", "The following (information) is".
# "Die folgenden Angaben sind", "Folgende Informationen"
_FOLLOWING_ARE = (
    r"(?:(?:die |diese )?(?:nach|unten ?)?(?:folgende[ns]?|stehende[ns]?)"
    r"(?: (?:informationen|angaben|hinweise|daten|kontaktdaten|kontakte|notizen|zeilen))? (?:(?:sind|ist) )?)"
)
_LEAD = (
    rf"(?:{_FOLLOWING_ARE}"
    r"|nur (?:für|fuer) die redaktion ?[,;:–-]? (?:und )?|nur intern ?[,;:–-]? "
    rf"|(?:{_RESTRICTED}) ?[,;:–-]? (?:und |and )?"
    r"|(?:kontakte?|kontaktdaten|ansprechpartner(?:innen|in)?|(?:redaktioneller |embargo-?)?hinweis|achtung"
    r"|sperrvermerk|intern) ?[(:,–-] ?"
    r"|the following(?: information| details| contacts?| contact details| notes?)? (?:is|are) "
    r"|(?:contacts?|contact details|contact information|note to editors|editors' note) ?[(:,–-] ?"
    r"|for (?:editors|the newsroom|internal use) only ?[,;:–-]? (?:and )?)?"
)
_DECOR = r"[ *#>=_\[(^–-]{0,10}"  # "^": an ANPA line's start
# After the phrase: a dash and the block on the same line (checked for contact data).
_DASH_ON = r"|(?P<dash> ?[–—-] ?)"
_END_OF_MARKER = rf"(?:[ .:!)\]*#=_<–-]{{0,10}}\Z| ?\)? ?:{_DASH_ON})"  # "<": an ANPA line's end
# The phrase is the line's substance: before it a lead and decoration only, after it punctuation and
# decoration ("):", "!", " ***") up to the line's end, or a colon and the block on the same line.
_MARKER_LINE = re.compile(
    rf"{_DECOR}{_LEAD}(?:{_NOT_FOR})"
    rf"(?: (?:or|oder|und|and) (?:{_PUBLICATION}|sendung|weitergabe))?"
    rf"(?: ?[,;–-] ?(?:{_RESTRICTED}))?{_END_OF_MARKER}",
    re.IGNORECASE,
)
_RESTRICTED_LINE = re.compile(
    rf"{_DECOR}{_FOLLOWING_ARE}?(?:{_RESTRICTED})(?: ?[,;–-] ?(?:{_RESTRICTED}))?{_END_OF_MARKER}",
    re.IGNORECASE,
)
# Contact data: an e-mail address, a phone number, a label that names one ("Kontakt:", "Tel.:";
# the word alone is prose: "telefonisch"). Searched in a bounded window (the marker line's rest and
# _FOLLOW characters after it), so its repeats stay linear.
_CONTACT_DATA = re.compile(
    r"@[\w-]{1,63}\.|\d(?:[ ()/.+-]{0,2}\d){5,20}"
    r"|(?<!\w)(?:tel|telefon|fax|mobil|handy|e-?mail|kontakte?|kontaktdaten|ansprechpartner(?:in|innen)?"
    r"|pressekontakt|rückfragen|phone|contacts?|mobile)\.?[ \t]{0,3}:",
    re.IGNORECASE,
)
_FOLLOW = 300
_TAG = re.compile(r"<[^<>\n]{0,40}>")
_WRAP_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]{0,5}\n[ \t]{0,5}(?=[a-zäöüß])")


def _marker_line(text: str, hit_start: int, hit_end: int, floor: int) -> tuple[_Span | None, int]:
    """The marker line holding the word at ``hit_start``…``hit_end`` (no further back than
    ``floor``), alone or wrapped together with the line above or below it (wire copy is wrapped at
    about 70 characters), and where the check of the word's line ended (a later word before it
    needs no check)."""
    bounds = _line_bounds(text, hit_start, hit_end, floor)
    if bounds is None:
        return None, hit_end  # the line is longer than a marker line, or starts before floor
    line_start, line_end, truncated = bounds
    if _is_marker(text, line_start, line_end, truncated, floor):
        return _Span(line_start, line_end), line_end
    if truncated:
        return None, line_end
    above = _line_bounds(text, line_start - 1, line_start - 1, floor) if line_start > floor else None
    if above and not above[2] and above[0] < above[1] and _is_marker(text, above[0], line_end, False, floor):
        return _Span(above[0], line_end), line_end
    below = _line_bounds(text, line_end + 1, line_end + 1, floor) if line_end < len(text) else None
    if (
        below
        and not below[2]
        and below[0] < below[1]
        and _is_marker(text, line_start, below[1], False, floor)
    ):
        return _Span(line_start, below[1]), line_end
    return None, line_end


def _line_bounds(text: str, at: int, at_end: int, floor: int) -> tuple[int, int, bool] | None:
    """Start and end of the line holding ``at``…``at_end``, and whether it goes on past
    :data:`_LINE_MAX` (its end is then where the check stops); None when it starts further back
    than that, or before ``floor``."""
    window = max(floor, at - _LINE_MAX)
    line_start = text.rfind("\n", window, at) + 1
    if line_start == 0:
        if window > 0 and text[window - 1] != "\n":
            return None
        line_start = window
    stop = line_start + _LINE_MAX
    line_end = text.find("\n", at_end, stop)
    truncated = line_end < 0 and len(text) > stop
    if line_end < 0:
        line_end = max(at_end, stop) if truncated else len(text)
    return line_start, line_end, truncated


def _is_marker(text: str, start: int, end: int, truncated: bool, floor: int) -> bool:
    """Whether ``text[start:end]`` (one line or two) is a marker line: :data:`_MARKER_LINE` on it
    normalised, and no sentence of the text above runs on into it (a wrapped paragraph's line
    "nicht zur Veröffentlichung bestimmt." is prose)."""
    line = _normalised(text[start:end])
    # a line cut here can only be a marker by its colon or dash form ("Nicht zur Veröffentlichung: …")
    probe = line + "\x00" if truncated else line
    m = _MARKER_LINE.match(probe)
    if m is None or m.group("dash") is not None:
        restricted = m is None
        m = m or _RESTRICTED_LINE.match(probe)
        # a dash, or a restricting wording: only with contact data after it
        if m is None or not (
            _CONTACT_DATA.search(line, m.end())
            or (restricted and _CONTACT_DATA.search(text, end, end + _FOLLOW))
        ):
            return False
    first = next((c for c in line if c.isalpha()), "")
    return not (first.islower() and _sentence_runs_on(text, start, floor))


def _is_prose(text: str, m: re.Match[str], floor: int) -> bool:
    """Whether the pattern's match starts a line in lower case that a sentence above runs on into."""
    first = next((c for c in m.group() if c.isalpha()), "")
    at_line_start = m.start() == 0 or text[m.start() - 1] == "\n"
    return at_line_start and first.islower() and _sentence_runs_on(text, m.start(), floor)


def _sentence_runs_on(text: str, line_start: int, floor: int) -> bool:
    """Whether the line above ``line_start`` ends in a letter, comma, semicolon or dash."""
    end = line_start - 1  # the line above's "\n"
    while end > floor and text[end - 1] in " \t\r" and line_start - end < 10:
        end -= 1
    if end <= floor:
        return False
    last = text[end - 1]
    return last.isalpha() or last in ",;-–("


def _normalised(line: str) -> str:
    """``line`` as its reader sees it: no HTML tags or entities, no soft hyphens or zero-width
    spaces, umlauts composed (NFC), runs of spaces one space, no spaces at its ends."""
    if "-\n" in line:  # a word hyphenated at the wrap ("Ver-|öffentlichung") is one word
        line = _WRAP_HYPHEN.sub("", line)
    if "<" in line:
        line = _TAG.sub(" ", line)
    if "&" in line:
        line = html.unescape(line)
    if not line.isascii():
        line = unicodedata.normalize("NFC", line.replace("\xad", "").replace("\u200b", ""))
    return " ".join(line.split())


# A contact section's heading in a Notizblock: non-public by itself.
_CONTACT_HEADING = re.compile(
    r"#{1,3} ?(?:kontakte?|kontaktdaten|ansprechpartner(?:innen|in)?|contacts?|contact details"
    r"|contact information)(?: ?\(.{0,60}\))? ?:?",
    re.IGNORECASE,
)


def _remove_other_markers(text: str, signs: list[str]) -> tuple[str, bool]:
    """``text`` without the parts from a marker line that holds none of the words as the compiled
    scan sees them (a soft hyphen or ``&shy;`` inside, "Publikation", "release", "Vertraulich",
    …), or from a contact heading (after a Notizblock heading, or closing the message with contact
    data), to the end of the message text."""
    pieces: list[str] = []
    pos = 0
    # each sign's next marker line at or after a position, kept until passed: one scan per sign
    found: dict[str, tuple[int, int]] = {}
    while True:
        best: tuple[int, int] | None = None
        for sign in signs:
            at = found.get(sign)
            if at is None or at[0] < pos:
                at = found[sign] = _next_sign_line(text, sign, pos)
            if at[0] >= 0 and (best is None or at[0] < best[0]):
                best = at
        if best is None:
            break
        pos = _cut(text, _Span(*best), pos, pieces)
    if not pieces:
        return text, False
    pieces.append(text[pos:])
    return "".join(pieces), True


def _next_sign_line(text: str, sign: str, pos: int) -> tuple[int, int]:
    """The first marker line (start, end) at or after ``pos`` reached by ``sign`` (a contact heading
    after a Notizblock heading when ``sign`` is "#"), else (-1, -1)."""
    if sign == "#":
        return _next_contact_heading(text, pos)
    if sign == "\n":
        return _next_line_sign(text, pos)
    at = text.find(sign, pos)
    while at >= 0:
        span, line_end = _marker_line(text, at, at + len(sign), pos)
        if span is not None:
            return span.begin, span.finish
        at = text.find(sign, max(line_end, at + 1))
    return -1, -1


def _next_line_sign(text: str, pos: int) -> tuple[int, int]:
    """The first marker line at or after ``pos`` that a :data:`_LINE_SIGN` opens, else (-1, -1)."""
    if pos == 0 and _LINE_SIGN.match("\n" + text[:64]):
        span, line_end = _marker_line(text, 0, 0, 0)
        if span is not None:
            return span.begin, span.finish
        pos = line_end
    m = _LINE_SIGN.search(text, max(pos - 1, 0))
    while m is not None:
        span, line_end = _marker_line(text, m.start() + 1, m.end(), pos)
        if span is not None:
            return span.begin, span.finish
        m = _LINE_SIGN.search(text, max(line_end, m.end()))
    return -1, -1


def _next_contact_heading(text: str, pos: int) -> tuple[int, int]:
    """The first contact heading at or after ``pos``: after a Notizblock heading by itself,
    elsewhere (plain copy without a Notizblock) when contact data follows it and the message
    text ends within :data:`_TAIL` characters (the heading closes the message, after the body)."""
    notebook = find_notebook(text, pos)
    at = text.find("\n#", notebook.end() if notebook else max(pos - 1, 0))
    while at >= 0:
        line_end = text.find("\n", at + 1)
        line_end = len(text) if line_end < 0 else line_end
        heading = line_end - at <= _LINE_MAX and _CONTACT_HEADING.fullmatch(
            " ".join(text[at + 1 : line_end].split())
        )
        if heading and (notebook is not None or _closes_with_contacts(text, line_end)):
            return at + 1, line_end
        at = text.find("\n#", line_end)
    return -1, -1


_TAIL = 1500


def _closes_with_contacts(text: str, heading_end: int) -> bool:
    """Whether contact data follows a heading ending at ``heading_end`` and the message text ends
    soon after it."""
    end_match = _END.search(text, heading_end, heading_end + _TAIL + 1)
    end = end_match.start() if end_match else len(text)
    return (
        end - heading_end <= _TAIL
        and _CONTACT_DATA.search(text, heading_end, heading_end + _FOLLOW) is not None
    )


# The marker as agencies write it, up to its distinctive word (_PREFILTER_WORDS[0] and [2]).
_USUAL = {
    "ffentlichung": "Die folgenden Informationen sind nicht zur Verö",
    "ublication": "The following information is not for p",
}
# Besides ASCII letters, the only characters _SENTENCE's IGNORECASE matches to the words' letters.
_DOTTED_I = ("\u0130", "\u0131")


class _Span(NamedTuple):  # what remove_nonpublic reads of a _SENTENCE match
    begin: int
    finish: int

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish


def _usual_sentence(text: str, lo: int, hit_start: int) -> _Span | None:
    """``_SENTENCE.search(text, lo, …)`` in the usual case, without the pattern's IGNORECASE scan
    of the lines above the word (4 of the cut's 10 µs in a message): the sentence exactly as
    :data:`_USUAL` writes it ends in the word at ``hit_start``, and what lies between ``lo`` and
    it holds none of the words in any case, so no match starts earlier (every match holds a word,
    and no word's ending is how the sentence begins). None: ask the pattern."""
    for word, usual in _USUAL.items():
        begin = hit_start - len(usual)
        if begin >= lo and text.startswith(word, hit_start) and text.startswith(usual, begin):
            above = text[lo:begin]
            lower = above.lower()
            if "ffentlichung" in lower or "ublication" in lower:
                return None
            if _DOTTED_I[0] in above or _DOTTED_I[1] in above:
                return None
            return _Span(begin, hit_start + len(word))
    return None


class _Prefilter:
    """The next occurrence of any of :data:`_PREFILTER_WORDS` at or after a position, positions
    asked in increasing order: each word's next occurrence is kept and looked for again only once
    passed, so the text is scanned once per word (linear whatever the number of hits).
    ``searched``: the first occurrence is known (the caller's); each word is looked for only from
    the first position asked."""

    __slots__ = ("found", "text")

    def __init__(self, text: str, searched: bool = False) -> None:
        self.text = text
        # -2: not looked for yet
        self.found = [-2] * len(_PREFILTER_WORDS) if searched else [text.find(w) for w in _PREFILTER_WORDS]

    def next(self, pos: int) -> tuple[int, int] | None:
        best: tuple[int, int] | None = None
        for k, word in enumerate(_PREFILTER_WORDS):
            at = self.found[k]
            if at == -2 or 0 <= at < pos:
                at = self.found[k] = self.text.find(word, pos)
            if at >= 0 and (best is None or at < best[0]):
                best = (at, at + len(word))
        return best


def _back_to_separator(text: str, line_start: int, floor: int) -> int:
    """The start of a ``* * * *`` line right above ``line_start`` (blank lines between allowed),
    else ``line_start``."""
    probe = line_start
    for _ in range(4):  # a few lines up at most
        if probe <= floor:
            break
        prev_start = text.rfind("\n", floor, probe - 1) + 1
        prev_start = max(prev_start, floor)
        line = text[prev_start : probe - 1].rstrip("\r")
        if not line.strip():
            probe = prev_start
            continue
        if len(line) <= 40 and _SEPARATOR.match(line):
            return prev_start
        break
    return line_start


def _closing_codes(text: str, start: int, end: int) -> str | None:
    """The last non-empty line before ``end`` when it is an editor-code line."""
    stop = end
    while stop > start and text[stop - 1] in " \t\r\n":
        stop -= 1
    line_start = max(text.rfind("\n", start, stop) + 1, start)
    line = text[line_start:stop]
    if 0 < len(line) <= 120 and _EDITOR_CODES.match(line):
        return line.strip()
    return None
