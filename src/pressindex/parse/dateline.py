"""Datelines: ``Berlin (dpa) - ``, ``FRANKFURT (dpa-AFX) - ``, ``MADRID, 21 Nov. 2024 (Europa Press) - ``,
``(KNA)``, and the Austrian ``Wien – `` with a place and no agency.

A dateline opens the copy: it is looked for at the start of the first paragraphs, and after
the teaser sentences of the first one (DER STANDARD puts ``Wien – `` behind its teaser).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pressindex.parse.agencies import Credit, parse_credit
from pressindex.parse.dates import DateValue, find_date

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽΑ-ΩА-Я"
# Lower-case words allowed inside a place: "Rio de Janeiro", "Frankfurt am Main", "Halle an der Saale".
_PARTICLES = r"(?:de|del|della|di|da|do|dos|das|du|des|la|le|las|los|el|al|am|an|der|im|in|ob|bei|upon|on|sur|sous|en|y|i|a\.\s?d\.)"
# Abbreviated river/region suffixes that may close a place: "Frankfurt a.M. (epd)", "Freiburg i.Br. (KNA)".
_SUFFIXES = rf"(?:a\.\s?M\.|a\.\s?Main|i\.\s?Br\.|a\.\s?d\.\s?[{_UP}]\w{{1,12}}|a\.\s?Rh\.|i\.\s?d\.\s?OPf\.|v\.\s?d\.\s?H\.)"
# A capitalised word; a full stop only closes a short abbreviation ("St. Pölten", "Ft. Worth"), so
# "… in St. Petersburg. London – " cannot swallow the previous sentence.
_WORD = rf"(?:[{_UP}](?:[a-zäöüß]{{0,2}}|[{_UP}])\.|[{_UP}][\w'’]*(?:-[\w'’]+)*)"
# At most six tokens: _valid_place refuses longer places anyway, and an unbounded run made every
# match attempt read a whole paragraph of capitalised words (once per teaser sentence end).
_PLACE = rf"{_WORD}(?:(?:\s|/|\s/\s)(?:{_SUFFIXES}|{_WORD}|{_PARTICLES}(?=\s[{_UP}]))){{0,5}}"
_DASH = r"(?:-{1,2}|[–—])"
# Place, optional ", <date>", then "(credit)", then ".", ":" or a dash, or straight into the text.
_WITH_CREDIT = re.compile(
    rf"(?P<place>{_PLACE})(?:,\s*(?P<date>[^()\n]{{2,32}}?))?\s*\((?P<credit>[^()\n]{{2,40}})\)"
    rf"(?:\s*{_DASH}\s*|\.\s+|:\s+|\s+(?=[{_UP}\"„»‚'\d]))"
)
# The region after a city that is not a date: "DAYTON, Ohio (AP)", "SPRINGFIELD, Ill. (AP)",
# "COLOGNE, Germany (AP)", "SYDNEY, New South Wales (AP)", "SEATTLE, Wash. (AP)": 1-3 capitalised
# words or abbreviations (a region is not a sentence, so no lower-case word).
_REGION_WORD = rf"(?:(?:[{_UP}]\.){{1,3}}|[{_UP}][a-z]{{1,5}}\.|{_WORD})"  # "N.J.", "Calif.", "Ohio"
_REGION = re.compile(rf"{_REGION_WORD}(?:\s{_REGION_WORD}){{0,2}}")
_CREDIT_ONLY = re.compile(
    rf"\((?P<credit>[^()\n]{{2,40}})\)(?:\s*{_DASH}\s*|\.\s+|:\s+|\s+(?=[{_UP}\"„»‚'\d]))"
)
# "Wien – Die Gewerkschaft …": place and a spaced dash, then capitalised text.
_PLACE_ONLY = re.compile(rf"(?P<place>{_PLACE})\s{_DASH}\s(?=[{_UP}\"„»‚'\d])")
# Where a dateline may start inside the first paragraph: after the end of a teaser sentence.
_SENTENCE_END = re.compile(r"(?<=[\w)\"“”«»'’])[.!?]+[\"“”«»'’]?\s+")
# Tokens whose full stop ends no sentence: "St. Martinsorden", "Dr. Muster", initials ("F. Kainz").
_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:[A-ZÄÖÜ]|St|Dr|Prof|Nr|Bd|Abs|Art|Hl|Mag|Ing|Dipl|bzw|ca|vgl|inkl|etc|usw|Mio|Mrd)\.$"
)

# First words that open sentences, not place names ("Fazit – …", "Der Grund – so heißt es – …").
_NOT_PLACES = frozenset(
    """der die das den dem des ein eine einer eines einem einen es er sie wir ihr ich du man und aber
    oder doch denn auch nur noch schon jetzt dann da so wie was wer wo warum weil als wenn ob dass daß
    mit für von bei nach vor über unter im in am an auf aus zum zur um bis seit ohne gegen durch dieser
    diese dieses jener jene alle viele kein keine mehr mein meine sein seine ihre unser unsere fazit
    update eilmeldung achtung hinweis korrektur exklusiv interview kommentar analyse teil nein ja danke
    montag dienstag mittwoch donnerstag freitag samstag sonntag heute gestern morgen fotos foto video
    januar februar märz april mai juni juli august september oktober november dezember jänner the a an
    this that it he she we they but and or in on at for of to with by from ersatz tore gelb rot
    gelbe rote karten schiedsrichter frage antwort standard wegen trotz neue neuer neues neuen erste
    erster zweite letzte großer große kleine alte alter weniger viel""".split()
)


@dataclass(frozen=True, slots=True)
class Dateline:
    place: str | None  # normalised for facets: "Frankfurt"
    place_raw: str | None  # as written: "FRANKFURT"
    credit: Credit  # agencies named in the dateline
    date: DateValue | None  # "MADRID, 21 Nov. 2024 (Europa Press)"
    start: int  # offset of the dateline in the paragraph searched
    end: int  # offset where the story text begins


_SUFFIX_WORDS = {"a.M.": "am Main", "a.Main": "am Main", "i.Br.": "im Breisgau", "a.Rh.": "am Rhein"}
_SUFFIX_ABBREVIATION = re.compile(r"(?<=\s)(a\.\s?M\.|a\.\s?Main|i\.\s?Br\.|a\.\s?Rh\.)(?=\s|$)")


def normalise_place(place: str) -> str:
    """``FRANKFURT`` → ``Frankfurt``, ``TEL AVIV/BEIRUT`` → ``Tel Aviv/Beirut``, ``DAYTON, Ohio`` →
    ``Dayton``, ``Frankfurt a.M.`` → ``Frankfurt am Main``; mixed case stays."""
    place = place.strip(" ,")
    if ", " in place:  # "DAYTON, Ohio": the city is the facet value, the region stays in place_raw
        place = place.split(", ", 1)[0]
    if "." in place:  # "Frankfurt a.M." and "Frankfurt am Main" are one facet value
        place = _SUFFIX_ABBREVIATION.sub(lambda m: _SUFFIX_WORDS[m.group(1).replace(" ", "")], place)
    letters = [c for c in place if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        words = re.split(r"(\s+|/|-)", place.lower())
        particles = {"de", "del", "della", "di", "da", "do", "dos", "das", "du", "des", "la", "le", "las",
                     "los", "el", "al", "am", "an", "der", "im", "in", "ob", "bei", "upon", "on", "sur",
                     "sous", "en", "y", "i"}  # fmt: skip
        place = "".join(
            w if (w in particles and i > 0) else w[:1].upper() + w[1:] for i, w in enumerate(words)
        )
    return place


def _valid_place(place: str, *, strict: bool) -> bool:
    words = re.split(r"[\s/]+", place.strip())
    if not words or len(place) > 45 or len(words) > (4 if strict else 6):
        return False
    first = words[0].lower().strip(".")
    if first in _NOT_PLACES:
        return False
    if strict:
        # An initial ("F. Kainz") or a lone acronym-like token is a name or a list, not a place.
        if re.fullmatch(r"[A-ZÄÖÜ]\.", words[0]) or any(w.endswith(",") for w in words):
            return False
        if any(w.lower().strip(".") in _NOT_PLACES for w in words if w[:1].isupper()):
            return False
    return True


def _match_at(
    text: str, pos: int, *, allow_place_only: bool, allow_credit_only: bool = True
) -> Dateline | None:
    m = _WITH_CREDIT.match(text, pos)
    if m:
        credit = parse_credit(m.group("credit"))
        place = m.group("place")
        date = find_date(m.group("date"), source="dateline") if m.group("date") else None
        if m.group("date") and date is None:
            region = m.group("date").strip()
            # a city and its region ("DAYTON, Ohio (AP)") names the city: only with a known credit,
            # so "Angela Merkel, Kanzlerin (CDU)" stays no dateline
            if not (credit and _REGION.fullmatch(region) and _valid_place(region, strict=True)):
                return None
            place_raw = text[m.start("place") : m.end("date")].strip()
            if not _valid_place(place, strict=True):
                return None
            return Dateline(normalise_place(place_raw), place_raw, credit, None, m.start(), m.end())
        # An unknown credit is accepted only when it looks like a lower-case agency code ("(ots)");
        # "Angela Merkel (CDU) – " is a name and a party.
        if (credit or re.fullmatch(r"[a-z]{2,6}(?:/[a-z]{2,4})?", m.group("credit"))) and _valid_place(
            place, strict=not credit
        ):
            return Dateline(normalise_place(place), place, credit, date, m.start(), m.end())
    m = _CREDIT_ONLY.match(text, pos) if allow_credit_only else None
    if m:
        credit = parse_credit(m.group("credit"))
        if credit and not credit.unknown:  # "(APA, 28.6.2015)" is a closing credit, not a dateline
            return Dateline(None, None, credit, None, m.start(), m.end())
    if allow_place_only:
        m = _PLACE_ONLY.match(text, pos)
        if m and _valid_place(m.group("place"), strict=True):
            place = m.group("place")
            return Dateline(normalise_place(place), place, Credit(), None, m.start(), m.end())
    return None


def find_dateline(paragraph: str, *, after_teaser: bool = False, max_offset: int = 1000) -> Dateline | None:
    """The dateline opening ``paragraph``, or (``after_teaser``) one following its first sentences."""
    found = _match_at(paragraph, 0, allow_place_only=True)
    if found or not after_teaser:
        return found
    for m in _SENTENCE_END.finditer(paragraph, 0, max_offset):
        if _ABBREVIATION.search(paragraph[max(0, m.start() - 6) : m.start() + 1]):
            continue
        # "(KNA) …" opens a paragraph; after a sentence it is the previous story's credit.
        found = _match_at(paragraph, m.end(), allow_place_only=True, allow_credit_only=False)
        if found:
            return found
    return None
