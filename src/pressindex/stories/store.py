"""Story clusters in Elasticsearch: the requests behind :mod:`pressindex.stories.assign`.

Each step is one request per chunk of documents or stories, never one per document:

* :func:`pending_pages`: the documents to assign, a page at a time in a fixed order (search_after);
* :func:`has_candidates`: for a page, one search with a ``filters`` aggregation: which of its
  documents have any candidate outside the scope being assigned (earlier runs), within the window;
* :func:`find_candidates`: for those, one ``_msearch`` with one search per document: documents
  within the window sharing an LSH band key (``story_bands``) or the dpa story key, scored by the
  number of keys they share, at most one per story (``collapse``). Candidates inside the scope
  (the run's own documents) are found in memory (:mod:`pressindex.stories.run_documents`);
* :func:`write_fields`: the story fields that changed, in bulk;
* :func:`relabel`: the documents of merged stories move to the surviving id;
* :func:`story_states`: per story its size, representative and merged ids (one aggregation per chunk);
* :func:`embargo_stories`: the stories of documents whose embargo ended lately or still runs.

A document written with a dpa version (``dpa_version``) is never given a partial update: an
update raises its Elasticsearch version by one, and the next dpa version, written with
``version_type=external_gte``, would be refused as older. Such a document is written whole with
its current version instead (:func:`write_fields`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

from pressindex.index.bulk_writes import write_actions
from pressindex.stories.linkage import CANDIDATE_STORIES
from pressindex.stories.run_documents import DAY_MS, epoch_ms

PAGE = 200  # documents per page of pending documents and per _msearch
STORY_CHUNK = 200  # stories per aggregation
CENTER_CHUNK = 1000  # stories per search for their centers
DPA_BOOST = 1000.0  # a document of the same dpa story comes first, whatever its keys
# what a document tells about its story; story_features only where it is compared
HIT_SOURCE = [
    "story_id", "story_features", "story_representative", "published", "ingested_at", "run_id",
    "text_sha1", "dpa_id", "dpa_issue_date", "dpa_version",
]  # fmt: skip
ORDER = [
    {"published": {"order": "asc", "missing": "_last"}},
    {"text_sha1": {"order": "asc", "missing": "_last"}},
    {"dpa_id": {"order": "asc", "missing": "_last"}},
]


def window_clause(source: dict, days: int) -> dict:
    """Documents within ``days`` of this one: two documents with a publication date by ``published``;
    a document without one (``ingested_at`` stands in for it) by either of the other's times, so
    that an undated copy meets the dated original of an archive loaded today. Symmetric: ``a`` is
    within ``b``'s window if and only if ``b`` is within ``a``'s. Anchored on the document's own
    values with date math."""
    published, ingested = source.get("published"), source.get("ingested_at")

    def near(anchor: str) -> dict:
        return {"gte": f"{anchor}||-{days}d", "lte": f"{anchor}||+{days}d"}

    undated = {"bool": {"must_not": [{"exists": {"field": "published"}}]}}
    should: list[dict] = []
    if published:
        should.append({"range": {"published": near(published)}})
        anchors = [a for a in dict.fromkeys((published, ingested)) if a]
        should += [{"bool": {"filter": [undated, {"range": {"ingested_at": near(a)}}]}} for a in anchors]
    elif ingested:
        should += [{"range": {"published": near(ingested)}}, {"range": {"ingested_at": near(ingested)}}]
    return {"bool": {"should": should, "minimum_should_match": 1}} if should else {"match_none": {}}


def pending_pages(es: Elasticsearch, index: str, scope: dict, page: int = PAGE) -> Iterator[list[dict]]:
    """The documents matching ``scope``, a page at a time, in :data:`ORDER` (publication time, then
    text hash): the same order whatever order they were loaded in."""
    after = None
    while True:
        body: dict = {"query": scope, "sort": ORDER, "size": page, "_source": [*HIT_SOURCE, "story_bands"]}
        if after is not None:
            body["search_after"] = after
        hits = es.search(index=index, **body)["hits"]["hits"]
        if not hits:
            return
        yield hits
        after = hits[-1]["sort"]


def _candidate_search(hit: dict, window_days: int, exclude: dict) -> dict:
    src = hit["_source"]
    should = [
        {"constant_score": {"filter": {"term": {"story_bands": key}}, "boost": 1.0}}
        for key in src.get("story_bands") or ()
    ]
    if src.get("dpa_id"):
        should.append({"constant_score": {"filter": {"term": {"dpa_id": src["dpa_id"]}}, "boost": DPA_BOOST}})
    return {
        "query": {
            "bool": {
                "should": should,
                "minimum_should_match": 1,
                "filter": [window_clause(src, window_days)],
                "must_not": [{"ids": {"values": [hit["_id"]]}}, exclude],
            }
        },
        # the keys shared, then a total order: the same candidates on every run
        "sort": ["_score", {"published": {"order": "desc", "missing": "_last"}}, {"text_sha1": "asc"}],
        "collapse": {"field": "story_id"},
        "size": CANDIDATE_STORIES,
        "_source": HIT_SOURCE,
    }


def _any_candidate(hit: dict, window_days: int) -> dict:
    """The candidates of :func:`_candidate_search` as a filter (no scores, no hits)."""
    src = hit["_source"]
    should: list[dict] = [{"terms": {"story_bands": src["story_bands"]}}] if src.get("story_bands") else []
    if src.get("dpa_id"):
        should.append({"term": {"dpa_id": src["dpa_id"]}})
    if not should:
        return {"match_none": {}}
    return {
        "bool": {
            "should": should,
            "minimum_should_match": 1,
            "filter": [window_clause(src, window_days)],
            "must_not": [{"ids": {"values": [hit["_id"]]}}],
        }
    }


def _any_nearby(es: Elasticsearch, index: str, hits: list[dict], window_days: int, exclude: dict) -> bool:
    """Whether any document outside ``exclude`` lies within reach of a window of ``hits`` (a
    superset: from the earliest time a window of theirs starts to a year after the latest, as
    ``2025||+7d`` reaches to the year's end): a range on two dates, far cheaper than the keys."""
    times = [
        epoch_ms(t)
        for hit in hits
        for t in (hit["_source"].get("published"), hit["_source"].get("ingested_at"))
        if t
    ]
    if not times:
        return False
    span = {"gte": min(times) - window_days * DAY_MS, "lte": max(times) + (window_days + 366) * DAY_MS,
            "format": "epoch_millis"}  # fmt: skip
    nearby = {"bool": {"should": [{"range": {"published": span}}, {"range": {"ingested_at": span}}],
                       "minimum_should_match": 1}}  # fmt: skip
    resp = es.search(
        index=index, size=0, terminate_after=1, track_total_hits=True,
        query={"bool": {"filter": [nearby], "must_not": [exclude]}},
    )  # fmt: skip
    return resp["hits"]["total"]["value"] > 0


def has_candidates(
    es: Elasticsearch, index: str, hits: list[dict], window_days: int, exclude: dict
) -> list[bool]:
    """Per pending document, whether any document outside ``exclude`` (the scope being assigned) is
    its candidate: one search per page. Fetches nothing; most pages of a run into an index without
    similar earlier documents end here."""
    if not hits or not _any_nearby(es, index, hits, window_days, exclude):
        return [False] * len(hits)
    keys = sorted({key for hit in hits for key in hit["_source"].get("story_bands") or ()})
    dpa = sorted({hit["_source"]["dpa_id"] for hit in hits if hit["_source"].get("dpa_id")})
    should = [{"terms": {"story_bands": keys}}] if keys else []
    if dpa:
        should.append({"terms": {"dpa_id": dpa}})
    if not should:
        return [False] * len(hits)
    resp = es.search(
        index=index, size=0, track_total_hits=False,
        query={"bool": {"should": should, "minimum_should_match": 1, "must_not": [exclude]}},
        aggs={"docs": {"filters": {"filters": {str(i): _any_candidate(h, window_days) for i, h in enumerate(hits)}}}},
    )  # fmt: skip
    buckets = resp["aggregations"]["docs"]["buckets"]
    return [buckets[str(i)]["doc_count"] > 0 for i in range(len(hits))]


def find_candidates(
    es: Elasticsearch, index: str, hits: list[dict], window_days: int, exclude: dict
) -> list[list[dict]]:
    """Per pending document (a hit of :func:`pending_pages`), its candidates outside ``exclude``:
    one ``_msearch``."""
    searches: list[dict] = []
    for hit in hits:
        searches += [{"index": index}, _candidate_search(hit, window_days, exclude)]
    if not searches:
        return []
    responses = es.msearch(searches=searches)["responses"]
    out = []
    for resp in responses:
        if "error" in resp:
            raise RuntimeError(f"candidate search failed: {resp['error']}")
        out.append(resp["hits"]["hits"])
    return out


def story_centers(es: Elasticsearch, index: str, story_ids: Iterable[str], exclude: dict) -> dict[str, dict]:
    """Per story (of an earlier run), its center (:class:`~pressindex.stories.linkage.StoryLinkage`):
    its first document in :data:`ORDER` outside ``exclude``, with its fingerprint. One search per
    :data:`CENTER_CHUNK` stories (a page's candidates name at most ``PAGE * CANDIDATE_STORIES``)."""
    ids = sorted(set(story_ids))
    centers: dict[str, dict] = {}
    for start in range(0, len(ids), CENTER_CHUNK):
        chunk = ids[start : start + CENTER_CHUNK]
        resp = es.search(
            index=index, query={"bool": {"filter": [{"terms": {"story_id": chunk}}], "must_not": [exclude]}},
            collapse={"field": "story_id"}, sort=ORDER, size=len(chunk),
            source_includes=["story_id", "story_features"],
        )  # fmt: skip
        centers.update((hit["_source"]["story_id"], hit) for hit in resp["hits"]["hits"])
    return centers


def look_up_earlier(
    es: Elasticsearch, index: str, hits: list[dict], window_days: int, exclude: dict
) -> tuple[list[bool], list[list[dict]], dict[str, dict]]:
    """What the assignment asks Elasticsearch about earlier runs for a page of ``hits``: whether
    each has candidates outside ``exclude``, the candidates of those that have, and the centers of
    their stories. Each document's answer depends on it alone, not on the page or the run's order."""
    outside = has_candidates(es, index, hits, window_days, exclude)
    found = find_candidates(
        es, index, [h for h, o in zip(hits, outside, strict=True) if o], window_days, exclude
    )
    stories = {c["_source"]["story_id"] for cands in found for c in cands if c["_source"].get("story_id")}
    return outside, found, story_centers(es, index, stories, exclude)


def write_fields(
    es: Elasticsearch, index: str, changes: dict[str, dict], versioned: Iterable[str] = ()
) -> int:
    """Set ``changes[doc id]`` (story fields) on each document.

    Each is written whole, at its current version (``external_gte``), from its source fetched by
    ``mget``: a partial update would re-read and re-index the whole document all the same, cost
    Elasticsearch more than twice a plain write here, and raise a dpa document's version by one (the
    next dpa version would be refused). ``versioned`` is accepted for callers that know which
    documents carry a dpa version; every document is written this way."""
    ids = sorted(changes)
    written = 0
    for start in range(0, len(ids), PAGE):
        docs = es.mget(index=index, ids=ids[start : start + PAGE])["docs"]  # with each one's _version
        actions = (
            {
                "_op_type": "index", "_id": d["_id"], "_source": {**d["_source"], **changes[d["_id"]]},
                "version": d["_version"], "version_type": "external_gte",
            }
            for d in docs if d.get("found")
        )  # fmt: skip
        # 409: a newer dpa version came meanwhile; the next run assigns it
        written += write_actions(es, index, actions, what="story assignments", expected=409)
    return written


def relabel(es: Elasticsearch, index: str, merged: dict[str, str]) -> int:
    """Move every document of a merged story (``merged``: old id -> surviving id) to its survivor."""
    old = sorted(merged)
    moved = 0
    for start in range(0, len(old), PAGE):
        chunk = old[start : start + PAGE]
        changes, versioned = {}, set()
        query = {"query": {"terms": {"story_id": chunk}}}
        for hit in scan(es, index=index, query=query, _source=["story_id", "dpa_version"]):
            changes[hit["_id"]] = {"story_id": merged[hit["_source"]["story_id"]]}
            if hit["_source"].get("dpa_version") is not None:
                versioned.add(hit["_id"])
        moved += write_fields(es, index, changes, versioned)
    return moved


@dataclass(frozen=True)
class StoryState:
    """A story as its documents tell it now."""

    story_id: str
    size: int  # its copies shown now (UNDER_EMBARGO); 1 when every copy is under embargo
    representative: str  # the copy that should represent it
    marked: dict[str, dict]  # documents marked representative now -> their story_size, story_merged_ids
    merged_ids: tuple[str, ...]  # every id merged into it, as its documents record them
    versioned: frozenset[str]  # those of the documents above written with a dpa version


# The representative: the most complete copy (longest title and body), ties the newest, then a
# total order.
REPRESENTATIVE_ORDER = [
    {"story_chars": {"order": "desc", "missing": "_last"}},
    {"published": {"order": "desc", "missing": "_last"}},
    {"text_sha1": {"order": "asc", "missing": "_last"}},
]
_MARKED = 20  # documents marked representative in one story: more only after a crash or a merge of many
# Copies that no search shows for good (the alias's search_filter in mappings/press.json, less the
# embargo, which ends by itself) neither count in a story nor represent it: a withdrawn
# representative left its story with none in Kibana's story views, which list representatives.
NEVER_SHOWN = [{"term": {"kind": "withdrawal"}}, {"exists": {"field": "withdrawn_by"}}]
# A copy under embargo now (as the alias's filter reads it at every search) represents its story
# only when every copy is (Kibana's story views would hide the story until the embargo ends), and
# counts in no story_size (a size would tell that an embargoed text exists). When an embargo ends,
# :func:`embargo_stories` names the stories to finish again (pressindex.stories.assign).
UNDER_EMBARGO = {"range": {"embargo_until": {"gt": "now"}}}


def story_states(es: Elasticsearch, index: str, story_ids: Iterable[str]) -> Iterator[StoryState]:
    """The state of each of ``story_ids`` that has documents: one aggregation per chunk of stories."""
    ids = sorted(set(story_ids))
    for start in range(0, len(ids), STORY_CHUNK):
        chunk = ids[start : start + STORY_CHUNK]
        aggs = {
            "stories": {
                "terms": {"field": "story_id", "include": chunk, "size": len(chunk)},
                "aggs": {
                    "best": {
                        "top_hits": {"size": 1, "sort": REPRESENTATIVE_ORDER, "_source": ["dpa_version"]}
                    },
                    "shown": {
                        "filter": {"bool": {"must_not": [UNDER_EMBARGO]}},
                        "aggs": {
                            "best": {
                                "top_hits": {
                                    "size": 1,
                                    "sort": REPRESENTATIVE_ORDER,
                                    "_source": ["dpa_version"],
                                }
                            }
                        },
                    },
                    "marked": {
                        "filter": {"term": {"story_representative": True}},
                        "aggs": {
                            "docs": {
                                "top_hits": {
                                    "size": _MARKED,
                                    "sort": [{"text_sha1": "asc"}],
                                    "_source": ["story_size", "story_merged_ids", "dpa_version"],
                                }
                            }
                        },
                    },
                    "merged": {"terms": {"field": "story_merged_ids", "size": 1000}},
                },
            }
        }
        query = {"bool": {"filter": [{"terms": {"story_id": chunk}}], "must_not": NEVER_SHOWN}}
        resp = es.search(index=index, size=0, query=query, aggs=aggs)
        for bucket in resp["aggregations"]["stories"]["buckets"]:
            shown = bucket["shown"]
            # every copy under embargo: the best represents the hidden story alone
            best = (shown["best"] if shown["doc_count"] else bucket["best"])["hits"]["hits"][0]
            marked_hits = bucket["marked"]["docs"]["hits"]["hits"]
            versioned = {
                h["_id"] for h in [best, *marked_hits] if h["_source"].get("dpa_version") is not None
            }
            yield StoryState(
                story_id=bucket["key"],
                size=shown["doc_count"] or 1,
                representative=best["_id"],
                marked={h["_id"]: h["_source"] for h in marked_hits},
                merged_ids=tuple(sorted(b["key"] for b in bucket["merged"]["buckets"])),
                versioned=frozenset(versioned),
            )


def embargo_stories(es: Elasticsearch, index: str, days: int) -> set[str]:
    """The stories to finish again for embargoes: those of documents whose embargo ended within the
    last ``days`` (up to now), and of documents still under embargo ingested within them (a story
    decided before embargoed copies were left out, or while an embargo ran out, is set right).
    Bounded by the window, whatever the size of the index."""
    ended = {"range": {"embargo_until": {"gt": f"now-{days}d", "lte": "now"}}}
    running = {"bool": {"filter": [UNDER_EMBARGO, {"range": {"ingested_at": {"gte": f"now-{days}d"}}}]}}
    query = {
        "bool": {
            "should": [ended, running],
            "minimum_should_match": 1,
            "filter": [{"exists": {"field": "story_id"}}],
        }
    }
    return {
        hit["_source"]["story_id"]
        for hit in scan(es, index=index, query={"query": query}, _source=["story_id"])
    }


def story_members(es: Elasticsearch, index: str, story_id: str, limit: int = 10_000) -> list[dict]:
    """The documents of a story in time order (oldest first), with what a listing shows."""
    resp = es.search(
        index=index,
        query={"term": {"story_id": story_id}},
        sort=[{"published": {"order": "asc", "missing": "_last"}}, {"ingested_at": "asc"}, {"text_sha1": "asc"}],
        size=limit,
        source_includes=[
            "title", "published", "agencies", "dateline", "source_path", "story_representative", "story_size",
            "story_merged_ids", "dpa_id", "dpa_version", "genre", "wire_service",
        ],
    )  # fmt: skip
    return resp["hits"]["hits"]


def surviving_id(es: Elasticsearch, index: str, story_id: str) -> str | None:
    """``story_id`` itself while documents carry it, else the story it was merged into, else None."""
    if es.count(index=index, query={"term": {"story_id": story_id}})["count"]:
        return story_id
    hits = es.search(
        index=index, query={"term": {"story_merged_ids": story_id}}, size=1, source_includes=["story_id"]
    )["hits"]["hits"]
    return hits[0]["_source"]["story_id"] if hits else None
