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

from pressindex.parse.agencies import Credit, merge, parse_credit
from pressindex.parse.dateline import Dateline, find_dateline
from pressindex.parse.dates import find_date, parse_date_line

_HEADER = re.compile(r"\A(?:date|datum)\s*:?\s+(\d{4}(?:-\d{1,2}){0,2})\b[ \t]*\n?", re.IGNORECASE)

_COPYRIGHT = re.compile(r"^(?:©|\(c\)\s|Copyright\b(?!-)|Urheberrecht\b(?!-))|Alle Rechte vorbehalten|All rights reserved", re.I)
_DPA_ID_LINE = re.compile(r"^(?:dpa:)?\d{6}-\d{2}-\d{5,7}(?:/\d{1,4})?$")
_INITIALS = re.compile(r"^/[a-z]{1,4}(?:/[a-z]{1,4})*$|^[a-z]{1,4}(?:/[a-z]{1,4})+$")
_PUBLISHER = re.compile(r"^(?:Redaktion|Red\.)\s+[\w-]+\.(?:net|de|at|ch|com|eu)$", re.I)
_SOURCE = re.compile(r"^(?:Quelle|Quellen|Source|Mit Material von|Material von|Mitarbeit)\s*:?\s+(?P<who>.{1,80})$", re.I)
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
_TRAILING_INITIALS = re.compile(r"(?<=[.!?\"“”»«])\s+(?P<ini>/[a-z]{1,4}(?:/[a-z]{1,4})+)\s*$")
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
    footer: tuple[FooterLine, ...]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def footer_credit(self) -> Credit:
        return merge(*(f.credit for f in self.footer))


_DATE_LIKE = re.compile(r"\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|\d{1,2}\.\s?\w+\.?\s\d{4}")


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


def _split_trailing(line: str) -> tuple[str, list[FooterLine]]:
    """Peel credits, initials and a copyright notice off the end of the last story line."""
    found: list[FooterLine] = []
    while True:
        # Each pattern is anchored at the end but searched from every position: look at the end first.
        end = line.rstrip()[-1:]
        m = _TRAILING_PAREN.search(line) if end == ")" else None
        # After a sentence any credit closes the story; without one ("… erwarten (APA, 29.4.2016)")
        # only a dated agency credit does, so "(Mehr dazu morgen)" style asides stay.
        credit = _paren_credit(m.group("inner")) if m else None
        if m and credit is not None and (line[: m.start()].rstrip()[-1:] in ".!?\"“”»«'’)" or (credit and _DATE_LIKE.search(m.group("inner")))):
            found.insert(0, FooterLine("credit", line[m.start() :].strip(), credit))
            line = line[: m.start()].rstrip()
            continue
        m = _TRAILING_INITIALS.search(line) if "a" <= end <= "z" and "/" in line else None
        if m:
            found.insert(0, FooterLine("editor_initials", m.group("ini")))
            line = line[: m.start()].rstrip()
            continue
        m = _TRAILING_COPYRIGHT.search(line) if "©" in line else None
        if m:
            found.insert(0, FooterLine("copyright", m.group("c"), _copyright_credit(m.group("c"))))
            line = line[: m.start()].rstrip()
            continue
        return line, found


def _is_heading(line: str, *, max_words: int, max_chars: int) -> bool:
    if len(line) > max_chars:  # most paragraphs: no need to split them into words
        return False
    words = line.split()
    return (
        0 < len(words) <= max_words
        and not line.endswith(_SENTENCE_PUNCT)
        and any(c.isalpha() for c in line)
        and (line[0].isupper() or line[0].isdigit() or line[0] in "\"„»«‚'“")
    )


def first_sentence(text: str) -> str:
    """The first sentence of ``text``; ordinals ("13. April"), initials and abbreviations do not end one."""
    for m in re.finditer(r"[.!?…](?=[\"“”«»'’]?\s+[\"„»«‚'A-ZÄÖÜ\d])", text):
        word = re.search(r"([\w.]+)$", text[: m.start()])
        token = word.group(1).lower() if word else ""
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
    source = lead or next((p for p in paragraphs if p), "")
    sentence = first_sentence(source)
    if len(sentence) > limit:
        cut = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:–- ")
        return cut + " …"
    return sentence[:-1] if sentence.endswith(".") and not sentence.endswith("..") else sentence


def split_structure(text: str) -> Structure:
    """Split cleaned text (paragraphs separated by one blank line) into its parts."""
    header_date = None
    m = _HEADER.match(text)
    if m:
        header_date = m.group(1)
        text = text[m.end() :].lstrip()

    # Lines per paragraph; boilerplate lines leave wherever they are.
    footer: list[FooterLine] = []
    paragraphs: list[list[str]] = []
    blocks = [[(line, classify_footer(line)) for line in block.split("\n") if line] for block in text.split("\n\n")]
    story_lines = [(b, n) for b, block in enumerate(blocks) for n, (_, item) in enumerate(block) if item is None]
    head, tail = (story_lines[0], story_lines[-1]) if story_lines else ((0, 0), (0, 0))
    for b, block in enumerate(blocks):
        kept = []
        for n, (line, item) in enumerate(block):
            # A date-only line is a timestamp above or below the copy, or anywhere when labelled
            # ("Stand: …"); an unlabelled one inside the copy is story (a chronology's "13. April 2021").
            if item and item.kind == "date" and head < (b, n) < tail and not _DATE_LABEL.match(line):
                item = None
            if item:
                footer.append(item)
            else:
                kept.append(line)
        if kept:
            paragraphs.append(kept)
    if paragraphs:
        last, trailing = _split_trailing(paragraphs[-1][-1])
        if trailing:
            footer.extend(trailing)
            if last:
                paragraphs[-1][-1] = last
            else:
                paragraphs[-1].pop()
                if not paragraphs[-1]:
                    paragraphs.pop()

    # Headline: the first line of the first paragraph, when it looks like one.
    headline = None
    if paragraphs:
        first = paragraphs[0][0]
        more_follows = len(paragraphs[0]) > 1 or len(paragraphs) > 1
        if (
            more_follows
            and _is_heading(first, max_words=20, max_chars=150)
            and not _BYLINE.match(first)
            and find_dateline(first) is None
        ):
            headline = first
            paragraphs[0].pop(0)
            if not paragraphs[0]:
                paragraphs.pop(0)

    # Byline: a "Von …" line among the first lines left.
    byline = None
    for i, para in enumerate(paragraphs[:3]):
        if len(para) == 1 and len(para[0]) <= 120 and _BYLINE.match(para[0]):
            byline = para[0]
            paragraphs.pop(i)
            break
        if len(para) > 1 and len(para[0]) <= 120 and _BYLINE.match(para[0]):
            byline = para.pop(0)
            break

    story = tuple("\n".join(p) for p in paragraphs)

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
        for j, p in enumerate(story)
        if 0 < j < len(story) - 1 and "\n" not in p and _is_heading(p, max_words=12, max_chars=100)
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
        footer=tuple(footer),
    )
