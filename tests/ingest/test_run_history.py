"""Run history and the drift alarm against the real Elasticsearch and Prefect (the test harness):
every run writes its record to ``<alias>-runs``, ``pressindex runs list|show`` print it, and a run
whose datelines vanished after good runs ends ``Degraded`` while a normal run does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from wire_factory import article_text, write_articles

from pressindex.cli.main import cli
from pressindex.errors import InputError
from pressindex.ingest import drift
from pressindex.ingest.run_history import quarantine_codes, runs_alias


def _ingest(runner, alias, *paths) -> tuple[dict, str]:
    result = runner.invoke(cli, ["ingest", *map(str, paths), "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1]), result.output


def _record(es, alias, run_id) -> dict:
    return es.get(index=runs_alias(alias), id=run_id)["_source"]


def test_every_quarantine_code_has_a_field_in_the_runs_mapping():
    def codes(cls):
        for sub in cls.__subclasses__():
            yield sub.code
            yield from codes(sub)

    pool_and_load = {"parse_timeout", "parse_memory", "parse_crash", "es_rejected"}
    assert set(codes(InputError)) | pool_and_load <= quarantine_codes()


def test_a_run_writes_its_record_and_runs_list_and_show_print_it(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    write_articles(inbox, 4)
    (inbox / "dpa_story.txt").write_text(article_text(50, dpa_story="210413-99-123456/1"), encoding="utf-8")
    (inbox / "empty.txt").write_bytes(b"")
    summary, _ = _ingest(runner, alias, inbox)
    record = _record(es, alias, summary["run_id"])

    assert record["run_id"] == summary["run_id"] and record["alias"] == alias
    assert record["status"] == "completed" and record["degraded_reasons"] == []
    assert record["started"] <= record["ended"] and record["seconds"] > 0
    assert (record["files_seen"], record["files_new"], record["files_unchanged"]) == (6, 6, 0)
    assert (record["files_quarantined"], record["quarantined"]) == (1, {"empty": 1})
    assert record["quarantine_share"] == pytest.approx(1 / 6, abs=1e-3)
    assert record["documents_indexed"] == 5
    assert (record["documents_superseded"], record["documents_removed"], record["documents_withdrawn"]) == (
        0,
        0,
        0,
    )
    assert record["bytes"] == sum(p.stat().st_size for p in inbox.iterdir())
    coverage = record["coverage"]
    assert coverage["dateline"] == coverage["agency"] == 100.0
    assert coverage["dpa_id"] == 20.0  # one of the five
    assert coverage["language_und"] == 0.0 and "published" in coverage
    assert record["languages"] == {"de": 5} and record["agencies"] == {"dpa": 5}

    again, _ = _ingest(runner, alias, inbox)  # nothing new: a record all the same
    second = _record(es, alias, again["run_id"])
    assert (second["files_new"], second["files_unchanged"], second["documents_indexed"]) == (0, 5, 0)
    assert second["files_quarantined_before"] == 1
    assert second["coverage"] == {}  # no new documents, no coverage to speak of

    listed = runner.invoke(cli, ["runs", "list", "--index", alias])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].startswith(again["run_id"][:8]) and lines[1].startswith(
        summary["run_id"][:8]
    )  # newest first
    assert "completed" in lines[1] and "dateline=100%" in lines[1] and "2 run(s)" in lines[-1]
    as_json = runner.invoke(cli, ["runs", "list", "--index", alias, "--json"])
    assert [json.loads(line)["run_id"] for line in as_json.output.splitlines()] == [
        again["run_id"],
        summary["run_id"],
    ]

    shown = runner.invoke(cli, ["runs", "show", summary["run_id"][:8], "--index", alias])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output) == record
    missing = runner.invoke(cli, ["runs", "show", "no-such-run", "--index", alias])
    assert missing.exit_code == 1 and "no single run" in missing.output


def _undated(n: int) -> str:
    """Article ``n`` as a feed that lost its datelines would send it: the lead without place and credit."""
    text = article_text(n)
    lead, rest = text.split(" - ", 1)
    assert lead.endswith("(dpa)")
    return rest


def _write(directory: Path, numbers, text=article_text) -> Path:
    directory.mkdir(parents=True)
    for n in numbers:
        (directory / f"wire_{n:06d}.txt").write_text(text(n), encoding="utf-8")
    return directory


def test_drift_alarm_flags_vanished_datelines_after_good_runs_and_not_a_normal_run(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path, monkeypatch
):
    from prefect import get_client

    monkeypatch.setenv("PRESSINDEX_DRIFT_MIN_FILES", "5")
    for k in range(drift.MIN_BASELINE_RUNS):  # good nights
        summary, _ = _ingest(runner, alias, _write(tmp_path / f"night{k}", range(k * 6, k * 6 + 6)))
        assert summary["status"] == "completed"

    normal, _ = _ingest(runner, alias, _write(tmp_path / "normal", range(500, 506)))
    assert normal["status"] == "completed" and normal["degraded_reasons"] == []

    broken, output = _ingest(runner, alias, _write(tmp_path / "broken", range(600, 606), text=_undated))
    assert broken["status"] == "degraded"
    assert any(r.startswith("dateline coverage fell to 0.0 %") for r in broken["degraded_reasons"])
    record = _record(es, alias, broken["run_id"])
    assert record["status"] == "degraded" and "dateline" in record["degraded_fields"]
    assert record["coverage"]["dateline"] == 0.0
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(broken["run_id"])
    # what an automation matches: the state's name (event prefect.flow-run.Degraded) and the tag
    assert (run.state.type.value, run.state.name) == ("COMPLETED", "Degraded")
    assert "degraded" in run.tags
    assert "dateline coverage fell" in run.state.message

    plain = runner.invoke(cli, ["runs", "list", "--index", alias, "--status", "degraded"])
    assert plain.output.splitlines()[0].startswith(broken["run_id"][:8]) and "1 run(s)" in plain.output
