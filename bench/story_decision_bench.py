"""The single-threaded story decision of an ingest alone: spool a corpus once (as ``parse-N``
does, into an empty alias), then time :func:`pressindex.ingest.run_stories.decide` on it.

    uv run --frozen python bench/story_decision_bench.py [--corpus DIR] [--rounds 3] [--respool]

Prints each round's wall and CPU seconds (of the deciding thread) and a digest of every
document's decided story fields, so that two trees (say ``PYTHONPATH=<other checkout>/src``) can
be compared on one spool: the same digest, the same stories. The corpus defaults to the realistic
mix of ``bench/ingest_bench.py --mix realistic`` (build it with that command first).
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import orjson

from pressindex.config import Settings
from pressindex.index.es_client import shared_client
from pressindex.index.indices import drop_alias_family, ensure_index
from pressindex.ingest import batch, spool
from pressindex.ingest.state import ensure_state_index, state_alias

ALIAS = "bench-story-decision"
RUN_ID = "bench-story-decision-run"
BATCH = 1000


def spool_corpus(es, corpus: Path, root: Path, workers: int) -> dict[int, str]:
    files = sorted(str(p) for p in corpus.rglob("*") if p.is_file())
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for n in range(0, len(files), BATCH):
        batch.spool_batch(
            es, ALIAS, [(f, None) for f in files[n : n + BATCH]], spool.spool_path(root, RUN_ID, n // BATCH),
            max_bytes=Settings().max_file_bytes, run_id=RUN_ID, parse_workers=workers, window_days=7,
        )  # fmt: skip
    print(f"spooled {len(files)} files in {time.perf_counter() - started:.1f} s")
    return spools(root)


def spools(root: Path) -> dict[int, str]:
    found = spool.run_dir(root, RUN_ID).glob("batch-*.spool.gz")
    return {int(p.name.split("-")[1].split(".")[0]): str(p) for p in found}


def _read_as_spooled(found: dict[int, str]) -> tuple[float, dict]:
    """The features files read as the flow reads them while later batches parse (a tree from before
    that has no :class:`SpooledFeatures` reads them inside the decision)."""
    from pressindex.ingest import run_stories

    if not hasattr(run_stories, "SpooledFeatures"):
        return 0.0, {}
    started = time.thread_time()
    features = run_stories.SpooledFeatures()
    for n, path in sorted(found.items()):
        features.read_batch(n, path)
    return time.thread_time() - started, {"features": features}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path("/tmp/pressindex-bench/corpus-v1-10000-realistic-0")
    )
    parser.add_argument("--spool", type=Path, default=Path("/tmp/pressindex-bench/story-decision-spool"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--respool", action="store_true", help="parse the corpus again (after a change to parse-N)"
    )
    parser.add_argument("--workers", type=int, default=2, help="parse processes while spooling")
    args = parser.parse_args()
    from pressindex.ingest.run_stories import decide  # numpy: after the arguments

    es = shared_client(Settings())
    ensure_index(es, ALIAS)  # empty: earlier runs have no candidates, the decision is all in memory
    ensure_state_index(es, ALIAS)
    try:
        found = spools(args.spool)
        if args.respool or not found:
            found = spool_corpus(es, args.corpus, args.spool, args.workers)
        for round_no in range(args.rounds):
            read, features = _read_as_spooled(found)
            started, started_cpu = time.perf_counter(), time.thread_time()
            decided = decide(es, ALIAS, RUN_ID, found, threshold=None, window_days=7, **features)
            seconds, cpu = time.perf_counter() - started, time.thread_time() - started_cpu
            digest = hashlib.sha256()
            for n in sorted(found):  # as data: the same decisions in another order are the same
                decisions = orjson.loads(spool.decided_path(Path(found[n])).read_bytes())
                digest.update(orjson.dumps(decisions, option=orjson.OPT_SORT_KEYS))
            digest.update(orjson.dumps(decided.report.stories_of, option=orjson.OPT_SORT_KEYS))
            report = decided.report
            print(
                f"round {round_no + 1}: decided {report.documents} documents in {seconds:.2f} s (CPU {cpu:.2f} s; "
                f"{report.joined} joined, {len(report.merged)} merges), decisions {digest.hexdigest()[:16]}"
                + (
                    f"; the features files read before, as the flow reads them while batches parse: {read:.2f} s"
                    if features
                    else ""
                )
            )
    finally:
        drop_alias_family(es, ALIAS)
        drop_alias_family(es, state_alias(ALIAS))


if __name__ == "__main__":
    main()
