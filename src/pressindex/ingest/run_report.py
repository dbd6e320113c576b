"""What operators see of a run: the summary it returns and the Prefect artifacts it publishes."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, cast

from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact

if TYPE_CHECKING:
    from uuid import UUID


def summarize(rows: list[dict], *, run_id, alias, files_seen, skipped_unchanged, skipped_quarantined,
              failed_batches, cached_batches, seconds, replaced_removed=0, withdrawn=0) -> dict:  # fmt: skip
    total: Counter[str] = Counter()
    quarantined: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    agencies: Counter[str] = Counter()
    for row in rows:
        total.update(
            {k: row[k] for k in ("files", "indexed", "unchanged", "superseded", "released", "bytes")}
        )
        quarantined.update(row["quarantined"])
        languages.update(row["languages"])
        agencies.update(row["agencies"])
        total["documents"] += row.get("documents", 0)  # absent from a batch cached before it existed
        total["media"] += row.get("media", 0)
    processed = total["files"]
    return {
        "run_id": run_id,
        "index": alias,
        "files_seen": files_seen,
        "processed": processed,
        "indexed": total["indexed"],
        "documents": total["documents"],  # sent: a file of several wire messages gives one per message
        # picture, audio and video items: in the state index, documents only with media_captions_as_documents
        "media_items": total["media"],
        # skipped by checksum before the run, plus documents found identical while loading
        "unchanged": skipped_unchanged + total["unchanged"],
        "superseded": total["superseded"],
        "quarantined": dict(quarantined),
        "quarantined_before": skipped_quarantined,
        "released_from_quarantine": total["released"],
        # old documents of files whose text changed, removed when no other file has that text
        "replaced_removed": replaced_removed,
        # stories that withdrawal notices named, taken out of search in this run
        "withdrawn": withdrawn,
        "languages": dict(languages),
        "agencies": dict(agencies),
        "failed_batches": failed_batches,
        "cached_batches": cached_batches,
        "seconds": round(seconds, 2),
        "documents_per_second": round(processed / seconds, 1) if seconds > 0 else None,
        "megabytes_per_second": round(total["bytes"] / 1e6 / seconds, 2) if seconds > 0 else None,
    }


def _table(counts: dict[str, int], header: str) -> str:
    if not counts:
        return f"_no {header.lower()}_\n"
    lines = [f"| {header} | files |", "| --- | ---: |"]
    lines += [f"| {k} | {v} |" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(lines) + "\n"


def publish(summary: dict, rows: list[dict]) -> None:
    """A markdown artifact per run, keyed so the Artifacts page keeps the history of runs."""
    status = (
        "failed batches: " + ", ".join(map(str, summary["failed_batches"]))
        if summary["failed_batches"]
        else "ok"
    )
    markdown = (
        f"# pressindex ingest into `{summary['index']}`: {status}\n\n"
        f"| files seen | processed | indexed | unchanged | superseded | quarantined | seconds | docs/s |\n"
        f"| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {summary['files_seen']} | {summary['processed']} | {summary['indexed']} | {summary['unchanged']} "
        f"| {summary['superseded']} | {sum(summary['quarantined'].values())} | {summary['seconds']} "
        f"| {summary['documents_per_second']} |\n\n"
        f"## Quarantined by reason\n\n{_table(summary['quarantined'], 'Reason')}\n"
        f"## Languages\n\n{_table(summary['languages'], 'Language')}\n"
        f"## Agencies\n\n{_table(summary['agencies'], 'Agency')}\n"
        f"Batches: {len(rows)} completed ({len(summary['cached_batches'])} from cache), "
        f"{len(summary['failed_batches'])} failed.\n"
    )
    create_markdown_artifact(
        key="pressindex-ingest-report", markdown=markdown, description="pressindex ingest run"
    )


class ProgressArtifact:
    """A progress bar on the flow run's page in the Prefect UI."""

    def __init__(self, batches: int) -> None:
        self.batches = batches
        self.id: UUID | None = None
        if batches:  # called from sync code, Prefect's async_dispatch runs the sync version: a UUID
            self.id = cast("UUID", create_progress_artifact(progress=0.0, description=f"{batches} batches"))

    def update(self, done: int) -> None:
        if self.id:
            update_progress_artifact(artifact_id=self.id, progress=100.0 * done / self.batches)
