"""The whole path, through the CLI: seeds → Prefect flow → real Elasticsearch → search with facets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pressindex.cli.main import cli

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
DPA_SEED = "001_530073b95c8c761f.txt"
DATE_SEED = "000_2db11f41be257a68.txt"


def _search(runner, alias, *args):
    result = runner.invoke(cli, ["search", *args, "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _ingest(runner, alias, *paths):
    result = runner.invoke(cli, ["ingest", *map(str, paths), "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


@pytest.fixture
def seeded(prefect_harness, runner, alias, quarantine_dir):
    summary = _ingest(runner, alias, SEEDS)
    return alias, summary


def test_ingest_reports_what_it_did(seeded):
    _, summary = seeded
    assert summary["files_seen"] == 2
    assert summary["indexed"] == 2
    assert summary["quarantined"] == {}
    assert summary["failed_batches"] == []


def test_search_finds_both_seeds(seeded, runner):
    alias, _ = seeded
    out = _search(runner, alias, "Truppenaufmarsch")
    assert out["total"] == 2
    assert {Path(h["source_path"]).name for h in out["hits"]} == {DPA_SEED, DATE_SEED}
    assert all(h["highlight"] for h in out["hits"])
    assert all(
        "Truppenaufmarsch" in "".join(f for fragments in h["highlight"].values() for f in fragments)
        for h in out["hits"]
    )


def test_agency_filter_narrows_to_the_dpa_seed(seeded, runner):
    alias, _ = seeded
    out = _search(runner, alias, "Gipfeltreffen", "--agency", "dpa")
    assert [Path(h["source_path"]).name for h in out["hits"]] == [DPA_SEED]


def test_facets_count_agency_and_language(seeded, runner):
    alias, _ = seeded
    facets = _search(runner, alias, "Truppenaufmarsch")["facets"]
    assert facets["agency"] == {"dpa": 1}
    assert facets["language"] == {"de": 2}
    assert facets["dateline"] == {"Washington": 1}
    assert facets["month"] == {"2021-04": 2}


def test_second_ingest_changes_no_count(seeded, runner):
    alias, _ = seeded
    again = _ingest(runner, alias, SEEDS)
    assert again["indexed"] == 0
    assert again["unchanged"] == 2
    assert _search(runner, alias, "")["total"] == 2


def test_indexed_body_has_no_copyright_footer(seeded, es):
    alias, _ = seeded
    doc = es.get(index=alias, id="dpa-210413-99-186470")["_source"]
    assert "dpa-infocom" not in doc["body"]
    assert doc["copyright"].startswith("©")
    assert doc["dpa_version"] == 5
    assert doc["published"] == "2021-04-13"


def test_bad_files_are_quarantined_and_the_run_goes_on(
    prefect_harness, runner, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / DPA_SEED).write_bytes((SEEDS / DPA_SEED).read_bytes())
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    summary = _ingest(runner, alias, inbox)
    assert summary["indexed"] == 1
    assert summary["quarantined"] == {"empty": 1, "binary": 1}
    reasons = sorted(json.loads(p.read_text())["error"]["code"] for p in quarantine_dir.glob("*.reason.json"))
    assert reasons == ["binary", "empty"]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.txt", b"", "empty"),
        ("archive.zip", b"PK\x03\x04" + bytes(range(256)) * 8, "binary"),
    ],
)
def test_parse_reports_errors_not_tracebacks(runner, tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(cli, ["parse", str(path)])
    assert result.exit_code == 1
    record = json.loads(result.output)
    assert record["source_path"] == str(path)
    assert record["error"]["code"] == code
    assert record["error"]["message"]
    assert "Traceback" not in result.output


def test_parse_prints_the_seed_fields(runner):
    result = runner.invoke(cli, ["parse", str(SEEDS / DPA_SEED), str(SEEDS / DATE_SEED)])
    assert result.exit_code == 0, result.output
    dpa, dated = (json.loads(line) for line in result.output.splitlines())
    assert dpa["agencies"] == ["dpa"]
    assert dpa["dateline"] == "Washington"
    assert (dpa["dpa_id"], dpa["dpa_version"]) == ("210413-99-186470", 5)
    assert dpa["published"] == "2021-04-13"
    assert dated["published"] == "2021-04"
    assert dated["published_precision"] == "month"
    assert dated["agencies"] == []
    assert dpa["language"] == dated["language"] == "de"
    assert "dpa-infocom" not in dpa["body"]
    for record in (dpa, dated):
        for key in ("source_path", "id", "language_confidence", "title", "body"):
            assert record[key] not in (None, "")


def test_every_field_the_code_writes_is_mapped():
    from pressindex.index.indices import mapped_fields
    from pressindex.parse import parse_document

    article = parse_document((SEEDS / DPA_SEED).read_bytes(), DPA_SEED)
    written = set(article.to_source()) | {"ingested_at", "run_id"}
    assert written <= mapped_fields()
