"""Bulk-load articles with ``streaming_bulk``: per-document results, retries only for 429.

Ids are deterministic (``Article.id``), so loading the same files again changes no count. A dpa
story is written with its version as an external version (``external_gte``): a later version
replaces an earlier one, an earlier one arriving late is refused by Elasticsearch (409) and
counted as ``superseded``, never written over the newer text.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from elasticsearch import ApiError, ConnectionError, ConnectionTimeout, Elasticsearch, TransportError
from elasticsearch.helpers import expand_action, streaming_bulk

from pressindex.errors import TerminalLoadError, TransientLoadError
from pressindex.model import Article

TRANSIENT_STATUS = {429, 502, 503, 504}
# Elasticsearch advises 5–15 MB per request; on the 2-core bench 2–8 MB measured alike, 16 MB slower
DEFAULT_CHUNK_BYTES = 5 * 1024 * 1024


@dataclass
class RejectedDocument:
    id: str
    source_path: str
    status: int
    reason: str


@dataclass
class LoadReport:
    indexed: int = 0
    unchanged: int = 0
    superseded: int = 0
    rejected: list[RejectedDocument] = field(default_factory=list)
    # what became of each document id: "indexed" | "unchanged" | "superseded" | "rejected"
    outcomes: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "superseded": self.superseded,
            "rejected": len(self.rejected),
            "rejected_by_reason": dict(Counter(r.reason.split(":")[0] for r in self.rejected)),
        }


def _index_blocked(result: dict) -> bool:
    """A write block (e.g. the disk flood stage) is the cluster's condition, not the document's."""
    return result.get("error", {}).get("type") == "cluster_block_exception"


def _known_fingerprints(es: Elasticsearch, index: str, ids: list[str]) -> dict[str, tuple[str, int | None]]:
    if not ids:
        return {}
    resp = es.mget(index=index, ids=ids, source_includes=["text_sha1", "dpa_version"])
    return {
        d["_id"]: (d["_source"].get("text_sha1"), d["_source"].get("dpa_version"))
        for d in resp["docs"]
        if d.get("found")
    }


def _actions(articles: Iterable[Article], index: str, run_id: str | None, now: str) -> Iterator[dict]:
    for article in articles:
        source = article.to_source()
        source["ingested_at"] = now
        source["run_id"] = run_id
        action = {"_op_type": "index", "_index": index, "_id": article.id, "_source": source}
        if article.dpa is not None:
            action["version"] = article.dpa.version
            action["version_type"] = "external_gte"
        yield action


def bulk_lines(articles: Iterable[Article], *, run_id: str | None, now: str | None = None) -> Iterator[bytes]:
    """The ``_bulk`` body lines (action, source) that :func:`load_articles` sends for ``articles``,
    without an index name: for a benchmark's ceiling, or any other ``POST <index>/_bulk``."""
    now = now or datetime.now(UTC).isoformat(timespec="seconds")
    for action in _actions(articles, "", run_id, now):
        header, source = expand_action(action)
        header[next(iter(header))].pop("_index", None)
        yield _json_line(header)
        yield _json_line(source)


def _json_line(obj: dict) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def load_articles(
    es: Elasticsearch,
    index: str,
    articles: list[Article],
    *,
    run_id: str | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    max_retries: int = 5,
) -> LoadReport:
    """Index ``articles`` into ``index`` (an alias with a write index is fine), in ``_bulk``
    requests of at most ``chunk_bytes`` each.

    Documents already present with the same text (and dpa version) are skipped and counted as
    unchanged. Raises :class:`TransientLoadError` when the cluster cannot be reached or keeps
    answering 429/503, so the caller may retry the whole batch; documents Elasticsearch refuses
    are returned in ``LoadReport.rejected``.
    """
    report = LoadReport()
    # The last copy of an id in a batch wins, as it would in Elasticsearch itself.
    by_id = {a.id: a for a in articles}
    try:
        known = _known_fingerprints(es, index, list(by_id))
        fresh = []
        for article in by_id.values():
            seen = known.get(article.id)
            version = article.dpa.version if article.dpa else None
            if seen and seen[0] == article.text_sha1 and seen[1] == version:
                report.unchanged += 1
                report.outcomes[article.id] = "unchanged"
            else:
                fresh.append(article)
        report.unchanged += len(articles) - len(by_id)  # duplicates inside the batch
        paths = {a.id: a.source_path for a in fresh}
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for ok, item in streaming_bulk(
            es,
            _actions(fresh, index, run_id, now),
            chunk_size=100_000,  # requests are cut by size (chunk_bytes), not by document count
            max_chunk_bytes=chunk_bytes,
            max_retries=max_retries,
            initial_backoff=1,
            max_backoff=30,
            raise_on_error=False,
            raise_on_exception=True,
        ):
            result = item.get("index", {})
            doc_id = result.get("_id", "")
            if ok:
                report.indexed += 1
                report.outcomes[doc_id] = "indexed"
                continue
            status = int(result.get("status", 0))
            if status == 409:  # an equal or newer dpa version is already indexed
                report.superseded += 1
                report.outcomes[doc_id] = "superseded"
            elif status in TRANSIENT_STATUS or _index_blocked(result):
                raise TransientLoadError(f"Elasticsearch kept refusing documents with status {status}")
            else:
                error = result.get("error", {})
                reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
                report.rejected.append(RejectedDocument(doc_id, paths.get(doc_id, ""), status, reason))
                report.outcomes[doc_id] = "rejected"
    except (ConnectionError, ConnectionTimeout) as exc:
        raise TransientLoadError(f"Elasticsearch unreachable: {exc}") from exc
    except ApiError as exc:
        if exc.meta.status in TRANSIENT_STATUS:
            raise TransientLoadError(f"Elasticsearch answered {exc.meta.status}: {exc}") from exc
        raise TerminalLoadError(f"Elasticsearch refused the request: {exc}") from exc
    except TransportError as exc:
        raise TransientLoadError(f"transport error: {exc}") from exc
    return report
