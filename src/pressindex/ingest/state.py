"""What was processed, kept in Elasticsearch beside the documents (``<alias>-files``).

One record per source path: its content checksum, what became of it (indexed, unchanged,
superseded, quarantined) and the documents it produced (``doc_ids``: one per wire message;
``doc_id`` the first, as records made before files could hold several messages have it). A run skips a file whose checksum matches
its record, so change detection never trusts modification times, and a fresh worker on another
machine knows what was done. Quarantine is the set of records with status ``quarantined``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import scan

from pressindex.index.bulk_writes import write_actions
from pressindex.index.indices import load_definition
from pressindex.ingest.load import RESPONSE_FIELDS, pass_encoded
from pressindex.model import display_path

DEFINITION_FILE = "files.json"
INDEXED, UNCHANGED, SUPERSEDED, QUARANTINED = "indexed", "unchanged", "superseded", "quarantined"
SKIPPED_MEDIA = "skipped_media"  # media items only (pictures, audio, video): recorded, not indexed
DONE = {INDEXED, UNCHANGED, SUPERSEDED, SKIPPED_MEDIA}


def state_alias(alias: str) -> str:
    return f"{alias}-files"


def record_id(path: str) -> str:
    return hashlib.sha1(os.fsencode(path)).hexdigest()


def raw_path(record: dict) -> str:
    """The exact path a record was made for, also when the file name is not UTF-8."""
    return os.fsdecode(base64.b64decode(record["path_raw"]))


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def checksum_or_none(path: str) -> str | None:
    """SHA-256 of the file, or None when it cannot be read (the batch quarantines it with the reason)."""
    try:
        return file_sha256(Path(path))
    except OSError:
        return None


@dataclass(frozen=True)
class FileOutcome:
    path: str
    size: int | None
    content_sha256: str | None
    status: str
    doc_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    quarantine_copy: str | None = None
    replaces: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()  # every document the file produced; () means (doc_id,) when set
    media: tuple[dict, ...] = ()  # its media items: {"id", "type", "caption"} (pipeline.MediaItem.record)

    @property
    def produced(self) -> tuple[str, ...]:
        return self.doc_ids or ((self.doc_id,) if self.doc_id else ())

    def record(self, run_id: str | None, attempts: int, processed_at: str) -> dict:
        return {
            "path": display_path(self.path),
            "path_raw": base64.b64encode(os.fsencode(self.path)).decode("ascii"),
            "name": display_path(os.path.basename(self.path)),
            "size": self.size,
            "content_sha256": self.content_sha256,
            "status": self.status,
            "doc_id": self.doc_id,
            "doc_ids": list(self.produced) or None,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "quarantine_copy": self.quarantine_copy,
            "replaces": list(self.replaces) or None,
            "media": list(self.media) or None,
            "run_id": run_id,
            "processed_at": processed_at,
            "attempts": attempts,
        }


def ensure_state_index(es: Elasticsearch, alias: str) -> str:
    """The state alias; creates its index, or adds fields new in ``files.json`` to an existing one."""
    name = state_alias(alias)
    definition = load_definition(DEFINITION_FILE)
    if es.indices.exists_alias(name=name):
        # new fields only (a changed field type would be refused here): old records simply lack them
        es.indices.put_mapping(index=name, properties=definition["mappings"]["properties"])
        return name
    concrete = f"{name}-v{definition['_meta']['mapping_version']}"
    if not es.indices.exists(index=concrete):
        es.indices.create(
            index=concrete,
            settings=definition["settings"],
            mappings=definition["mappings"],
            aliases={name: {"is_write_index": True}},
        )
    return name


def lookup(es: Elasticsearch, alias: str, paths: Iterable[str], chunk: int = 1000) -> dict[str, dict]:
    """Records by path for ``paths`` (absent paths are left out)."""
    paths = list(paths)
    found: dict[str, dict] = {}
    for start in range(0, len(paths), chunk):  # ids per chunk: a plan may hold a million paths
        by_id = {record_id(p): p for p in paths[start : start + chunk]}
        resp = es.mget(index=state_alias(alias), ids=list(by_id))
        for doc in resp["docs"]:
            if doc.get("found"):
                found[by_id[doc["_id"]]] = doc["_source"]
    return found


def unrecorded(es: Elasticsearch, alias: str, paths: list[str], *, limit: int) -> list[str]:
    """Those of the first ``limit`` paths that have no record: files the next run will process
    whatever their content (no state index yet: all of them)."""
    head = paths[:limit]
    try:
        known = lookup(es, alias, head)
    except NotFoundError:
        known = {}
    return [path for path in head if path not in known]


def write(
    es: Elasticsearch, alias: str, outcomes: list[FileOutcome], *, run_id: str | None, previous: dict
) -> None:
    """Record outcomes; ``previous`` (from :func:`lookup`) carries the attempt counts forward."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    actions = (
        (
            orjson.dumps({"index": {"_id": record_id(o.path)}}),
            orjson.dumps(o.record(run_id, (previous.get(o.path) or {}).get("attempts", 0) + 1, now)),
        )
        for o in outcomes
    )
    write_actions(
        es, state_alias(alias), actions, what="state records",
        expand_action_callback=pass_encoded, filter_path=RESPONSE_FIELDS,
    )  # fmt: skip


def quarantined(es: Elasticsearch, alias: str, *, code: str | None = None) -> list[dict]:
    query: dict = {"bool": {"filter": [{"term": {"status": QUARANTINED}}]}}
    if code:
        query["bool"]["filter"].append({"term": {"error_code": code}})
    try:
        hits = scan(
            es, index=state_alias(alias), query={"query": query, "sort": ["path"]}, preserve_order=True
        )
        return [{"id": h["_id"], **h["_source"]} for h in hits]
    except NotFoundError:
        return []


def get(es: Elasticsearch, alias: str, key: str) -> dict | None:
    """A record by its id or by its path."""
    for doc_id in (key, record_id(key)):
        try:
            hit = es.get(index=state_alias(alias), id=doc_id)
            return {"id": hit["_id"], **hit["_source"]}
        except NotFoundError:
            continue
    return None


def produced_ids(record: dict | None) -> tuple[str, ...]:
    """The documents a state record says its file produced (``doc_ids``, or an older record's ``doc_id``)."""
    record = record or {}
    ids = record.get("doc_ids") or ([record["doc_id"]] if record.get("doc_id") else [])
    return tuple(ids)


def replaced(outcome: FileOutcome, before: dict | None) -> tuple[str, ...]:
    """What ``outcome``'s record must list under ``replaces``: the documents the file produced
    before that it no longer produces (its text changed, a message left the file), and what its
    record still listed (a run that ended before it could remove them). A file that turned bad
    replaces nothing: it keeps its old documents."""
    before = before or {}
    pending = list(before.get("replaces") or ())
    now = set(outcome.produced)
    if outcome.status in DONE:
        # a dpa story keeps its id across versions: the newer version has overwritten it in place
        pending += [i for i in produced_ids(before) if i not in now and not i.startswith("dpa-")]
    return tuple(dict.fromkeys(i for i in pending if i not in now))


def remove_replaced_documents(es: Elasticsearch, alias: str, chunk: int = 1000) -> int:
    """Delete the documents that state records list under ``replaces`` and that no file produces
    any more, then clear those lists; returns how many documents were deleted.

    Runs when all of a run's batches have ended, on a refreshed state index: deciding per batch
    would miss a file of another batch (or of the same batch, not recorded yet) that now has the
    old text, and delete the document it produces. A run that ends before this leaves the lists
    in place, and the next run removes them.
    """
    index = state_alias(alias)
    try:
        es.indices.refresh(index=index)
        marked = list(
            scan(es, index=index, query={"query": {"exists": {"field": "replaces"}}},
                 _source=["replaces"], seq_no_primary_term=True)
        )  # fmt: skip
    except NotFoundError:
        return 0
    candidates = sorted({i for hit in marked for i in hit["_source"]["replaces"] if i})
    orphans = []
    for start in range(0, len(candidates), chunk):
        ids = candidates[start : start + chunk]
        # doc_ids: every document of a file; doc_id: records made before files held several messages
        resp = es.search(
            index=index, size=0,
            query={"bool": {"should": [{"terms": {"doc_id": ids}}, {"terms": {"doc_ids": ids}}]}},
            aggs={
                "produced": {"terms": {"field": "doc_id", "size": len(ids), "include": ids}},
                "produced_all": {"terms": {"field": "doc_ids", "size": len(ids), "include": ids}},
            },
        )  # fmt: skip
        aggs = resp["aggregations"]
        still_produced = {b["key"] for name in ("produced", "produced_all") for b in aggs[name]["buckets"]}
        orphans += [i for i in ids if i not in still_produced]
    deletes = ({"_op_type": "delete", "_id": i} for i in orphans)
    removed = write_actions(es, alias, deletes, what="deletions of replaced documents", expected=404)
    # only the list that was read: one a newer run wrote meanwhile stays for the next removal
    write_actions(
        es, index,
        ({"_op_type": "update", "_id": h["_id"], "if_seq_no": h["_seq_no"],
          "if_primary_term": h["_primary_term"], "doc": {"replaces": None}} for h in marked),
        what="cleared replaces lists", expected=409,
    )  # fmt: skip
    return removed


@dataclass(frozen=True)
class RunPlan:
    """What a run will do: files to process with their checksums, and what it skips."""

    todo: list[tuple[str, str | None]]
    skipped_unchanged: int
    skipped_quarantined: int


def plan_run(es: Elasticsearch, alias: str, files: Sequence[str | Path], *, force: bool = False) -> RunPlan:
    """Select new and changed files by content checksum (never by modification time).

    A file whose checksum matches its record is skipped, including one that was quarantined (it
    would fail the same way; ``force`` or ``pressindex quarantine retry`` reprocesses it). Only
    files that have a record are read here: a new file is processed whatever its content, and the
    parser records the checksum of the bytes it read, so an initial load reads each file once.
    New files and unreadable ones get checksum ``None``; the batch quarantines the unreadable ones
    with their reason.
    """
    paths = [str(path) for path in files]
    known = {} if force else lookup(es, alias, paths)
    todo: list[tuple[str, str | None]] = []  # (path, its checksum when already computed)
    unchanged = quarantined_before = 0
    for path in paths:
        record = known.get(path)
        if record is None:
            todo.append((path, None))
            continue
        digest = checksum_or_none(path)
        if digest is not None and record.get("content_sha256") == digest:
            if record.get("status") == QUARANTINED:
                quarantined_before += 1
            else:
                unchanged += 1
            continue
        todo.append((path, digest))
    return RunPlan(todo, unchanged, quarantined_before)
