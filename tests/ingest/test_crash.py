"""Crashes for real: Elasticsearch stopped in the middle of a run, and the flow process killed with
SIGKILL in the middle of a run. After a rerun, every file is indexed exactly once (or quarantined),
and none is lost."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from wire_factory import write_articles

from pressindex.ingest import state
from pressindex.localnode import node as localnode

ROOT = Path(__file__).resolve().parents[2]
FILES = 800
BATCH = 20


def _ingest_process(inbox: Path, alias: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pressindex", "ingest", str(inbox), "--index", alias, "--batch-size", str(BATCH)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _rerun(inbox: Path, alias: str, env: dict) -> None:
    proc = _ingest_process(inbox, alias, env)
    output = proc.communicate(timeout=600)[0]
    assert proc.returncode == 0, output


def _wait_for_documents(es: Elasticsearch, alias: str, proc: subprocess.Popen, timeout: float = 180) -> int:
    """Block until the run has indexed some, but not all, documents."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run finished before it could be interrupted:\n" + proc.stdout.read()
        try:
            count = es.count(index=alias)["count"]
        except Exception:
            count = 0
        if count >= BATCH:
            return count
        time.sleep(0.05)
    raise AssertionError("the run indexed nothing in time")


def _assert_complete(es: Elasticsearch, alias: str, inbox: Path) -> None:
    es.indices.refresh(index=[alias, state.state_alias(alias)])
    assert es.count(index=alias)["count"] == FILES  # every article once: no loss, no duplicates
    records = state.lookup(es, alias, [str(p) for p in inbox.iterdir()])
    assert len(records) == FILES  # no file neither indexed nor quarantined
    assert {r["status"] for r in records.values()} <= state.DONE


@pytest.fixture
def crash_node(es_settings):
    """A node of its own, so stopping it leaves the suite's node alone."""
    if not es_settings.uses_local_node:
        pytest.skip("ELASTICSEARCH_URL points at an external cluster, which this test must not stop")
    main = es_settings.local_node()
    node = localnode.LocalNode(cache_dir=main.cache_dir, name="crash-test", port=main.port + 47, heap="512m")
    localnode.start(node, log=lambda _m: None)
    yield node
    localnode.stop(node)


def test_elasticsearch_stopped_mid_run_then_rerun(crash_node, run_env, tmp_path):
    inbox = tmp_path / "inbox"
    write_articles(inbox, FILES)
    alias = "crash-es"
    env = {**run_env, "ELASTICSEARCH_URL": crash_node.url}
    es = Elasticsearch(crash_node.url)
    es.indices.delete(index=f"{alias}*", ignore_unavailable=True, allow_no_indices=True)

    proc = _ingest_process(inbox, alias, env)
    _wait_for_documents(es, alias, proc)
    localnode.stop(crash_node)  # Elasticsearch goes away in the middle of the run
    output = proc.communicate(timeout=300)[0]
    assert proc.returncode != 0, output

    localnode.start(crash_node, log=lambda _m: None)
    _rerun(inbox, alias, env)
    _assert_complete(es, alias, inbox)


def test_flow_process_killed_mid_run_then_rerun(es, run_env, alias, tmp_path):
    inbox = tmp_path / "inbox"
    write_articles(inbox, FILES)

    proc = _ingest_process(inbox, alias, run_env)
    _wait_for_documents(es, alias, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    es.indices.refresh(index=alias)
    assert 0 < es.count(index=alias)["count"] < FILES

    _rerun(inbox, alias, run_env)
    _assert_complete(es, alias, inbox)
