"""``pressindex ingest`` with the parsing taken out: how fast could the rest of the run go?

    python bench/parse_free.py DOCUMENTS.pickle ingest DIR --index ALIAS --json

Runs the real command (Prefect flow, state index, head start, bulk mode, the parse processes and
their IPC), except that a parse process does not read, decode, clean, parse or detect: it hands out
the document it was given beforehand for that path (made by :func:`parse_beforehand`, exactly as
the ingest makes it), restamped with the run's id as a document parsed ahead is. What such a run
costs is the floor every parser, however fast, would sit on. ``bench/ingest_bench.py
--parse-free`` runs it beside (b).

Bench only: nothing in ``pressindex`` knows of it. The parse processes find this module by name
(a spawned process gets its parent's ``sys.path``).
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

from pressindex.config import Settings
from pressindex.ingest import pipeline
from pressindex.model import BulkDocument

# made with the stamp of a document parsed ahead, and swapped per run as the batches swap that one
_STAMP = pipeline._AHEAD_STAMP
_documents: dict[str, list[BulkDocument]] | None = None
_parse_for_real = pipeline._prepare_one  # taken before main() swaps it


def parse_beforehand(files: list[Path], target: Path, workers: int) -> Path:
    """Every file's documents (one per message) as the ingest makes them, by path, pickled into
    ``target`` (kept)."""
    if target.exists():
        return target
    outcomes = pipeline.prepare_files(
        [str(p) for p in files], max_bytes=Settings().max_file_bytes, run_id=_STAMP[0],
        ingested_at=_STAMP[1], workers=workers,
    )  # fmt: skip
    documents = {}
    for outcome in outcomes:
        if not isinstance(outcome, BulkDocument):
            raise RuntimeError(f"the bench corpus has a file the parser rejects: {outcome}")
        documents.setdefault(outcome.source_path, []).append(outcome)
    partial = target.with_suffix(".partial")
    partial.write_bytes(pickle.dumps(documents, protocol=pickle.HIGHEST_PROTOCOL))
    partial.rename(target)
    return target


def _load() -> dict[str, list[BulkDocument]]:
    global _documents
    if _documents is None:
        _documents = pickle.loads(Path(os.environ["PRESSINDEX_BENCH_PARSED"]).read_bytes())
    return _documents


def warm() -> None:
    """Stands in for ``pipeline._warm``: a parse process loads the documents instead of the parser."""
    _load()


def prepare_parsed_beforehand(path, max_bytes: int, run_id: str | None, ingested_at: str):
    """Stands in for ``pipeline._prepare_one``; a path without a document is parsed for real."""
    documents = _load().get(str(path))
    if documents is None:
        return _parse_for_real(path, max_bytes, run_id, ingested_at)
    if isinstance(documents, BulkDocument):  # a pickle made before files gave several documents
        documents = [documents]
    return [d.restamped(was=_STAMP, run_id=run_id, ingested_at=ingested_at) for d in documents]


def main() -> None:
    os.environ["PRESSINDEX_BENCH_PARSED"] = str(Path(sys.argv[1]).absolute())
    import parse_free  # this file by its module name, so that the parse processes can import it

    pipeline._prepare_one = parse_free.prepare_parsed_beforehand
    pipeline._warm = parse_free.warm
    from pressindex.cli.main import cli

    cli(sys.argv[2:], prog_name="pressindex")


if __name__ == "__main__":
    main()
