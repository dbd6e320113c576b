"""Parse (with language detection) 1,000 10kGNAD articles in one process; print articles/s per core.

    uv run python bench/parse_bench.py [--corpora ../shared/corpora] [-n 1000] [--repeat 3]

One process is one core, so the rate printed is the per-core rate (target ≥ 250/s). The best
of ``--repeat`` runs is reported; the first parse (langdetect profile loading) is done before
timing, as a long-running worker pays it once.
"""

from __future__ import annotations

import argparse
import csv
import time
from datetime import datetime, timezone
from pathlib import Path

from pressindex.parse import parse_document
from pressindex.parse.language import detect_language


def load(corpora: Path, n: int) -> list[bytes]:
    with (corpora / "10kgnad_test" / "test.csv").open(encoding="utf-8", newline="") as fh:
        texts = [row[1] for row in csv.reader(fh, delimiter=";", quotechar="'") if len(row) >= 2]
    return [t.encode("utf-8") for t in (texts * (n // len(texts) + 1))[:n]]


def main() -> None:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=here.parent.parent / "shared" / "corpora")
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    docs = load(args.corpora, args.n)
    now = datetime.now(timezone.utc)
    parse_document(docs[0], "warmup", now=now)
    chars = sum(len(d) for d in docs)

    best = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        for i, raw in enumerate(docs):
            parse_document(raw, f"10kgnad:{i}", now=now)
        best = min(best, time.perf_counter() - start)

    # Where the time goes: language detection alone, on the same texts.
    texts = [d.decode("utf-8") for d in docs]
    start = time.perf_counter()
    for t in texts:
        detect_language(t)
    lang = time.perf_counter() - start

    print(f"articles: {len(docs)} ({chars / len(docs):,.0f} bytes on average)")
    print(f"parse + detect: {best:.2f} s, {len(docs) / best:,.0f} articles/s per core (best of {args.repeat})")
    print(f"of which language detection: {lang:.2f} s ({lang / best:.0%})")


if __name__ == "__main__":
    main()
