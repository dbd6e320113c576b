"""Bulk mode for a large load: no periodic refresh (and, for an initial load, no replicas) while it runs.

Refreshing every second turns a large load into many small segments that are merged again;
replicas index every document a second time. Both are switched off on the concrete index for
the load and restored afterwards, also when the load fails.

The values to restore are recorded in the index's own ``_meta`` (``pressindex_bulk_mode``)
before anything is changed, so a run that was killed before it could restore leaves nothing
harmful behind: the next run (or :func:`restore_leftovers`) puts the recorded values back. A
second bulk mode on an index already in bulk mode keeps the first record, never the -1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from elasticsearch import Elasticsearch

META_KEY = "pressindex_bulk_mode"
_SETTINGS = ("refresh_interval", "number_of_replicas")


def _meta(es: Elasticsearch, index: str) -> dict:
    resp = es.indices.get_mapping(index=index)
    return dict(resp[index]["mappings"].get("_meta") or {})


def _current_settings(es: Elasticsearch, index: str) -> dict:
    """The values set on the index; ``None`` for one left at Elasticsearch's default."""
    resp = es.indices.get_settings(index=index, name=[f"index.{s}" for s in _SETTINGS], flat_settings=True)
    found = resp[index]["settings"]
    return {s: found.get(f"index.{s}") for s in _SETTINGS}


def enter(es: Elasticsearch, index: str, *, drop_replicas: bool, run_id: str | None = None) -> None:
    """Record the current settings in ``_meta``, then turn refresh (and replicas) off."""
    meta = _meta(es, index)
    if META_KEY not in meta:
        meta[META_KEY] = {
            "restore": _current_settings(es, index),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
            "run_id": run_id,
        }
        # _meta is replaced as a whole: write back every other key unchanged
        es.indices.put_mapping(index=index, meta=meta)
    changes: dict = {"refresh_interval": "-1"}
    if drop_replicas:
        changes["number_of_replicas"] = 0
    es.indices.put_settings(index=index, settings=changes)


def restore_leftovers(es: Elasticsearch, index: str) -> bool:
    """Put back the settings recorded by :func:`enter`; ``False`` when the index is not in bulk mode."""
    meta = _meta(es, index)
    record = meta.pop(META_KEY, None)
    if record is None:
        return False
    # None resets a setting to Elasticsearch's default
    es.indices.put_settings(index=index, settings=record["restore"])
    es.indices.put_mapping(index=index, meta=meta)
    return True


@contextmanager
def bulk_mode(
    es: Elasticsearch, index: str, *, drop_replicas: bool = True, run_id: str | None = None
) -> Iterator[None]:
    """Refresh off (and replicas 0) on the concrete ``index`` for the ``with`` block; restored on any exit."""
    enter(es, index, drop_replicas=drop_replicas, run_id=run_id)
    _active[index] = es
    try:
        yield
    finally:
        _active.pop(index, None)
        restore_leftovers(es, index)


# Indices this process has in bulk mode, for a command that is stopped (SIGTERM, Ctrl-C) and
# exits before its ``with`` blocks can end (pressindex.ingest.interrupts).
_active: dict[str, Elasticsearch] = {}


def restore_active(*, request_timeout: float = 5.0) -> list[str]:
    """Restore every index this process has in bulk mode now; returns their names."""
    restored = []
    for index, es in list(_active.items()):
        if restore_leftovers(es.options(request_timeout=request_timeout), index):
            restored.append(index)
        _active.pop(index, None)
    return restored


def is_initial_load(es: Elasticsearch, index: str, new_documents: int) -> bool:
    """More new documents than the index holds: copying the shard to its replicas afterwards costs
    less than indexing every document twice. On a large index a nightly load keeps its replicas."""
    return int(es.count(index=index)["count"]) < new_documents
