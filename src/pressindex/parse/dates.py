"""Dates with their precision: ``2021-04`` (month), ``11.9.2015`` (day), ``16.10.24 09:19 Uhr`` (minute).

A date is only a publication date where wire copy puts one: the ``date`` header, the dpa id, a
footer credit, the dateline, or a line that holds nothing but a date. Dates inside sentences
("am 13. April 2021 hatte …") are what the story is about, so they are never taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

PRECISIONS = ("year", "month", "day", "minute")
# Which evidence wins when several sources carry a date: explicit metadata before copy.
# A wire trailer ("140918 Mär 25") is the transmission time of this very version: before a dpa id,
# whose date is the story's first version.
SOURCE_RANK = ("trailer", "header", "dpa_id", "footer", "dateline", "text")
MIN_YEAR = 1970  # older dates in wire copy are history, not publication

_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    (
        "januar jänner jan january enero ene janvier janv gennaio gen",
        "februar feber feb february febrero février févr febbraio",
        "märz maerz mär mrz mar march marzo mars",
        "april apr abril avril aprile",
        "mai may mayo maggio",
        "juni jun june junio juin giugno giu",
        "juli jul july julio juillet juil luglio lug",
        "august aug agosto août ago",
        "september sep sept septiembre setiembre septembre settembre set",
        "oktober okt oct october octubre octobre ottobre ott",
        "november nov noviembre novembre",
        "dezember dez dec december diciembre dic décembre dicembre",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _num
_MONTH_RE = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))

_TIME = r"(?:,?\s*(?:um\s+)?(?P<hh>[01]?\d|2[0-3])[:.](?P<mi>[0-5]\d)(?:\s*(?:Uhr|h|MEZ|MESZ|CET|CEST))?)?"
_NUMERIC = re.compile(r"(?<![\d.])(?P<d>[0-3]?\d)\.\s?(?P<m>[01]?\d)\.\s?(?P<y>\d{4}|\d{2})(?![\d])" + _TIME)
_ISO = re.compile(
    r"(?<!\d)(?P<y>\d{4})-(?P<m>[01]\d)(?:-(?P<d>[0-3]\d)(?:[T ](?P<hh>[0-2]\d):(?P<mi>[0-5]\d))?)?(?!\d)"
)
_WRITTEN = re.compile(
    rf"(?<![\w.])(?P<d>[0-3]?\d)\.?\s*(?:de\s+)?(?P<mon>{_MONTH_RE})\.?\s*(?:de\s+)?(?P<y>\d{{4}})(?!\d)"
    + _TIME,
    re.IGNORECASE,
)
# A line that is only a date, perhaps labelled: "Stand: 16.10.24 09:19 Uhr", "Dienstag, 13. April 2021".
_WEEKDAYS = r"(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonnabend|Sonntag|Mo|Di|Mi|Do|Fr|Sa|So)"
_LABEL = re.compile(
    rf"^(?:(?:Stand|Datum|Veröffentlicht|Aktualisiert|Erstellt|Published|Updated|Date)\s*(?:am)?\s*:?\s*)?(?:{_WEEKDAYS}\.?,?\s+)?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DateValue:
    value: str  # ISO 8601: "2021", "2021-04", "2021-04-13", "2021-04-13T09:19"
    precision: str  # one of PRECISIONS
    source: str = "text"  # one of SOURCE_RANK

    def first_day(self) -> date:
        parts = self.value[:10].split("-")
        return date(
            int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1
        )

    def is_after(self, now: datetime) -> bool:
        """True when the earliest moment this value can mean is after ``now``.

        Minute values are compared by day: wire times carry no zone, so 09:19 may still be
        in the past in Berlin while UTC says otherwise.
        """
        today = now.date()
        if self.precision == "year":
            return int(self.value[:4]) > today.year
        if self.precision == "month":
            return (int(self.value[:4]), int(self.value[5:7])) > (today.year, today.month)
        return self.first_day() > today


def _year(text: str, now_year: int) -> int:
    year = int(text)
    if len(text) == 2:  # "16.10.24": the nearest century that is not in the future
        year += 2000 if year <= now_year % 100 + 1 else 1900
    return year


def _build(y: int, m: int, d: int | None, hh: str | None, mi: str | None, source: str) -> DateValue | None:
    if y < MIN_YEAR:
        return None
    try:
        if d is None:
            date(y, m, 1)
            return DateValue(f"{y:04d}-{m:02d}", "month", source)
        day = date(y, m, d)
    except ValueError:
        return None
    if hh is not None and mi is not None:
        return DateValue(f"{day.isoformat()}T{int(hh):02d}:{int(mi):02d}", "minute", source)
    return DateValue(day.isoformat(), "day", source)


def find_date(text: str, *, source: str = "text", now_year: int | None = None) -> DateValue | None:
    """The first well-formed date in ``text`` (numeric, ISO or written out), or None."""
    now_year = now_year or datetime.now().year
    best: tuple[int, DateValue] | None = None
    for pattern in (_NUMERIC, _ISO, _WRITTEN):
        for m in pattern.finditer(text):
            g = m.groupdict()
            if "mon" in g:
                month = _MONTHS.get(g["mon"].lower())
                if month is None:
                    continue
            else:
                month = int(g["m"])
            day = int(g["d"]) if g.get("d") else None
            value = _build(_year(g["y"], now_year), month, day, g.get("hh"), g.get("mi"), source)
            if value and (best is None or m.start() < best[0]):
                best = (m.start(), value)
            if value:
                break
    return best[1] if best else None


def parse_date_line(line: str, *, source: str = "text", now_year: int | None = None) -> DateValue | None:
    """A date when ``line`` holds nothing but a (labelled) date or timestamp, else None."""
    if len(line) > 60 or not any(ch.isdigit() for ch in line):
        return None
    rest = _LABEL.sub("", line.strip(), count=1)
    for pattern in (_NUMERIC, _ISO, _WRITTEN):
        m = pattern.fullmatch(rest.rstrip(". "))
        if m:
            return find_date(m.group(0), source=source, now_year=now_year)
    return None


@dataclass(frozen=True, slots=True)
class MonthDay:
    """A dateline date without its year (``WASHINGTON, March 14 (Reuters)``, ``PARIS, 14 mars (AFP)``):
    a day once other evidence in the copy names the year."""

    month: int
    day: int


# A dateline's date as agencies write it, month first (AP, Reuters) or day first (AFP, Europa Press,
# dpa), the year optional: "March 14", "Nov. 21, 2024", "14 mars", "21. März 2025", "14 de marzo",
# "14.3." (a numeric date with its year is find_date's).
_DATELINE_DATE = re.compile(
    rf"(?:(?P<mon1>{_MONTH_RE})\.?\s{{1,3}}(?P<d1>[0-3]?\d)|(?P<d2>[0-3]?\d)\.?\s{{1,3}}(?:de\s{{1,3}})?(?P<mon2>{_MONTH_RE})\.?)"
    r"(?:,?\s{1,3}(?:de\s{1,3})?(?P<y>\d{4}))?"
    r"|(?P<d3>[0-3]?\d)\.\s?(?P<m3>[01]?\d)\.",
    re.IGNORECASE,
)


def parse_dateline_date(text: str, *, now_year: int | None = None) -> DateValue | MonthDay | None:
    """The date between a dateline's place and its credit: a DateValue when it gives its year,
    a MonthDay when it does not, None when ``text`` is no date (a region, "DAYTON, Ohio")."""
    text = text.strip()
    if len(text) > 40:
        return None
    m = _DATELINE_DATE.fullmatch(text)
    if m is None:
        return find_date(text, source="dateline", now_year=now_year)  # "21.11.2024", "2024-11-21"
    if m.group("m3"):
        month: int | None = int(m.group("m3"))
    else:
        month = _MONTHS.get((m.group("mon1") or m.group("mon2")).lower())
    day = int(m.group("d1") or m.group("d2") or m.group("d3"))
    if month is None:
        return None
    if m.group("y"):
        return _build(int(m.group("y")), month, day, None, None, "dateline")
    try:
        date(2000, month, day)  # a leap year: 29 February is a day
    except ValueError:  # also month 0 or 13 of "14.13."
        return None
    return MonthDay(month, day)


def month_day_in_year(month_day: MonthDay, candidates: list[DateValue], now: datetime) -> DateValue | None:
    """``month_day`` in the year the best-ranked other date of the copy names (a ``2025`` header,
    a ``2025-03`` one of the same month, a trailer or an id), None when no date names one: a year is
    never guessed from today, an archive read years later would get it wrong."""
    for other in sorted(candidates, key=lambda c: SOURCE_RANK.index(c.source)):
        if other.is_after(now):
            continue
        if other.precision != "year" and int(other.value[5:7]) != month_day.month:
            continue  # another month: this copy's dates do not agree, so none completes the other
        return _build(int(other.value[:4]), month_day.month, month_day.day, None, None, "dateline")
    return None


def parse_header_date(value: str) -> DateValue | None:
    """The ``date`` header: ``2021``, ``2021-04`` or ``2021-04-13``, precision as written."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value.strip())
    if not m:
        return None
    y, mo, d = m.groups()
    if mo is None:
        return DateValue(f"{int(y):04d}", "year", "header") if int(y) >= MIN_YEAR else None
    return _build(int(y), int(mo), int(d) if d else None, None, None, "header")


def pick_published(candidates: list[DateValue], now: datetime) -> tuple[DateValue | None, list[DateValue]]:
    """The best-ranked candidate that is not after ``now``, and the future ones that were refused.

    A lower-ranked candidate that refines the winner (``2021-04-13`` inside a ``2021-04`` header)
    is taken instead: it agrees with the better source and says more.
    """
    future = [c for c in candidates if c.is_after(now)]
    usable = [c for c in candidates if not c.is_after(now)]
    usable.sort(key=lambda c: SOURCE_RANK.index(c.source))  # stable: first found wins a tie
    if not usable:
        return None, future
    best = usable[0]
    for other in usable[1:]:
        if other.value.startswith(best.value) and PRECISIONS.index(other.precision) > PRECISIONS.index(
            best.precision
        ):
            best = other
    return best, future
