"""dpa-infocom story ids: ``dpa:210413-99-186470/5`` → story, version, issue date.

Forms: ``yymmdd-CC-serial`` (two-digit channel, 5–7 digit serial: ``170412-99-12345``,
``170412-90-012345``) and, since about 2023, ``yymmdd-CCC-serial`` with a three-digit middle part
(``240315-930-123456``)."""

from __future__ import annotations

import re
from datetime import date

from pressindex.model import DpaId

# yymmdd-channel-serial, then an optional "/version". The "dpa:" prefix is optional in footers
# ("urn:newsml:dpa.com:20090101:210413-99-186470") but required in running text.
_DPA_ID = re.compile(
    r"(?<![\w-])(?:dpa:|urn:newsml:dpa\.com:\d{8}:)(\d{2})(\d{2})(\d{2})-(\d{2,3})-(\d{5,7})(?:/(\d{1,4}))?(?![\w-])"
)
# Bare (footer only): a six-digit serial after a two- or three-digit middle part.
_BARE_ID = re.compile(r"(?<![\w-])(\d{2})(\d{2})(\d{2})-(\d{2,3})-(\d{6})(?:/(\d{1,4}))?(?![\w-])")


def find_dpa_id(text: str, *, bare: bool = False) -> DpaId | None:
    """The last dpa id in ``text`` (the footer's), or None.

    ``bare`` also accepts ids without the ``dpa:`` prefix; use it only on footer lines.
    A missing version is 0, so any versioned copy of the same story wins over it.
    """
    # the pattern starts with a look-behind, so the regex engine tries it at every position:
    # looking for its literal first is several times cheaper on text without an id
    found = _last_valid(_DPA_ID, text) if "dpa:" in text or "dpa.com:" in text else None
    if found is None and bare:
        found = _last_valid(_BARE_ID, text)
    if found is None:
        return None
    m, issued = found
    yy, mm, dd, channel, serial, version = m.groups()
    return DpaId(
        story=f"{yy}{mm}{dd}-{channel}-{serial}",
        version=int(version) if version else 0,
        issue_date=issued.isoformat(),
    )


def _last_valid(pattern: re.Pattern[str], text: str) -> tuple[re.Match[str], date] | None:
    """The last match whose yymmdd is a date, and that date; one match held at a time, not a
    list of every id in a text that may repeat one a hundred thousand times."""
    found = None
    for m in pattern.finditer(text):
        try:
            found = m, date(2000 + int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue  # not a date: not a dpa id
    return found


def find_all_dpa_ids(text: str, *, limit: int = 20) -> list[str]:
    """The story keys of the (``dpa:``-prefixed or bare) dpa ids in ``text``, first mention first,
    at most ``limit``: what a withdrawal notice names."""
    found: dict[str, None] = {}
    for pattern in (_DPA_ID, _BARE_ID):
        for m in pattern.finditer(text):
            yy, mm, dd, channel, serial, _ = m.groups()
            try:
                date(2000 + int(yy), int(mm), int(dd))
            except ValueError:
                continue
            found[f"{yy}{mm}{dd}-{channel}-{serial}"] = None
            if len(found) >= limit:
                return list(found)
    return list(found)
