"""The flow process's malloc settings (glibc): the arena cap and handing freed memory back."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

from pressindex.ingest import heap

GLIBC = platform.libc_ver()[0] == "glibc"


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    return subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True)


def test_arenas_are_capped_under_glibc() -> None:
    # a subprocess: the cap is process-wide
    result = _run("from pressindex.ingest import heap; print(heap.limit_arenas())")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(GLIBC)


def test_an_operators_malloc_arena_max_wins() -> None:
    result = _run("from pressindex.ingest import heap; print(heap.limit_arenas())", MALLOC_ARENA_MAX="4")
    assert result.stdout.strip() == "False"


def test_loading_the_flow_caps_the_arenas() -> None:
    # a deployment's flow run imports the flow file before it starts any batch thread
    result = _run(
        "import sys\n"
        "from pressindex.ingest import heap\n"
        "seen = []\n"
        "heap.limit_arenas = lambda *args: seen.append(args)\n"
        "from pressindex.project import flows_dir\n"
        "sys.path.insert(0, str(flows_dir())); import ingest\n"
        "print(len(seen))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1"


def test_returning_freed_memory_is_safe_anywhere() -> None:
    heap.return_freed_memory()  # no error, whatever the C library
