"""Cost of ``story_features`` on 1,000 10kGNAD articles: ms per article, best of N passes.

    uv run --frozen python bench/story_features_bench.py [--corpora ../shared/corpora] [-n 1000]
        [--repeat 7] [--against REV]

The machine is shared and its load changes from minute to minute, so a figure alone says little:
``--against REV`` (default ``HEAD``; ``none`` to skip) also times ``story_features`` as the package
``pressindex.stories`` was in git revision REV (``fca2cd8``: before the vocabulary), loaded beside
the working copy, with the passes of the two interleaved, so both see the same load. Times are
CPU time of this process (``time.process_time``), which other sessions' load disturbs less than
wall time. The first pass of each fills its caches (a long-running parse worker pays that once)
and is reported apart. The articles are read at run time; no text is kept.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pressindex.evaluate.stories import Doc, read_gnad
from pressindex.stories import features


def load_revision(rev: str) -> Callable[[str, str, str], object]:
    """``story_features`` as the package ``pressindex.stories`` was at git revision ``rev`` (its
    modules copied to a temporary package, their imports of each other rewritten to it)."""
    root = Path(__file__).resolve().parent.parent
    folder = "src/pressindex/stories"
    names = subprocess.run(["git", "ls-tree", "--name-only", f"{rev}:{folder}"], cwd=root, check=True,
                           capture_output=True, text=True).stdout.split()  # fmt: skip
    package = f"stories_at_{rev.replace('~', '_').replace('^', '_')}"
    target = Path(tempfile.mkdtemp()) / package
    target.mkdir()
    for name in (n for n in names if n.endswith(".py")):
        text = subprocess.run(["git", "show", f"{rev}:{folder}/{name}"], cwd=root, check=True, capture_output=True,
                              text=True).stdout  # fmt: skip
        (target / name).write_text(text.replace("pressindex.stories.", f"{package}."), encoding="utf-8")
    sys.path.insert(0, str(target.parent))
    try:
        return importlib.import_module(f"{package}.features").story_features
    finally:
        sys.path.pop(0)


def one_pass(fn: Callable[[str, str, str], object], docs: list[Doc]) -> float:
    start = time.process_time()
    for d in docs:
        fn(d.title, d.body, "de")
    return (time.process_time() - start) * 1000 / len(docs)


def main() -> None:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=here.parent.parent / "shared" / "corpora")
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--against", default="HEAD", help="git revision to compare with ('none': only this copy)")
    args = ap.parse_args()

    docs = [d for _, d in read_gnad(args.corpora / "10kgnad_test" / "test.csv")][: args.n]
    size = sum(len((d.title + " " + d.body).encode("utf-8")) for d in docs) / len(docs)
    timed = {"working copy": features.story_features}
    if args.against != "none":
        timed[f"at {args.against}"] = load_revision(args.against)
    first = {name: one_pass(fn, docs) for name, fn in timed.items()}
    best = dict.fromkeys(timed, float("inf"))
    for _ in range(args.repeat):
        for name, fn in timed.items():
            best[name] = min(best[name], one_pass(fn, docs))
    print(
        f"{len(docs)} articles of {size / 1000:.1f} KB on average; ms per article, best of {args.repeat} passes"
    )
    for name in timed:
        print(f"  {name:>20}: {best[name]:.3f} ms (first pass, caches empty: {first[name]:.3f} ms)")
    if len(timed) == 2:
        mine, other = best.values()
        print(f"  working copy / other: {mine / other:.2f}")


if __name__ == "__main__":
    main()
