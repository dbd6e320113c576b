"""The shared parse pool: same results as parsing in-thread, survives a dead worker, leaves no orphans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from wire_factory import article_text, write_articles

from pressindex import pipeline
from pressindex.model import BulkDocument

STAMP = {"run_id": "test-run", "ingested_at": "2025-01-01T00:00:00+00:00"}


@pytest.fixture
def inbox(tmp_path):
    paths = write_articles(tmp_path / "inbox", 60)
    dpa = tmp_path / "inbox" / "dpa.txt"
    dpa.write_text(article_text(7, dpa_story="210413-99-186470/5"), encoding="utf-8")
    empty = tmp_path / "inbox" / "empty.txt"
    empty.write_bytes(b"")
    return [*paths, dpa, empty]


def _prepare(paths, **kwargs) -> list:
    return list(pipeline.prepare_files(paths, max_bytes=1 << 20, **STAMP, **kwargs))


def test_pool_parses_like_the_thread(inbox):
    in_pool = _prepare(inbox, workers=2)
    assert in_pool == _prepare(inbox)  # same order, same documents
    assert [r.code for r in in_pool if isinstance(r, pipeline.Rejected)] == ["empty"]


def test_a_killed_worker_costs_no_file(inbox):
    pool = pipeline.parse_pool(2)
    _prepare(inbox[:2], workers=2)  # workers are up
    victim = next(iter(pool._processes.values()))
    victim.kill()
    victim.join()

    outcomes = _prepare(inbox, workers=2)

    assert [o.source_path for o in outcomes] == [str(p) for p in inbox]
    assert sum(isinstance(o, BulkDocument) for o in outcomes) == len(inbox) - 1
    assert pipeline.parse_pool(2) is not pool  # the next batch gets a new pool


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited, its parent just never reaped it


def test_workers_end_with_a_killed_flow_process():
    script = (
        "from pressindex import pipeline\n"
        "import time\n"
        "pool = pipeline.parse_pool(2)\n"
        "[f.result() for f in [pool.submit(time.sleep, 0.5) for _ in range(4)]]  # both workers started\n"
        "print(' '.join(str(p) for p in pool._processes), flush=True)\n"
        "time.sleep(600)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = [int(p) for p in proc.stdout.readline().split()]
    assert len(workers) == 2
    os.kill(proc.pid, signal.SIGKILL)  # as the crash test kills a flow run
    proc.wait()
    deadline = time.monotonic() + 15
    while any(_alive(p) for p in workers):
        assert time.monotonic() < deadline, "parse workers outlived their flow process"
        time.sleep(0.2)
