"""Per-file parse limits through the whole ingest, against the real node and a real Prefect: a file
over its budget ends in quarantine with its reason, the run ends and the other files are indexed,
and a retry with a larger budget indexes it. On the threads runner and on the Dask runner."""

from __future__ import annotations

import json

import pytest
from wire_factory import article_text, write_articles

from pressindex.cli.main import cli, load_flow
from pressindex.ingest import state

# A budget no multi-megabyte file can meet and every small article does, many times over.
TINY = {"PRESSINDEX_PARSE_SECONDS_PER_MB": "0.001", "PRESSINDEX_PARSE_MIN_SECONDS": "0.3"}
LARGE = {"PRESSINDEX_PARSE_SECONDS_PER_MB": "60", "PRESSINDEX_PARSE_MIN_SECONDS": "60"}


@pytest.fixture
def inbox(tmp_path):
    inbox = tmp_path / "inbox"
    write_articles(inbox, 3)
    # ordinary copy, several MB of it: seconds to parse, far over the tiny budget
    (inbox / "long.txt").write_text(article_text(5, paragraphs=20) * 3000, encoding="utf-8")
    return inbox


def _json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def _count(es, alias) -> int:
    es.indices.refresh(index=alias)
    return es.count(index=alias)["count"]


def test_a_file_over_its_budget_is_quarantined_and_a_larger_budget_indexes_it(
    prefect_harness, runner, es, alias, inbox, quarantine_dir, monkeypatch
):
    for name, value in TINY.items():
        monkeypatch.setenv(name, value)

    summary = _json(runner.invoke(cli, ["ingest", str(inbox), "--index", alias, "--json"]))

    assert summary["indexed"] == 3
    assert summary["quarantined"] == {"parse_timeout": 1}
    [record] = state.quarantined(es, alias)
    assert record["path"] == str(inbox / "long.txt")
    assert record["error_code"] == "parse_timeout"
    assert "budget" in record["error_message"]
    [reason] = quarantine_dir.glob("*.reason.json")
    assert json.loads(reason.read_text())["error"]["code"] == "parse_timeout"
    assert _count(es, alias) == 3

    for name, value in LARGE.items():
        monkeypatch.setenv(name, value)
    retried = _json(
        runner.invoke(
            cli, ["quarantine", "retry", "--all", "--code", "parse_timeout", "--index", alias, "--json"]
        )
    )

    assert retried["indexed"] == 1
    assert retried["released_from_quarantine"] == 1
    assert state.quarantined(es, alias) == []
    assert _count(es, alias) == 4


def test_the_dask_runner_parses_within_the_same_limits(
    prefect_harness, es, alias, inbox, quarantine_dir, monkeypatch
):
    for name, value in TINY.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PREFECT_API_URL", prefect_harness)
    monkeypatch.setenv("PRESSINDEX_TASK_RUNNER", "dask")
    monkeypatch.delenv("PRESSINDEX_DASK_ADDRESS", raising=False)
    monkeypatch.setenv("PRESSINDEX_DASK_WORKERS", "1")
    ingest = load_flow("ingest", "ingest")  # the runner is chosen when the flow is loaded

    summary = ingest(paths=[str(inbox)], index=alias, batch_size=2)

    assert summary["indexed"] == 3
    assert summary["quarantined"] == {"parse_timeout": 1}
    assert _count(es, alias) == 3
