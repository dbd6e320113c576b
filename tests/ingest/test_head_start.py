"""The head start of ``pressindex ingest``: the run's first new files are parsed while Prefect
starts, the batches take them as if they had parsed them, and nothing is parsed twice, taken
stale or left behind."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import orjson
import pytest
from wire_factory import write_articles

from pressindex.cli.main import cli
from pressindex.ingest import pipeline, state
from pressindex.ingest.head_start import HeadStart
from pressindex.model import BulkDocument

STAMP = {"run_id": "run-1", "ingested_at": "2025-01-01T00:00:00+00:00"}
MAX_BYTES = 1 << 20


@pytest.fixture(autouse=True)
def nothing_left_ahead():
    yield
    pipeline.drop_parsed_ahead()


@pytest.fixture
def inbox(tmp_path):
    paths = [str(p) for p in write_articles(tmp_path / "inbox", 60)]
    empty = tmp_path / "inbox" / "empty.txt"
    empty.write_bytes(b"")
    return [*paths[:30], str(empty), *paths[30:]]


def _parse_ahead(paths, max_bytes=MAX_BYTES, **kwargs) -> int:
    pipeline.open_parse_ahead()
    return pipeline.parse_ahead(paths, max_bytes=max_bytes, workers=2, **kwargs)


def _prepare(paths, **kwargs) -> list:
    return list(pipeline.prepare_files(paths, max_bytes=MAX_BYTES, **STAMP, **kwargs))


def test_files_parsed_ahead_come_out_as_the_batch_would_have_parsed_them(inbox):
    assert _parse_ahead(inbox[:40]) == 40

    taken = _prepare(inbox, workers=2)

    assert taken == _prepare(inbox)  # the same documents, byte for byte, in file order
    assert all(orjson.loads(d.source)["run_id"] == "run-1" for d in taken if isinstance(d, BulkDocument))
    assert [r.code for r in taken if isinstance(r, pipeline.Rejected)] == ["empty"]
    assert pipeline.drop_parsed_ahead() == 0  # every file was taken


def test_results_for_another_size_limit_are_not_taken(inbox):
    _parse_ahead(inbox[:10])

    small = list(pipeline.prepare_files(inbox[:10], max_bytes=100, workers=2, **STAMP))

    assert {r.code for r in small if isinstance(r, pipeline.Rejected)} == {"too_large"}
    assert pipeline.drop_parsed_ahead() == 10


def test_dropped_results_are_never_taken(inbox):
    _parse_ahead(inbox[:10])
    assert pipeline.drop_parsed_ahead() == 10

    with open(inbox[0], "a", encoding="utf-8") as fh:  # the file changes before the next run
        fh.write("\nEin neuer Schlusssatz.\n")
    again = _prepare(inbox[:1], workers=2)

    assert b"neuer Schlusssatz" in again[0].source


def test_parsing_ahead_stops_when_the_first_batch_asks(tmp_path):
    paths = [str(p) for p in write_articles(tmp_path / "many", 1000)]
    handed_out: list[int] = []
    ahead = threading.Thread(target=lambda: handed_out.append(_parse_ahead(paths, in_flight=1)))
    ahead.start()
    deadline = time.monotonic() + 30
    while not pipeline._ahead:  # the first chunk is out
        assert time.monotonic() < deadline
        time.sleep(0.005)

    outcomes = _prepare(paths, workers=2)
    ahead.join()

    assert [o.source_path for o in outcomes] == paths
    assert all(isinstance(o, BulkDocument) for o in outcomes)
    assert handed_out[0] < len(paths)  # it stopped: the batch parsed the rest itself
    assert pipeline.drop_parsed_ahead() == 0  # nothing was handed out after the batch asked


def test_a_worker_killed_while_parsing_ahead_costs_no_file(tmp_path):
    paths = [str(p) for p in write_articles(tmp_path / "many", 400)]
    pool = pipeline.parse_pool(2)
    _prepare(paths[:2], workers=2)  # workers are up
    _parse_ahead(paths, in_flight=len(paths))  # every chunk handed out at once
    os.kill(pool.pids()[0], signal.SIGKILL)

    outcomes = _prepare(paths, workers=2)

    assert [o.source_path for o in outcomes] == paths
    assert all(isinstance(o, BulkDocument) for o in outcomes)
    assert all(orjson.loads(o.source)["run_id"] == "run-1" for o in outcomes)


def test_a_batch_that_asks_first_gets_no_head_start(inbox):
    pipeline.open_parse_ahead()
    _prepare(inbox[:5], workers=2)  # a batch asks before the head start got going

    assert pipeline.parse_ahead(inbox, max_bytes=MAX_BYTES, workers=2) == 0


def _record(es, alias, paths):
    state.ensure_state_index(es, alias)
    outcomes = [
        state.FileOutcome(p, os.path.getsize(p), state.checksum_or_none(p), state.INDEXED) for p in paths
    ]
    state.write(es, alias, outcomes, run_id="earlier", previous={})
    es.indices.refresh(index=state.state_alias(alias))


def _head_start(es_settings, alias, paths, *, force=False, limit=None) -> HeadStart:
    settings = es_settings.model_copy(update={"parse_ahead_files": limit})  # None: the default
    head_start = HeadStart().begin(paths, settings=settings, alias=alias, force=force, batch_size=10)
    if head_start.thread is not None:
        head_start.thread.join()  # the batches of a run would ask from here on
    return head_start


def test_only_files_without_a_record_get_a_head_start(es, es_settings, alias, inbox):
    _record(es, alias, inbox[:20])

    head_start = _head_start(es_settings, alias, [os.path.dirname(inbox[0])], limit=1000)
    head_start.end()

    assert head_start.submitted == len(inbox) - 20
    assert head_start.dropped == head_start.submitted  # no batch took them: dropped at the end


def test_head_start_of_a_first_run_and_its_limit(es_settings, alias, inbox):
    directory = [os.path.dirname(inbox[0])]
    # no state index yet: every file is new; by default the first batches in flight (3 of 10 files)
    assert _head_start(es_settings, alias, directory).submitted == 30
    pipeline.drop_parsed_ahead()
    assert _head_start(es_settings, alias, directory, limit=1000).submitted == len(inbox)
    pipeline.drop_parsed_ahead()
    assert _head_start(es_settings, alias, directory, limit=0).thread is None


def test_forced_run_parses_recorded_files_ahead(es, es_settings, alias, inbox):
    _record(es, alias, inbox)
    directory = [os.path.dirname(inbox[0])]

    assert _head_start(es_settings, alias, directory, limit=1000).submitted == 0
    pipeline.drop_parsed_ahead()
    assert _head_start(es_settings, alias, directory, force=True, limit=1000).submitted == len(inbox)


def test_no_head_start_when_elasticsearch_does_not_answer(es_settings, alias, inbox):
    unreachable = es_settings.model_copy(update={"elasticsearch_url": "http://127.0.0.1:9"})

    head_start = _head_start(unreachable, alias, [os.path.dirname(inbox[0])])

    assert head_start.submitted == 0  # the run meets the same error and reports it


def test_ingested_documents_carry_the_flow_runs_id(
    prefect_harness, runner, es, alias, quarantine_dir, inbox, monkeypatch
):
    taken: list[int] = []
    take = pipeline._take_parsed_ahead
    monkeypatch.setattr(pipeline, "_take_parsed_ahead", lambda *a: taken.append(len(r := take(*a))) or r)

    result = runner.invoke(cli, ["ingest", os.path.dirname(inbox[0]), "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])

    hits = es.search(index=alias, size=100, source=["run_id", "ingested_at"])["hits"]["hits"]

    assert len(hits) == len(inbox) - 1  # the empty file is quarantined
    assert {h["_source"]["run_id"] for h in hits} == {summary["run_id"]}
    assert not any(h["_source"]["ingested_at"].startswith("1970") for h in hits)
    assert sum(taken) == len(inbox)  # all of them were parsed ahead


def test_a_document_is_restamped_only_from_the_stamp_it_was_made_with(inbox):
    doc = _prepare(inbox[:1])[0]
    again = doc.restamped(
        was=("run-1", STAMP["ingested_at"]), run_id=None, ingested_at="2026-02-03T04:05:06+00:00"
    )

    source = orjson.loads(again.source)
    assert (source["run_id"], source["ingested_at"]) == (None, "2026-02-03T04:05:06+00:00")
    assert {k: v for k, v in source.items() if k not in ("run_id", "ingested_at")} == {
        k: v for k, v in orjson.loads(doc.source).items() if k not in ("run_id", "ingested_at")
    }
    with pytest.raises(ValueError, match="stamp it was made with"):
        doc.restamped(was=("another-run", STAMP["ingested_at"]), run_id=None, ingested_at="x")
