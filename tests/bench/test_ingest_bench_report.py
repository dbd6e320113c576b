"""bench/ingest_bench.py's report: a document a run quarantined is counted under its reason code,
and only one neither indexed nor quarantined is called lost."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from wire_factory import write_articles

from pressindex.cli.main import cli

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ingest_bench.py"


def _bench_module(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH.parent))  # it imports its neighbour parse_free
    spec = importlib.util.spec_from_file_location("ingest_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quarantined_documents_are_counted_by_reason_and_only_missing_ones_as_lost(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path, monkeypatch
):
    monkeypatch.setenv("PRESSINDEX_STORIES_ENABLED", "false")  # not what this is about
    inbox = tmp_path / "inbox"
    write_articles(inbox, 4)
    (inbox / "empty.txt").write_bytes(b"")  # quarantined as `empty`
    result = runner.invoke(cli, ["ingest", str(inbox), "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    es.indices.refresh(index=alias)
    count = es.count(index=alias)["count"]
    assert count == 4

    missing_documents = _bench_module(monkeypatch).missing_documents
    # five files, one quarantined: nothing lost
    assert missing_documents(5, count, summary) == ({"empty": 1}, 0)
    # a sixth document that went nowhere is lost, the quarantined one is still not
    assert missing_documents(6, count, summary) == ({"empty": 1}, 1)
    # (a), the bulk of prepared documents, has no summary: what it misses is lost
    assert missing_documents(5, count, None) == ({}, 1)
