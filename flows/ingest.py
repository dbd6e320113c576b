"""Prefect flow: discover news files, then one task per batch parses, loads and quarantines.

Thin wrappers only; the behaviour lives in ``pressindex.pipeline`` and ``pressindex.load``.
Secrets never travel as flow parameters: tasks read connection settings from the environment.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run
from prefect.tasks import exponential_backoff

from pressindex import pipeline
from pressindex.config import Settings
from pressindex.errors import PressindexError
from pressindex.es_client import connect
from pressindex.indices import ensure_index
from pressindex.load import load_articles


def _retry_only_transient(task, task_run, state) -> bool:
    """Retry 429/503/timeouts/connection refused; a bad file or a mapping error will not get better."""
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, PressindexError) and exc.transient


@task(
    name="ingest-batch",
    task_run_name="batch-{batch_no}",
    retries=4,
    retry_delay_seconds=exponential_backoff(backoff_factor=2),
    retry_jitter_factor=0.5,
    retry_condition_fn=_retry_only_transient,
)
def ingest_batch(batch_no: int, paths: list[str], index: str, run_id: str | None) -> dict:
    settings = Settings()
    parsed = pipeline.parse_files([Path(p) for p in paths], max_bytes=settings.max_file_bytes)
    report = load_articles(connect(settings), index, parsed.articles, run_id=run_id)
    rejected = list(parsed.rejected)
    rejected += [pipeline.Rejected(r.source_path, "es_rejected", r.reason) for r in report.rejected]
    for item in rejected:
        pipeline.quarantine(item, settings.quarantine_dir, run_id=run_id)
    return {
        "batch": batch_no,
        "files": len(paths),
        **{k: v for k, v in report.as_dict().items() if k in ("indexed", "unchanged", "superseded")},
        "quarantined": pipeline.count_by_code(rejected),
        "languages": dict(Counter(a.language for a in parsed.articles)),
        "agencies": dict(Counter(ag for a in parsed.articles for ag in a.agencies)),
    }


@flow(name="pressindex-ingest", log_prints=False)
def ingest(paths: list[str], index: str | None = None, batch_size: int | None = None) -> dict:
    """Ingest files and directories into the alias ``index`` (default from settings: ``press``)."""
    started = time.monotonic()
    logger = get_run_logger()
    settings = Settings()
    alias = index or settings.index
    files = pipeline.discover(paths)
    es = connect(settings)
    concrete = ensure_index(es, alias)
    run_id = flow_run.get_id()
    size = batch_size or settings.batch_size
    batches = list(pipeline.batched(files, size))
    logger.info("%d files in %d batches into %s (%s)", len(files), len(batches), alias, concrete)
    futures = [ingest_batch.submit(n, [str(p) for p in b], alias, run_id) for n, b in enumerate(batches)]
    rows, failed = [], []
    for n, fut in enumerate(futures):
        fut.wait()
        if fut.state.is_completed():
            rows.append(fut.result())
        else:
            failed.append(n)
            logger.error("batch %d failed: %s", n, fut.state.message)
    es.indices.refresh(index=alias)  # what the run wrote is searchable when it returns
    quarantined: Counter = Counter()
    for row in rows:
        quarantined.update(row["quarantined"])
    summary = {
        "run_id": str(run_id) if run_id else None,
        "index": alias,
        "files_seen": len(files),
        "indexed": sum(r["indexed"] for r in rows),
        "unchanged": sum(r["unchanged"] for r in rows),
        "superseded": sum(r["superseded"] for r in rows),
        "quarantined": dict(quarantined),
        "failed_batches": failed,
        "seconds": round(time.monotonic() - started, 2),
    }
    create_table_artifact(
        key="pressindex-ingest-batches",
        table=[{**r, "quarantined": sum(r["quarantined"].values())} for r in rows] or [{"batch": "-", "files": 0}],
        description=f"{summary['files_seen']} files, {summary['indexed']} indexed, "
        f"{sum(quarantined.values())} quarantined, {len(failed)} failed batches",
    )
    if failed:
        raise RuntimeError(f"{len(failed)} batch(es) failed: {failed}; rerun the flow run to retry them")
    return summary
