"""The documents an assignment has decided so far, for the candidates of the next ones in memory.

A document's candidates among the documents of its own run (or rebuild range) are looked up here
instead of in Elasticsearch: one search per document cost Elasticsearch 2.5-4 ms (most of it
fetching the hits), three quarters of an ingest's whole CPU per document. Only documents of the
scope being assigned enter: the memory is bounded by the run, never by the archive.

Keys are kept as 64-bit integers: those of the last :data:`RECENT` documents in a dict, the
others in sorted numpy arrays merged like a binary counter (12 bytes per key and document, about
800 bytes per document with 66 keys); candidates are ranked exactly as
:func:`pressindex.stories.store.find_candidates` ranks Elasticsearch's hits (keys shared, a
document of the same dpa story first, then the newest, then the text hash).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

DPA_SCORE = 1000  # as store.DPA_BOOST: a document of the same dpa story comes first
MISSING = -(2**63)  # Elasticsearch's sort value of a missing date (sorted last, descending)
DAY_MS = 86_400_000
RECENT = 1024  # documents whose keys are kept in a dict before they join the sorted runs


def moment(value: str) -> datetime:
    """An ISO date or time as Elasticsearch reads it (``2025`` is 2025-01-01, no offset is UTC)."""
    value = {4: value + "-01-01", 7: value + "-01"}.get(len(value), value)
    when = datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def epoch_ms(value: str | None) -> int:
    return int(moment(value).timestamp() * 1000) if value else MISSING


def key_number(key: str) -> int:
    """A band key as a number: ``m<band>:<hex>`` and ``t:<hex>`` exactly, a dpa id by crc32."""
    if key[0] == "m":
        return (int(key[1 : key.index(":")]) + 1) << 32 | int(key[-8:], 16)
    if key[0] == "t":
        return int(key[2:], 16)
    return 1 << 40 | zlib.crc32(key.encode())


@dataclass(frozen=True, slots=True)
class RunCandidate:
    doc_id: str
    rank: tuple  # (keys shared, published ms, text hash): see rank_order
    dpa_id: str | None


class RunDocuments:
    """Keys, times and ids of the documents decided so far, in the order they were decided."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.text_sha1: list[str] = []
        self._times = np.empty((0, 2), dtype=np.int64)  # published and ingested ms (MISSING: no date)
        self.dpa_ids: list[str | None] = []
        self._sorted: list[tuple[np.ndarray, np.ndarray]] = []  # (keys, ordinals), each sorted by key
        self._recent: dict[int, list[int]] = {}  # the last documents' keys, until RECENT are gathered

    def add(self, doc_id: str, source: dict, keys: np.ndarray | None = None) -> None:
        """``keys``: :func:`document_keys` of ``source`` when the caller has them already."""
        ordinal = len(self.ids)
        self.ids.append(doc_id)
        self.text_sha1.append(source.get("text_sha1") or "")
        if ordinal == len(self._times):  # room for twice as many
            self._times = np.concatenate([self._times, np.empty((max(ordinal, 256), 2), dtype=np.int64)])
        self._times[ordinal] = epoch_ms(source.get("published")), epoch_ms(source.get("ingested_at"))
        self.dpa_ids.append(source.get("dpa_id"))
        keys = document_keys(source) if keys is None else keys
        for key in keys.tolist():
            self._recent.setdefault(key, []).append(ordinal)
        if (ordinal + 1) % RECENT == 0:
            self._flush()

    def keys_of(self, doc_id: str, source: dict) -> np.ndarray:
        """The keys of the document to be decided next (:func:`document_keys`)."""
        return document_keys(source)

    def _flush(self) -> None:
        """The recent keys into a sorted run, merged with the last runs while they are no longer
        (like a binary counter: O(log n) runs, each key merged O(log n) times)."""
        keys, ordinals = [], []
        for key, those in self._recent.items():
            keys += [key] * len(those)
            ordinals += those
        self._recent = {}
        keys_array = np.array(keys, dtype=np.uint64)
        order = np.argsort(keys_array, kind="stable")
        run = (keys_array[order], np.array(ordinals, dtype=np.int32)[order])
        while self._sorted and len(self._sorted[-1][0]) <= len(run[0]):
            keys_before, ordinals_before = self._sorted.pop()
            merged = np.concatenate([keys_before, run[0]])
            order = np.argsort(merged, kind="stable")
            run = (merged[order], np.concatenate([ordinals_before, run[1]])[order])
        self._sorted.append(run)

    def candidates(
        self, source: dict, window_days: int, limit: int, keys: np.ndarray | None = None
    ) -> list[RunCandidate]:
        """The documents decided so far that share a key with ``source`` and lie within its window
        (as :func:`pressindex.stories.store.window_clause`), best ``limit`` first."""
        wanted = document_keys(source) if keys is None else keys
        if not len(wanted) or not self.ids:
            return []
        found = self._sharing(wanted)
        if not len(found):
            return []
        found.sort()  # as np.unique(found, return_counts=True), without its overhead on a few hundred
        first = np.flatnonzero(np.concatenate(([True], found[1:] != found[:-1])))
        ordinals, shared = found[first], np.diff(np.append(first, len(found)))
        near = self._within(ordinals, source, window_days)
        ordinals, scores = ordinals[near], shared[near].astype(np.float64)
        dpa = source.get("dpa_id")
        if dpa:  # the dpa key is counted among the shared keys: its score replaces it
            scores += [DPA_SCORE - 1 if self.dpa_ids[o] == dpa else 0 for o in ordinals.tolist()]
        if len(scores) > limit:  # only those that can be among the best (ties at the cut kept)
            keep = scores >= np.partition(scores, -limit)[-limit]
            ordinals, scores = ordinals[keep], scores[keep]
        out = []
        for ordinal, score in zip(ordinals.tolist(), scores.tolist(), strict=True):
            rank = (score, int(self._times[ordinal, 0]), self.text_sha1[ordinal])
            out.append(RunCandidate(self.ids[ordinal], rank, self.dpa_ids[ordinal]))
        out.sort(key=lambda c: rank_order(c.rank))
        return out[:limit]

    def _sharing(self, wanted: np.ndarray) -> np.ndarray:
        """The ordinals of the documents decided so far holding each of the ``wanted`` keys, once per key."""
        found = [np.array([o for key in wanted.tolist() for o in self._recent.get(key, ())], dtype=np.int32)]
        for keys_so_far, ordinals in self._sorted:
            lo, hi = (
                np.searchsorted(keys_so_far, wanted, "left"),
                np.searchsorted(keys_so_far, wanted, "right"),
            )
            hit = lo < hi
            if hit.any():
                found.append(ordinals[_positions(lo[hit], hi[hit])])
        return np.concatenate(found)

    def _own_times(self, source: dict) -> tuple[int, int]:
        """The published and ingested ms of the document decided next."""
        return epoch_ms(source.get("published")), epoch_ms(source.get("ingested_at"))

    def _within(self, ordinals: np.ndarray, source: dict, days: int) -> np.ndarray:
        """Which of ``ordinals`` lie within ``days`` of ``source``: the rule of ``window_clause``."""
        span = days * DAY_MS
        published, ingested = self._times[ordinals, 0], self._times[ordinals, 1]
        dated = published != MISSING
        own_published, own_ingested = self._own_times(source)

        def near(values: np.ndarray, anchor: int) -> np.ndarray:
            if anchor == MISSING:
                return np.zeros(len(values), dtype=bool)
            return (values != MISSING) & (np.abs(values - anchor) <= span)

        if own_published != MISSING:
            return (dated & near(published, own_published)) | (
                ~dated & (near(ingested, own_published) | near(ingested, own_ingested))
            )
        return near(published, own_ingested) | near(ingested, own_ingested)


class PlannedRunDocuments(RunDocuments):
    """The documents of a run whose order is known before the first is decided (an ingest's, all
    spooled): every document's keys are indexed at once, and the candidates of the i-th are those
    of the first i sharing a key with it (the same as :class:`RunDocuments` finds, in the same
    order). One array of (key, ordinal) pairs sorted by key, then ordinal: a key's documents
    decided before the i-th lie from the key's first pair up to the i-th's own, both found when
    the index is made, so nothing is searched or merged while the run is decided. Memory: 20
    bytes per key and document (about 1.3 KB per document with 66 keys)."""

    def __init__(
        self,
        ids: list[str],
        text_sha1: list[str],
        dpa_ids: list[str | None],
        times: np.ndarray,
        keys: list[np.ndarray],
    ) -> None:
        """In the order they will be decided: ``times`` (published, ingested ms) and ``keys``
        (:func:`document_keys`, distinct) per document."""
        super().__init__()
        self.ids, self.text_sha1, self.dpa_ids, self._times = ids, text_sha1, dpa_ids, times
        self._decided = 0
        lengths = np.array([len(k) for k in keys], dtype=np.int64)
        self._starts = np.concatenate(([0], np.cumsum(lengths)))  # a document's pairs, by ordinal
        flat = np.concatenate(keys) if keys else np.empty(0, dtype=np.uint64)
        order = np.argsort(flat, kind="stable")  # the pairs come by ordinal: stable keeps them so by key
        self._ordinals = np.repeat(np.arange(len(keys), dtype=np.int32), lengths)[order]
        in_order = flat[order]
        new_key = np.concatenate(([True], in_order[1:] != in_order[:-1]))[: len(flat)]
        # for each document's keys: where the key's pairs begin, and where its own pair is
        positions = np.int32 if len(flat) < 2**31 else np.int64
        self._first = np.empty(len(flat), dtype=positions)
        self._first[order] = np.flatnonzero(new_key)[np.cumsum(new_key) - 1]
        self._own = np.empty(len(flat), dtype=positions)
        self._own[order] = np.arange(len(flat))
        self._flat = flat

    def add(self, doc_id: str, source: dict, keys: np.ndarray | None = None) -> None:
        if self.ids[self._decided] != doc_id:
            raise ValueError(
                f"{doc_id} decided out of the planned order (expected {self.ids[self._decided]})"
            )
        self._decided += 1

    def keys_of(self, doc_id: str, source: dict) -> np.ndarray:
        return self._flat[self._starts[self._decided] : self._starts[self._decided + 1]]

    def _own_times(self, source: dict) -> tuple[int, int]:
        published, ingested = self._times[self._decided].tolist()
        return published, ingested

    def _sharing(self, wanted: np.ndarray) -> np.ndarray:
        """``wanted``: the keys of the document decided next (:meth:`keys_of`)."""
        at = slice(self._starts[self._decided], self._starts[self._decided + 1])
        lo: np.ndarray = self._first[at]
        hi: np.ndarray = self._own[at]
        hit = lo < hi
        if not hit.any():  # no document decided before shares a key: most of those that start a story
            return self._ordinals[:0]
        return self._ordinals[_positions(lo[hit], hi[hit])]


def rank_order(rank: tuple) -> tuple:
    """Sort key of (score, published ms, text hash): most keys shared, then newest, then the hash."""
    score, published, text_sha1 = rank
    return -score, -published if published != MISSING else 2**63, text_sha1 or "\uffff"


def document_keys(source: dict) -> np.ndarray:
    """A document's band keys and dpa key as sorted distinct numbers."""
    keys = [key_number(k) for k in source.get("story_bands") or ()]
    if source.get("dpa_id"):
        keys.append(key_number(f"dpa:{source['dpa_id']}"))
    return np.unique(np.array(keys, dtype=np.uint64))


def _positions(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Every position in the ranges ``[lo[i], hi[i])``, concatenated."""
    lengths = hi - lo
    offsets = np.repeat(lo - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return offsets + np.arange(int(lengths.sum()))
