"""The two seed files give what issue 2 item 5 promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressindex.model import DpaId
from pressindex.parse import parse_document

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _parse(name: str):
    path = SEEDS / name
    return parse_document(path.read_bytes(), str(path))


def test_seed_001_is_a_dpa_story() -> None:
    article = _parse("001_530073b95c8c761f.txt")
    assert article.agencies == ("dpa",)
    assert article.dateline == "Washington"
    assert article.dpa == DpaId(story="210413-99-186470", version=5, issue_date="2021-04-13")
    assert article.id == "dpa-210413-99-186470"
    assert (article.published, article.published_precision) == ("2021-04-13", "day")
    assert article.language == "de" and article.language_confidence > 0.9
    assert "©" not in article.body and "dpa-infocom" not in article.body
    assert article.copyright == "© dpa-infocom, dpa:210413-99-186470/5"
    assert article.title.startswith("Vor dem Hintergrund des russischen Truppenaufmarschs")


def test_seed_000_has_a_month_header_and_no_agency() -> None:
    article = _parse("000_2db11f41be257a68.txt")
    assert (article.published, article.published_precision, article.published_source) == (
        "2021-04",
        "month",
        "header",
    )
    assert article.agencies == ()
    assert article.dateline is None
    assert article.language == "de"
    assert article.id.startswith("sha1-")
    assert not article.body.startswith("date")
    assert "Nato-Beitritt der Ukraine weiter ungeklärt" in article.subheadings


@pytest.mark.parametrize("name", ["000_2db11f41be257a68.txt", "001_530073b95c8c761f.txt"])
def test_seed_source_has_only_mapped_types(name: str) -> None:
    source = _parse(name).to_source()
    assert all(isinstance(v, str | int | float | list | None) for v in source.values())
