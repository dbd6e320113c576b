"""German search behaviour against the real node: each case indexes its own small documents into a
fresh alias and searches through :func:`pressindex.search.search`.

The cases follow the kinds of the behaviour contract in the research notes (stemming, umlaut and ß
spellings, genitives of names, compound heads and modifiers, a phrase across a compound, names and
words that must not be split, März/Merz, two words against a closed compound, the plain word ranked
above the compound). The documents are written here, not taken from any corpus.

Measuring the built-in ``german`` analyzer on the same cases (a measurement, expected to fail many)::

    PRESSINDEX_TEST_ANALYZER=german uv run pytest tests/search/test_german_search.py -k case -q
"""

from __future__ import annotations

import copy
import dataclasses
import os
from dataclasses import dataclass

import pytest
from elasticsearch.helpers import bulk

from pressindex.index.indices import ensure_index, index_definition
from pressindex.languages import LANGUAGE_ANALYZERS, language_fields
from pressindex.model import Article
from pressindex.search import SearchFilters, build_query, parse_user_query, search

VARIANT = os.environ.get("PRESSINDEX_TEST_ANALYZER", "pressindex")


def builtin_german_definition() -> dict:
    """The project's definition with the built-in ``german`` analyzer on the text fields, no .decomp."""
    definition = copy.deepcopy(index_definition())
    props = definition["mappings"]["properties"]
    for name in ("title", "lead", "body", "subheadings"):
        props[name] = {
            "type": "text",
            "analyzer": "german",
            "fields": {"exact": {"type": "text", "analyzer": "german"}},
        }
    return definition


def _definition() -> dict | None:
    return builtin_german_definition() if VARIANT == "german" else None


def article(
    doc_id: str,
    body: str,
    *,
    title: str = "Kurzmeldung",
    published: str = "2024-05-02",
    language: str = "de",
    **extra,
) -> Article:
    return Article(
        id=doc_id,
        source_path=f"cases/{doc_id}.txt",
        title=title,
        body=body,
        published=published,
        language=language,
        **extra,
    )


def index_articles(
    es, alias: str, articles: list[Article], *, definition: dict | None = None, source: str | None = None
) -> None:
    """Index as the writer does: ``Article.to_source()`` plus the per-language copies."""
    ensure_index(es, alias, definition)
    actions = []
    for a in articles:
        src = a.to_source()
        src.update(language_fields(src))
        if source:
            src["source"] = source
        actions.append({"_index": alias, "_id": a.id, "_source": src})
    bulk(es, actions, refresh="wait_for")


# -- the German behaviour cases -----------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    query: str
    docs: dict[str, str]  # id → body text
    found: tuple[str, ...] = ()  # must be among the hits
    not_found: tuple[str, ...] = ()  # must not be
    order: tuple[str, ...] = ()  # these hits, in this order (others may follow)
    why: str = ""


MARCH = "Der Truppenaufmarsch an der Grenze geht weiter."
STOLTENBERG = "NATO-Generalsekretär Stoltenberg warnte vor einer Eskalation."
TARIFF = "Die Tarifverhandlungen scheitern in der dritten Runde."
UKRAINE = "Die ukrainischen Streitkräfte melden Erfolge im Osten."

CASES = [
    Case("compound_head", "Aufmarsch", {"a": MARCH}, found=("a",), why="head of a compound"),
    Case("compound_modifier_plural", "Truppen", {"a": MARCH}, found=("a",), why="modifier, plural"),
    Case(
        "compound_query_vs_words",
        "Truppenaufmarsch",
        {"split": "Der Aufmarsch der Truppen an der Grenze dauert an.", "whole": MARCH},
        found=("split", "whole"),
        order=("whole", "split"),
        why="a compound query finds its parts, below the compound itself",
    ),
    Case("genitive_query", "Russlands", {"a": "Russland verlegt Truppen an die Grenze."}, found=("a",)),
    Case("genitive_document", "Russland", {"a": "Russlands Präsident Putin droht dem Westen."}, found=("a",)),
    Case("country_adjective", "Ukraine", {"a": UKRAINE}, found=("a",), why="derivation ukrainisch → Ukraine"),
    Case("name_beside_hyphenated_compound", "Stoltenberg", {"a": STOLTENBERG}, found=("a",)),
    Case(
        "umlaut_and_sz_spelling",
        "Größte",
        {"a": "Es war die groesste Demonstration seit Jahren."},
        found=("a",),
    ),
    Case(
        "name_not_split",
        "Berg",
        {"name": STOLTENBERG, "word": "Der Berg ruft die Wanderer."},
        found=("word",),
        not_found=("name",),
        why="Stoltenberg must not contain Berg",
    ),
    Case("sz_vs_ss", "Straße", {"a": "Tausende Proteste auf der Strasse vor dem Rathaus."}, found=("a",)),
    Case("ue_vs_u_umlaut", "Müller", {"a": "Thomas Mueller trifft zum 1:0."}, found=("a",)),
    Case(
        "linking_s_modifier",
        "Flüchtlinge",
        {"a": "Die Flüchtlingskrise 2015 veränderte das Land."},
        found=("a",),
    ),
    Case("three_part_compound_head", "Wahl", {"a": "Die Bundestagswahl 2025 wird vorgezogen."}, found=("a",)),
    Case("head_after_bundes", "Regierung", {"a": "Die Bundesregierung beschließt das Paket."}, found=("a",)),
    Case("inflected_head", "Verhandlungen", {"a": TARIFF}, found=("a",)),
    Case(
        "no_false_split_lunge",
        "Lunge",
        {"tariff": TARIFF, "organ": "Die Lunge des Patienten ist entzündet."},
        found=("organ",),
        not_found=("tariff",),
    ),
    Case(
        "no_false_split_erfolge",
        "Folgen",
        {"success": UKRAINE, "consequence": "Die Folgen des Krieges sind schwer."},
        found=("consequence",),
        not_found=("success",),
    ),
    Case(
        "genitive_name_er",
        "Steinmeier",
        {"a": "Steinmeiers Rede zum 9. November bewegte viele."},
        found=("a",),
    ),
    Case(
        "genitive_name_j", "Selenskyj", {"a": "Selenskyjs Appell an den Westen blieb ungehört."}, found=("a",)
    ),
    Case("genitive_name_p", "Trump", {"a": "Trumps Zölle treffen Europa hart."}, found=("a",)),
    Case(
        "stopword_noun_weg", "Weg", {"a": "Der Weg zum Frieden ist lang."}, found=("a",), why="no stop list"
    ),
    Case(
        "phrase_across_compound",
        '"Aufmarsch an der Grenze"',
        {"a": MARCH, "scattered": "An der Grenze kein Aufmarsch, sagt die Regierung."},
        found=("a",),
        not_found=("scattered",),
    ),
    Case(
        "name_vs_month_merz",
        "Merz",
        {"month": "Die Wahl findet im März 2025 statt.", "name": "Friedrich Merz sagte am Abend ab."},
        found=("name",),
        not_found=("month",),
    ),
    Case(
        "month_vs_name_maerz",
        "März",
        {"month": "Die Wahl findet im März 2025 statt.", "name": "Friedrich Merz sagte am Abend ab."},
        found=("month",),
        not_found=("name",),
    ),
    Case(
        "two_words_vs_closed_compound",
        "Corona Pandemie",
        {"a": "Die Coronapandemie hat Folgen für alle."},
        found=("a",),
    ),
    Case("foreign_diacritics", "Erdoğan", {"a": "Erdogan droht der EU mit Konsequenzen."}, found=("a",)),
    Case(
        "plain_word_above_compound",
        "Wahl",
        {"compound": "Die Bundestagswahl ist entschieden.", "plain": "Die Wahl ist entschieden."},
        found=("compound", "plain"),
        order=("plain", "compound"),
        why="the word itself ranks above the word inside a compound",
    ),
    Case(
        "head_after_adverb_modifier",
        "Ministerin",
        {"a": "Die Außenministerin reist nach Kiew."},
        found=("a",),
    ),
    Case(
        "head_starting_with_s",
        "Sanktionen",
        {"a": "Neue Russlandsanktionen wurden beschlossen."},
        found=("a",),
    ),
    Case(
        "linking_s_before_s_head",
        "Sekretär",
        {"a": "Der Generalsekretär der Partei tritt zurück."},
        found=("a",),
    ),
    Case(
        "plural_and_dative",
        "Erfolg",
        {"a": "Mit den Erfolgen der Mannschaft wächst der Druck."},
        found=("a",),
    ),
    Case("head_minister", "Minister", {"a": "Der Außenminister reist nach Paris."}, found=("a",)),
    Case(
        "adjective_not_split",
        "Tisch",
        {"adjective": "Die politische Lage bleibt ernst.", "noun": "Der Tisch ist gedeckt."},
        found=("noun",),
        not_found=("adjective",),
        why="politische must not contain Tische",
    ),
    Case(
        "adverb_not_split",
        "Ding",
        {"adverb": "Das ist allerdings falsch.", "noun": "Ein Ding der Unmöglichkeit."},
        found=("noun",),
        not_found=("adverb",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(es, alias, case: Case):
    articles = [article(f"{case.id}-{key}", text) for key, text in case.docs.items()]
    index_articles(es, alias, articles, definition=_definition())
    result = search(es, alias, case.query, size=20)
    ids = [h["id"][len(case.id) + 1 :] for h in result.hits]
    for key in case.found:
        assert key in ids, f"{case.query!r} should find {case.docs[key]!r} ({case.why}); hits: {ids}"
    for key in case.not_found:
        assert key not in ids, f"{case.query!r} should not find {case.docs[key]!r} ({case.why})"
    if case.order:
        ranked = [i for i in ids if i in case.order]
        assert ranked == list(case.order), f"{case.query!r}: expected {case.order}, got {ids} ({case.why})"


# The cases that stand for T01–T25 of the research notes' behaviour contract (§6); the others go beyond it.
CONTRACT = {
    "T01": "compound_head",
    "T02": "compound_modifier_plural",
    "T03": "compound_query_vs_words",
    "T04": "genitive_query",
    "T05": "genitive_document",
    "T06": "country_adjective",
    "T07": "name_beside_hyphenated_compound",
    "T08": "umlaut_and_sz_spelling",
    "T09": "name_not_split",
    "T10": "sz_vs_ss",
    "T11": "ue_vs_u_umlaut",
    "T12": "linking_s_modifier",
    "T13": "three_part_compound_head",
    "T14": "head_after_bundes",
    "T15": "inflected_head",
    "T16": "no_false_split_lunge",
    "T17": "no_false_split_erfolge",
    "T18": "genitive_name_er",
    "T19": "genitive_name_j",
    "T20": "genitive_name_p",
    "T21": "stopword_noun_weg",
    "T22": "phrase_across_compound",
    "T23": "name_vs_month_merz",
    "T24": "two_words_vs_closed_compound",
    "T25": "foreign_diacritics",
}


def test_there_are_at_least_25_cases():
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)
    assert set(CONTRACT.values()) <= {c.id for c in CASES}


# -- the search syntax and result features ------------------------------------------------------

own_chain_only = pytest.mark.skipif(VARIANT != "pressindex", reason="measuring the built-in analyzer only")


@pytest.fixture
def newsroom(es, alias):
    docs = [
        article(
            "kiew-1",
            "Selenskyj besucht Kiew nach dem Angriff.",
            title="Besuch in Kiew",
            published="2024-03-10",
            agencies=("dpa",),
            regional_services=("lni",),
            dateline="Kiew",
        ),
        article(
            "kyjiw-1",
            "In Kyjiw war es eine laute Nacht.",
            title="Sirenen in Kyjiw",
            published="2024-04-02",
            agencies=("AFP",),
            dateline="Kyjiw",
        ),
        article(
            "alarm-1",
            "Die Sirenen blieben in Kyjiw stumm.",
            title="Ruhige Nacht",
            published="2024-04-02",
            agencies=("AFP",),
            dateline="Kyjiw",
        ),
        article(
            "lead-1",
            "Die Lage blieb ruhig.",
            title="Nacht in Kyjiw",
            lead="Sirenen warnten vor Drohnen.",
            published="2024-04-02",
            agencies=("AFP",),
            dateline="Kyjiw",
        ),
        article(
            "wahl-old",
            "Die Wahl in Thüringen ist entschieden.",
            title="Landtag",
            published="2019-10-27",
            agencies=("dpa",),
            regional_services=("lth",),
            dateline="Erfurt",
        ),
        article(
            "wahl-new",
            "Die Wahl in Thüringen ist entschieden.",
            title="Landtag",
            published="2024-09-01T20:30:00",
            agencies=("dpa",),
            regional_services=("lth",),
            dateline="Erfurt",
        ),
        article(
            "en-1",
            "The elections in Thuringia were won by a wide margin.",
            title="Thuringia votes",
            published="2024-09-02",
            language="en",
            agencies=("Reuters",),
            dateline="Berlin",
        ),
        article(
            "march-1",
            "Der Truppenaufmarsch an der Grenze geht weiter.",
            title="Truppen an der Grenze",
            published="2024-02-29T23:30:00+00:00",
            agencies=("dpa",),
            dateline="Moskau",
        ),
    ]
    # every document has a lead, as wire stories do (a lone lead would get a tiny IDF)
    docs = [d if d.lead else dataclasses.replace(d, lead="Kurz gemeldet.") for d in docs]
    index_articles(es, alias, docs, source="newsroom")
    return alias


def _ids(result):
    return [h["id"] for h in result.hits]


@own_chain_only
def test_or_and_exclusion(es, newsroom):
    assert set(_ids(search(es, newsroom, "Kiew OR Kyjiw"))) == {"kiew-1", "kyjiw-1", "alarm-1", "lead-1"}
    assert set(_ids(search(es, newsroom, "Kiew OR Kyjiw -Sirenen"))) == {"kiew-1"}
    assert set(_ids(search(es, newsroom, "Kiew OR Kyjiw -Drohnen"))) == {"kiew-1", "kyjiw-1", "alarm-1"}
    assert _ids(search(es, newsroom, 'Thüringen -"Wahl in Thüringen"')) == []


@own_chain_only
def test_quoted_phrase_uses_exact_words(es, newsroom):
    assert set(_ids(search(es, newsroom, '"Wahl in Thüringen"'))) == {"wahl-old", "wahl-new"}
    assert _ids(search(es, newsroom, '"Thüringen Wahl"')) == []  # the words in this order, side by side
    assert set(_ids(search(es, newsroom, "Wahlen"))) == {"wahl-old", "wahl-new"}
    assert _ids(search(es, newsroom, '"Wahlen"')) == []  # a quoted word is taken as written


@own_chain_only
def test_title_outweighs_body_and_recency_breaks_ties(es, newsroom):
    assert _ids(search(es, newsroom, "Sirenen")) == ["kyjiw-1", "lead-1", "alarm-1"]  # title, lead, body
    assert _ids(search(es, newsroom, "Wahl Thüringen"))[:2] == ["wahl-new", "wahl-old"]


@own_chain_only
def test_highlight_marks_the_compound(es, newsroom):
    hit = search(es, newsroom, "Aufmarsch").hits[0]
    assert "«Truppenaufmarsch»" in " ".join(hit["highlight"]["body"])


@own_chain_only
def test_english_document_is_analysed_as_english(es, newsroom):
    result = search(es, newsroom, "voting")  # English stems voting/votes alike, German does not
    assert _ids(result) == ["en-1"]
    assert result.facets["language"] == {"en": 1}


@own_chain_only
def test_facets_and_filters(es, newsroom):
    result = search(es, newsroom, "")
    assert result.total == 8
    assert result.facets["agency"]["dpa"] == 4
    assert result.facets["regional_service"] == {"lth": 2, "lni": 1}
    assert result.facets["source"] == {"newsroom": 8}
    # 2024-02-29T23:30Z is already March in Berlin
    assert result.facets["month"]["2024-03"] == 2
    assert set(_ids(search(es, newsroom, "", SearchFilters(month="2024-03")))) == {"march-1", "kiew-1"}
    assert _ids(search(es, newsroom, "", SearchFilters(agency="DPA", regional_service="LNI"))) == ["kiew-1"]
    assert set(_ids(search(es, newsroom, "", SearchFilters(dateline="erfurt")))) == {"wahl-old", "wahl-new"}
    assert _ids(search(es, newsroom, "", SearchFilters(language="EN"))) == ["en-1"]
    assert search(es, newsroom, "", SearchFilters(source="Newsroom")).total == 8
    assert search(es, newsroom, "", SearchFilters(date_from="2024-09-01", date_to="2024-09-30")).total == 2


@own_chain_only
def test_pagination(es, newsroom):
    first = _ids(search(es, newsroom, "", size=4, page=1))
    second = _ids(search(es, newsroom, "", size=4, page=2))
    assert len(first) == 4 and len(second) == 4
    assert not set(first) & set(second)


def test_user_syntax_parses_phrases_negations_and_or():
    groups = parse_user_query('Merkel "große Koalition" -SPD -"rote Linie" Kiew OR Kyjiw')
    assert [[(u.text, u.quoted, u.negated) for u in g] for g in groups] == [
        [("Merkel", False, False)],
        [("große Koalition", True, False)],
        [("SPD", False, True)],
        [("rote Linie", True, True)],
        [("Kiew", False, False), ("Kyjiw", False, False)],
    ]
    body = build_query("Wahl", SearchFilters())
    assert body["query"]["bool"]["should"][0]["distance_feature"]["field"] == "published"


TWIN_WORDS = [
    "Größte",
    "groesste",
    "Straße",
    "Strasse",
    "Müller",
    "Mueller",
    "Steuer",
    "Quelle",
    "Frauen",
    "Israel",
    "Erdoğan",
    "Łódź",
    "Øresund",
    "Ukraine",
    "ukrainischen",
    "Regierungen",
    "Kanzlerin",
    "Steinmeier",
    "Bücher",
    "Häusern",
    "Wasser",
    "Gebäude",
    "Russlands",
    "Trumps",
    "Zölle",
    "schönsten",
    "Bürgern",
]


def test_python_twins_agree_with_the_node(es):
    """The stemmer overrides are written with pressindex.index.german; it must match Lucene exactly."""
    from pressindex.index.german import light_stem, normalize

    def node(filters):
        resp = es.indices.analyze(tokenizer="standard", filter=filters, text=" ".join(TWIN_WORDS))
        return [t["token"] for t in resp["tokens"]]

    folded = node(["lowercase", "german_normalization", "asciifolding"])
    assert folded == [normalize(w) for w in TWIN_WORDS]
    stemmed = node(
        ["lowercase", "german_normalization", "asciifolding", {"type": "stemmer", "language": "light_german"}]
    )
    assert stemmed == [light_stem(normalize(w)) for w in TWIN_WORDS]


def test_committed_analysis_data_is_what_the_build_makes(tmp_path):
    """Rebuilding from the pinned packages gives the committed bytes (needs the analysis-data group)."""
    pytest.importorskip("pyphen", reason="uv sync --group analysis-data")
    pytest.importorskip("wordfreq", reason="uv sync --group analysis-data")
    from pressindex.index import analysis_data
    from pressindex.project import mappings_dir

    analysis_data.build(tmp_path)
    for name in (
        analysis_data.HYPHENATION_FILE,
        analysis_data.WORD_LIST_FILE,
        analysis_data.STEM_OVERRIDE_FILE,
    ):
        assert (tmp_path / name).read_bytes() == (mappings_dir() / "analysis" / name).read_bytes(), name


def test_language_sub_fields_match_the_mapping():
    props = index_definition()["mappings"]["properties"]
    for field in ("title", "lead", "body"):
        mapped = props[f"{field}_lang"]["properties"]
        assert {code: f["analyzer"] for code, f in mapped.items()} == LANGUAGE_ANALYZERS
