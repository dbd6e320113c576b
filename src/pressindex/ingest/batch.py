"""One batch of files, end to end: parse, load, quarantine, record — safe to run again at any time.

The order makes a crash anywhere harmless: documents are written first (deterministic ids, so a
repeat overwrites), quarantine records next, the state records last. A batch that dies before its
state is written is simply processed again by the next run or the retried one.

With story clusters, a batch runs in two halves (:mod:`pressindex.ingest.spool`): :func:`spool_batch`
parses to a spool on disk, the flow decides the stories of every batch's documents, and
:func:`load_spooled_batch` loads the spool with them, then quarantines and records as above.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import orjson
from elasticsearch import Elasticsearch

from pressindex.config import DEFAULT_CHUNK_BYTES
from pressindex.errors import TerminalLoadError
from pressindex.index.indices import current_index
from pressindex.ingest import pipeline, spool, state
from pressindex.ingest.load import StreamingLoader, known_fingerprints, will_write
from pressindex.ingest.parse_pool import ParseLimits
from pressindex.model import BulkDocument


@dataclass
class BatchReport:
    files: int = 0
    indexed: int = 0
    unchanged: int = 0
    superseded: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    released: int = 0  # files that were in quarantine and now went through
    documents: int = 0  # documents sent (a file of several wire messages gives one per message)
    media: int = 0  # media items (pictures, audio, video) read: recorded, indexed only as the setting says
    languages: dict[str, int] = field(default_factory=dict)
    agencies: dict[str, int] = field(default_factory=dict)
    bytes: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def process_batch(
    es: Elasticsearch,
    alias: str,
    files: list[tuple[str, str | None]],
    *,
    max_bytes: int,
    quarantine_dir: Path,
    run_id: str | None,
    parse_workers: int = 0,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    concurrent_requests: int = 2,
    limits: ParseLimits | None = None,
    media_as_documents: bool = False,
) -> BatchReport:
    """``files`` are ``(path, sha256 at planning time or None for a new file)``; the checksum recorded is
    that of the bytes parsed.

    ``parse_workers`` > 0 parses in the process's shared pool of that many processes, each file
    within ``limits`` (over them it is quarantined as ``parse_timeout`` or ``parse_memory``). Documents
    are sent while the rest of the batch is parsing, in requests of ``chunk_bytes``, up to
    ``concurrent_requests`` at once (Elasticsearch indexes one request on one thread).

    Media items (pictures, audio, video: :class:`~pressindex.ingest.pipeline.MediaItem`) are listed under
    ``media`` in their file's record; a file of media items only gets status ``skipped_media``.
    ``media_as_documents`` indexes their captions as documents too (``kind`` "media").
    """
    previous = state.lookup(es, alias, [path for path, _ in files])
    with StreamingLoader(es, alias, chunk_bytes=chunk_bytes, concurrency=concurrent_requests) as loader:
        prepared = _prepare(files, max_bytes=max_bytes, run_id=run_id, workers=parse_workers, limits=limits)
        parsed = _load(prepared, loader, media_as_documents)
    return _record(es, alias, files, parsed, loader, previous, quarantine_dir=quarantine_dir, run_id=run_id)


def spool_batch(
    es: Elasticsearch,
    alias: str,
    files: list[tuple[str, str | None]],
    spool_file: Path,
    *,
    max_bytes: int,
    run_id: str | None,
    parse_workers: int = 0,
    limits: ParseLimits | None = None,
    media_as_documents: bool = False,
    window_days: int | None = None,
) -> dict:
    """The first half of :func:`process_batch`: parse ``files`` into ``spool_file`` and the story
    fields of the documents the load will write (new or changed ones) into its features file.

    With ``window_days``, each of those documents' candidates among earlier runs' documents are
    looked up here and kept with its fields: they do not depend on the run's order (this run's
    documents are excluded by ``run_id`` and not loaded yet), so the batches ask in parallel, while
    others parse, and the flow's single-threaded decision asks Elasticsearch nothing."""
    prepared = _prepare(files, max_bytes=max_bytes, run_id=run_id, workers=parse_workers, limits=limits)
    docs: list[BulkDocument] = []
    for outcome in spool.write_spool(spool_file, prepared):
        if isinstance(outcome, BulkDocument):
            docs.append(outcome)
        elif isinstance(outcome, pipeline.MediaItem) and media_as_documents:
            docs.append(outcome.document)
    known = known_fingerprints(es, alias, list(dict.fromkeys(d.id for d in docs)))
    entries = [spool.feature_entry(d, existed=d.id in known) for d in docs if will_write(d, known.get(d.id))]
    if window_days is not None and run_id:
        _look_up_earlier(es, alias, run_id, entries, window_days)
    with open(spool.features_path(spool_file), "wb") as features:
        features.writelines(orjson.dumps(entry) + b"\n" for entry in entries)
    return {"spool": str(spool_file), "documents": len(docs), "to_assign": len(entries)}


def _look_up_earlier(
    es: Elasticsearch, alias: str, run_id: str, entries: list[dict], window_days: int
) -> None:
    from pressindex.stories import store  # numpy and the stories: only when a run clusters
    from pressindex.stories.assign import run_scope

    index = current_index(es, alias)
    if index is None:
        return  # decide finds no index either and assigns nothing
    scope, _ = run_scope(run_id)
    # those the assignment takes (the others keep no look-ups and are skipped there too)
    assigned = [e for e in entries if e["_source"].get("story_features") and e["_source"].get("story_id")]
    for start in range(0, len(assigned), store.PAGE):
        page = assigned[start : start + store.PAGE]
        spool.with_earlier(page, *store.look_up_earlier(es, index, page, window_days, scope))


def load_spooled_batch(
    es: Elasticsearch,
    alias: str,
    files: list[tuple[str, str | None]],
    spool_file: Path,
    *,
    quarantine_dir: Path,
    run_id: str | None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    concurrent_requests: int = 2,
    media_as_documents: bool = False,
) -> BatchReport:
    """The second half: load what :func:`spool_batch` spooled, each document with the story fields
    the flow decided for it (else its own story), then quarantine and record as :func:`process_batch`."""
    from pressindex.stories.fields import with_story  # numpy: not imported by a flow without stories

    decided = spool.read_decisions(spool_file)
    previous = state.lookup(es, alias, [path for path, _ in files])

    def with_stories(outcome: BulkDocument | pipeline.MediaItem | pipeline.Rejected):
        if isinstance(outcome, BulkDocument) and outcome.id in decided:
            return replace(outcome, source=with_story(outcome.source, decided[outcome.id]))
        if isinstance(outcome, pipeline.MediaItem) and outcome.id in decided:
            document = outcome.document
            return replace(
                outcome, document=replace(document, source=with_story(document.source, decided[document.id]))
            )
        return outcome

    with StreamingLoader(es, alias, chunk_bytes=chunk_bytes, concurrency=concurrent_requests) as loader:
        parsed = _load(map(with_stories, spool.read_spool(spool_file)), loader, media_as_documents)
    return _record(es, alias, files, parsed, loader, previous, quarantine_dir=quarantine_dir, run_id=run_id)


def _prepare(
    files: list[tuple[str, str | None]],
    *,
    max_bytes: int,
    run_id: str | None,
    workers: int,
    limits: ParseLimits | None,
) -> Iterator[BulkDocument | pipeline.MediaItem | pipeline.Rejected]:
    return pipeline.prepare_files(
        [path for path, _ in files], max_bytes=max_bytes, run_id=run_id,
        ingested_at=datetime.now(UTC).isoformat(timespec="seconds"), workers=workers, limits=limits,
    )  # fmt: skip


@dataclass
class _Parsed:
    docs: list[BulkDocument] = field(default_factory=list)
    rejected: list[pipeline.Rejected] = field(default_factory=list)
    media: dict[str, list[pipeline.MediaItem]] = field(default_factory=dict)  # by file


def _load(outcomes: Iterable, loader: StreamingLoader, media_as_documents: bool) -> _Parsed:
    parsed = _Parsed()
    for outcome in outcomes:
        if isinstance(outcome, pipeline.Rejected):
            parsed.rejected.append(outcome)
        elif isinstance(outcome, pipeline.MediaItem):
            parsed.media.setdefault(outcome.source_path, []).append(outcome)
            if media_as_documents:
                parsed.docs.append(outcome.document)
                loader.add(outcome.document)
        else:
            parsed.docs.append(outcome)
            loader.add(outcome)
    return parsed


def _record(
    es: Elasticsearch,
    alias: str,
    files: list[tuple[str, str | None]],
    parsed: _Parsed,
    loader: StreamingLoader,
    previous: dict,
    *,
    quarantine_dir: Path,
    run_id: str | None,
) -> BatchReport:
    """Quarantine the rejects, write the state records, and report the batch (its documents loaded)."""
    planned = dict(files)  # path -> checksum at planning time
    docs, rejected, media, loaded = parsed.docs, parsed.rejected, parsed.media, loader.report
    outcomes: list[state.FileOutcome] = []
    es_rejected = {r.source_path: r for r in loaded.rejected}
    by_file: dict[str, list[BulkDocument]] = {}  # a file of several wire messages: several documents
    for doc in docs:
        by_file.setdefault(doc.source_path, []).append(doc)
    for path, file_docs in by_file.items():
        if (
            path in es_rejected
        ):  # one message refused: the file goes to quarantine (a retry rewrites the rest)
            rejected.append(pipeline.Rejected(path, "es_rejected", es_rejected[path].reason))
            continue
        try:
            statuses = {loaded.outcomes[path, d.id] for d in file_docs}
        except KeyError as missing:  # never seen: recorded as "unchanged" it would be a silent loss
            raise TerminalLoadError(f"the load gave no result for document {missing} of {path}") from None
        status = next((s for s in (state.INDEXED, state.SUPERSEDED) if s in statuses), state.UNCHANGED)
        first = file_docs[0]
        outcomes.append(
            state.FileOutcome(
                path, first.size, first.content_sha256, status,
                doc_id=first.id, doc_ids=tuple(dict.fromkeys(d.id for d in file_docs)),
                media=tuple(m.record() for m in media.get(path, ())),
            )
        )  # fmt: skip
    for path, items in media.items():
        if path not in by_file and path not in es_rejected:  # media items only, none indexed
            first = items[0].document
            outcomes.append(
                state.FileOutcome(path, first.size, first.content_sha256, state.SKIPPED_MEDIA,
                                  media=tuple(m.record() for m in items))
            )  # fmt: skip
    for item in rejected:
        copy = pipeline.quarantine(item, quarantine_dir, run_id=run_id)
        outcomes.append(
            state.FileOutcome(
                item.source_path,
                _size(item.source_path),
                # a new file was not read by the plan: checksum it, so an unchanged bad file is not retried nightly
                planned.get(item.source_path) or state.checksum_or_none(item.source_path),
                state.QUARANTINED,
                error_code=item.code,
                error_message=item.message,
                quarantine_copy=str(copy),
            )
        )

    # old documents of changed files are removed when the run ends (state.remove_replaced_documents)
    outcomes = [replace(o, replaces=state.replaced(o, previous.get(o.path))) for o in outcomes]
    state.write(es, alias, outcomes, run_id=run_id, previous=previous)
    released = _release_from_quarantine(outcomes, previous)

    by_status = Counter(o.status for o in outcomes)
    return BatchReport(
        files=len(files),
        indexed=by_status[state.INDEXED],
        unchanged=by_status[state.UNCHANGED],
        superseded=by_status[state.SUPERSEDED],
        quarantined=dict(
            Counter(o.error_code for o in outcomes if o.status == state.QUARANTINED and o.error_code)
        ),
        released=released,
        languages=dict(Counter(d.language for d in docs)),
        agencies=dict(Counter(ag for d in docs for ag in d.agencies)),
        bytes=sum(o.size or 0 for o in outcomes),
        documents=len(docs),
        media=sum(map(len, media.values())),
    )


def _size(path: str) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def _release_from_quarantine(outcomes, previous: dict) -> int:
    released = 0
    for outcome in outcomes:
        before = previous.get(outcome.path) or {}
        if outcome.status in state.DONE and before.get("status") == state.QUARANTINED:
            released += 1
            copy = before.get("quarantine_copy")
            if copy:
                Path(copy).unlink(missing_ok=True)  # the reason file
                Path(copy.removesuffix(".reason.json")).unlink(missing_ok=True)  # the copied file
    return released
