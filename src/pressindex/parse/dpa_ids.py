"""dpa-infocom story ids: ``dpa:210413-99-186470/5`` → story, version, issue date."""

from __future__ import annotations

import re
from datetime import date

from pressindex.model import DpaId

# yymmdd-channel-serial, then an optional "/version". The "dpa:" prefix is optional in footers
# ("urn:newsml:dpa.com:20090101:210413-99-186470") but required in running text.
_DPA_ID = re.compile(r"(?<![\w-])(?:dpa:|urn:newsml:dpa\.com:\d{8}:)(\d{2})(\d{2})(\d{2})-(\d{2})-(\d{5,7})(?:/(\d{1,4}))?(?![\w-])")
_BARE_ID = re.compile(r"(?<![\w-])(\d{2})(\d{2})(\d{2})-(99|\d{2})-(\d{6})(?:/(\d{1,4}))?(?![\w-])")


def find_dpa_id(text: str, *, bare: bool = False) -> DpaId | None:
    """The last dpa id in ``text`` (the footer's), or None.

    ``bare`` also accepts ids without the ``dpa:`` prefix; use it only on footer lines.
    A missing version is 0, so any versioned copy of the same story wins over it.
    """
    # the pattern starts with a look-behind, so the regex engine tries it at every position:
    # looking for its literal first is several times cheaper on text without an id
    matches = list(_DPA_ID.finditer(text)) if "dpa:" in text or "dpa.com:" in text else []
    if not matches and bare:
        matches = list(_BARE_ID.finditer(text))
    for m in reversed(matches):
        yy, mm, dd, channel, serial, version = m.groups()
        try:
            issued = date(2000 + int(yy), int(mm), int(dd))
        except ValueError:
            continue  # not a date: not a dpa id
        return DpaId(
            story=f"{yy}{mm}{dd}-{channel}-{serial}",
            version=int(version) if version else 0,
            issue_date=issued.isoformat(),
        )
    return None
