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


def test_a_pool_broken_between_runs_is_replaced_at_the_next_start(inbox):
    pipeline.start_parse_pool(2)
    pool = pipeline.parse_pool(2)
    _prepare(inbox[:2], workers=2)  # workers are up
    victim = next(iter(pool._processes.values()))
    victim.kill()  # while idle, as the OOM killer might between two nightly runs in one process
    victim.join()
    deadline = time.monotonic() + 10
    while not pool._broken:  # the pool notices the dead worker in its own thread
        assert time.monotonic() < deadline
        time.sleep(0.05)

    pipeline.start_parse_pool(2)  # a run starting now: this raised BrokenProcessPool into the flow

    assert pipeline.parse_pool(2) is not pool
    assert _prepare(inbox, workers=2) == _prepare(inbox)


def test_processes_import_only_what_they_use():
    """What a parse worker imports before its first file (it starts without the caller's main
    module, see the next test), what the command imports before it starts them, what the flow
    process imports (it never parses when it has a pool), and what the parser loads only on demand. Each heavy import is CPU at every run's start,
    taken from the flow process while it imports Prefect."""
    script = (
        "import sys\n"
        "heavy = {'elasticsearch', 'prefect', 'pydantic_settings', 'numpy', 'bs4', 'ftfy', 'langdetect',\n"
        "         'pressindex.parse'}\n"
        "loaded = lambda: sorted(heavy & set(sys.modules))\n"
        "import pressindex.pipeline\n"
        "print(loaded())\n"
        "import pressindex.cli\n"
        "print(loaded())\n"
        "pressindex.cli.load_flow('ingest', 'ingest')\n"
        "print(loaded())\n"
        "from pressindex.parse import parse_document\n"
        "text = 'Berlin (dpa) - Ein schlichter Text ohne Markup, lang genug für die Sprache.'\n"
        "parse_document(text.encode(), 'x')\n"
        "print(loaded())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    worker, command, flow, parsed = out.splitlines()
    assert worker == "[]"
    # the command reads its settings and starts the parse processes before the client's 0.5 s import
    assert command == "['pydantic_settings']"
    assert "numpy" not in flow and "pressindex.parse" not in flow
    assert "bs4" not in parsed and "ftfy" not in parsed  # loaded for markup and mojibake only


@pytest.mark.parametrize("started_as", ["module", "script"])
def test_workers_do_not_import_the_main_module(tmp_path, started_as):
    """A deployment's flow run runs as ``python -m prefect.engine``: the workers must not import
    that main module again (and Prefect with it), as spawned children otherwise do."""
    (tmp_path / "probe.py").write_text("import sys\n\ndef loaded(name):\n    return name in sys.modules\n")
    (tmp_path / "engine_like.py").write_text(
        "import prefect.engine  # the main module of a deployment's flow run\n"
        "import probe\n"
        "from pressindex import pipeline\n"
        "if __name__ == '__main__':\n"
        "    pool = pipeline.parse_pool(1)\n"
        "    for name in ('prefect', 'pressindex'):\n"
        "        print(pool.submit(probe.loaded, name).result())\n"
    )
    command = ["-m", "engine_like"] if started_as == "module" else [str(tmp_path / "engine_like.py")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, *command], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True"]  # the parser is there, Prefect is not
