"""Synthetic German wire copy for tests: distinct, deterministic articles written for this project."""

from __future__ import annotations

import random
from pathlib import Path

PLACES = [
    "Berlin",
    "Hamburg",
    "München",
    "Köln",
    "Frankfurt",
    "Leipzig",
    "Dresden",
    "Hannover",
    "Bremen",
    "Kiel",
]
SUBJECTS = [
    "Die Landesregierung", "Der Stadtrat", "Die Gewerkschaft", "Der Verband", "Die Polizei",
    "Das Ministerium", "Die Feuerwehr", "Der Bürgermeister", "Die Universität", "Das Gericht",
]  # fmt: skip
VERBS = ["kündigte", "beschloss", "prüfte", "kritisierte", "verschob", "begrüßte", "plante", "meldete"]
OBJECTS = [
    "neue Regeln für den Wohnungsbau", "einen Zuschuss für Schulen", "die Sanierung der Brücke",
    "mehr Personal in den Kliniken", "eine Reform der Verwaltung", "den Ausbau der Radwege",
    "höhere Gebühren für Parkplätze", "ein Verbot von Feuerwerk", "die Öffnung der Bäder",
]  # fmt: skip
TAILS = [
    "am Montag an",
    "nach langer Debatte",
    "überraschend deutlich",
    "für das kommende Jahr",
    "mit großer Mehrheit",
]


def article_text(
    n: int, *, agency: str | None = "dpa", paragraphs: int = 4, dpa_story: str | None = None
) -> str:
    """Article number ``n``: a dateline lead, body paragraphs and (for dpa) a footer with a story id."""
    rng = random.Random(n)
    place = PLACES[n % len(PLACES)]
    credit = f" ({agency})" if agency else ""

    def sentence() -> str:
        return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."

    lead = f"{place}{credit} - {sentence()} Es ging um Vorgang Nummer {n}. {sentence()}"
    body = [" ".join(sentence() for _ in range(4)) for _ in range(paragraphs)]
    text = "\n\n".join([lead, *body])
    if dpa_story:
        text += f"\n\n© dpa-infocom, dpa:{dpa_story}"
    return text + "\n"


def write_articles(directory: Path, count: int, *, start: int = 0) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        path = directory / f"wire_{n:06d}.txt"
        path.write_text(article_text(n), encoding="utf-8")
        paths.append(path)
    return paths
