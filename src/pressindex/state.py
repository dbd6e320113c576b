"""What was processed, kept in Elasticsearch beside the documents (``<alias>-files``).

One record per source path: its content checksum, what became of it (indexed, unchanged,
superseded, quarantined) and the document it produced. A run skips a file whose checksum matches
its record, so change detection never trusts modification times, and a fresh worker on another
machine knows what was done. Quarantine is the set of records with status ``quarantined``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import scan, streaming_bulk

from pressindex.errors import TransientLoadError
from pressindex.indices import load_definition
from pressindex.load import RESPONSE_FIELDS, pass_encoded
from pressindex.model import display_path

DEFINITION_FILE = "files.json"
INDEXED, UNCHANGED, SUPERSEDED, QUARANTINED = "indexed", "unchanged", "superseded", "quarantined"
DONE = {INDEXED, UNCHANGED, SUPERSEDED}


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

    def record(self, run_id: str | None, attempts: int, processed_at: str) -> dict:
        return {
            "path": display_path(self.path),
            "path_raw": base64.b64encode(os.fsencode(self.path)).decode("ascii"),
            "name": display_path(os.path.basename(self.path)),
            "size": self.size,
            "content_sha256": self.content_sha256,
            "status": self.status,
            "doc_id": self.doc_id,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "quarantine_copy": self.quarantine_copy,
            "run_id": run_id,
            "processed_at": processed_at,
            "attempts": attempts,
        }


def ensure_state_index(es: Elasticsearch, alias: str) -> str:
    name = state_alias(alias)
    if es.indices.exists_alias(name=name):
        return name
    definition = load_definition(DEFINITION_FILE)
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


def write(es: Elasticsearch, alias: str, outcomes: list[FileOutcome], *, run_id: str | None, previous: dict) -> None:
    """Record outcomes; ``previous`` (from :func:`lookup`) carries the attempt counts forward."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    actions = (
        (
            orjson.dumps({"index": {"_id": record_id(o.path)}}),
            orjson.dumps(o.record(run_id, (previous.get(o.path) or {}).get("attempts", 0) + 1, now)),
        )
        for o in outcomes
    )
    failed = [
        item
        for ok, item in streaming_bulk(
            es,
            actions,
            index=state_alias(alias),
            expand_action_callback=pass_encoded,
            raise_on_error=False,
            max_retries=5,
            filter_path=RESPONSE_FIELDS,
        )
        if not ok
    ]
    if failed:
        raise TransientLoadError(f"{len(failed)} state records were not written: {failed[0]}")


def quarantined(es: Elasticsearch, alias: str, *, code: str | None = None) -> list[dict]:
    query: dict = {"bool": {"filter": [{"term": {"status": QUARANTINED}}]}}
    if code:
        query["bool"]["filter"].append({"term": {"error_code": code}})
    try:
        hits = scan(es, index=state_alias(alias), query={"query": query, "sort": ["path"]}, preserve_order=True)
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


def paths_pointing_at(es: Elasticsearch, alias: str, doc_id: str) -> int:
    """How many source paths currently produce document ``doc_id`` (identical copies share one)."""
    resp = es.count(index=state_alias(alias), query={"bool": {"filter": [{"term": {"doc_id": doc_id}}]}})
    return int(resp["count"])


@dataclass(frozen=True)
class RunPlan:
    """What a run will do: files to process with their checksums, and what it skips."""

    todo: list[tuple[str, str | None]]
    skipped_unchanged: int
    skipped_quarantined: int


def plan_run(es: Elasticsearch, alias: str, files: list[str | Path], *, force: bool = False) -> RunPlan:
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
    todo, unchanged, quarantined_before = [], 0, 0
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
