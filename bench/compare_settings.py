"""Interleaved runs of ``pressindex ingest`` with and without a setting, for an A/B on a busy machine.

    uv run python bench/compare_settings.py --n 10000 --rounds 3 PRESSINDEX_PARSE_AHEAD_FILES=0

After one uncounted run that warms the node up, each round runs the whole command once as
configured and once with the given variables added, on the corpus of ``bench/ingest_bench.py``
(built there if missing), each into a fresh alias whose empty indices exist before the clock starts.
Alternating the two evens out the load of other processes, which moves single runs by ±15 %;
compare the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from ingest_bench import DEFAULT_CSV, build_corpus, measure_ingest

from pressindex.config import Settings
from pressindex.index.es_client import connect


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "variables", nargs="+", metavar="NAME=VALUE", help="what the second run of a round adds"
    )
    parser.add_argument("--n", type=int, default=10_000, help="documents in the corpus")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "pressindex-bench")
    args = parser.parse_args(argv)
    variant = dict(v.split("=", 1) for v in args.variables)
    label = " ".join(args.variables)

    es = connect(Settings())
    directory = build_corpus(args.n, args.cache, args.csv)
    # A node that has not indexed since it started runs its indexing code interpreted at first:
    # one run, not counted, warms it up (measured: 28.7 s cold, then 21.8-22.4 s).
    print(f"warm-up run, not counted: {measure_ingest(es, directory)[0]:.1f} s")
    seconds: dict[str, list[float]] = {"as configured": [], label: []}
    for _ in range(args.rounds):
        for name, env in (("as configured", None), (label, variant)):
            load = os.getloadavg()[0]
            took, summary, _, _, count = measure_ingest(es, directory, env)
            if count != args.n:
                raise SystemExit(f"{name}: {count} documents indexed, expected {args.n}")
            seconds[name].append(took)
            print(f"{name:<40} {took:6.1f} s (flow run {summary['seconds']:.1f} s), load average {load:.2f}")
    for name, runs in seconds.items():
        print(f"{name:<40} median {statistics.median(runs):.1f} s of {', '.join(f'{s:.1f}' for s in runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
