"""Datelines: ``Berlin (dpa) - ``, ``FRANKFURT (dpa-AFX) - ``, ``MADRID, 21 Nov. 2024 (Europa Press) - ``,
``(KNA)``, and the Austrian ``Wien – `` with a place and no agency.

A dateline opens the copy: it is looked for at the start of the first paragraphs, and after
the teaser sentences of the first one (DER STANDARD puts ``Wien – `` behind its teaser).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pressindex.parse.agencies import Credit, parse_credit
from pressindex.parse.dates import DateValue, MonthDay, parse_dateline_date

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽΑ-ΩА-Я"
# Lower-case words allowed inside a place: "Rio de Janeiro", "Frankfurt am Main", "Bergen op Zoom".
_PARTICLE_WORDS = (
    "de", "del", "della", "di", "da", "do", "dos", "das", "du", "des", "la", "le", "las", "los", "el", "al",
    "am", "an", "der", "im", "in", "ob", "bei", "upon", "on", "sur", "sous", "en", "y", "i", "op", "aan",
)  # fmt: skip
# A preposition with its article joins a place to the river or region that names it: "Halle an der
# Saale", "Rothenburg ob der Tauber", "Neumarkt in der Oberpfalz", "Bad Homburg vor der Höhe",
# "Alphen aan den Rijn", "Castellón de la Plana". Only these pairs: a preposition alone before an
# article ("Streit vor dem Rathaus") is prose.
_CONNECTORS = r"(?:an|in|ob|vor|aan|op|de)\s(?:der|den|la|las|los|het)"
_PARTICLES = rf"(?:{_CONNECTORS}|{'|'.join(_PARTICLE_WORDS)}|a\.\s?d\.)"
# Without a credit, "<Noun> in der <Noun> – " is a headline far more often than a place ("Streit in
# der Koalition – Kanzler mahnt"): a connector counts only in a dateline with a credit.
_CONNECTOR_IN_PLACE = re.compile(rf"\s{_CONNECTORS}\s")
# Abbreviated river/region suffixes that may close a place, in any case: "Frankfurt a.M. (epd)",
# "Freiburg i.Br. (KNA)", "FRANKFURT A.M. (dpa-AFX)".
_SUFFIXES = (
    r"(?:(?i:a\.\s?M\.|a\.\s?Main|i\.\s?Br\.|a\.\s?Rh\.|i\.\s?d\.\s?OPf\.|v\.\s?d\.\s?H\.)"
    rf"|(?i:a\.\s?d\.)\s?[{_UP}]\w{{1,12}})"
)
# A capitalised word; a full stop only closes a short abbreviation ("St. Pölten", "Ft. Worth"), so
# "… in St. Petersburg. London – " cannot swallow the previous sentence.
_WORD = rf"(?:[{_UP}](?:[a-zäöüß]{{0,2}}|[{_UP}])\.|[{_UP}][\w'’]*(?:-[\w'’]+)*)"
# At most six tokens: _valid_place refuses longer places anyway, and an unbounded run made every
# match attempt read a whole paragraph of capitalised words (once per teaser sentence end).
_PLACE = rf"{_WORD}(?:(?:\s|/|\s/\s)(?:{_SUFFIXES}|{_WORD}|{_PARTICLES}(?=\s[{_UP}]))){{0,5}}"
_DASH = r"(?:-{1,2}|[–—])"
# A river or region in parentheses is part of a town's official name: "Frankfurt (Oder)", "Halle
# (Saale)"; after one word only, so "Peter Beispiel (Grüne) (dpa)" stays a name and a party.
_PLACE_QUALIFIER = rf"\s\([{_UP}][a-zäöüß]{{2,20}}\)"
# Place, optional ", <date>", then "(credit)", then ".", ":" or a dash, or straight into the text.
_WITH_CREDIT = re.compile(
    rf"(?P<place>{_WORD}{_PLACE_QUALIFIER}|{_PLACE})(?:,\s*(?P<date>[^()\n]{{2,48}}?))?\s*\((?P<credit>[^()\n]{{2,40}})\)"
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
    month_day: MonthDay | None = None  # "WASHINGTON, March 14 (Reuters)": the year comes from elsewhere


def _dateline(
    place: str, place_raw: str, credit: Credit, when: DateValue | MonthDay | None, start: int, end: int
) -> Dateline:
    if isinstance(when, MonthDay):
        return Dateline(place, place_raw, credit, None, start, end, when)
    return Dateline(place, place_raw, credit, when, start, end)


# Suffixes written out, so "Frankfurt a.M." and "Frankfurt am Main" are one facet value.
_SUFFIX_WORDS = {"a.m.": "am Main", "a.main": "am Main", "i.br.": "im Breisgau", "a.rh.": "am Rhein"}
_SUFFIX_ABBREVIATION = re.compile(
    r"(?<=\s)(a\.\s?M\.|a\.\s?Main|i\.\s?Br\.|a\.\s?Rh\.)(?=\s|$)", re.IGNORECASE
)
# Lower-case in a place written in capitals: "HALLE AN DER SAALE" → "Halle an der Saale".
_LOWER_IN_PLACE = frozenset(_PARTICLE_WORDS) | {"vor", "den", "het"}


def normalise_place(place: str) -> str:
    """``FRANKFURT`` → ``Frankfurt``, ``TEL AVIV/BEIRUT`` → ``Tel Aviv/Beirut``, ``DAYTON, Ohio`` →
    ``Dayton``, ``Frankfurt a.M.`` and ``FRANKFURT A.M.`` → ``Frankfurt am Main``; mixed case stays."""
    place = place.strip(" ,")
    if ", " in place:  # "DAYTON, Ohio": the city is the facet value, the region stays in place_raw
        place = place.split(", ", 1)[0]
    letters = [c for c in place if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        words = re.split(r"(\s+|/|-|\()", place.lower())
        place = "".join(
            w if (w in _LOWER_IN_PLACE and i > 0) else w[:1].upper() + w[1:] for i, w in enumerate(words)
        )
        place = place.replace("V.d.h.", "v.d.H.")
    if "." in place:
        place = _SUFFIX_ABBREVIATION.sub(lambda m: _SUFFIX_WORDS[m.group(1).replace(" ", "").lower()], place)
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
        segment = m.group("date")  # between the place's comma and the credit: a date, a region, or both
        when = parse_dateline_date(segment) if segment else None
        if segment and when is None:
            region, comma, rest = segment.partition(",")
            region = region.strip()
            when = parse_dateline_date(rest) if comma else None  # "DAYTON, Ohio, March 14 (AP)"
            # a city and its region ("DAYTON, Ohio (AP)") names the city: only with a known credit,
            # so "Angela Merkel, Kanzlerin (CDU)" stays no dateline
            if (comma and when is None) or not (
                credit and _REGION.fullmatch(region) and _valid_place(region, strict=True)
            ):
                return None
            if not _valid_place(place, strict=True):
                return None
            place_raw = (text[m.start("place") : m.start("date")] + region).strip()
            return _dateline(normalise_place(place_raw), place_raw, credit, when, m.start(), m.end())
        # An unknown credit is accepted only when it looks like a lower-case agency code ("(ots)");
        # "Angela Merkel (CDU) – " is a name and a party.
        if (credit or re.fullmatch(r"[a-z]{2,6}(?:/[a-z]{2,4})?", m.group("credit"))) and _valid_place(
            place, strict=not credit
        ):
            return _dateline(normalise_place(place), place, credit, when, m.start(), m.end())
    m = _CREDIT_ONLY.match(text, pos) if allow_credit_only else None
    if m:
        credit = parse_credit(m.group("credit"))
        if credit and not credit.unknown:  # "(APA, 28.6.2015)" is a closing credit, not a dateline
            return Dateline(None, None, credit, None, m.start(), m.end())
    if allow_place_only:
        m = _PLACE_ONLY.match(text, pos)
        if (
            m
            and _valid_place(m.group("place"), strict=True)
            and not _CONNECTOR_IN_PLACE.search(m.group("place"))
        ):
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
