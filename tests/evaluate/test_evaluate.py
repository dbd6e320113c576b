"""``evaluate`` on a tiny corpus laid out like ../shared/corpora, written here (no corpus text)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

from pressindex.evaluate.fields import EvaluationReport, evaluate

GNAD = [
    (
        "Inland",
        "Die Regierung plant eine Reform. Wien – Die Regierung will die Steuern senken. In Wien gab es Kritik.",
    ),
    ("Sport", "Der Klub gewinnt. Graz – Der Klub hat gewonnen. Die Fans in Graz feierten. (APA, 11.9.2015)"),
    ("Web", "Ein Gerät kommt auf den Markt. Es kostet wenig. Der Grund – so heißt es – ist die Konkurrenz."),
]
BODY_DE = ("Die Stadtverwaltung hat am Dienstag einen neuen Plan für den Ausbau der Radwege vorgestellt. "
           "Bis zum Jahr 2030 sollen mehr als hundert Kilometer neue Wege entstehen, teilte die Behörde mit. "
           "Anwohner begrüßten den Plan, fordern aber mehr Tempo.")  # fmt: skip
BODY_EN = ("The city administration presented a new plan for the expansion of cycle paths on Tuesday. "
           "More than one hundred kilometres of new paths are to be built by 2030, the authority said. "
           "Residents welcomed the plan but asked for faster progress.")  # fmt: skip


def _corpus(root: Path) -> Path:
    gnad = root / "10kgnad_test"
    gnad.mkdir(parents=True)
    (gnad / "test.csv").write_text("".join(f"{label};'{text}'\n" for label, text in GNAD), encoding="utf-8")
    for country, publisher, body, date in [("de", "Stadtblatt", BODY_DE, "2024-04-22 15:26:46+00:00"),
                                           ("uk", "CityPaper", BODY_EN, "2024-05-01 08:00:00+00:00")]:  # fmt: skip
        folder = root / "fundus_multilingual" / country
        folder.mkdir(parents=True)
        truth = {"V1": {"title": "Radwege", "body": {"summary": [], "sections": [{"headline": [], "paragraphs": [body]}]},
                        "publishing_date": date, "authors": [], "images": []}}  # fmt: skip
        (folder / f"{publisher}.json").write_text(json.dumps(truth), encoding="utf-8")
        page = f"<html><body><p>Stand: {date[8:10]}.{date[5:7]}.{date[:4]} 17:26 Uhr</p><p>{body}</p></body></html>"
        (folder / f"{publisher}_{date[:4]}_{date[5:7]}_{date[8:10]}.html.gz").write_bytes(
            gzip.compress(page.encode())
        )
    return root


def test_evaluate_small_corpus(tmp_path: Path) -> None:
    report = evaluate(_corpus(tmp_path), now=datetime(2025, 1, 1, tzinfo=UTC))
    assert isinstance(report, EvaluationReport)
    assert report.gnad_articles == 3
    assert not report.verdicts_applied  # made for the real test.csv only
    assert (report.dateline.tp, report.dateline.fp, report.dateline.fn) == (2, 0, 0)
    assert (report.credits.tp, report.credits.fp, report.credits.fn) == (1, 0, 0)
    assert report.language_sampled.per_language == {"de": (1, 1), "en": (1, 1)}
    assert report.dates_page.with_date == 2 and report.dates_page.agree == 2
    table = str(report)
    assert table.startswith("| Measure | Value | Target | Detail |")
    assert "Dateline precision" in table and "| de | 1 | 1 | 1 |" in table
