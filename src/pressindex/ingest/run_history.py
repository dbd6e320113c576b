"""Run history: one record per ingest run in ``<alias>-runs``, for ``pressindex runs`` and Kibana.

At the end of a run (``flows/ingest.py``), :func:`record_run` measures the extraction coverage of
the documents the run wrote (a query over the documents carrying its ``run_id``, after the run's
final refresh: nothing is counted while loading), asks :mod:`pressindex.ingest.drift` whether the run is
degraded compared with the runs before it, and writes the record, whose id is the flow run id: a
retried run rewrites its own record. The mapping is ``mappings/runs.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from pressindex.index.indices import create_index, load_definition, mapping_version
from pressindex.ingest import drift

DEFINITION_FILE = "runs.json"
COMPLETED, FAILED, DEGRADED = "completed", "failed", "degraded"
# previous records read for the baseline: degraded and small runs are skipped there
_HISTORY_READ = 100


def runs_alias(alias: str) -> str:
    return f"{alias}-runs"


def quarantine_codes() -> frozenset[str]:
    """The reasons the runs mapping has a field for (``quarantined.<code>``); others count as ``other``."""
    fields = load_definition(DEFINITION_FILE)["mappings"]["properties"]["quarantined"]["properties"]
    return frozenset(fields) - {"other"}


def ensure_runs_index(es: Elasticsearch, alias: str) -> str:
    """The runs alias; creates its index, or adds fields new in ``runs.json`` to an existing one."""
    name = runs_alias(alias)
    definition = load_definition(DEFINITION_FILE)
    if es.indices.exists_alias(name=name):
        es.indices.put_mapping(index=name, properties=definition["mappings"]["properties"])
    elif not es.indices.exists(index=(concrete := f"{name}-v{mapping_version(definition)}")):
        create_index(es, concrete, definition, aliases={name: {"is_write_index": True}})
    return name


# -- measuring a run -------------------------------------------------------------------------------

# field of the coverage -> the query a document matches when it has it
_COVERAGE_QUERIES = {
    "dateline": {"exists": {"field": "dateline"}},
    "agency": {"exists": {"field": "agencies"}},
    "published": {"exists": {"field": "published"}},
    "dpa_id": {"exists": {"field": "dpa_id"}},
    "language_und": {"term": {"language": "und"}},
}


def measure_documents(es: Elasticsearch, index: str, run_id: str) -> dict:
    """The documents ``run_id`` wrote into ``index`` (the concrete index: the alias hides embargoed
    ones): how many, the percent with each field, and the language and agency mix."""
    aggs: dict[str, dict[str, Any]] = {name: {"filter": query} for name, query in _COVERAGE_QUERIES.items()}
    aggs["languages"] = {"terms": {"field": "language", "size": 200}}
    aggs["agencies"] = {"terms": {"field": "agencies", "size": 200}}
    resp = es.search(
        index=index, size=0, track_total_hits=True, query={"term": {"run_id": run_id}}, aggs=aggs
    )
    total = resp["hits"]["total"]["value"]
    found = resp["aggregations"]
    return {
        "documents": total,
        "coverage": {
            name: round(100.0 * found[name]["doc_count"] / total, 2) if total else None
            for name in _COVERAGE_QUERIES
        },
        "languages": {b["key"]: b["doc_count"] for b in found["languages"]["buckets"]},
        "agencies": {b["key"]: b["doc_count"] for b in found["agencies"]["buckets"]},
    }


def build_record(summary: dict, measured: dict, *, ended: datetime, status: str,
                 reasons: Sequence[drift.Reason] = ()) -> dict:  # fmt: skip
    """The run's record from the flow's summary (``run_report.summarize``) and :func:`measure_documents`."""
    known = quarantine_codes()
    quarantined: dict[str, int] = {}
    for code, n in summary["quarantined"].items():
        key = code if code in known else "other"
        quarantined[key] = quarantined.get(key, 0) + n
    files_quarantined = sum(quarantined.values())
    processed = summary["processed"]
    return {
        "run_id": summary["run_id"],
        "alias": summary["index"],
        "status": status,
        "started": (ended - timedelta(seconds=summary["seconds"])).isoformat(timespec="seconds"),
        "ended": ended.isoformat(timespec="seconds"),
        "seconds": summary["seconds"],
        "bytes": summary.get("bytes", 0),
        "files_seen": summary["files_seen"],
        "files_new": processed,
        "files_unchanged": summary["unchanged"],
        "files_quarantined": files_quarantined,
        "files_quarantined_before": summary["quarantined_before"],
        "files_released": summary["released_from_quarantine"],
        "quarantined": quarantined,
        "quarantine_share": round(files_quarantined / processed, 4) if processed else 0.0,
        "documents_indexed": measured["documents"],
        "documents_superseded": summary["superseded"],
        "documents_removed": summary["replaced_removed"],
        "documents_withdrawn": summary["withdrawn"],
        "coverage": {k: v for k, v in measured["coverage"].items() if v is not None},
        "languages": measured["languages"],
        "agencies": measured["agencies"],
        "failed_batches": list(summary["failed_batches"]),
        "degraded_fields": [r.field for r in reasons],
        "degraded_reasons": [r.message for r in reasons],
    }


def quality(record: dict) -> drift.RunQuality:
    return drift.RunQuality(
        files_new=record.get("files_new", 0),
        files_quarantined=record.get("files_quarantined", 0),
        documents=record.get("documents_indexed", 0),
        coverage=record.get("coverage", {}),
        degraded=record.get("status") == DEGRADED,
    )


def record_run(es: Elasticsearch, alias: str, index: str, summary: dict, *, thresholds: drift.Thresholds,
               failed: bool = False, ended: datetime | None = None) -> dict:  # fmt: skip
    """Measure the run, judge it against the previous runs, write its record; returns the record
    (``status`` degraded, with ``degraded_reasons``, when the alarm went off). A run with failed
    batches is recorded as failed and not judged: its retry will be."""
    ensure_runs_index(es, alias)
    measured = measure_documents(es, index, summary["run_id"])
    record = build_record(summary, measured, ended=ended or datetime.now(UTC), status=COMPLETED)
    reasons: list[drift.Reason] = []
    if not failed:
        previous = [
            quality(r) for r in recent_runs(es, alias, limit=_HISTORY_READ) if r["run_id"] != record["run_id"]
        ]
        reasons = drift.degraded_reasons(quality(record), previous, thresholds)
    status = FAILED if failed else (DEGRADED if reasons else COMPLETED)
    record.update(
        status=status,
        degraded_fields=[r.field for r in reasons],
        degraded_reasons=[r.message for r in reasons],
    )
    # refreshed at once: the next run's baseline and `pressindex runs list` see it
    es.index(index=runs_alias(alias), id=record["run_id"] or None, document=record, refresh=True)
    return record


# -- reading the history ---------------------------------------------------------------------------


def recent_runs(es: Elasticsearch, alias: str, *, limit: int = 20, status: str | None = None) -> list[dict]:
    """The newest ``limit`` records, newest first; none when no run has been recorded."""
    query = {"term": {"status": status}} if status else {"match_all": {}}
    try:
        resp = es.search(index=runs_alias(alias), size=limit, query=query, sort=[{"started": "desc"}])
    except NotFoundError:
        return []
    return [hit["_source"] for hit in resp["hits"]["hits"]]


def find_run(es: Elasticsearch, alias: str, key: str) -> dict | None:
    """The record of run ``key``: its id, or a prefix of the id that only one recent run has."""
    try:
        return es.get(index=runs_alias(alias), id=key)["_source"]
    except NotFoundError:
        pass
    matches = [r for r in recent_runs(es, alias, limit=1000) if r["run_id"].startswith(key)]
    return matches[0] if len(matches) == 1 else None


def summary_line(record: dict) -> str:
    """One line for ``pressindex runs list``."""
    coverage = record.get("coverage", {})
    shown = " ".join(f"{k}={coverage[k]:.0f}%" for k in drift.FIELDS if k in coverage)
    return (
        f"{record['run_id'][:8]}  {record['started']}  {record['status']:<9} files {record['files_seen']:>6} "
        f"new {record['files_new']:>6} quarantined {record['files_quarantined']:>4}  "
        f"docs {record['documents_indexed']:>6}  {record['seconds']:>7.1f} s  {shown}"
    )
