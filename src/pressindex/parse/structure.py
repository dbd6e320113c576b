"""Structure of cleaned wire text: header, headline, byline, lead, dateline, subheadings, body, footer.

Rules (the seeds have no separate headline line, so the title needs one):

* **Headline**: the first line, when it is short (≤ 150 characters, ≤ 20 words), does not end
  in ``. , ; :`` or ``…``, opens no dateline, is no byline, and more text follows.
* **Title**: the headline; otherwise the first sentence of the lead, cut at a word boundary to
  200 characters, without its final full stop.
* **Byline**: a short line near the top such as ``Von Jonas-Erik Schmidt, dpa``. It names an
  author, so an agency in it is not a credit.
* **Lead**: the text before the dateline when a teaser precedes it (DER STANDARD), otherwise the
  first story paragraph without its dateline.
* **Subheadings**: later one-line paragraphs of ≤ 12 words without final sentence punctuation.
* **Footer/boilerplate**: copyright lines, dpa ids, editor initials (``/ck/stk``), dated credits
  (``(APA, 11.9.2015)``), ``Redaktion finanzen.net``, advertising, photo credits, bare links and
  lines holding only a date or timestamp.
  They leave the body and are kept verbatim; credits among them name agencies.
* **Body**: the story paragraphs as written (dateline and lead included), separated by blank lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pressindex.parse.agencies import CANONICAL, Credit, merge, parse_credit
from pressindex.parse.dateline import Dateline, find_dateline
from pressindex.parse.dates import find_date, parse_date_line

_HEADER = re.compile(r"\A(?:date|datum)\s*:?\s+(\d{4}(?:-\d{1,2}){0,2})\b[ \t]*\n?", re.IGNORECASE)

_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)\s|Copyright\b(?!-)|Urheberrecht\b(?!-))|Alle Rechte vorbehalten|All rights reserved", re.I
)
_DPA_ID_LINE = re.compile(r"^(?:dpa:)?\d{6}-\d{2,3}-\d{5,7}(?:/\d{1,4})?$")  # "-930-": since 2023
_INITIALS = re.compile(r"^/[a-z]{1,4}(?:/[a-z]{1,4})*$|^[a-z]{1,4}(?:/[a-z]{1,4})+$")
_PUBLISHER = re.compile(r"^(?:Redaktion|Red\.)\s+[\w-]+\.(?:net|de|at|ch|com|eu)$", re.I)
_SOURCE = re.compile(
    r"^(?:Quelle|Quellen|Source|Mit Material von|Material von|Mitarbeit)\s*:?\s+(?P<who>.{1,80})$", re.I
)
_AD = re.compile(
    r"^(?:-*\s*(?:Anzeige|Werbung|Advertorial|Sponsored|Advertisement|Promotion)\s*-*\s*(?:$|:|\|)"
    r"|(?:Lesen Sie auch|Lesen Sie mehr|Mehr zum Thema|Mehr dazu|Auch interessant|Das könnte Sie auch interessieren"
    r"|Jetzt abonnieren|Jetzt kostenlos|Hier geht(?: es|'s) zum|Zum Newsletter|Folgen Sie uns|Jetzt bei|Melden Sie sich)\b)",
    re.I,
)
_PHOTO = re.compile(r"^(?:Foto|Fotos|Bild|Bilder|Grafik|Video|Titelbild|Symbolbild)\s*:\s*\S.{0,100}$", re.I)
_DATE_LABEL = re.compile(r"(?:Stand|Veröffentlicht|Aktualisiert|Erstellt|Datum|Published|Updated)\b", re.I)
_LINK = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_PAREN_LINE = re.compile(r"^[–—-]?\s*\((?P<inner>[^()]{1,100})\)\.?$")
# A dated credit closing the last paragraph: "… Ende. (APA, 11.9.2015)" or "… – (red, 21.6.2015)".
_TRAILING_PAREN = re.compile(r"(?<=\S)\s*[–—-]?\s*\((?P<inner>[^()]{1,100})\)\s*$")
# At most twenty: the regex engine keeps state per repeat, and "/ab" a million times cost 50 bytes
# of it per input byte; initials are a few editors ("/ck/stk").
_TRAILING_INITIALS = re.compile(r"(?<=[.!?\"“”»«])\s+(?P<ini>/[a-z]{1,4}(?:/[a-z]{1,4}){1,19})\s*$")
_TRAILING_COPYRIGHT = re.compile(r"(?<=[.!?\"“”»«])\s+(?P<c>©.{3,120})$")

_BYLINE = re.compile(
    r"^(?:Von|By|Ein Bericht von|Eine Analyse von|Ein Kommentar von|Text)\s*:?\s+"
    r"(?P<names>[A-ZÄÖÜ][\w'’.-]+(?:\s+(?:von|van|de|der|zu)?\s*[A-ZÄÖÜ][\w'’.-]+){0,3}"
    r"(?:\s*(?:,|und|and|&)\s*[A-ZÄÖÜ][\w'’.-]+(?:\s+[A-ZÄÖÜ][\w'’.-]+){0,3})*)"
    r"(?:\s*,\s*(?P<rest>[^,.!?]{1,40}))?$"
)
_SENTENCE_PUNCT = tuple(".,;:…")
_ABBREVIATIONS = frozenset(
    "dr prof nr ca bzw vgl evtl ggf inkl usw etc st hl abs art min max mio mrd jan feb mär apr jun jul aug sep sept okt nov dez z.b u.a d.h s.o o.ä mr mrs ms jr sr vs no gen lt col sgt".split()
)


@dataclass(frozen=True, slots=True)
class FooterLine:
    # "copyright" | "dpa_id" | "editor_initials" | "credit" | "publisher" | "source" | "ad" | "photo"
    # | "link" | "date"
    kind: str
    text: str
    credit: Credit = field(default_factory=Credit)


@dataclass(frozen=True, slots=True)
class Structure:
    header_date: str | None
    headline: str | None
    title: str
    byline: str | None
    lead: str | None
    dateline: Dateline | None
    paragraphs: tuple[str, ...]  # the story, dateline and lead included
    subheadings: tuple[str, ...]
    footer: tuple[FooterLine, ...]  # distinct lines, first occurrence first, at most FOOTER_MAX
    warnings: tuple[
        str, ...
    ] = ()  # "footer_truncated:N" (lines left in the body), "trailing_credits_truncated"

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def footer_credit(self) -> Credit:
        return merge(*(f.credit for f in self.footer))


# Boilerplate is a handful of lines in real copy. A file repeating one (350,000 "(dpa)" lines) kept
# an object per repetition in the footer and the Article (27 times the input in memory), so the
# footer is bounded: a line repeated is listed once (its text is there, the body loses nothing
# the footer lacks); past FOOTER_MAX distinct lines, new ones stay in the body (never out of both),
# unexamined, and the Article warns "footer_truncated:N" (N lines that may be boilerplate stayed).
# Credits peeled off the end of the last line stop after TRAILING_MAX (real copy closes with one
# to three); the rest stays in the body, with "trailing_credits_truncated" (how many more is not
# counted: that would be the scan the cap saves).
FOOTER_MAX = 50
TRAILING_MAX = 20

_DATE_LIKE = re.compile(r"\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|\d{1,2}\.\s?\w+\.?\s\d{4}")


@lru_cache(maxsize=1024)  # Credit is immutable; a text closing with one credit many times asks once
def _paren_credit(inner: str) -> Credit | None:
    """A parenthesised closing credit: it has a date, or every part is an agency or initials."""
    has_date = bool(_DATE_LIKE.search(inner)) or find_date(inner, source="footer") is not None
    # "(APA 4.9.2015)", "(APA; 18.8.015)": the date is not part of the name.
    names = _DATE_LIKE.sub(" ", inner)
    parts = [p.strip() for p in re.split(r"[,;]|\s[–—-]\s", names) if p.strip(" –—-")]
    parts = [p.strip(" –—-") for p in parts]
    credit = merge(*(parse_credit(p) for p in parts))
    initials = all(parse_credit(p) or re.fullmatch(r"[a-zäöü]{2,5}\.?|Red\.?", p) for p in parts)
    if has_date or (parts and initials):
        if not has_date and not credit and not all(p.rstrip(".").lower() == "red" for p in parts):
            return None
        return Credit(credit.agencies, credit.services)
    return None


def _trie(words: list[bytes]) -> bytes:
    """An alternation of byte literals as a trie (one branch per first byte, recursively): the
    regex engine tries the alternatives of a group one after another, so 80 flat words cost 80
    tries at every line start and a trie costs a few."""
    groups: dict[bytes, list[bytes]] = {}
    for w in sorted(set(words)):
        if w:
            groups.setdefault(w[:1], []).append(w[1:])
    alts = [re.escape(k) + _trie(v) for k, v in groups.items()]
    if not alts:
        return b""
    body = alts[0] if len(alts) == 1 else b"(?:" + b"|".join(alts) + b")"
    return b"(?:" + body + b")?" if b"" in words else body


# A line that classify_footer might call boilerplate: a superset of its rules, tried at every line
# start of the whole text at once (in C), so a story line costs no Python call. It runs on the
# text as Latin-1 bytes, lower-cased, anything else "?" (one byte per character, so offsets are
# the text's): byte literals, no IGNORECASE. "?" counts as a digit or a space where a Unicode one
# could be. Only lines of at most 200 characters qualify.
# Cost per line start is what "a\n" a million times pays (issue 18), so the superset is kept
# coarse and cheap, two branches: (1) one scan of the line for a digit (dpa ids, dates, dated
# credits), "©" or a copyright word; (2) a line opening, after punctuation, spaces and dashes,
# with an agency name, a footer keyword, "/" or "(" (one trie). The precise rules (a lone credit
# ≤ 40 characters, a date line ≤ 60) are classify_footer's; the few more candidates it sees in
# ordinary copy cost nothing measurable. Nine branches with their own lookaheads cost 0.5 µs per
# line start, these two 0.2.
_FOOTER_WORDS = [name.encode("latin-1", "replace") for name in CANONICAL] + [
    b"/", b"(",  # editor initials, a parenthesised credit
    b"redaktion", b"red.", b"quelle", b"source", b"mit material", b"material von", b"mitarbeit",  # publisher, source
    b"anzeige", b"werbung", b"advertorial", b"sponsored", b"advertisement", b"promotion",  # advertising
    b"lesen sie", b"mehr zum thema", b"mehr dazu", b"auch interessant", b"das k", b"jetzt ", b"hier geht",
    b"zum newsletter", b"folgen sie", b"melden sie",
    b"foto", b"bild", b"grafik", b"video", b"titelbild", b"symbolbild",  # photo credit
    b"http://", b"https://", b"www.",  # link
]  # fmt: skip
_FOOTER_CANDIDATE = re.compile(
    rb"^(?=[^\n]{1,200}$)(?:"
    rb"(?=[^\n]*?(?:[\d?\xa9]|\(c\)|copyright|urheberrecht|alle rechte|all rights))"  # digit, copyright
    rb"|[().\s/,;+&?-]*"
    + _trie(_FOOTER_WORDS)  # a credit, keyword, initials, "(…)"
    + rb"|[a-z]{1,4}/"  # editor initials "ck/stk"
    rb")",
    re.MULTILINE,
)


@lru_cache(maxsize=1024)  # FooterLine is immutable; a file repeating one line classifies it once
def classify_footer(line: str) -> FooterLine | None:
    """The kind of boilerplate ``line`` is, or None for story text."""
    if len(line) > 200:
        return None
    if _COPYRIGHT.search(line):
        return FooterLine("copyright", line, _copyright_credit(line))
    if _DPA_ID_LINE.match(line):
        return FooterLine("dpa_id", line, Credit(("dpa",)))
    lone = parse_credit(line.strip("().")) if len(line) <= 40 else None  # a lone credit is short
    if lone and not lone.unknown:
        return FooterLine("credit", line, lone)
    if _INITIALS.match(line):
        return FooterLine("editor_initials", line)
    m = _PAREN_LINE.match(line)
    if m:
        credit = _paren_credit(m.group("inner"))
        if credit is not None:
            return FooterLine("credit", line, credit)
    if _PUBLISHER.match(line):
        return FooterLine("publisher", line)
    m = _SOURCE.match(line)
    if m:
        who = parse_credit(m.group("who"))
        return FooterLine("source", line, Credit(who.agencies, who.services))
    if _AD.match(line):
        return FooterLine("ad", line)
    if _PHOTO.match(line):
        return FooterLine("photo", line)  # a photo credit is not a credit for the text
    if _LINK.match(line):
        return FooterLine("link", line)
    if parse_date_line(line):
        return FooterLine("date", line)  # a timestamp line ("Stand: 16.10.24 09:19 Uhr") is metadata
    return None


def _copyright_credit(line: str) -> Credit:
    # "© dpa-infocom, dpa:…", "Copyright 2024, dpa (www.dpa.de)", "(c) AFP": the agency holds the rights.
    words = re.findall(r"[\w][\w-]*(?:\s+Press)?", re.sub(r"\(?www\.\S+\)?|dpa:\S+", " ", line))
    return merge(*(parse_credit(w) for w in words if parse_credit(w)))


def _rstripped_end(line: str, end: int) -> int:
    """Where ``line[:end].rstrip()`` ends, without copying the line."""
    while end > 0 and line[end - 1].isspace():
        end -= 1
    return end


def _trailing_paren(line: str, end: int) -> re.Match[str] | None:
    """``_TRAILING_PAREN`` on ``line[:end]``, searched from where it can start, not from 0.

    Its "(" is the last one (the inside holds none) and only spaces and one dash may precede it,
    so no match starts before that run: searching from there gives the same match as searching
    the whole line, without trying every position of a line that may be megabytes long."""
    start = line.rfind("(", 0, end)
    if start < 0:
        return None
    start = _rstripped_end(line, start)
    if line[start - 1 : start] in ("–", "—", "-"):
        start = _rstripped_end(line, start - 1)
    return _TRAILING_PAREN.search(line, start, end)


def _split_trailing(line: str) -> tuple[str, list[FooterLine], bool]:
    """Peel credits, initials and a copyright notice off the end of the last story line, at most
    TRAILING_MAX; the third value says whether more would have peeled (they stay in the line).

    The line is never cut while peeling (``end`` moves instead), so a line closing with thousands
    of credits costs time linear in its length, not a copy per credit."""
    found: list[FooterLine] = []
    end = _rstripped_end(line, len(line))
    peeled_end = end  # where the line ends once the credits kept so far are peeled off
    has_slash, has_copyright = "/" in line, "©" in line
    while True:
        if len(found) > TRAILING_MAX:  # one more than kept: it shows that the run goes on
            found.pop()
            found.reverse()
            return line[:peeled_end], found, True
        peeled_end = end
        last = line[end - 1 : end]
        m = _trailing_paren(line, end) if last == ")" else None
        # After a sentence any credit closes the story; without one ("… erwarten (APA, 29.4.2016)")
        # only a dated agency credit does, so "(Mehr dazu morgen)" style asides stay.
        credit = _paren_credit(m.group("inner")) if m else None
        if m and credit is not None:
            before = _rstripped_end(line, m.start())
            if line[before - 1 : before] in ".!?\"“”»«'’)" or (
                credit and _DATE_LIKE.search(m.group("inner"))
            ):
                found.append(FooterLine("credit", line[m.start() : end].strip(), credit))
                end = before
                continue
        # the two patterns below are searched from every position, but each peels at most once
        # (what is left ends in punctuation, which neither peels again)
        m = _TRAILING_INITIALS.search(line, 0, end) if "a" <= last <= "z" and has_slash else None
        if m:
            found.append(FooterLine("editor_initials", m.group("ini")))
            end = _rstripped_end(line, m.start())
            continue
        m = _TRAILING_COPYRIGHT.search(line, 0, end) if has_copyright else None
        if m:
            found.append(FooterLine("copyright", m.group("c"), _copyright_credit(m.group("c"))))
            end = _rstripped_end(line, m.start())
            continue
        found.reverse()  # peeled from the end: put them back in reading order
        return (line if end == len(line) else line[:end]), found, False


def _is_heading(line: str, *, max_words: int, max_chars: int) -> bool:
    if len(line) > max_chars or line.endswith(_SENTENCE_PUNCT):  # most paragraphs: no need to split them
        return False
    # the first character before split and scan: 200,000 one-word paragraphs ("x") asked here
    if not line or not (line[0].isupper() or line[0].isdigit() or line[0] in "\"„»«‚'“"):
        return False
    return 0 < len(line.split()) <= max_words and any(c.isalpha() for c in line)


_SENTENCE_STOP = re.compile(r"[.!?…](?=[\"“”«»'’]?\s+[\"„»«‚'A-ZÄÖÜ\d])")
# The word before a full stop. The look-behind lets only a word's first character start a match:
# without it every position of a long word would be tried to its end.
_LAST_WORD = re.compile(r"(?<![\w.])[\w.]+$")


def first_sentence(text: str) -> str:
    """The first sentence of ``text``; ordinals ("13. April"), initials and abbreviations do not end one."""
    previous = 0  # the word before a stop starts after the previous stop's following space
    for m in _SENTENCE_STOP.finditer(text):
        word = _LAST_WORD.search(text, previous, m.start()) if m.group(0) == "." else None
        previous = m.end()
        token = word.group(0).lower() if word else ""
        if m.group(0) == "." and (token.isdigit() or len(token) == 1 or token in _ABBREVIATIONS):
            continue
        end = m.end()
        if end < len(text) and text[end] in "\"“”«»'’":
            end += 1
        return text[:end].strip()
    return text.strip()


def make_title(headline: str | None, lead: str | None, paragraphs: tuple[str, ...], limit: int = 200) -> str:
    """See the module docstring: the headline, else the lead's first sentence, trimmed."""
    if headline:
        return headline
    source = lead if lead else next((p for p in paragraphs if p), "")
    # a sentence ending beyond the window is cut to ``limit`` either way: the window gives the same title
    sentence = first_sentence(source[: limit * 5])
    if len(sentence) > limit:
        cut = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:–- ")
        return cut + " …"
    return sentence[:-1] if sentence.endswith(".") and not sentence.endswith("..") else sentence


@lru_cache(maxsize=128)
def _repeats(lines: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``lines`` again, on each following line: one match (in C) for a run of them.
    Possessive (``*+``): a plain ``*`` keeps backtracking state per repetition, 70 bytes per line.
    Longest first: a line that begins another is tried after it, not first and then undone."""
    alts = "|".join(re.escape(line) for line in sorted(lines, key=len, reverse=True))
    return re.compile("(?:\n(?:" + alts + ")(?![^\n]))*+")


# (start, end, last, what, count, texts): a run of ``count`` boilerplate lines, one per line, the
# first ``what``, each one of ``texts``; ``end`` is where the run's last line ends, ``last`` where
# it starts.
_Item = tuple[int, int, int, FooterLine, int, tuple[str, ...]]


def _footer_items(text: str) -> tuple[list[_Item], int]:
    """The boilerplate lines of ``text`` in order; a run of lines already seen is one item (a file
    of 350,000 "(dpa)" lines, or of "(dpa)" and "(AFP)" in turn, is one item, not a Python step
    per line). Runs hold date lines of one text only (a date line inside the copy stays there),
    other kinds any of the first FOOTER_MAX distinct ones. Past those, a new line is not even
    classified (it would stay in the body anyway, and classifying each of 100,000 distinct lines
    was 10 µs apiece): it is story, counted in the second value."""
    items: list[_Item] = []
    data = text.encode("latin-1", "replace").lower()
    search, pos = _FOOTER_CANDIDATE.search, 0  # from each line's end: one match per line start at most
    known: dict[str, None] = {}  # non-date boilerplate lines seen, the first FOOTER_MAX
    known_run = None  # _repeats(tuple(known)), set with the first known line
    skipped = 0
    while (m := search(data, pos)) is not None:
        start = m.start()
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        pos = end
        line = text[start:end]
        if len(known) >= FOOTER_MAX and line not in known:
            skipped += 1
            continue
        item = classify_footer(line)
        if not item:
            continue
        texts: tuple[str, ...] = (line,)
        run = None
        if item.kind != "date" and len(known) < FOOTER_MAX and line not in known:
            known[line] = None
            known_run = _repeats(tuple(known))
        if line in known:
            texts, run = tuple(known), known_run
        elif text.startswith(line, end + 1):  # the next line may repeat it
            run = _repeats(texts)
        last, count = start, 1
        # the run pattern matches the empty string too, so a match always comes back
        run_end = matched.end() if run and (matched := run.match(text, end)) else end
        if run_end > end:
            count += text.count("\n", end, run_end)
            last, end = text.rfind("\n", end, run_end) + 1, run_end
            pos = end
        else:
            texts = (line,)
        items.append((start, end, last, item, count, texts))
    return items, skipped


def _story_bounds(text: str, items: list[_Item]) -> tuple[int, int] | None:
    """Offsets of the first and the last non-empty line that is not boilerplate, or None."""
    head, i = 0, 0
    while True:
        while head < len(text) and text[head] == "\n":
            head += 1
        if head >= len(text):
            return None
        if i < len(items) and items[i][0] == head:
            head, i = items[i][1], i + 1
            continue
        break
    end, j = len(text), len(items) - 1
    while True:
        while end > 0 and text[end - 1] == "\n":
            end -= 1
        tail = text.rfind("\n", 0, end) + 1
        if j >= 0 and items[j][2] == tail:
            end, j = items[j][0], j - 1
            continue
        return head, tail


def _paragraphs(text: str) -> list[str]:
    """The blocks between blank lines, without empty lines. One string per paragraph, no list of
    lines: two million short lines are one string here, not two million."""
    return [p for p in (block.strip("\n") for block in text.split("\n\n")) if p]


def _opens_with_dateline(first: str, following: str) -> bool:
    """Whether the line ``first`` opens the story with its dateline, and so is no headline.

    A place-only match (``Wien – ``) does not count when the text after the line opens with a
    credited dateline: a copy has one dateline, and the credited one is it
    (``Aktien Frankfurt Ausblick - Dax …`` above ``FRANKFURT (dpa-AFX) - Der Dax …``)."""
    found = find_dateline(first)
    if found is None:
        return False
    if found.credit.agencies or found.credit.unknown or found.place is None:
        return True
    after = find_dateline(following[:300].lstrip())
    return not (after and (after.credit.agencies or after.credit.unknown))


def split_structure(
    text: str, *, headline: str | None = None, byline: str | None = None, paragraph_lines: bool = False
) -> Structure:
    """Split cleaned text (paragraphs separated by one blank line) into its parts.

    ``headline`` and ``byline``, when the caller knows them (a wire format's header block), are
    taken as they are and not looked for in the text. ``paragraph_lines``: every line of the text
    is a paragraph, non-empty and stripped (a wire reader's cleaned story), so its line ends are
    the blank lines between them."""
    header_date = None
    m = _HEADER.match(text)
    if m:
        header_date = m.group(1)
        text = text[m.end() :].lstrip()

    # Boilerplate lines leave wherever they are.
    items, left_in_body = _footer_items(text)
    bounds = _story_bounds(text, items) if items else None
    kept: dict[str, FooterLine] = {}  # text -> line: distinct, first occurrence first
    pieces: list[str] = []
    pos = 0
    for start, end, _last, item, count, texts in items:
        # A date-only line is a timestamp above or below the copy, or anywhere when labelled
        # ("Stand: …"); an unlabelled one inside the copy is story (a chronology's "13. April 2021").
        if (
            item.kind == "date"
            and bounds
            and bounds[0] < start < bounds[1]
            and not _DATE_LABEL.match(item.text)
        ):
            continue
        # A run leaves the body only when every line it may hold is listed (all but its first
        # were seen before it, so below the cap they are); otherwise it all stays in the body.
        if (item.text not in kept and len(kept) >= FOOTER_MAX) or any(
            t not in kept for t in texts if t != item.text
        ):
            left_in_body += count  # not listed, so it stays searchable in the body
            continue
        kept.setdefault(item.text, item)
        pieces.append(text[pos:start])
        pos = end + 1  # the line and its line end: the lines around it stay in their paragraph
    if pieces:
        pieces.append(text[pos:])
        text = "".join(pieces)
    if paragraph_lines and not pieces and not m:
        # a one-character split: splitting at "\n\n" compares two characters at every line end
        paragraphs = text.split("\n")[::2] if text else []
    else:
        paragraphs = _paragraphs(text)
    warnings: list[str] = []
    if left_in_body:
        warnings.append(f"footer_truncated:{left_in_body}")
    if paragraphs:
        para = paragraphs[-1]
        cut = para.rfind("\n") + 1
        last, trailing, more = _split_trailing(para[cut:])
        if more:
            warnings.append("trailing_credits_truncated")
        if trailing:
            for item in trailing:  # at most TRAILING_MAX; the cap on distinct lines does not apply
                kept.setdefault(item.text, item)
            if last:
                paragraphs[-1] = para[:cut] + last
            elif cut:
                paragraphs[-1] = para[: cut - 1]
            else:
                paragraphs.pop()

    # Headline: the first line of the first paragraph, when it looks like one.
    if headline is None and paragraphs:
        para = paragraphs[0]
        cut = para.find("\n")
        first = para if cut < 0 else para[:cut] if cut <= 150 else None  # a headline has ≤ 150 characters
        more_follows = cut >= 0 or len(paragraphs) > 1
        if (
            first is not None
            and more_follows
            and _is_heading(first, max_words=20, max_chars=150)
            and not _BYLINE.match(first)
            and not _opens_with_dateline(first, para[cut + 1 :] if cut >= 0 else paragraphs[1])
        ):
            headline = first
            if cut < 0:
                paragraphs.pop(0)
            else:
                paragraphs[0] = para[cut + 1 :]

    # Byline: a "Von …" line among the first lines left.
    for i, para in enumerate(paragraphs[:3] if byline is None else ()):
        cut = para.find("\n")
        first = para if cut < 0 and len(para) <= 120 else para[:cut] if 0 <= cut <= 120 else None
        if first is not None and _BYLINE.match(first):
            byline = first
            if cut < 0:
                paragraphs.pop(i)
            else:
                paragraphs[i] = para[cut + 1 :]
            break

    story = tuple(paragraphs)

    # Dateline: the start of one of the first paragraphs, or after the teaser in the first.
    dateline = None
    lead = None
    for i, para in enumerate(story[:3]):
        dateline = find_dateline(para, after_teaser=(i == 0))
        if dateline:
            if dateline.start > 0:
                lead = para[: dateline.start].strip()  # teaser before the dateline
            elif i > 0:
                lead = "\n\n".join(story[:i])
            else:
                lead = para[dateline.end :].strip()
            break
    if dateline is None and story:
        lead = story[0]

    # Not the first paragraph (the lead) nor the last (an unrecognised sign-off, not a heading).
    subheadings = tuple(
        p
        for p in story[1:-1]
        if len(p) <= 100 and "\n" not in p and _is_heading(p, max_words=12, max_chars=100)
    )
    return Structure(
        header_date=header_date,
        headline=headline,
        title=make_title(headline, lead, story),
        byline=byline,
        lead=lead or None,
        dateline=dateline,
        paragraphs=story,
        subheadings=subheadings,
        footer=tuple(kept.values()),
        warnings=tuple(warnings),
    )
