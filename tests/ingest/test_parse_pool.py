"""The supervised parse pool: same results as parsing in-thread, per-file time and memory limits,
survives dead processes, leaves no orphans, starts without the caller's main module."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pool_jobs
import pytest
from wire_factory import article_text, write_articles

from pressindex.ingest import pipeline
from pressindex.ingest.parse_pool import ParseLimits, ParsePool
from pressindex.model import BulkDocument

STAMP = {"run_id": "test-run", "ingested_at": "2025-01-01T00:00:00+00:00"}
# generous for the files that should pass on a loaded machine, small for the ones that should not
TIGHT = ParseLimits(seconds_per_mb=1.0, min_seconds=1.5, memory_mb=1536)


@pytest.fixture
def inbox(tmp_path):
    paths = write_articles(tmp_path / "inbox", 60)
    dpa = tmp_path / "inbox" / "dpa.txt"
    dpa.write_text(article_text(7, dpa_story="210413-99-186470/5"), encoding="utf-8")
    empty = tmp_path / "inbox" / "empty.txt"
    empty.write_bytes(b"")
    return [*paths, dpa, empty]


@pytest.fixture
def pool():
    pools: list[ParsePool] = []

    def make(workers=2, limits=TIGHT):
        pools.append(ParsePool(workers, limits=limits, reject=pool_jobs.reject))
        return pools[-1]

    yield make
    for p in pools:
        p.stop()


def _prepare(paths, **kwargs) -> list:
    return list(pipeline.prepare_files(paths, max_bytes=1 << 20, **STAMP, **kwargs))


def test_pool_parses_like_the_thread(inbox):
    in_pool = _prepare(inbox, workers=2)
    assert in_pool == _prepare(inbox)  # same order, same documents
    assert [r.code for r in in_pool if isinstance(r, pipeline.Rejected)] == ["empty"]


def test_a_file_over_its_time_budget_is_rejected_and_its_chunk_goes_on(pool):
    parse = pool(workers=1)
    before = parse.pids()
    items = ["ok:1", "ok:2", "sleep:600", "ok:3", "ok:4"]

    outcomes = parse.submit(pool_jobs.act, items).result(timeout=60)

    assert outcomes == ["ok:1", "ok:2", ("rejected", "sleep:600", "parse_timeout"), "ok:3", "ok:4"]
    assert parse.pids() != before  # the process that parsed it was replaced
    assert parse.submit(pool_jobs.act, ["ok:5"]).result(timeout=60) == ["ok:5"]


def test_a_process_over_its_memory_ceiling_is_replaced_and_its_file_rejected(pool):
    parse = pool(workers=1, limits=ParseLimits(seconds_per_mb=1, min_seconds=60, memory_mb=150))

    outcomes = parse.submit(pool_jobs.act, ["ok:1", "hold:400", "ok:2"]).result(timeout=60)

    assert outcomes == ["ok:1", ("rejected", "hold:400", "parse_memory"), "ok:2"]


def test_a_process_left_large_by_its_last_chunk_is_replaced_before_the_next(pool):
    parse = pool(workers=1, limits=ParseLimits(min_seconds=60, memory_mb=300))
    first = parse.pids()

    assert parse.submit(pool_jobs.act, ["keep:200"]).result(timeout=60) == ["keep:200"]  # under the ceiling
    deadline = time.monotonic() + 30
    while parse.pids() == first:  # it leaves on its own, over half the ceiling
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert parse.submit(pool_jobs.act, ["ok:1"]).result(timeout=60) == ["ok:1"]


def test_no_item_is_rejected_for_time_it_did_not_take(pool):
    # The supervisor reads a process's status (item, deadline) while the process may be writing it;
    # a read between the two fields paired an item with the deadline 0.0 of "no item", and instant
    # items came back parse_timeout (1-7 in 400,000; a good file now and then in 10,000-file runs).
    parse = pool(workers=2, limits=ParseLimits(min_seconds=600))
    items = [f"ok:{i}" for i in range(400_000)]

    jobs = [parse.submit(pool_jobs.act, items[i : i + 5000]) for i in range(0, len(items), 5000)]

    outcomes = [outcome for job in jobs for outcome in job.result(timeout=600)]
    assert [o for o in outcomes if isinstance(o, tuple)] == []
    assert outcomes == items


def test_the_budget_grows_with_the_file(pool, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (3 * 1024 * 1024))
    parse = pool(workers=1, limits=ParseLimits(seconds_per_mb=1.0, min_seconds=0.5, memory_mb=1536))
    job = parse.submit(pool_jobs.act, ["sleep:1.5"])
    assert job.result(timeout=60) == [("rejected", "sleep:1.5", "parse_timeout")]  # 0.5 s for a tiny item
    assert parse.limits.budget(big.stat().st_size) == 3.0


def test_a_process_killed_from_outside_costs_no_file(pool):
    parse = pool(workers=1, limits=ParseLimits(min_seconds=60))
    job = parse.submit(pool_jobs.act, ["ok:1", "sleep:4", "ok:2"])
    time.sleep(2.5)  # started (under a second) and on the sleeping item now
    os.kill(parse.pids()[0], signal.SIGKILL)  # as the OOM killer or an operator might

    assert job.result(timeout=60) == ["ok:1", "sleep:4", "ok:2"]  # the file got another process


def test_a_file_that_kills_two_processes_is_rejected(pool):
    parse = pool(workers=2)

    outcomes = parse.submit(pool_jobs.act, ["ok:1", "die", "ok:2"]).result(timeout=60)

    assert outcomes == ["ok:1", ("rejected", "die", "parse_crash"), "ok:2"]


def test_parse_records_a_timeout_and_exits_non_zero(runner, tmp_path, monkeypatch):
    from pressindex.cli.main import cli

    good = tmp_path / "good.txt"
    good.write_text(article_text(1), encoding="utf-8")
    slow = tmp_path / "slow.txt"
    slow.write_text(article_text(2, paragraphs=20) * 3000, encoding="utf-8")  # several MB: seconds to parse
    monkeypatch.setenv("PRESSINDEX_PARSE_SECONDS_PER_MB", "0.001")
    monkeypatch.setenv("PRESSINDEX_PARSE_MIN_SECONDS", "0.2")

    result = runner.invoke(cli, ["parse", str(good), str(slow)])

    assert result.exit_code == 1
    first, second = (pytest.importorskip("json").loads(line) for line in result.output.splitlines())
    assert first["source_path"] == str(good) and "error" not in first
    assert second["source_path"] == str(slow)
    assert second["error"]["code"] == "parse_timeout"
    assert "PRESSINDEX_PARSE_MIN_SECONDS" in second["error"]["message"]


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited, its parent just never reaped it


@pytest.mark.parametrize("busy", [False, True])
def test_workers_end_with_a_killed_flow_process(busy):
    script = (
        "import sys, time\n"
        f"sys.path.insert(0, {str(Path(__file__).parents[1])!r})\n"
        "import pool_jobs\n"
        "from pressindex.ingest import pipeline\n"
        "pool = pipeline.parse_pool(2)\n"
        "pool.submit(pool_jobs.act, ['ok']).result()\n"
        f"busy = {busy!r}\n"
        "jobs = [pool.submit(pool_jobs.act, ['sleep:600']) for _ in range(2)] if busy else []\n"
        "time.sleep(1)\n"
        "print(' '.join(str(p) for p in pool.pids()), flush=True)\n"
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


def test_a_stopped_pool_is_replaced_at_the_next_start(inbox):
    pipeline.start_parse_pool(2)
    pool = pipeline.parse_pool(2)
    _prepare(inbox[:2], workers=2)  # workers are up
    pipeline.stop_parse_pool()  # as an interrupted run does
    assert not any(_alive(p) for p in pool.pids())

    pipeline.start_parse_pool(2)

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
        "import pressindex.ingest.pipeline\n"
        "print(loaded())\n"
        "import pressindex.cli.main\n"
        "print(loaded())\n"
        "pressindex.cli.main.load_flow('ingest', 'ingest')\n"
        "print(loaded())\n"
        "from pressindex.parse import parse_document\n"
        "text = 'Berlin (dpa) - Ein schlichter Text ohne Markup, lang genug für die Sprache.'\n"
        "parse_document(text.encode(), 'x')\n"
        "print(loaded())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    worker, command, flow, parsed = out.splitlines()
    assert worker == "[]"
    # importing the command line loads nothing heavy: a command reads its settings when it runs
    # (and the ingest starts its parse processes before the client's 0.5 s import)
    assert command == "[]"
    assert "numpy" not in flow and "pressindex.parse" not in flow
    assert "bs4" not in parsed and "ftfy" not in parsed  # loaded for markup and mojibake only


@pytest.mark.parametrize("started_as", ["module", "script"])
def test_workers_do_not_import_the_main_module(tmp_path, started_as):
    """A deployment's flow run runs as ``python -m prefect.engine``: the workers must not import
    that main module again (and Prefect with it)."""
    (tmp_path / "engine_like.py").write_text(
        "import prefect.engine  # the main module of a deployment's flow run\n"
        "import pool_jobs\n"
        "from pressindex.ingest import pipeline\n"
        "if __name__ == '__main__':\n"
        "    pool = pipeline.parse_pool(1)\n"
        "    for name in ('prefect', 'pressindex.parse'):\n"
        "        print(pool.submit(pool_jobs.act, ['loaded:' + name]).result()[0])\n"
    )
    command = ["-m", "engine_like"] if started_as == "module" else [str(tmp_path / "engine_like.py")]
    path = [str(tmp_path), str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    out = subprocess.run([sys.executable, *command], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True"]  # the parser is there, Prefect is not


def test_documents_from_the_pool_are_bulk_documents(inbox):
    assert all(isinstance(o, BulkDocument) for o in _prepare(inbox[:-1], workers=1))
