"""A run's stories decided before its documents are loaded, so each is written once with them.

The flow calls :func:`decide` when every batch has spooled its documents
(:mod:`pressindex.ingest.spool`): it takes the documents the run will write from the features
files, in the assignment's fixed order (:data:`pressindex.stories.store.ORDER`, so every runner
gives the same stories), and has :func:`pressindex.stories.assign.assign_stories` decide them
without writing: earlier runs' candidates come from the features files (each batch looked them
up while it parsed, in parallel: they do not depend on the order), this run's from memory, the
rule unchanged. What the decision orders and searches by (each document's order, candidate keys
as numbers, times: made by the batch as it parsed) is read as each batch spools
(:class:`SpooledFeatures`, while later batches still parse), and every document's keys are
indexed at once (:class:`~pressindex.stories.run_documents.PlannedRunDocuments`): the
single-threaded decision reads each document's fields once and compares. From the decisions it makes each document's story fields and writes them beside
each batch's spool, where the batch's load task reads them.

A story of this run's documents only gets its size and representative (the longest copy, ties
the newest, then the text hash: as :data:`pressindex.stories.store.REPRESENTATIVE_ORDER`) here;
a copy under embargo at this moment neither counts nor represents unless every copy is
(:data:`pressindex.stories.store.UNDER_EMBARGO`; :func:`pressindex.stories.assign.release_embargoed`
finishes the story again at the end of the first run after the embargo).
A story that reaches back (it joined or merged a story of an earlier run, or a document replaced
one of the same id that may have other copies) is loaded as a member and finished after the load
by :func:`finish`: the older documents of merged stories move, and its representative is marked
(the only second writes left: those of documents of earlier runs, and a new document that now
represents an older story).

Memory: per document a sort key, a file offset, a few short fields and its keys (about 1.9 KB
with 66 keys, while the run is decided); the fields are read back by offset per page.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson
from elasticsearch import Elasticsearch

from pressindex.index.indices import current_index
from pressindex.ingest import spool
from pressindex.stories import store
from pressindex.stories.assign import AssignReport, assign_stories, finish_decided, run_scope
from pressindex.stories.run_documents import MISSING, PlannedRunDocuments, document_keys, epoch_ms

STORY_FIELDS = ("story_id", "story_representative", "story_size")
LAST = "\uffff"  # sorts after any id or hash: a missing value goes last, as in Elasticsearch's sort


@dataclass(frozen=True, slots=True)
class _Spooled:
    batch: int
    offset: int
    length: int
    order: tuple  # store.ORDER, then the id
    existed: bool
    dpa_version: int
    assigned: bool  # has story features and a story: the assignment takes it
    own: str | None  # the story it was parsed with
    representative: tuple  # its place among its story's copies (_representative_order)
    embargo: int  # embargo_until in ms (MISSING: none)
    text_sha1: str
    dpa_id: str | None
    times: tuple[int, int]  # published and ingested ms
    keys: np.ndarray  # document_keys


class SpooledFeatures(Mapping[str, dict]):
    """The run's documents to assign, one per id, from the batches' features files: what the
    decision orders and searches by held in memory (read as each batch spools, while later ones
    still parse), the fields read back by offset."""

    def __init__(self) -> None:
        self.paths: dict[int, Path] = {}
        self.docs: dict[str, _Spooled] = {}
        self.batches: dict[str, set[int]] = {}  # every batch with a copy of the id: each loads it
        self._handles: dict[int, int] = {}

    def read_batch(self, batch: int, spool_file: str | Path) -> None:
        """Take in a batch's features file (again: a retried batch's replaces nothing already read)."""
        if batch in self.paths:
            return
        path = self.paths[batch] = spool.features_path(Path(spool_file))
        offset = 0
        with open(path, "rb") as lines:
            for line in lines:
                entry = orjson.loads(line)
                src = entry["_source"]
                doc_id = entry["_id"]
                assigned = bool(src.get("story_features") and src.get("story_id"))
                # made by the batch as it parsed ("ms", "keys"); a spool of an older version has not
                published, ingested = entry.get("ms") or (
                    epoch_ms(src.get("published")),
                    epoch_ms(src.get("ingested_at")),
                )
                keys = entry.get("keys")
                if keys is None:
                    keys = document_keys(src) if assigned else []
                doc = _Spooled(
                    batch, offset, len(line),
                    (published if published != MISSING else 2**63, src.get("text_sha1") or LAST,
                     src.get("dpa_id") or LAST, doc_id),
                    entry["existed"], src.get("dpa_version") or -1, assigned, src.get("story_id"),
                    _representative_order(src), epoch_ms(src.get("embargo_until")),
                    src.get("text_sha1") or "", src.get("dpa_id"),
                    (published, ingested), np.asarray(keys, dtype=np.uint64),
                )  # fmt: skip
                offset += len(line)
                self.batches.setdefault(doc_id, set()).add(batch)
                before = self.docs.get(doc_id)
                # copies of one id: the one the index keeps (the newest dpa version, else the last loaded)
                if before is None or (doc.dpa_version, doc.batch) >= (before.dpa_version, before.batch):
                    self.docs[doc_id] = doc

    def hit(self, doc_id: str) -> dict:
        doc = self.docs[doc_id]
        handle = self._handles.get(doc.batch)
        if handle is None:
            handle = self._handles[doc.batch] = os.open(self.paths[doc.batch], os.O_RDONLY)
        return orjson.loads(os.pread(handle, doc.length, doc.offset))

    def __getitem__(self, doc_id: str) -> dict:
        return self.hit(doc_id)["_source"]

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.docs  # without reading it back

    def __iter__(self) -> Iterator[str]:
        return iter(self.docs)

    def __len__(self) -> int:
        return len(self.docs)

    def planned(self) -> tuple[list[str], PlannedRunDocuments]:
        """The ids the assignment takes, in its order, and their keys indexed for it."""
        ordered = sorted((d for d in self.docs if self.docs[d].assigned), key=lambda d: self.docs[d].order)
        docs = [self.docs[d] for d in ordered]
        times = np.array([d.times for d in docs], dtype=np.int64).reshape(-1, 2)
        run = PlannedRunDocuments(
            ordered, [d.text_sha1 for d in docs], [d.dpa_id for d in docs], times, [d.keys for d in docs]
        )
        return ordered, run

    def pages(self, ordered: list[str]) -> Iterator[list[dict]]:
        for start in range(0, len(ordered), store.PAGE):
            yield [self.hit(doc_id) for doc_id in ordered[start : start + store.PAGE]]

    def close(self) -> None:
        """Close the files and let go of the documents: the flow holds this object through the load."""
        for handle in self._handles.values():
            os.close(handle)
        self._handles, self.docs, self.batches, self.paths = {}, {}, {}, {}


@dataclass
class RunStories:
    report: AssignReport
    reach_back: set[str] = field(default_factory=set)  # stories finished after the load


def _representative_order(src: dict) -> tuple:
    published = src.get("published")
    return (
        -(src.get("story_chars") or -1),
        (0, -epoch_ms(published)) if published else (1, 0),
        src.get("text_sha1") or LAST,
    )


def decide(
    es: Elasticsearch,
    alias: str,
    run_id: str,
    spools: dict[int, str],
    *,
    threshold: float | None,
    window_days: int,
    stale: set[int] | None = None,
    features: SpooledFeatures | None = None,
) -> RunStories:
    """Decide the stories of the documents spooled in ``spools`` (batch number -> spool path) and
    write each batch's decisions beside its spool (:func:`spool.decided_path`). The candidates of
    earlier runs come from the features files where the batch looked them up; Elasticsearch is
    asked for those without, and for those of the ``stale`` batches (spooled by an earlier attempt
    of the run: earlier runs' documents may have changed since, by that attempt's merges too).
    ``features``: the batches' features files read already (as they spooled); the others are read here."""
    started, started_cpu = time.monotonic(), time.thread_time()
    features = SpooledFeatures() if features is None else features
    for batch, path in sorted(spools.items()):
        features.read_batch(batch, path)
    try:
        scope, in_scope = run_scope(run_id)
        index = current_index(es, alias)
        stale = stale or set()

        def earlier(page: list[dict]) -> tuple[list[bool], list[list[dict]], dict[str, dict]]:
            kept = [("earlier" in h and features.docs[h["_id"]].batch not in stale) for h in page]
            _, kept_found, centers = spool.earlier_of([h for h, k in zip(page, kept, strict=True) if k])
            asked = [h for h, k in zip(page, kept, strict=True) if not k]
            asked_outside, asked_found, asked_centers = (
                store.look_up_earlier(es, index, asked, window_days, scope)
                if asked and index
                else ([], [], {})
            )
            kept_answers, asked_answers, asked_has = iter(kept_found), iter(asked_found), iter(asked_outside)
            outside, found = [], []
            for k in kept:
                has = k or next(asked_has, False)
                outside.append(has)
                if has:
                    found.append(next(kept_answers) if k else next(asked_answers))
            return outside, found, {**asked_centers, **centers}

        ordered, run = features.planned()
        report = assign_stories(
            es, alias, scope, in_scope, threshold=threshold, window_days=window_days,
            pages=features.pages(ordered), sources=features, write=False, earlier=earlier, run=run,
        )  # fmt: skip
        reach_back = {into for story, into in report.merged.items() if story in report.existing}
        members: dict[str, list[str]] = {}
        for doc_id, story in report.stories_of.items():
            members.setdefault(story, []).append(doc_id)
            if story in report.existing or features.docs[doc_id].existed:
                reach_back.add(story)
        decided: dict[int, dict[str, dict]] = {batch: {} for batch in spools}
        spooled = features.docs
        now = int(time.time() * 1000)
        for story, docs in members.items():
            # as store.UNDER_EMBARGO: a copy under embargo neither counts nor represents, unless all are
            shown = [d for d in docs if spooled[d].embargo <= now]
            representative = (
                None if story in reach_back else min(shown or docs, key=lambda d: spooled[d].representative)
            )
            for doc_id in docs:
                own = spooled[doc_id].own
                fields = {"story_id": story, "story_representative": doc_id == representative,
                          "story_size": max(len(shown), 1) if doc_id == representative else None}  # fmt: skip
                if fields != {"story_id": own, "story_representative": True, "story_size": 1}:
                    for batch in features.batches[doc_id]:
                        decided[batch][doc_id] = fields
    finally:
        features.close()
    for batch, path in spools.items():
        decided_file = spool.decided_path(Path(path))
        decided_file.write_bytes(orjson.dumps(decided[batch]))
    report.seconds = time.monotonic() - started  # the whole decision, not only the assignment's loop
    report.cpu_seconds = time.thread_time() - started_cpu
    return RunStories(report, reach_back)


def finish(es: Elasticsearch, index: str, stories: RunStories) -> None:
    """After the load: the older documents of merged stories move, the stories that reach back get
    their representative marked (:func:`pressindex.stories.assign.finish_decided`)."""
    report = stories.report
    if stories.reach_back or report.merged:
        report.written += finish_decided(es, index, report, stories.reach_back)


def reconcile(es: Elasticsearch, index: str, spool_file: Path) -> int:
    """A batch an earlier attempt of a retried run loaded (its load task came back ``Cached``):
    set the story fields this attempt decided where its documents hold others. Returns how many
    documents were written."""
    decided = spool.read_decisions(spool_file)
    wanted: dict[str, dict] = {}
    with open(spool.features_path(spool_file), "rb") as lines:
        for line in lines:
            entry = orjson.loads(line)
            own = {"story_id": entry["_source"]["story_id"], "story_representative": True, "story_size": 1}
            wanted[entry["_id"]] = decided.get(entry["_id"], own)
    changes: dict[str, dict] = {}
    ids = sorted(wanted)
    for start in range(0, len(ids), store.PAGE):
        docs = es.mget(index=index, ids=ids[start : start + store.PAGE], source_includes=list(STORY_FIELDS))
        for doc in docs["docs"]:
            if doc.get("found"):
                held = {name: doc["_source"].get(name) for name in STORY_FIELDS}
                if held != wanted[doc["_id"]]:
                    changes[doc["_id"]] = wanted[doc["_id"]]
    return store.write_fields(es, index, changes)
