"""News agencies: canonical names and dpa regional services from a credit such as ``dpa/lni``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Lower-cased spelling → canonical name. Only agencies: a newsroom's own "red" is not one.
CANONICAL: dict[str, str] = {
    "dpa": "dpa",
    "dpa-afx": "dpa-AFX",
    "dpa-afx-ak": "dpa-AFX",
    "afx": "dpa-AFX",
    "dpa-infocom": "dpa",
    "dpa-spe": "dpa-spe",  # dpa's sport data service, credited as itself
    "deutsche presse-agentur": "dpa",
    "afp": "AFP",
    "sid": "SID",
    "reuters": "Reuters",
    "rtr": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "epd": "epd",
    "kna": "KNA",
    "apa": "APA",
    "apa-ots": "APA",
    "sda": "SDA",
    "ats": "SDA",
    "sda-ats": "SDA",
    "keystone-sda": "SDA",
    "europa press": "Europa Press",
    "efe": "EFE",
    "ansa": "ANSA",
    "dts": "dts",
    "ddp": "ddp",
    "dapd": "dapd",
    "kathpress": "Kathpress",
    "idea": "idea",
    "bloomberg": "Bloomberg",
    "upi": "UPI",
    "tass": "TASS",
    "itar-tass": "TASS",
    "ria nowosti": "RIA Nowosti",
    "interfax": "Interfax",
    "xinhua": "Xinhua",
    "kyodo": "Kyodo",
    "yonhap": "Yonhap",
    "anp": "ANP",
    "belga": "Belga",
    "pap": "PAP",
    "ctk": "ČTK",
    "čtk": "ČTK",
    "mti": "MTI",
    "ana": "ANA",
    "ips": "IPS",
    "kipa": "KIPA",
}

# dpa services written after a slash: regional ("lni" Niedersachsen, "lby" Bayern, …) and
# topic services ("tmn" Themendienst, "gms"). Regional codes all look like l + two letters.
_DPA_SERVICE = re.compile(r"^(?:l[a-z]{2}|tmn|gms|mag|dpa-news|wtd|fmd)$")
_SPLIT = re.compile(r"\s*[/,;+&]\s*|\s+und\s+")


@dataclass(frozen=True, slots=True)
class Credit:
    agencies: tuple[str, ...] = ()
    services: tuple[str, ...] = ()  # "lni" from "dpa/lni"
    unknown: tuple[str, ...] = ()  # parts that are neither (kept for warnings)

    def __bool__(self) -> bool:
        return bool(self.agencies)


def canonical_agency(name: str) -> str | None:
    """``"DPA-AFX"`` → ``"dpa-AFX"``; None when ``name`` is not a known agency."""
    return CANONICAL.get(name.strip().strip(".").lower())


def parse_credit(credit: str) -> Credit:
    """Split an agency credit (``dpa/lni``, ``APA/dpa``, ``AFP, Reuters``) into agencies and services."""
    agencies: list[str] = []
    services: list[str] = []
    unknown: list[str] = []
    whole = canonical_agency(credit)
    parts = [credit] if whole else [p for p in _SPLIT.split(credit.strip()) if p]
    for part in parts:
        name = canonical_agency(part)
        if name:
            if name not in agencies:
                agencies.append(name)
        elif "dpa" in agencies and _DPA_SERVICE.match(part.lower()):
            services.append(part.lower())
        else:
            unknown.append(part)
    return Credit(tuple(agencies), tuple(services), tuple(unknown))


def merge(*credits: Credit) -> Credit:
    """Union of credits, first mention first (dicts keep that order; a list's ``in`` made the
    union of many credits quadratic)."""
    return Credit(
        tuple(dict.fromkeys(x for c in credits for x in c.agencies)),
        tuple(dict.fromkeys(x for c in credits for x in c.services)),
        tuple(dict.fromkeys(x for c in credits for x in c.unknown)),
    )


@lru_cache(maxsize=256)  # a feed has a few agent codes, each read once; Credit is frozen
def agent_credit(agent: str) -> Credit:
    """The credit a wire header's agent code stands for: ``dpa`` → dpa; a dpa regional or topic
    service (``lni``, ``lsw``, ``tmn``) → dpa plus that service, as the dateline ``(dpa/lni)``
    would; ``dpa-spe``, ``dpa-AFX`` and other agencies as themselves; anything else unknown."""
    code = agent.strip()
    name = canonical_agency(code)
    if name:
        return Credit((name,))
    if _DPA_SERVICE.match(code.lower()):
        return Credit(("dpa",), (code.lower(),))
    return Credit(unknown=(code,)) if code else Credit()
