"""``pressindex stories rebuild [--since DATE]``: recompute the stories of a range, without parsing.

After a change of the threshold or the window, or for documents loaded before story clusters:

1. every document of the range (published on or after ``since``; one without a publication date
   by ``ingested_at``) gets back the story of its own it was loaded with, marked as the
   representative of a story of one. One loaded before story clusters gets its fingerprint and
   band keys first, from its stored title and body (:mod:`pressindex.stories.fields`);
2. the range is then assigned as a run is (:func:`pressindex.stories.assign.assign_stories`), in the
   same order, so the same fingerprints and threshold give the same stories;
3. stories from before the range that lost documents to it get their representative again.

Ids of stories that were merged before are not kept through a rebuild: the stories are made anew;
the others come back under their ids when the same documents make them (``_reset``).
Memory: one decision per document of the range (a document id and a story id), and while the range
is reset, its story fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

from pressindex.index.indices import current_index
from pressindex.stories import store
from pressindex.stories.assign import AssignReport, assign_stories
from pressindex.stories.fields import own_story_id, story_day, story_source
from pressindex.stories.run_documents import epoch_ms, moment

SINGLE = {"story_representative": True, "story_size": 1, "story_merged_ids": None}
# story_features is not indexed (no exists query): story_chars, with doc values, is written with it
HAS_FEATURES = {"exists": {"field": "story_chars"}}


def range_query(since: str | None) -> dict:
    """Documents published on or after ``since`` (without a publication date: ingested)."""
    if since is None:
        return {"match_all": {}}
    return {
        "bool": {
            "should": [
                {"range": {"published": {"gte": since}}},
                {
                    "bool": {
                        "must_not": [{"exists": {"field": "published"}}],
                        "filter": [{"range": {"ingested_at": {"gte": since}}}],
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }


def in_range(since: str | None):
    """:func:`range_query` as a test of a document's ``_source``."""
    if since is None:
        return lambda source: True
    start = moment(since)

    def test(source: dict) -> bool:
        when = source.get("published") or source.get("ingested_at")
        return moment(when) >= start if when else False

    return test


def rebuild_stories(
    es: Elasticsearch,
    alias: str,
    *,
    since: str | None = None,
    threshold: float | None = None,
    window_days: int = 7,
) -> AssignReport:
    """See the module; returns what the assignment did."""
    if since is not None:
        date.fromisoformat(since)  # ValueError for anything but YYYY-MM-DD
    index = current_index(es, alias)
    if index is None:
        return AssignReport()
    scope = range_query(since)
    touched = _backfill(es, index, scope) | _reset(es, index, scope)
    es.indices.refresh(index=index)
    query = {"bool": {"filter": [scope, HAS_FEATURES]}}
    return assign_stories(
        es, alias, query, in_range(since), threshold=threshold, window_days=window_days, touched=touched
    )


class _Changes:
    """Story fields to write, sent a page at a time."""

    def __init__(self, es: Elasticsearch, index: str) -> None:
        self.es, self.index = es, index
        self.fields: dict[str, dict] = {}
        self.versioned: set[str] = set()

    def add(self, hit: dict, fields: dict) -> None:
        self.fields[hit["_id"]] = fields
        if hit["_source"].get("dpa_version") is not None:
            self.versioned.add(hit["_id"])
        if len(self.fields) >= store.PAGE:
            self.flush()

    def flush(self) -> None:
        store.write_fields(self.es, self.index, self.fields, self.versioned)
        self.fields, self.versioned = {}, set()


def _own(hit: dict) -> str:
    src = hit["_source"]
    return own_story_id(hit["_id"], story_day(src.get("published"), src.get("dpa_issue_date")))


def _backfill(es: Elasticsearch, index: str, scope: dict) -> set[str]:
    """Story fields for the documents of the range that have none, from their stored text."""
    query = {"bool": {"filter": [scope], "must_not": [HAS_FEATURES]}}
    fields = ["title", "body", "language", "published", "dpa_issue_date", "dpa_version", "story_id"]
    changes, touched = _Changes(es, index), set()
    for hit in scan(es, index=index, query={"query": query}, _source=fields):
        src = hit["_source"]
        day = story_day(src.get("published"), src.get("dpa_issue_date"))
        story = story_source(
            hit["_id"], src.get("title") or "", src.get("body") or "", src.get("language") or "und", day
        )
        changes.add(hit, {**story, **SINGLE})
        if src.get("story_id"):
            touched.add(src["story_id"])
    changes.flush()
    return touched


def _reset(es: Elasticsearch, index: str, scope: dict) -> set[str]:
    """Every document of the range back in a story of its own; returns the stories it was in. The
    first document (in the assignment's order) of each story wholly in the range starts again under
    that story's id, so the same stories come back under the same ids: a story id never changes once
    given, also when its first copy is not the one it was started with (a later version replaced
    that one, or an older copy came in a later run)."""
    query = {"bool": {"filter": [scope, HAS_FEATURES]}}
    fields = ["story_id", "story_representative", "story_size", "story_merged_ids", "published",
              "dpa_issue_date", "dpa_version", "text_sha1", "dpa_id"]  # fmt: skip
    docs: list[tuple[dict, str, str]] = []  # (hit, own story, story it was in)
    first: dict[str, tuple[tuple, str]] = {}  # story it was in -> (order key, id) of its first document
    for hit in scan(es, index=index, query={"query": query}, _source=fields):
        own = _own(hit)
        was = hit["_source"].get("story_id") or own
        docs.append((hit, own, was))
        key = _order_key(hit["_source"])
        if was not in first or key < first[was][0]:
            first[was] = (key, hit["_id"])
    outside = _held_outside(es, index, scope, first)
    keeps = {doc: story for story, (_, doc) in first.items() if story not in outside}
    kept = set(keeps.values())
    changes, touched = _Changes(es, index), set()
    for hit, own, was in docs:
        src = hit["_source"]
        touched.add(was)
        start = keeps.get(hit["_id"])
        if start is None:  # its own id, unless that goes on with the story it started before
            day = story_day(src.get("published"), src.get("dpa_issue_date"))
            start = own if own not in kept else own_story_id(f"{hit['_id']}\n{was}", day)
        current = {k: src.get(k) for k in ("story_representative", "story_size", "story_merged_ids")}
        if src.get("story_id") != start or current != SINGLE:
            changes.add(hit, {"story_id": start, **SINGLE})
    changes.flush()
    return touched


def _order_key(src: dict) -> tuple:
    """:data:`pressindex.stories.store.ORDER` of a ``_source``: publication time, text hash, dpa id,
    each missing one last."""
    when = src.get("published")
    return (
        (0, epoch_ms(when)) if when else (1, 0),
        (0, src["text_sha1"]) if src.get("text_sha1") else (1, ""),
        (0, src["dpa_id"]) if src.get("dpa_id") else (1, ""),
    )


def _held_outside(es: Elasticsearch, index: str, scope: dict, stories: Iterable[str]) -> set[str]:
    """Those of ``stories`` that documents outside the range hold too: their ids stay with those."""
    if scope == {"match_all": {}}:
        return set()
    ids, held = sorted(stories), set()
    for start in range(0, len(ids), store.STORY_CHUNK):
        chunk = ids[start : start + store.STORY_CHUNK]
        query = {"bool": {"filter": [{"terms": {"story_id": chunk}}], "must_not": [scope]}}
        aggs = {"held": {"terms": {"field": "story_id", "size": len(chunk)}}}
        resp = es.search(index=index, size=0, query=query, aggs=aggs)
        held |= {b["key"] for b in resp["aggregations"]["held"]["buckets"]}
    return held
