"""Assign a run's new and changed documents to stories.

Every document is parsed with a story of its own (:mod:`pressindex.stories.fields`).
:func:`assign_stories` takes the documents in a fixed order (publication time, then text hash:
the same order on every runner, whatever order the batches parsed them in). An ingest calls it
before its documents are loaded (:func:`pressindex.ingest.run_stories.decide`: ``pages`` and
``sources`` from the run's spool, ``write=False``), so each document is loaded once with its
final story; a rebuild (:mod:`pressindex.stories.rebuild`) and :func:`assign_run` take documents
already in the index and write the decisions. For each document it looks at its candidates:
documents published within ``window_days`` that share an LSH band key or the dpa story key, the
best :data:`~pressindex.stories.store.CANDIDATE_STORIES` by keys shared:

* one from an earlier run counts with its story. Elasticsearch is asked for them only for the
  documents that have any (:func:`~pressindex.stories.store.has_candidates`, one search per page),
  then one ``_msearch`` for those (:func:`~pressindex.stories.store.look_up_earlier`; an ingest's
  batches ask while they parse, ``earlier``);
* one of this run counts with the story decided for it; it came earlier in the order and is found
  in memory (:class:`~pressindex.stories.run_documents.RunDocuments`). One that comes later is
  not looked at here: it will find this document when its turn comes;
* the candidates name the stories; :class:`~pressindex.stories.linkage.StoryLinkage` decides
  (the rule, pure): the document joins a story whose *center* (its first document; for a story
  of an earlier run its earliest, :func:`~pressindex.stories.store.story_centers`, one search per
  page) it matches with :func:`~pressindex.stories.similarity.same_story` at ``threshold``, or
  one holding a document of its dpa story; never a story through a member alone (that chained
  unrelated articles).

No match: the document keeps its own story. Several: it joins the best (its dpa story, else the
most similar center), and another is merged with it only when their centers match (or for the
dpa story); the survivor is the oldest id among those that existed before the run (ids sort by
age). Merged stories' documents move to it (:func:`~pressindex.stories.store.relabel`) and the
surviving story's representative lists them in ``story_merged_ids``, so ``pressindex story
OLD-ID`` still finds them. Finally each story that changed gets its representative (the longest
copy, ties the newest) marked ``story_representative`` with ``story_size`` and
``story_merged_ids``; the other copies are marked ``false``.

Only the documents the run wrote are assigned (``run_id``): a rerun of unchanged files writes
nothing, so no id changes. With ``write=False`` the decisions are returned instead of written
(after the load, :func:`finish_decided` moves merged stories' older documents). What is held in
memory is the run's decisions (a document id and a story id per document of the run), its
documents' keys (about 1 KB per document) and the merges; the cost per document is a page's share
of two searches, a search of its own where an earlier run has candidates, one for the centers of a
page's earlier stories, and comparisons with at most ten stories' centers (and two to merge),
whatever the size of the index.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from elasticsearch import Elasticsearch

from pressindex.index.indices import current_index
from pressindex.stories import store
from pressindex.stories.features import StoryFeatures
from pressindex.stories.linkage import LinkCandidate, Merges, StoryLinkage
from pressindex.stories.run_documents import RunCandidate, RunDocuments, epoch_ms, rank_order
from pressindex.stories.similarity import DEFAULT_THRESHOLD


@dataclass
class AssignReport:
    documents: int = 0  # documents assigned
    started: int = 0  # of them, those that started a story (alone so far, or first of this run's copies)
    joined: int = 0  # those that joined a story
    merged: dict[str, str] = field(default_factory=dict)  # story id -> the story it was merged into
    stories: int = 0  # stories whose representative, size or merged ids were looked at
    written: int = 0  # documents written (assignments, moves, representatives)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # of the thread that decided (a run's decision: what load does not stretch)
    # without writing (a run that loads its documents after deciding): each document's story, and
    # the stories that had documents before
    stories_of: dict[str, str] = field(default_factory=dict)
    existing: set[str] = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            "documents": self.documents, "started": self.started, "joined": self.joined,
            "merged": len(self.merged), "stories": self.stories, "written": self.written,
            "seconds": round(self.seconds, 2), "cpu_seconds": round(self.cpu_seconds, 2),
        }  # fmt: skip

    def __str__(self) -> str:
        return (
            f"stories: {self.documents} documents assigned ({self.joined} joined a story, {self.started} started one), "
            f"{len(self.merged)} stories merged, {self.stories} stories updated, {self.written} documents written "
            f"in {self.seconds:.1f} s"
        )


@dataclass
class _Decision:
    story: str  # as decided (resolved through the merges at the end)
    own: str  # the story the document was loaded with
    versioned: bool  # written with a dpa version: never a partial update


class _Fingerprints:
    """``StoryFeatures`` by document id: a document is a candidate of each of its story's copies, and
    reading a fingerprint back costs about 0.1 ms. Bounded: emptied when full."""

    LIMIT = 20_000

    def __init__(self, sources: Mapping[str, dict] | None = None) -> None:
        self.known: dict[str, StoryFeatures] = {}
        self.sources = sources or {}  # documents not in the index yet: their fields by id
        self.ordered = sources is not None  # those are this version's: their terms stored in order

    def of(self, hit: dict, *, in_scope: bool = False) -> StoryFeatures:
        """``in_scope``: a document being assigned (from ``sources``, when they were given)."""
        features = self.known.get(hit["_id"])
        if features is None:
            features = self._keep(hit["_id"], hit["_source"].get("story_features") or {}, in_scope)
        return features

    def by_id(
        self, es: Elasticsearch, index: str, doc_id: str, hit: dict | RunCandidate | None = None
    ) -> StoryFeatures:
        """A document's: from its hit, else from here, else (a run larger than the cache) read again."""
        if isinstance(hit, dict):
            return self.of(hit)
        features = self.known.get(doc_id)
        if features is None:
            source = (
                self.sources.get(doc_id)
                or es.get(index=index, id=doc_id, source_includes=["story_features"])["_source"]
            )
            features = self._keep(doc_id, source.get("story_features") or {}, doc_id in self.sources)
        return features

    def reader(
        self, es: Elasticsearch, index: str, hits: dict[str, dict | RunCandidate]
    ) -> Callable[[str], StoryFeatures]:
        """:meth:`by_id` as a function of the id alone, with the candidates' ``hits`` at hand."""
        return lambda doc_id: self.by_id(es, index, doc_id, hits.get(doc_id))

    def _keep(self, doc_id: str, source: dict, in_scope: bool = False) -> StoryFeatures:
        if len(self.known) >= self.LIMIT:
            self.known.clear()
        features = self.known[doc_id] = StoryFeatures.from_source(  # compared only: no keys
            source, keys=False, ordered=in_scope and self.ordered
        )
        return features


def _rank(hit: dict) -> tuple:
    """A candidate hit's place among all candidates (keys shared, then newest, then the hash)."""
    return (
        float(hit["sort"][0]),
        epoch_ms(hit["_source"].get("published")),
        hit["_source"].get("text_sha1") or "",
    )


def run_scope(run_id: str) -> tuple[dict, Callable[[dict], bool]]:
    """The documents a run wrote: as a query, and as a test of a document's ``_source``."""
    return {"term": {"run_id": run_id}}, lambda source: source.get("run_id") == run_id


def assign_run(
    es: Elasticsearch, alias: str, run_id: str, *, threshold: float | None = None, window_days: int = 7
) -> AssignReport:
    """Assign the documents run ``run_id`` wrote into ``alias`` (see the module); call it when
    they are searchable. ``threshold`` defaults to :data:`DEFAULT_THRESHOLD`."""
    query, in_scope = run_scope(run_id)
    return assign_stories(es, alias, query, in_scope, threshold=threshold, window_days=window_days)


def assign_stories(
    es: Elasticsearch,
    alias: str,
    scope: dict,
    in_scope: Callable[[dict], bool],
    *,
    threshold: float | None = None,
    window_days: int = 7,
    touched: set[str] | None = None,
    pages: Iterable[list[dict]] | None = None,
    sources: Mapping[str, dict] | None = None,
    write: bool = True,
    earlier: Callable[[list[dict]], tuple[list[bool], list[list[dict]], dict[str, dict]]] | None = None,
    run: RunDocuments | None = None,
) -> AssignReport:
    """Assign the documents matching the query ``scope``; ``in_scope(source)`` says the same of a
    candidate. ``touched``: further stories whose representative must be looked at again (those
    that lost documents to a rebuild).

    ``pages``: the documents to assign as hits, a page at a time in :data:`store.ORDER`, instead of
    searching the scope (a run's documents before they are loaded; ``sources``: their fields by id).
    ``write`` false decides only: the report's ``stories_of`` and ``existing`` carry the decisions.
    ``earlier``: a page's :func:`store.look_up_earlier` made beforehand (a run's, while it parsed).
    ``run``: the scope's documents with their keys indexed beforehand, in the order of ``pages``
    (:class:`~pressindex.stories.run_documents.PlannedRunDocuments`)."""
    started = time.monotonic()
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    report = AssignReport()
    index = current_index(es, alias)
    if index is None:
        return report
    decisions: dict[str, _Decision] = {}
    linkage = StoryLinkage(threshold)
    fingerprints = _Fingerprints(sources)
    # the scope's documents decided so far: candidates among them come from memory
    run = RunDocuments() if run is None else run
    for page in store.pending_pages(es, index, scope) if pages is None else pages:
        page = [
            hit for hit in page if hit["_source"].get("story_features") and hit["_source"].get("story_id")
        ]
        if earlier is None:
            outside, found, centers = store.look_up_earlier(es, index, page, window_days, scope)
        else:
            outside, found, centers = earlier(page)
        for story, center in centers.items():
            fingerprints.of(center)  # compared with every document that finds the story
            linkage.know_center(story, center["_id"])
        answers = iter(found)
        for hit, has_earlier in zip(page, outside, strict=True):
            src = hit["_source"]
            features = fingerprints.of(hit, in_scope=True)
            ranked: list[tuple[tuple, str, dict | RunCandidate]] = [
                (rank_order(_rank(c)), c["_id"], c) for c in (next(answers) if has_earlier else ())
            ]
            keys = run.keys_of(hit["_id"], src)
            in_run = run.candidates(src, window_days, store.CANDIDATE_STORIES, keys)
            ranked += [(rank_order(c.rank), c.doc_id, c) for c in in_run]
            ranked.sort(key=lambda r: r[:2])  # the best by keys shared, wherever they were found
            links: list[LinkCandidate] = []
            for _, cand_id, cand in ranked[: store.CANDIDATE_STORIES]:
                if isinstance(cand, RunCandidate):  # decided earlier in the order
                    links.append(
                        LinkCandidate(cand_id, decisions[cand_id].story, cand.dpa_id, existing=False)
                    )
                    continue
                csrc = cand["_source"]
                if in_scope(csrc) or not csrc.get("story_id"):
                    continue  # never clustered (or in the scope after all: found in memory)
                links.append(LinkCandidate(cand_id, csrc["story_id"], csrc.get("dpa_id"), existing=True))
            own = src["story_id"]
            hits = {cand_id: cand for _, cand_id, cand in ranked}
            target = linkage.decide(
                hit["_id"], features, src.get("dpa_id"), own, links, fingerprints.reader(es, index, hits)
            )
            if target != own:
                report.joined += 1
            else:
                report.started += 1
            decisions[hit["_id"]] = _Decision(target, own, src.get("dpa_version") is not None)
            run.add(hit["_id"], src, keys)
    report.documents = len(decisions)
    report.merged = linkage.merges.final()
    if not write:
        report.stories_of = {doc: linkage.merges.find(d.story) for doc, d in decisions.items()}
        report.existing = set(linkage.existing)
        report.seconds = time.monotonic() - started
        return report
    report.written = _write(es, index, decisions, linkage.merges, linkage.existing, touched or set(), report)
    report.seconds = time.monotonic() - started
    return report


def _write(
    es: Elasticsearch,
    index: str,
    decisions: dict[str, _Decision],
    merges: Merges,
    existing: set[str],
    touched: set[str],
    report: AssignReport,
) -> int:
    """Write the decisions, move merged stories, then mark each changed story's representative."""
    changes, versioned = {}, set()
    stories = {merges.find(s) for s in touched}
    for doc, decision in decisions.items():
        story = merges.find(decision.story)
        stories.add(story)
        if story != decision.own:
            changes[doc] = {"story_id": story, "story_representative": False, "story_size": None}
            if decision.versioned:
                versioned.add(doc)
    written = store.write_fields(es, index, changes, versioned)
    es.indices.refresh(index=index)
    merged = report.merged
    if merged:
        written += store.relabel(es, index, merged)
        es.indices.refresh(index=index)
    # a story visible before the run stays findable under the id it went into
    recorded: dict[str, set[str]] = {}
    for story, into in merged.items():
        if story in existing:
            recorded.setdefault(into, set()).add(story)
    changes, versioned = {}, set()
    for st in store.story_states(es, index, stories | set(recorded)):
        report.stories += 1
        merged_ids = sorted(set(st.merged_ids) | recorded.get(st.story_id, set()))
        for doc in st.marked:
            if doc != st.representative:
                changes[doc] = {"story_representative": False, "story_size": None}
        now = st.marked.get(st.representative)
        if (
            now is None
            or now.get("story_size") != st.size
            or sorted(now.get("story_merged_ids") or []) != merged_ids
        ):
            changes[st.representative] = {
                "story_representative": True, "story_size": st.size, "story_merged_ids": merged_ids or None,
            }  # fmt: skip
        versioned |= st.versioned & set(changes)
    written += store.write_fields(es, index, changes, versioned)
    es.indices.refresh(index=index)
    return written


def release_embargoed(es: Elasticsearch, index: str, window_days: int) -> AssignReport:
    """Finish again the stories of the documents whose embargo ended within the last
    ``window_days``: a copy that was under embargo when its story was decided now counts and may
    represent it (:data:`store.UNDER_EMBARGO`); and of those still under embargo ingested within
    them (:func:`store.embargo_stories`). Idempotent: a story already right writes nothing."""
    started = time.monotonic()
    report = AssignReport()
    stories = store.embargo_stories(es, index, window_days)
    if stories:
        report.written = finish_decided(es, index, report, stories)
    report.seconds = time.monotonic() - started
    return report


def finish_decided(es: Elasticsearch, index: str, report: AssignReport, touched: set[str]) -> int:
    """After the documents of an assignment made with ``write=False`` were loaded with their
    stories: move the merged stories' older documents, then mark the representative of each story
    in ``touched`` (those that reach back to documents loaded before) and of the merged ones."""
    return _write(es, index, {}, Merges(), report.existing, touched, report)
