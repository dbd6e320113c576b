"""Withdrawal notices take the stories they name out of search.

A notice (``kind`` "withdrawal": dpa ``(Achtung) … Meldung wird zurückgezogen``, ``KILL KILL KILL``,
ANPA kill slugs) is indexed like any message, as an operator record: the search alias leaves it out
(``search_filter`` in ``mappings/press.json``). It names the stories it withdraws in ``withdraws``:
dpa story keys (``240315-930-123456``), an ANPA slug (``BC-US-Harbor-Bridge``), or else the
headline it quotes.

When a run's documents are searchable, :func:`apply_withdrawals` looks, for every notice, for the
stories it names that are still in search:

* by dpa story key: every document with that ``dpa_id``;
* by ANPA slug: documents whose ``keywords`` are that slug's words (in any case; an AP kill names
  the slug, which every version of the story carries), and
* by headline: documents whose title is that headline (compared normalised),

both from the notice's wire service when it has one, published within :data:`WINDOW_DAYS` of the
notice;

and marks them ``withdrawn_by: <notice id>`` (written whole at their own version, so a dpa story's
external version stays its dpa version; an ``mget`` and a ``_bulk`` per 200), which the search
alias excludes. The notice file's state record lists them under ``withdrew``. The story stays in the
concrete index ``<alias>-v<N>`` for operators.

It looks at every notice in every run, so order does not matter: a story that arrives in the same
run as its notice, or in a later one, is withdrawn when that run ends; so is a newer version of a
withdrawn story (its write replaces the mark). Each step is one request per chunk of notices or
stories, never one per document; with nothing left to withdraw a run costs three small requests.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import scan

from pressindex.index.bulk_writes import write_actions
from pressindex.index.indices import current_index
from pressindex.ingest import state

WINDOW_DAYS = 3  # a headline names a story published at most this long before or after the notice
WITHDRAWAL = "withdrawal"
_DPA_KEY = re.compile(r"^\d{6}-\d{2,3}-\d{4,7}$")
_ANPA_SLUG = re.compile(r"^BC-[^\s,<]{1,120}$")
_CHUNK = 500
_STILL_IN_SEARCH = [{"term": {"kind": WITHDRAWAL}}, {"exists": {"field": "withdrawn_by"}}]


def is_dpa_key(value: str) -> bool:
    return bool(_DPA_KEY.match(value))


def normalised_headline(text: str) -> str:
    """Case, accents' composition, quotes, punctuation and spacing do not matter."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\W_]+", " ", text)
    return " ".join(text.split())


def apply_withdrawals(es: Elasticsearch, alias: str) -> dict[str, list[str]]:
    """Take the stories that withdrawal notices name out of search (see the module); returns, by
    notice id, the documents withdrawn now. Call it when the run's documents are refreshed."""
    index = current_index(es, alias)
    if index is None:
        return {}
    notices = list(
        scan(es, index=index, query={"query": {"term": {"kind": WITHDRAWAL}}},
             _source=["withdraws", "wire_service", "published", "ingested_at"])
    )  # fmt: skip
    if not notices:
        return {}
    targets: dict[str, str] = {}  # story document id -> the notice that withdraws it
    by_key: dict[str, str] = {}
    by_headline: list[tuple[dict, str]] = []  # (notice, the headline it quotes)
    by_slug: list[tuple[dict, str]] = []  # (notice, the ANPA slug it names)
    for notice in notices:
        for value in notice["_source"].get("withdraws") or ():
            if is_dpa_key(value):
                by_key.setdefault(value, notice["_id"])
            elif _ANPA_SLUG.match(value):
                by_slug.append((notice, value))
            elif value.strip():
                by_headline.append((notice, value))
    keys = sorted(by_key)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        query = {"bool": {"filter": [{"terms": {"dpa_id": chunk}}], "must_not": _STILL_IN_SEARCH}}
        for hit in scan(es, index=index, query={"query": query}, _source=["dpa_id"]):
            targets.setdefault(hit["_id"], by_key[hit["_source"]["dpa_id"]])
    for start in range(0, len(by_headline), _CHUNK):
        quoting = by_headline[start : start + _CHUNK]
        searches: list[dict] = []
        for notice, headline in quoting:
            searches += [{"index": index}, _headline_query(notice["_source"], headline)]
        for (notice, headline), resp in zip(quoting, es.msearch(searches=searches)["responses"], strict=True):
            wanted = normalised_headline(headline)
            for hit in resp.get("hits", {}).get("hits", []):
                if normalised_headline(hit["_source"].get("title") or "") == wanted:
                    targets.setdefault(hit["_id"], notice["_id"])
    for start in range(0, len(by_slug), _CHUNK):
        naming = by_slug[start : start + _CHUNK]
        searches = []
        for notice, slug in naming:
            searches += [{"index": index}, _slug_query(notice["_source"], slug)]
        for (notice, slug), resp in zip(naming, es.msearch(searches=searches)["responses"], strict=True):
            wanted_words = _slug_words(slug)
            for hit in resp.get("hits", {}).get("hits", []):
                if [w.casefold() for w in hit["_source"].get("keywords") or ()] == wanted_words:
                    targets.setdefault(hit["_id"], notice["_id"])
    targets = {doc: notice_id for doc, notice_id in targets.items() if doc != notice_id}
    if not targets:
        return {}
    _mark(es, index, targets)
    withdrawn: dict[str, list[str]] = {}
    for doc, notice_id in sorted(targets.items()):
        withdrawn.setdefault(notice_id, []).append(doc)
    _record(es, alias, withdrawn)
    _represent_again(es, index, targets)
    return withdrawn


def _slug_words(slug: str) -> list[str]:
    return [w.casefold() for w in slug[3:].split("-") if w]  # as parse/anpa1312.py makes keywords


def _slug_query(notice: dict, slug: str) -> dict:
    words = [{"term": {"keywords": {"value": w, "case_insensitive": True}}} for w in _slug_words(slug)]
    return _named_query(notice, words, ["keywords"])


def _headline_query(notice: dict, headline: str) -> dict:
    return _named_query(notice, [{"match_phrase": {"title.exact": headline}}], ["title"])


def _named_query(notice: dict, names: list[dict], source: list[str]) -> dict:
    """The documents ``names`` picks, from the notice's wire service and days."""
    filters = list(names)
    if notice.get("wire_service"):
        filters.append({"term": {"wire_service": notice["wire_service"]}})
    when = _moment(notice.get("published")) or _moment(notice.get("ingested_at"))
    if when is not None:
        window = timedelta(days=WINDOW_DAYS)
        filters.append(
            {"range": {"published": {"gte": (when - window).isoformat(), "lte": (when + window).isoformat()}}}
        )
    return {
        "query": {"bool": {"filter": filters, "must_not": _STILL_IN_SEARCH}},
        "_source": source,
        "size": 20,
    }


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = datetime.fromisoformat(value[:10])  # "2025-03" or "2025": too vague for a window
        except ValueError:
            return None
    return moment


def _mark(es: Elasticsearch, index: str, targets: dict[str, str]) -> None:
    """``withdrawn_by`` on each story, each written whole at its current version, as the story fields
    are: a partial update raised a dpa story's version by one, and the same dpa version written
    again (``external_gte``: a re-parse, ``--force``) was refused as older and counted superseded.
    A story deleted meanwhile is skipped; one a newer dpa version replaced meanwhile (409) is
    withdrawn by the next run."""
    # imported here: the stories package loads numpy, which the flow process need not at its start
    from pressindex.stories.store import write_fields

    write_fields(es, index, {doc: {"withdrawn_by": notice} for doc, notice in targets.items()})


def _represent_again(es: Elasticsearch, index: str, targets: dict[str, str]) -> None:
    """The stories of the withdrawn documents get their representative and size from the copies
    still shown (:data:`pressindex.stories.store.NEVER_SHOWN`), also those this run does not touch."""
    from pressindex.stories.assign import AssignReport, finish_decided

    docs = es.mget(index=index, ids=sorted(targets), source_includes=["story_id"])["docs"]
    stories = {d["_source"]["story_id"] for d in docs if d.get("found") and d["_source"].get("story_id")}
    if stories:
        es.indices.refresh(index=index)
        finish_decided(es, index, AssignReport(), stories)


def _record(es: Elasticsearch, alias: str, withdrawn: dict[str, list[str]]) -> None:
    """``withdrew`` on the state record of each notice's file (what it lists already is kept)."""
    index = state.state_alias(alias)
    notices = sorted(withdrawn)
    updates: dict[str, set[str]] = {}
    for start in range(0, len(notices), _CHUNK):
        chunk = notices[start : start + _CHUNK]
        query = {"bool": {"should": [{"terms": {"doc_ids": chunk}}, {"terms": {"doc_id": chunk}}]}}
        try:
            hits = scan(es, index=index, query={"query": query}, _source=["doc_id", "doc_ids", "withdrew"])
            for hit in hits:
                src = hit["_source"]
                produced = set(src.get("doc_ids") or ()) | {src.get("doc_id")}
                listed = updates.setdefault(hit["_id"], set(src.get("withdrew") or ()))
                for notice in produced & set(chunk):
                    listed.update(withdrawn[notice])
        except NotFoundError:
            return
    actions = (
        {"_op_type": "update", "_id": rid, "doc": {"withdrew": sorted(ids)}} for rid, ids in updates.items()
    )
    write_actions(es, index, actions, what="state records of withdrawal notices", expected=404)


def withdrawn_documents(es: Elasticsearch, alias: str, ids: Iterable[str] | None = None) -> dict[str, str]:
    """Documents out of search because a notice withdrew them: id -> notice id (for operators and tests)."""
    index = current_index(es, alias)
    if index is None:
        return {}
    query: dict = {"bool": {"filter": [{"exists": {"field": "withdrawn_by"}}]}}
    if ids is not None:
        query["bool"]["filter"].append({"ids": {"values": list(ids)}})
    return {
        h["_id"]: h["_source"]["withdrawn_by"]
        for h in scan(es, index=index, query={"query": query}, _source=["withdrawn_by"])
    }
