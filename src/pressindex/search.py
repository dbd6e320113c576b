"""Full-text search with facets: the library function behind ``pressindex search``.

User syntax: words are ANDed, ``"quoted words"`` form a phrase (a quoted single word is taken
as written, unstemmed), ``-word`` and ``-"a phrase"`` exclude, ``a OR b`` accepts either.
Each word is looked for in

1. the stemmed fields (``title`` ^3, ``lead`` ^2, ``body``, and the per-language copies),
2. the compound sub-fields ``*.decomp`` with a lower weight: ``Wahl`` finds ``Bundestagswahl``
   there, but a document that says ``Wahl`` itself matches (1) as well and ranks higher;
3. when the word is a compound itself (``Truppenaufmarsch``), all of its parts in the compound
   sub-fields, with a still lower weight: it then finds "Aufmarsch der Truppen". The parts come
   from the index's own decompounding analyzer (one ``_analyze`` call per compound-looking word).

A phrase is matched in the ``.exact`` sub-fields (no stemming) and, with a lower weight, across
compounds in ``.decomp`` ("Aufmarsch an der Grenze" finds "Truppenaufmarsch an der Grenze");
as ``.decomp`` is stemmed, that second way also accepts other inflections of the words.
Recency breaks ties: a small ``distance_feature`` boost on ``published`` and, for equal
scores, the newer document first.

Stories: hits are collapsed on ``story_id`` (one hit per story, the best-scoring copy; the other
copies that match come as ``other_copies``, and ``copies`` counts them), and the number of stories
(``cardinality`` of ``story_id``) comes beside the number of documents. ``collapse=False`` lists
every copy. Documents from before story clusters have no ``story_id``; Elasticsearch would collapse
them all into one hit, so a search that matches any of them is answered without collapsing
(``pressindex stories rebuild`` gives them their stories).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from elasticsearch import ApiError, BadRequestError, Elasticsearch

TIME_ZONE = "Europe/Berlin"
FACETS = {
    "agency": {"terms": {"field": "agencies", "size": 20}},
    "regional_service": {"terms": {"field": "regional_services", "size": 20}},
    "dateline": {"terms": {"field": "dateline", "size": 20}},
    "language": {"terms": {"field": "language", "size": 20}},
    "source": {"terms": {"field": "source", "size": 20}},
    # wire copy (IPTC 7901, ANPA 1312); plain text files have format "text" and none of the rest
    "format": {"terms": {"field": "format", "size": 10}},
    "wire_service": {"terms": {"field": "wire_service", "size": 20}},
    "urgency": {"terms": {"field": "urgency", "size": 10, "order": {"_key": "asc"}}},
    "category": {"terms": {"field": "category_name", "size": 20}},
    "genre": {"terms": {"field": "genre", "size": 20}},
    "correction": {"terms": {"field": "is_correction", "size": 2}},
    "month": {
        "date_histogram": {
            "field": "published",
            "calendar_interval": "month",
            "time_zone": TIME_ZONE,
            "format": "yyyy-MM",
            "min_doc_count": 1,
        }
    },
}
# Title weighs more than lead, lead more than body.
STEMMED_FIELDS = [
    "title^3",
    "lead^2",
    "body",
    "subheadings",
    "title_lang.*^3",
    "lead_lang.*^2",
    "body_lang.*",
]
DECOMP_FIELDS = ["title.decomp^3", "lead.decomp^2", "body.decomp"]
EXACT_FIELDS = ["title.exact^3", "lead.exact^2", "body.exact"]
LANG_FIELDS = ["title_lang.*^3", "lead_lang.*^2", "body_lang.*"]
DECOMP_WEIGHT = 0.4  # a word found only inside a compound
SPLIT_WEIGHT = 0.25  # a compound query word found as its separate parts
RECENCY = {"pivot": "30d", "boost": 0.3}
DECOMPOUND_ANALYZER = "de_decompound"
HIGHLIGHTED = ("title", "lead", "body")
MAX_WINDOW = 10_000  # from + size, Elasticsearch's index.max_result_window
STORY_FIELD = "story_id"
STORY_INTERNALS = ("story_bands", "story_features")  # for clustering only: not sent with hits
OTHER_COPIES = 5  # copies shown under a collapsed hit (all are counted)
COPY_SOURCE = ["title", "agencies", "dateline", "published", "source_path"]
# the number of stories, and whether any match lacks a story (then the answer is not collapsed)
STORY_AGGS = {
    "stories": {"cardinality": {"field": STORY_FIELD}},
    "without_story": {"missing": {"field": STORY_FIELD}},
}


@dataclass(frozen=True)
class SearchFilters:
    """Facet values to filter on; text values are compared normalised (case, umlauts, accents)."""

    agency: str | None = None
    language: str | None = None
    dateline: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    regional_service: str | None = None
    source: str | None = None
    month: str | None = None  # "2021-04", a month in Europe/Berlin time
    format: str | None = None  # "iptc7901" | "anpa1312" | "text"
    wire_service: str | None = None  # "bdt", "nsb", …
    urgency: int | None = None  # at most this number (1 highest): 2 finds Blitz and Eil
    category: str | None = None  # the ressort code as sent ("pl") or its name ("Politik")
    genre: str | None = None
    corrections_only: bool = False

    def clauses(self) -> list[dict]:
        out: list[dict] = []
        for value, path in (
            (self.format, "format"),
            (self.wire_service, "wire_service"),
            (self.genre, "genre"),
        ):
            if value:
                # these are keywords as sent (no .norm sub-field): --genre zusammenfassung, --wire-service BDT
                out.append({"term": {path: {"value": value, "case_insensitive": True}}})
        if self.urgency is not None:
            out.append({"range": {"urgency": {"lte": self.urgency}}})
        if self.category:
            out.append(
                {
                    "bool": {
                        "should": [
                            {"term": {"category": {"value": self.category, "case_insensitive": True}}},
                            {"term": {"category_name": {"value": self.category, "case_insensitive": True}}},
                        ],
                        "minimum_should_match": 1,
                    }
                }
            )
        if self.corrections_only:
            out.append({"term": {"is_correction": True}})
        for value, path in (
            (self.agency, "agencies.norm"),
            (self.language, "language.norm"),
            (self.dateline, "dateline.norm"),
            (self.regional_service, "regional_services.norm"),
            (self.source, "source.norm"),
        ):
            if value:
                out.append({"term": {path: value}})
        if self.date_from or self.date_to:
            rng = {k: v for k, v in (("gte", self.date_from), ("lte", self.date_to)) if v}
            out.append({"range": {"published": {**rng, "time_zone": TIME_ZONE}}})
        if self.month:
            out.append(
                {
                    "range": {
                        "published": {
                            "gte": f"{self.month}||/M",
                            "lt": f"{self.month}||+1M/M",
                            "format": "yyyy-MM",
                            "time_zone": TIME_ZONE,
                        }
                    }
                }
            )
        return out


@dataclass
class SearchResult:
    total: int
    hits: list[dict]
    facets: dict[str, dict[str, int]]
    query: dict = field(default_factory=dict)
    stories: int | None = None  # distinct stories among the matches (approximate past 3,000)
    collapsed: bool = False  # one hit per story

    def as_dict(self) -> dict:
        return {
            "total": self.total, "stories": self.stories, "collapsed": self.collapsed, "hits": self.hits,
            "facets": self.facets,
        }  # fmt: skip


# -- user syntax --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One word or quoted phrase of the user's query."""

    text: str
    quoted: bool = False
    negated: bool = False


_TOKEN = re.compile(r'(-?)"([^"]*)("?)|(\S+)')


def parse_user_query(text: str) -> list[list[Unit]]:
    """Split user syntax into AND-ed groups of OR-ed units; negated units form groups of their own.

    ``Merkel "große Koalition" -SPD Kiew OR Kyjiw`` →
    ``[[Merkel], ["große Koalition"], [-SPD], [Kiew, Kyjiw]]``
    """
    groups: list[list[Unit]] = []
    pending_or = False
    for m in _TOKEN.finditer(text):
        if m.group(4) is not None:
            word = m.group(4)
            if word in ("OR", "|"):
                pending_or = bool(groups)
                continue
            negated = word.startswith("-") and len(word) > 1
            word = word[1:] if negated else word
            unit = Unit(word, quoted=False, negated=negated)
        else:
            words = m.group(2).strip()
            if not words:
                continue
            unit = Unit(words, quoted=True, negated=bool(m.group(1)))
        if pending_or and not unit.negated and groups and not groups[-1][0].negated:
            groups[-1].append(unit)
        else:
            groups.append([unit])
        pending_or = False
    return groups


# -- query building -----------------------------------------------------------------------------


def compound_parts(es: Elasticsearch, index: str, word: str) -> list[str]:
    """The indexed parts of ``word`` when it is a compound (``truppenaufmarsch`` → ``trupp``, ``aufmarsch``).

    One term per position: a position whose token was split gives its parts, any other its token.
    Empty when nothing was split, or when the index has no decompounding analyzer (an old version).
    """
    if len(word) < 5 or not any(c.isalpha() for c in word):
        return []
    try:
        resp = es.indices.analyze(index=index, analyzer=DECOMPOUND_ANALYZER, text=word)
    except ApiError:
        return []
    by_position: dict[int, list[str]] = {}
    for token in resp.get("tokens", []):
        by_position.setdefault(token["position"], []).append(token["token"])
    if not any(len(tokens) > 1 for tokens in by_position.values()):
        return []
    parts: list[str] = []
    for _, tokens in sorted(by_position.items()):
        parts.extend(tokens[1:] if len(tokens) > 1 else tokens)
    return list(dict.fromkeys(parts))


def _any_decomp_field(term: str) -> dict:
    return {
        "dis_max": {
            "queries": [
                {"term": {name.split("^")[0]: {"value": term, "boost": _weight(name)}}}
                for name in DECOMP_FIELDS
            ]
        }
    }


def _weight(name: str) -> float:
    return float(name.split("^")[1]) if "^" in name else 1.0


def word_clause(word: str, parts: list[str]) -> dict:
    should: list[dict] = [
        {"multi_match": {"query": word, "fields": STEMMED_FIELDS, "operator": "and"}},
        {"multi_match": {"query": word, "fields": DECOMP_FIELDS, "operator": "and", "boost": DECOMP_WEIGHT}},
    ]
    if parts:
        should.append({"bool": {"must": [_any_decomp_field(p) for p in parts], "boost": SPLIT_WEIGHT}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def phrase_clause(phrase: str) -> dict:
    """Quoted text: these words in this order, unstemmed; several words may also run across compounds."""
    should: list[dict] = [
        {"multi_match": {"query": phrase, "type": "phrase", "fields": EXACT_FIELDS}},
        {"multi_match": {"query": phrase, "type": "phrase", "fields": LANG_FIELDS}},
    ]
    if len(phrase.split()) > 1:
        should.append(
            {
                "multi_match": {
                    "query": phrase,
                    "type": "phrase",
                    "fields": DECOMP_FIELDS,
                    "boost": DECOMP_WEIGHT,
                }
            }
        )
    return {"bool": {"should": should, "minimum_should_match": 1}}


def text_query(groups: list[list[Unit]], parts_of=lambda word: []) -> dict:
    """The bool query for parsed user syntax; ``parts_of(word)`` supplies a compound's parts."""
    must: list[dict] = []
    must_not: list[dict] = []
    for group in groups:
        clauses = []
        for unit in group:
            if unit.quoted:
                clauses.append(phrase_clause(unit.text))
            else:
                clauses.append(word_clause(unit.text, [] if unit.negated else parts_of(unit.text)))
        if group[0].negated:
            must_not.extend(clauses)
        elif len(clauses) == 1:
            must.append(clauses[0])
        else:
            must.append({"bool": {"should": clauses, "minimum_should_match": 1}})
    return {"must": must, "must_not": must_not}


def build_query(
    text: str,
    filters: SearchFilters,
    *,
    page: int = 1,
    size: int = 10,
    parts_of=lambda word: [],
    collapse: bool = True,
) -> dict:
    """The search request body (query, facets, highlight, page) for ``text`` in user syntax;
    ``collapse``: one hit per story, with the other copies that match as inner hits."""
    size = max(1, min(size, 100))
    start = (max(page, 1) - 1) * size
    if start + size > MAX_WINDOW:
        start = max(0, MAX_WINDOW - size)
    parts = text_query(parse_user_query(text), parts_of)
    bool_query: dict = {
        "must": parts["must"] or [{"match_all": {}}],
        "filter": filters.clauses(),
    }
    if parts["must_not"]:
        bool_query["must_not"] = parts["must_not"]
    if parts["must"]:
        bool_query["should"] = [{"distance_feature": {"field": "published", "origin": "now", **RECENCY}}]
    fields = {}
    for name in HIGHLIGHTED:
        for sub in (name, f"{name}.exact", f"{name}.decomp", f"{name}_lang.*"):
            fields[sub] = {"number_of_fragments": 0 if name == "title" else 2, "fragment_size": 160}
    return {
        "query": {"bool": bool_query},
        "aggs": FACETS,
        "highlight": {"fields": fields, "pre_tags": ["«"], "post_tags": ["»"]},
        "sort": ["_score", {"published": {"order": "desc", "missing": "_last"}}],
        "track_scores": True,
        "_source": {
            "excludes": ["body", "body_lang", "lead_lang", "title_lang", "footer_lines", *STORY_INTERNALS]
        },
        "from": start,
        "size": size,
        "track_total_hits": True,
        **({"collapse": _collapse()} if collapse else {}),
    }


def _collapse() -> dict:
    copies = {
        "name": "copies",
        "size": OTHER_COPIES + 1,  # the hit itself is among them
        "sort": [{"published": {"order": "asc", "missing": "_last"}}],
        "_source": COPY_SOURCE,
    }
    return {"field": STORY_FIELD, "inner_hits": copies}


def _other_copies(hit: dict) -> tuple[int, list[dict]]:
    """How many other copies of the hit's story match, and the first few of them."""
    inner = hit.get("inner_hits", {}).get("copies")
    if not inner:
        return 0, []
    others = [
        {"id": h["_id"], **{k: h["_source"].get(k) for k in COPY_SOURCE}}
        for h in inner["hits"]["hits"]
        if h["_id"] != hit["_id"]
    ]
    return inner["hits"]["total"]["value"] - 1, others[:OTHER_COPIES]


def _merge_highlight(raw: dict) -> dict[str, list[str]]:
    """One list of fragments per field: stemmed first, then exact, compound and language sub-fields."""
    out: dict[str, list[str]] = {}
    for name in HIGHLIGHTED:
        candidates = [
            name,
            f"{name}.exact",
            f"{name}.decomp",
            *sorted(k for k in raw if k.startswith(f"{name}_lang.")),
        ]
        for key in candidates:
            if raw.get(key):
                out[name] = raw[key]
                break
    return out


def search(
    es: Elasticsearch,
    index: str,
    text: str,
    filters: SearchFilters | None = None,
    *,
    page: int = 1,
    size: int = 10,
    collapse: bool = True,
) -> SearchResult:
    """Search ``index`` (an alias) with user syntax; hits carry merged highlight fragments; one
    hit per story unless ``collapse`` is false (see the module).

    Through the alias (not its concrete index), documents under embargo, withdrawal notices and
    withdrawn stories are not found: the alias's filter (``search_filter`` in ``press.json``)."""
    cache: dict[str, list[str]] = {}

    def parts_of(word: str) -> list[str]:
        if word not in cache:
            cache[word] = compound_parts(es, index, word)
        return cache[word]

    body = build_query(
        text, filters or SearchFilters(), page=page, size=size, parts_of=parts_of, collapse=collapse
    )
    body["aggs"] = {**body["aggs"], **STORY_AGGS}
    try:
        resp = es.search(index=index, **body)
    except BadRequestError as exc:
        if "collapse" not in body or "story_id" not in str(exc):
            raise
        # an index made before story clusters has no story_id field: every copy is a hit of its own
        body.pop("collapse")
        resp = es.search(index=index, **body)
    if "collapse" in body and resp["aggregations"]["without_story"]["doc_count"]:
        body.pop("collapse")  # documents without a story would all fall into one hit
        resp = es.search(index=index, **body)
    aggregations = resp["aggregations"]
    stories = aggregations.pop("stories")["value"]
    aggregations.pop("without_story")
    hits = []
    for hit in resp["hits"]["hits"]:
        src = hit["_source"]
        hits.append(
            {
                "id": hit["_id"],
                "source_path": src.get("source_path"),
                "title": src.get("title"),
                "score": hit["_score"],
                "highlight": _merge_highlight(hit.get("highlight", {})),
                "published": src.get("published"),
                "agencies": src.get("agencies", []),
                "regional_services": src.get("regional_services", []),
                "dateline": src.get("dateline"),
                "language": src.get("language"),
                "source": src.get("source"),
                "dpa_id": src.get("dpa_id"),
                "format": src.get("format"),
                "wire_service": src.get("wire_service"),
                "urgency": src.get("urgency"),
                "category": src.get("category"),
                "category_name": src.get("category_name"),
                "genre": src.get("genre"),
                "is_correction": src.get("is_correction"),
                "correction": src.get("correction"),
                "story_id": src.get(STORY_FIELD),
            }
        )
        if "collapse" in body:
            hits[-1]["copies"], hits[-1]["other_copies"] = _other_copies(hit)
    facets = {
        name: {str(b.get("key_as_string", b["key"])): b["doc_count"] for b in agg["buckets"]}
        for name, agg in aggregations.items()
    }
    return SearchResult(
        total=resp["hits"]["total"]["value"], hits=hits, facets=facets, query=body, stories=stories,
        collapsed="collapse" in body,
    )  # fmt: skip
