"""Full-text search with facets: the library function behind ``pressindex search``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from elasticsearch import Elasticsearch

FACETS = {
    "agency": {"terms": {"field": "agencies", "size": 20}},
    "language": {"terms": {"field": "language", "size": 20}},
    "dateline": {"terms": {"field": "dateline", "size": 20}},
    "month": {
        "date_histogram": {
            "field": "published",
            "calendar_interval": "month",
            "time_zone": "Europe/Berlin",
            "format": "yyyy-MM",
            "min_doc_count": 1,
        }
    },
}
# Title weighs more than lead, lead more than body.
TEXT_FIELDS = ["title^3", "lead^2", "body", "subheadings"]
HIGHLIGHT_FIELDS = ("title", "lead", "body")


@dataclass(frozen=True)
class SearchFilters:
    agency: str | None = None
    language: str | None = None
    dateline: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def clauses(self) -> list[dict]:
        out: list[dict] = []
        if self.agency:
            out.append({"term": {"agencies.norm": self.agency}})
        if self.language:
            out.append({"term": {"language": self.language.lower()}})
        if self.dateline:
            out.append({"term": {"dateline.norm": self.dateline}})
        if self.date_from or self.date_to:
            rng = {k: v for k, v in (("gte", self.date_from), ("lte", self.date_to)) if v}
            out.append({"range": {"published": rng}})
        return out


@dataclass
class SearchResult:
    total: int
    hits: list[dict]
    facets: dict[str, dict[str, int]]
    query: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"total": self.total, "hits": self.hits, "facets": self.facets}


def user_query(text: str) -> str:
    """User syntax → ``simple_query_string``: quotes for phrases, ``-`` excludes, ``OR`` alternates."""
    return re.sub(r"\s+OR\s+", " | ", text.strip())


def build_query(text: str, filters: SearchFilters, *, page: int = 1, size: int = 10) -> dict:
    must: list[dict] = []
    if text.strip():
        must.append(
            {
                "simple_query_string": {
                    "query": user_query(text),
                    "fields": TEXT_FIELDS,
                    "default_operator": "and",
                    "quote_field_suffix": ".exact",
                }
            }
        )
    return {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": filters.clauses()}},
        "aggs": FACETS,
        "highlight": {
            "fields": {name: {"number_of_fragments": 2, "fragment_size": 160} for name in HIGHLIGHT_FIELDS},
            "pre_tags": ["«"],
            "post_tags": ["»"],
        },
        "_source": {"excludes": ["body", "footer_lines"]},
        "from": (max(page, 1) - 1) * size,
        "size": size,
        "track_total_hits": True,
    }


def search(
    es: Elasticsearch, index: str, text: str, filters: SearchFilters | None = None, *, page: int = 1, size: int = 10
) -> SearchResult:
    body = build_query(text, filters or SearchFilters(), page=page, size=size)
    resp = es.search(index=index, **body)
    hits = []
    for hit in resp["hits"]["hits"]:
        src = hit["_source"]
        hits.append(
            {
                "id": hit["_id"],
                "source_path": src.get("source_path"),
                "title": src.get("title"),
                "score": hit["_score"],
                "highlight": hit.get("highlight", {}),
                "published": src.get("published"),
                "agencies": src.get("agencies", []),
                "dateline": src.get("dateline"),
                "language": src.get("language"),
                "dpa_id": src.get("dpa_id"),
            }
        )
    facets = {
        name: {b.get("key_as_string", b["key"]): b["doc_count"] for b in agg["buckets"]}
        for name, agg in resp["aggregations"].items()
    }
    return SearchResult(total=resp["hits"]["total"]["value"], hits=hits, facets=facets, query=body)
