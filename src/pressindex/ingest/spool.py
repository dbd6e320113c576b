"""A run's parsed batches on disk, between parsing and loading, so each document is written once.

With story clusters on, a batch does not load what it parses: it writes its documents (and its
media items and rejects) to a spool file of its own, and the story fields of the documents it will
write (those that are new or changed in the index) to a features file beside it. The flow then
decides every spooled document's story in one fixed order (:mod:`pressindex.ingest.run_stories`)
and writes the decisions beside each spool; the batch's load task reads its spool back and
loads each document with its final story fields. The spool is linear in the input (gzip level 1
documents, plain JSON lines of features, read back by offset), kept under
``<spool_dir>/<run id>/`` until the run ends without a failed batch, so that a retried run
(whose parse tasks come back ``Cached``) finds it.

Files per batch ``n``: ``batch-n.spool.gz`` (records in file order: a JSON line per record, a
document's or media item's ``_source`` verbatim on the next line), ``batch-n.features.jsonl``
(one line per document to assign: its id, the fields a candidate search returns, and its
candidates among earlier runs' documents, looked up while the batch parsed) and
``batch-n.decided.json`` (the flow's decisions: document id -> story fields).
"""

from __future__ import annotations

import gzip
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from pressindex.ingest.pipeline import MediaItem, Rejected
from pressindex.model import BulkDocument

# what the assignment reads of a document (store.HIT_SOURCE, the band keys, the length for the representative)
FEATURE_FIELDS = (
    "story_id", "story_features", "story_representative", "published", "ingested_at", "run_id",
    "text_sha1", "dpa_id", "dpa_issue_date", "dpa_version", "story_bands", "story_chars", "embargo_until",
)  # fmt: skip
KEEP_DAYS = 30  # spools of runs that were never retried: as long as Prefect keeps their cached results


def run_dir(root: Path, run_id: str) -> Path:
    return root / run_id


def spool_path(root: Path, run_id: str, batch_no: int) -> Path:
    return run_dir(root, run_id) / f"batch-{batch_no}.spool.gz"


def features_path(spool: Path) -> Path:
    return spool.with_name(spool.name.replace(".spool.gz", ".features.jsonl"))


def decided_path(spool: Path) -> Path:
    return spool.with_name(spool.name.replace(".spool.gz", ".decided.json"))


def _text(value: str) -> str:
    """A string JSON can carry whatever it holds: a path that is not UTF-8 holds lone surrogates
    (``os.fsdecode``), which orjson refuses. Its UTF-8 bytes (surrogates kept) read as Latin-1."""
    return value if value.isascii() else value.encode("utf-8", "surrogatepass").decode("latin-1")


def _str(value: str) -> str:
    """Inverse of :func:`_text`."""
    return value if value.isascii() else value.encode("latin-1").decode("utf-8", "surrogatepass")


def _document_fields(doc: BulkDocument) -> list:
    return [doc.id, _text(doc.source_path), doc.content_sha256, doc.size, doc.text_sha1, doc.dpa_version,
            doc.language, list(doc.agencies)]  # fmt: skip


def _document(fields: list, source: bytes) -> BulkDocument:
    doc_id, path, sha256, size, text_sha1, dpa_version, language, agencies = fields
    return BulkDocument(
        doc_id, _str(path), source, sha256, size, text_sha1, dpa_version, language, tuple(agencies)
    )


def write_spool(path: Path, outcomes: Iterable[BulkDocument | MediaItem | Rejected]) -> Iterator:
    """Write ``outcomes`` (as :func:`~pressindex.ingest.pipeline.prepare_files` yields them) to
    ``path`` and yield each on, so the caller sees them as they are written. Written to a
    temporary name first: a spool that exists is whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with gzip.open(partial, "wb", compresslevel=1) as out:
        for item in outcomes:
            if isinstance(item, Rejected):
                out.write(
                    orjson.dumps({"r": [_text(item.source_path), item.code, _text(item.message)]}) + b"\n"
                )
            elif isinstance(item, MediaItem):
                record = [
                    _text(item.source_path),
                    item.id,
                    item.media_type,
                    _text(item.caption),
                    _document_fields(item.document),
                ]
                out.write(orjson.dumps({"m": record}) + b"\n" + item.document.source + b"\n")
            else:
                out.write(orjson.dumps({"d": _document_fields(item)}) + b"\n" + item.source + b"\n")
            yield item
    os.replace(partial, path)


def read_spool(path: Path) -> Iterator[BulkDocument | MediaItem | Rejected]:
    """The outcomes :func:`write_spool` wrote, in the same order."""
    if not path.exists():
        raise FileNotFoundError(f"the run's spool {path} is gone: start a new run for these files")
    with gzip.open(path, "rb") as spooled:
        for line in spooled:
            record = orjson.loads(line)
            if "r" in record:
                path_, code, message = record["r"]
                yield Rejected(_str(path_), code, _str(message))
                continue
            source = next(spooled)[:-1]
            if "d" in record:
                yield _document(record["d"], source)
            else:
                path_, doc_id, media_type, caption, fields = record["m"]
                yield MediaItem(_str(path_), doc_id, media_type, _str(caption), _document(fields, source))


def feature_entry(doc: BulkDocument, *, existed: bool) -> dict:
    """A document's entry in the features file: its id, the fields the assignment reads, whether
    the index held a document of that id before (whose story may have other members there), and
    what the decision orders and searches by, made here while other batches parse: its candidate
    keys as numbers and its published and ingested times in ms."""
    from pressindex.stories.run_documents import document_keys, epoch_ms  # numpy: only when a run clusters

    source = orjson.loads(doc.source)
    fields = {name: source[name] for name in FEATURE_FIELDS if source.get(name) is not None}
    assigned = fields.get("story_features") and fields.get("story_id")  # the others are not assigned
    return {
        "_id": doc.id, "_source": fields, "existed": existed,
        "keys": document_keys(fields).tolist() if assigned else [],
        "ms": [epoch_ms(fields.get("published")), epoch_ms(fields.get("ingested_at"))],
    }  # fmt: skip


def feature_line(doc: BulkDocument, *, existed: bool) -> bytes:
    return orjson.dumps(feature_entry(doc, existed=existed)) + b"\n"


def with_earlier(
    entries: list[dict], outside: list[bool], found: list[list[dict]], centers: dict[str, dict]
) -> None:
    """Keep in each entry what Elasticsearch answered about earlier runs for it
    (:func:`pressindex.stories.store.look_up_earlier`): its candidates and their stories' centers,
    each hit with only what the assignment reads."""
    answers = iter(found)
    for entry, has in zip(entries, outside, strict=True):
        candidates = next(answers) if has else []
        entry["earlier"] = [{"_id": c["_id"], "_source": c["_source"], "sort": c["sort"]} for c in candidates]
        stories = {c["_source"].get("story_id") for c in candidates}
        entry["centers"] = {
            story: {"_id": center["_id"], "_source": center["_source"]}
            for story, center in centers.items()
            if story in stories
        }


def earlier_of(entries: list[dict]) -> tuple[list[bool], list[list[dict]], dict[str, dict]]:
    """Inverse of :func:`with_earlier`, for a page of entries that all have it."""
    centers: dict[str, dict] = {}
    for entry in entries:
        centers.update(entry["centers"])
    return [True] * len(entries), [entry["earlier"] for entry in entries], centers


def read_decisions(spool: Path) -> dict[str, dict]:
    """A batch's decided story fields by document id, where they differ from the document's own
    story; none when nothing was decided (story clusters off)."""
    path = decided_path(spool)
    return orjson.loads(path.read_bytes()) if path.exists() else {}


def remove_run(root: Path, run_id: str) -> None:
    shutil.rmtree(run_dir(root, run_id), ignore_errors=True)


def remove_stale(root: Path, *, keep_days: int = KEEP_DAYS) -> None:
    """Spools of runs that ended failed and were never retried, older than ``keep_days``."""
    if not root.is_dir():
        return
    cutoff = time.time() - keep_days * 86_400
    for run in root.iterdir():
        try:
            if run.stat().st_mtime < cutoff:
                shutil.rmtree(run, ignore_errors=True)
        except OSError:
            continue
