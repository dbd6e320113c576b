"""Bulk-load articles with ``streaming_bulk``: per-document results, retries only for 429.

Ids are deterministic (``Article.id``), so loading the same files again changes no count. A dpa
story is written with its version as an external version (``external_gte``): a later version
replaces an earlier one, an earlier one arriving late is refused by Elasticsearch (409) and
counted as ``superseded``, never written over the newer text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Self

import orjson
from elasticsearch import ApiError, ConnectionError, ConnectionTimeout, Elasticsearch, TransportError
from elasticsearch.helpers import streaming_bulk

from pressindex.config import DEFAULT_CHUNK_BYTES
from pressindex.errors import TerminalLoadError, TransientLoadError
from pressindex.model import BulkDocument

TRANSIENT_STATUS = {429, 502, 503, 504}
# A bulk request to a one-shard index runs on one write thread, so a batch sends several at once.
# On the 2-core bench 0.35, 0.7, 1.4 and 5 MB requests cost Elasticsearch the same CPU per document
# (DEFAULT_CHUNK_BYTES: 1 MiB).
# What a bulk response must carry for per-document results; the rest is not worth decoding.
RESPONSE_FIELDS = "errors,items.*._id,items.*.status,items.*.error"


@dataclass
class RejectedDocument:
    id: str
    source_path: str
    status: int
    reason: str


@dataclass
class LoadReport:
    rejected: list[RejectedDocument] = field(default_factory=list)
    # what became of each document, by (source path, id): "indexed" | "unchanged" | "superseded"
    # | "rejected" (not by id alone: two versions of one dpa story in a batch fare differently; not
    # by path alone: a file of several wire messages gives several documents)
    outcomes: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def indexed(self) -> int:
        return sum(1 for o in self.outcomes.values() if o == "indexed")

    @property
    def unchanged(self) -> int:
        return sum(1 for o in self.outcomes.values() if o == "unchanged")

    @property
    def superseded(self) -> int:
        return sum(1 for o in self.outcomes.values() if o == "superseded")

    def merge(self, other: LoadReport) -> None:
        self.rejected.extend(other.rejected)
        self.outcomes.update(other.outcomes)


def _index_blocked(result: dict) -> bool:
    """A write block (e.g. the disk flood stage) is the cluster's condition, not the document's."""
    return result.get("error", {}).get("type") == "cluster_block_exception"


def known_fingerprints(es: Elasticsearch, index: str, ids: list[str]) -> dict[str, tuple[str, int | None]]:
    """``(text_sha1, dpa_version)`` of those of ``ids`` the index holds."""
    if not ids:
        return {}
    resp = es.mget(index=index, ids=ids, source_includes=["text_sha1", "dpa_version"])
    return {
        d["_id"]: (d["_source"].get("text_sha1"), d["_source"].get("dpa_version"))
        for d in resp["docs"]
        if d.get("found")
    }


def _header(doc: BulkDocument) -> bytes:
    action: dict = {"_id": doc.id}
    if doc.dpa_version is not None:
        action["version"] = doc.dpa_version
        action["version_type"] = "external_gte"
    return orjson.dumps({"index": action})


def pass_encoded(action: tuple[bytes, bytes]) -> tuple[bytes, bytes]:
    """``expand_action_callback`` for actions already encoded as (header, source) JSON: the bulk
    helpers send bytes as they are, and their own expansion copies every action dict and looks
    for twenty keys in it (a quarter of the sending process's CPU)."""
    return action


def will_write(doc: BulkDocument, known: tuple[str, int | None] | None) -> bool:
    """Whether loading ``doc`` writes it, given what the index holds of its id (``known``): not when
    it is unchanged, nor when a newer dpa version is there (Elasticsearch refuses it)."""
    if known is None:
        return True
    if known == (doc.text_sha1, doc.dpa_version):
        return False
    return not (known[1] is not None and doc.dpa_version is not None and known[1] > doc.dpa_version)


def bulk_lines(docs: Iterable[BulkDocument]) -> Iterator[bytes]:
    """The ``_bulk`` body lines (action, source) that :func:`load_documents` sends for ``docs``,
    without an index name: for a benchmark's ceiling, or any other ``POST <index>/_bulk``."""
    for doc in docs:
        yield _header(doc) + b"\n"
        yield doc.source + b"\n"


def load_documents(
    es: Elasticsearch,
    index: str,
    docs: list[BulkDocument],
    *,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    max_retries: int = 5,
) -> LoadReport:
    """Index ``docs`` into ``index`` (an alias with a write index is fine), in ``_bulk``
    requests of at most ``chunk_bytes`` each.

    Copies of one id (two files with the same text, two versions of a dpa story) go out in file
    order, one round of requests after another, so Elasticsearch decides between them as between
    files loaded one after another: the later text replaces the earlier, an older dpa version is
    refused. (Keeping only the last copy once lost a newer version that came first.)
    """
    report = LoadReport()
    for copies in _rounds(docs):
        report.merge(_load_round(es, index, copies, chunk_bytes=chunk_bytes, max_retries=max_retries))
    return report


def _rounds(docs: list[BulkDocument]) -> list[list[BulkDocument]]:
    """Round k holds the k-th copy of every id, in file order; nearly always there is one round."""
    rounds: list[list[BulkDocument]] = []
    copies: dict[str, int] = {}
    for doc in docs:
        k = copies[doc.id] = copies.get(doc.id, -1) + 1
        if k == len(rounds):
            rounds.append([])
        rounds[k].append(doc)
    return rounds


def _load_round(
    es: Elasticsearch, index: str, docs: list[BulkDocument], *, chunk_bytes: int, max_retries: int
) -> LoadReport:
    """One request round: every id once.

    Documents already present with the same text (and dpa version) are skipped and counted as
    unchanged. Raises :class:`TransientLoadError` when the cluster cannot be reached or keeps
    answering 429/503, so the caller may retry the whole batch; documents Elasticsearch refuses
    are returned in ``LoadReport.rejected``.
    """
    report = LoadReport()
    try:
        known = known_fingerprints(es, index, [d.id for d in docs])
        fresh = []
        for doc in docs:
            seen = known.get(doc.id)
            if seen and seen[0] == doc.text_sha1 and seen[1] == doc.dpa_version:
                report.outcomes[doc.source_path, doc.id] = "unchanged"
            else:
                fresh.append(doc)
        paths = {d.id: d.source_path for d in fresh}
        for ok, item in streaming_bulk(
            es,
            ((_header(d), d.source) for d in fresh),  # type: ignore[misc]  # pass_encoded takes them as they are
            index=index,
            expand_action_callback=pass_encoded,  # type: ignore[arg-type]  # typed for dict actions only
            chunk_size=100_000,  # requests are cut by size (chunk_bytes), not by document count
            max_chunk_bytes=chunk_bytes,
            max_retries=max_retries,
            initial_backoff=1,
            max_backoff=30,
            raise_on_error=False,
            raise_on_exception=True,
            filter_path=RESPONSE_FIELDS,
        ):
            result = item.get("index", {})
            doc_id = result.get("_id", "")
            path = paths.get(doc_id, "")  # a round holds each id once
            if ok:
                report.outcomes[path, doc_id] = "indexed"
                continue
            status = int(result.get("status", 0))
            if status == 409:  # an equal or newer dpa version is already indexed
                report.outcomes[path, doc_id] = "superseded"
            elif status in TRANSIENT_STATUS or _index_blocked(result):
                raise TransientLoadError(f"Elasticsearch kept refusing documents with status {status}")
            else:
                error = result.get("error", {})
                reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
                report.rejected.append(RejectedDocument(doc_id, path, status, reason))
                report.outcomes[path, doc_id] = "rejected"
    except (ConnectionError, ConnectionTimeout) as exc:
        raise TransientLoadError(f"Elasticsearch unreachable: {exc}") from exc
    except ApiError as exc:
        if exc.meta.status in TRANSIENT_STATUS:
            raise TransientLoadError(f"Elasticsearch answered {exc.meta.status}: {exc}") from exc
        raise TerminalLoadError(f"Elasticsearch refused the request: {exc}") from exc
    except TransportError as exc:
        raise TransientLoadError(f"transport error: {exc}") from exc
    return report


class StreamingLoader:
    """Loads documents while they are still being parsed: every ``chunk_bytes`` of documents
    becomes a request of its own, and up to ``concurrency`` requests are in flight.

    Elasticsearch indexes one bulk request on one write thread, so requests sent one after
    another leave its other cores idle; sending as documents arrive also starts the load before
    the whole batch is parsed. Use as a context manager; :attr:`report` holds the merged result.

    Order is kept where it matters: a document whose id is already pending or sent (two files
    with the same text, two versions of a dpa story) goes out after every earlier request has
    finished, and such copies in file order (:func:`load_documents`), so Elasticsearch sees them
    as when they are loaded one after another.
    """

    def __init__(
        self,
        es: Elasticsearch,
        index: str,
        *,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        concurrency: int = 2,
        max_retries: int = 5,
    ) -> None:
        self.es, self.index = es, index
        self.chunk_bytes, self.max_retries = chunk_bytes, max_retries
        self.concurrency = max(1, concurrency)
        self.report = LoadReport()
        self._pending: dict[str, BulkDocument] = {}
        self._pending_bytes = 0
        self._seen: set[str] = set()  # ids pending or sent
        self._again: list[BulkDocument] = []  # later copies of those ids: they go last
        self._in_flight: list[Future] = []
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> Self:
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="bulk")
        return self

    def add(self, doc: BulkDocument) -> None:
        if doc.id in self._seen:
            self._again.append(doc)
            return
        self._seen.add(doc.id)
        self._pending[doc.id] = doc
        self._pending_bytes += len(doc.source)
        if self._pending_bytes >= self.chunk_bytes:
            self._send()

    def _send(self) -> None:
        docs = list(self._pending.values())
        self._pending.clear()
        self._pending_bytes = 0
        while len(self._in_flight) >= self.concurrency:  # bounded: parsing waits for the cluster
            self.report.merge(self._in_flight.pop(0).result())
        assert self._pool is not None, "documents are added inside the `with` block"
        self._in_flight.append(self._pool.submit(self._load, docs))

    def _load(self, docs: list[BulkDocument]) -> LoadReport:
        return load_documents(
            self.es, self.index, docs, chunk_bytes=self.chunk_bytes, max_retries=self.max_retries
        )

    def _drain(self) -> None:
        """Wait for every request in flight; the first failure is raised after all have ended."""
        error: BaseException | None = None
        for future in self._in_flight:
            try:
                self.report.merge(future.result())
            except BaseException as exc:  # re-raised below, after the others ended
                error = error or exc
        self._in_flight.clear()
        if error is not None:
            raise error

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                if self._pending:
                    self._send()
                self._drain()
                if self._again:
                    self.report.merge(self._load(self._again))
            else:
                # let requests in flight end before the error propagates; that error is the one to report
                with contextlib.suppress(BaseException):
                    self._drain()
        finally:
            assert self._pool is not None  # set by __enter__
            self._pool.shutdown(wait=True)
