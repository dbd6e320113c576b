"""The pressindex-analysis plugin behaves like Elasticsearch's analysis-common and rest-root modules.

Every expectation here is what a stock Elasticsearch 8.19 answers to the same request, so the same
index settings work on the local node (plugin) and on a stock node (analysis-common). They run against
the running local node (fixture ``es``); tests that put word lists and hyphenation patterns into the
node's config dir skip when that dir is not on this machine.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from elasticsearch import BadRequestError, Elasticsearch

from pressindex.errors import LocalNodeError
from pressindex.localnode.plugin_build import PLUGIN_NAME, build_plugin, elasticsearch_version

# A pattern file in the OFFO/FOP format Lucene reads, reduced to one rule: hyphenate between "n" and "a".
# In "truppenaufmarsch" that gives the single hyphenation point truppen|aufmarsch.
HYPHENATION_PATTERNS = """<?xml version="1.0" encoding="utf-8"?>
<hyphenation-info>
<hyphen-char value="-"/>
<hyphen-min before="2" after="2"/>
<classes>
aAäÄ
bB
cC
dD
eE
fF
gG
hH
iI
jJ
kK
lL
mM
nN
oOöÖ
pP
qQ
rR
sSß
tT
uUüÜ
vV
wW
xX
yY
zZ
</classes>
<patterns>
n1a
</patterns>
</hyphenation-info>
"""


# ----------------------------------------------------------------------------- helpers


def analyze(es: Elasticsearch, text: str, **request) -> list[dict]:
    """Tokens of ``_analyze`` (index-less unless ``index=`` is given)."""
    return es.indices.analyze(text=text, **request)["tokens"]


def terms(es: Elasticsearch, text: str, **request) -> list[str]:
    return [token["token"] for token in analyze(es, text, **request)]


def chain(*filters) -> dict:
    """An inline analysis chain: standard tokenizer, lowercase, then ``filters``."""
    return {"tokenizer": "standard", "filter": ["lowercase", *filters]}


@pytest.fixture
def create_index(es: Elasticsearch) -> Iterator:
    """Creates indices with the given settings/mappings and deletes them afterwards."""
    created: list[str] = []

    def create(settings: dict, mappings: dict | None = None) -> str:
        name = f"pressindex-test-analysis-{uuid.uuid4().hex[:12]}"
        es.indices.create(index=name, settings={"number_of_replicas": 0, **settings}, mappings=mappings)
        created.append(name)
        return name

    yield create
    for name in created:
        es.indices.delete(index=name, ignore_unavailable=True)


@dataclass
class NodeConfigFiles:
    """Files written into a fresh directory under the node's config dir, named as the node sees them."""

    config_dir: Path
    directory: Path

    def write(self, name: str, content: str) -> str:
        path = self.directory / name
        path.write_text(content, encoding="utf-8")
        path.chmod(0o644)  # the node runs as its own user
        return path.relative_to(self.config_dir).as_posix()


def _local_node(es: Elasticsearch) -> dict:
    nodes = es.nodes.info(node_id="_local", metric="settings,process")["nodes"]
    return next(iter(nodes.values()))


def _config_dir_candidates(node: dict) -> list[Path]:
    candidates = []
    # ES_PATH_CONF, when the node was started with it, is only visible in the process environment
    try:
        environ = Path(f"/proc/{node['process']['id']}/environ").read_bytes().split(b"\0")
    except (OSError, KeyError):
        environ = []
    candidates.extend(
        Path(os.fsdecode(e.split(b"=", 1)[1])) for e in environ if e.startswith(b"ES_PATH_CONF=")
    )
    candidates.append(Path(node["settings"]["path"]["home"]) / "config")
    return candidates


@pytest.fixture
def node_config_files(es: Elasticsearch) -> Iterator[NodeConfigFiles]:
    node = _local_node(es)
    for config_dir in _config_dir_candidates(node):
        if not (config_dir / "elasticsearch.yml").is_file():
            continue
        directory = config_dir / f"pressindex-test-{uuid.uuid4().hex[:12]}"
        try:
            directory.mkdir(mode=0o755)
        except OSError:
            continue
        directory.chmod(0o755)
        files = NodeConfigFiles(config_dir, directory)
        # prove that this is the node's config dir: the node must resolve a relative *_path to our file
        probe = files.write("probe.txt", "pressindexprobe\n")
        try:
            found = terms(
                es,
                "pressindexprobe",
                tokenizer="keyword",
                filter=[{"type": "keyword_marker", "keywords_path": probe}],
            )
        except BadRequestError:
            found = []
        if found == ["pressindexprobe"]:
            try:
                yield files
            finally:
                shutil.rmtree(directory, ignore_errors=True)
            return
        shutil.rmtree(directory, ignore_errors=True)
    pytest.skip("the node's config dir is not writable from here (node not local?)")


# ----------------------------------------------------------------------------- GET / (rest-root)


def test_info_answers_like_rest_root(es: Elasticsearch):
    info = es.info()
    assert info["tagline"] == "You Know, for Search"
    assert info["name"] and info["cluster_name"] and info["cluster_uuid"] != "_na_"
    version = info["version"]
    assert version["number"].startswith("8.")
    assert version["build_flavor"] == "default"
    assert version["lucene_version"].count(".") == 2
    for key in (
        "build_type",
        "build_hash",
        "build_date",
        "build_snapshot",
        "minimum_wire_compatibility_version",
        "minimum_index_compatibility_version",
    ):
        assert key in version


def test_ping_succeeds(es: Elasticsearch):
    assert es.ping() is True


# ----------------------------------------------------------------------------- normalizing filters


def test_german_normalization_makes_spelling_variants_one_term(es: Elasticsearch):
    assert terms(es, "Größte groesste Straße Müller", **chain("german_normalization")) == [
        "grosste",
        "grosste",
        "strasse",
        "muller",
    ]


def test_asciifolding_folds_diacritics(es: Elasticsearch):
    assert terms(es, "Erdoğan Ñandú", **chain("asciifolding")) == ["erdogan", "nandu"]


def test_asciifolding_preserve_original_stacks_the_original(es: Elasticsearch):
    tokens = analyze(es, "Erdoğan", **chain({"type": "asciifolding", "preserve_original": True}))
    assert [(t["token"], t["position"]) for t in tokens] == [("erdogan", 0), ("erdoğan", 0)]


def test_elision_removes_configured_articles(es: Elasticsearch):
    elision = {"type": "elision", "articles": ["l", "d"]}
    assert terms(es, "l'avion d'Orsay", **chain(elision)) == ["avion", "orsay"]
    # articles_case: the articles match case-insensitively (here without a lowercase filter first)
    case_insensitive = {"type": "elision", "articles": ["l"], "articles_case": True}
    assert terms(es, "L'Avion", tokenizer="standard", filter=[case_insensitive]) == ["Avion"]


def test_elision_requires_articles(es: Elasticsearch):
    with pytest.raises(BadRequestError, match="articles"):
        terms(es, "x", **chain({"type": "elision"}))


def test_trim_and_length(es: Elasticsearch):
    assert terms(es, "  padded  ", tokenizer="keyword", filter=["trim"]) == ["padded"]
    assert terms(es, "a bb ccc dddd", **chain({"type": "length", "min": 2, "max": 3})) == ["bb", "ccc"]


def test_lowercase_with_language(es: Elasticsearch):
    turkish = {"type": "lowercase", "language": "turkish"}
    assert terms(es, "İSTANBUL", tokenizer="standard", filter=[turkish]) == ["istanbul"]


# ----------------------------------------------------------------------------- stemming


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("light_german", "Häuser Bücher Zeitungen", ["haus", "buch", "zeitung"]),
        ("german", "Häuser Bücher Zeitungen", ["haus", "buch", "zeitung"]),
        ("german2", "Haeuser", ["haus"]),
        ("minimal_german", "Zeitungen", ["zeitung"]),
        ("english", "running ponies", ["run", "poni"]),
        ("light_english", "running ponies", ["running", "pony"]),
        ("minimal_english", "ponies", ["pony"]),
        ("possessive_english", "john's", ["john"]),
        ("porter2", "generously", ["generous"]),
        ("light_french", "chevaux", ["cheval"]),
        ("light_spanish", "canciones", ["cancion"]),
        ("light_italian", "ragazzi", ["ragazz"]),
        ("dutch", "fietsen", ["fiets"]),
        ("light_portuguese", "casas", ["casa"]),
    ],
)
def test_stemmer_languages(es: Elasticsearch, language: str, expected: list[str], text: str):
    assert terms(es, text, **chain({"type": "stemmer", "language": language})) == expected


def test_stemmer_accepts_name_as_alias_of_language(es: Elasticsearch):
    assert terms(es, "Zeitungen", **chain({"type": "stemmer", "name": "light_german"})) == ["zeitung"]


def test_stemmer_rejects_unknown_language(es: Elasticsearch):
    with pytest.raises(BadRequestError, match="Invalid stemmer class specified"):
        terms(es, "x", **chain({"type": "stemmer", "language": "klingon"}))


def test_bare_stemmer_and_snowball_are_english(es: Elasticsearch):
    assert terms(es, "running ponies", **chain("stemmer")) == ["run", "poni"]
    assert terms(es, "running ponies", **chain("snowball")) == ["run", "poni"]
    assert terms(es, "Zeitungen", **chain({"type": "snowball", "language": "German"})) == ["zeitung"]


def test_stemmer_override_and_keyword_marker_steer_the_stemmer(es: Elasticsearch):
    filters = [
        {"type": "keyword_marker", "keywords": ["zeitungen"]},
        {"type": "stemmer_override", "rules": ["mäuse, maeuse => maus"]},
        {"type": "stemmer", "language": "light_german"},
    ]
    assert terms(es, "Zeitungen Mäuse Häuser", **chain(*filters)) == ["zeitungen", "maus", "haus"]


def test_keyword_marker_pattern_and_ignore_case(es: Elasticsearch):
    stem = {"type": "stemmer", "language": "light_german"}
    by_pattern = {"type": "keyword_marker", "keywords_pattern": "^zeit.*"}
    assert terms(es, "Zeitungen Häuser", **chain(by_pattern, stem)) == ["zeitungen", "haus"]
    ignoring_case = {"type": "keyword_marker", "keywords": ["ZEITUNGEN"], "ignore_case": True}
    assert terms(es, "Zeitungen", **chain(ignoring_case, stem)) == ["zeitungen"]


# ----------------------------------------------------------------------------- decompounding


def test_dictionary_decompounder_adds_parts_at_the_compounds_position(es: Elasticsearch):
    decompounder = {"type": "dictionary_decompounder", "word_list": ["donau", "dampf", "meer", "schiff"]}
    tokens = analyze(es, "Donaudampfschiff", **chain(decompounder))
    assert [t["token"] for t in tokens] == ["donaudampfschiff", "donau", "dampf", "schiff"]
    assert {(t["position"], t["start_offset"], t["end_offset"]) for t in tokens} == {(0, 0, 16)}


def test_decompounder_requires_a_word_list(es: Elasticsearch):
    with pytest.raises(BadRequestError, match="word_list must be provided"):
        terms(es, "x", **chain({"type": "dictionary_decompounder"}))


def test_hyphenation_decompounder_splits_at_hyphenation_points(es: Elasticsearch, node_config_files):
    patterns = node_config_files.write("hyphenation.xml", HYPHENATION_PATTERNS)
    decompounder = {
        "type": "hyphenation_decompounder",
        "hyphenation_patterns_path": patterns,
        "word_list": ["truppen", "aufmarsch", "marsch"],
    }
    tokens = analyze(es, "Truppenaufmarsch", **chain(decompounder))
    # "marsch" is in the list but no hyphenation point precedes it, so it is not emitted
    assert [t["token"] for t in tokens] == ["truppenaufmarsch", "truppen", "aufmarsch"]
    assert {(t["position"], t["start_offset"], t["end_offset"]) for t in tokens} == {(0, 0, 16)}


def test_hyphenation_decompounder_requires_patterns(es: Elasticsearch):
    with pytest.raises(BadRequestError, match="hyphenation_patterns_path is a required setting"):
        terms(es, "x", **chain({"type": "hyphenation_decompounder", "word_list": ["x"]}))


def test_word_list_path_resolves_against_the_config_dir(es: Elasticsearch, node_config_files):
    words = node_config_files.write("words.txt", "# comment lines are ignored\ndonau\nschiff\n")
    decompounder = {"type": "dictionary_decompounder", "word_list_path": words}
    assert terms(es, "Donauschiff", **chain(decompounder)) == ["donauschiff", "donau", "schiff"]


def test_realistic_german_chain(es: Elasticsearch, create_index, node_config_files):
    """pressindex's German chain, index-level, with word list and patterns from config files."""
    words = node_config_files.write("compound-parts.txt", "truppe\ntruppen\naufmarsch\naufmärsche\n")
    patterns = node_config_files.write("hyphenation.xml", HYPHENATION_PATTERNS)
    index = create_index(
        {
            "analysis": {
                "filter": {
                    "german_decompounder": {
                        "type": "hyphenation_decompounder",
                        "word_list_path": words,
                        "hyphenation_patterns_path": patterns,
                        "only_longest_match": True,
                    },
                    "german_stemmer": {"type": "stemmer", "language": "light_german"},
                },
                "analyzer": {
                    "german_text": {
                        "tokenizer": "standard",
                        "filter": [
                            "lowercase",
                            "german_decompounder",
                            "german_normalization",
                            "asciifolding",
                            "german_stemmer",
                            "remove_duplicates",
                        ],
                    }
                },
            }
        }
    )
    tokens = analyze(es, "Truppenaufmärsche in Erdoğans Städten", index=index, analyzer="german_text")
    assert [(t["token"], t["position"]) for t in tokens] == [
        ("truppenaufmarsch", 0),
        ("trupp", 0),
        ("aufmarsch", 0),
        ("in", 1),
        ("erdogan", 2),
        ("stadt", 3),
    ]


# ----------------------------------------------------------------------------- token selection


def test_remove_duplicates_drops_repeats_at_the_same_position_only(es: Elasticsearch):
    decompounder = {"type": "dictionary_decompounder", "word_list": ["haus"]}
    tokens = analyze(es, "haus haus", **chain(decompounder, "remove_duplicates"))
    assert [(t["token"], t["position"]) for t in tokens] == [("haus", 0), ("haus", 1)]


def test_unique(es: Elasticsearch):
    assert terms(es, "a b a c b", **chain("unique")) == ["a", "b", "c"]
    stacked = [
        {"type": "asciifolding", "preserve_original": True},
        {"type": "unique", "only_on_same_position": True},
    ]
    assert terms(es, "cafe café cafe", **chain(*stacked)) == ["cafe", "cafe", "café", "cafe"]


# ----------------------------------------------------------------------------- tokenizers, word delimiter


def test_whitespace_and_keyword_tokenizers(es: Elasticsearch):
    assert terms(es, "Wi-Fi  im ICE!", tokenizer="whitespace") == ["Wi-Fi", "im", "ICE!"]
    assert terms(es, "Wi-Fi im ICE", tokenizer={"type": "whitespace", "max_token_length": 3}) == [
        "Wi-",
        "Fi",
        "im",
        "ICE",
    ]
    assert terms(es, "Berliner Zeitung", tokenizer="keyword") == ["Berliner Zeitung"]


def test_word_delimiter_graph(es: Elasticsearch):
    assert terms(es, "Wi-Fi PowerShot", tokenizer="whitespace", filter=["word_delimiter_graph"]) == [
        "Wi",
        "Fi",
        "Power",
        "Shot",
    ]
    catenating = {"type": "word_delimiter_graph", "catenate_words": True, "generate_word_parts": False}
    assert terms(es, "Wi-Fi", tokenizer="whitespace", filter=[catenating]) == ["WiFi"]


# ----------------------------------------------------------------------------- synonyms


def test_synonym_graph_expands_multi_word_synonyms(es: Elasticsearch):
    synonyms = {"type": "synonym_graph", "synonyms": ["NYC, new york city"]}
    tokens = analyze(es, "NYC", **chain(synonyms))
    assert sorted(t["token"] for t in tokens) == ["city", "new", "nyc", "york"]
    nyc = next(t for t in tokens if t["token"] == "nyc")
    assert nyc["positionLength"] == 3


def test_synonym_rules_are_analyzed_with_the_preceding_chain(es: Elasticsearch):
    # the rule is written in upper case; the lowercase filter before the synonym filter applies to it too
    synonyms = {"type": "synonym", "synonyms": ["BRD => deutschland"], "expand": False}
    assert terms(es, "brd", **chain(synonyms)) == ["deutschland"]


def test_synonym_lenient_skips_rules_the_chain_cannot_analyze(es: Elasticsearch):
    stop = {"type": "stop", "stopwords": "_german_"}
    rules = ["der, bundesregierung", "bund, bundesregierung"]
    with pytest.raises(BadRequestError, match="failed to build synonyms"):
        terms(es, "x", **chain(stop, {"type": "synonym_graph", "synonyms": rules}))
    lenient = {"type": "synonym_graph", "synonyms": rules, "lenient": True}
    assert sorted(terms(es, "bundesregierung", **chain(stop, lenient))) == ["bund", "bundesregierung"]


def test_synonyms_path(es: Elasticsearch, node_config_files):
    path = node_config_files.write("synonyms.txt", "# Solr format\nkfz, auto, wagen\n")
    assert sorted(terms(es, "kfz", **chain({"type": "synonym_graph", "synonyms_path": path}))) == [
        "auto",
        "kfz",
        "wagen",
    ]


# ----------------------------------------------------------------------------- language analyzers


def test_german_analyzer_drops_stopwords_and_stems(es: Elasticsearch):
    assert terms(es, "Der Weg zu den Häusern", analyzer="german") == ["haus"]


@pytest.mark.parametrize(
    ("analyzer", "text", "expected"),
    [
        ("english", "The runners were running", ["runner", "were", "run"]),
        ("french", "L'avion des Champs", ["avion", "champ"]),
        ("spanish", "las canciones", ["cancion"]),
        ("italian", "i ragazzi", ["ragazz"]),
        ("dutch", "de fietsen", ["fiets"]),
        ("portuguese", "as casas", ["casa"]),
    ],
)
def test_language_analyzers(es: Elasticsearch, analyzer: str, text: str, expected: list[str]):
    assert terms(es, text, analyzer=analyzer) == expected


def test_language_analyzer_parameters(es: Elasticsearch, create_index):
    index = create_index(
        {
            "analysis": {
                "analyzer": {
                    "german_all_words": {"type": "german", "stopwords": "_none_"},
                    "german_keep_names": {"type": "german", "stem_exclusion": ["häusern"]},
                }
            }
        }
    )
    assert terms(es, "Der Weg", index=index, analyzer="german_all_words") == ["der", "weg"]
    assert terms(es, "den Häusern", index=index, analyzer="german_keep_names") == ["hausern"]


# ----------------------------------------------------------------------------- normalizers


def test_normalizer_folds_keyword_field(es: Elasticsearch, create_index):
    index = create_index(
        {"analysis": {"normalizer": {"folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}}}},
        {"properties": {"person": {"type": "keyword", "normalizer": "folded"}}},
    )
    es.index(index=index, document={"person": "Recep Tayyip Erdoğan"}, refresh=True)
    assert terms(es, "Recep Tayyip Erdoğan", index=index, normalizer="folded") == ["recep tayyip erdogan"]
    for query in ({"term": {"person": "RECEP TAYYIP ERDOGAN"}}, {"prefix": {"person": "recep tayyip erdoğ"}}):
        assert es.search(index=index, query=query)["hits"]["total"]["value"] == 1


def test_multi_term_queries_apply_the_normalizing_filters(es: Elasticsearch, create_index):
    """Wildcard terms in query_string are not analyzed, only normalized by the multi-term aware filters."""
    index = create_index(
        {
            "analysis": {
                "filter": {"german_stemmer": {"type": "stemmer", "language": "light_german"}},
                "analyzer": {
                    "folded": {
                        "tokenizer": "standard",
                        "filter": ["lowercase", "german_normalization", "asciifolding", "german_stemmer"],
                    }
                },
            }
        },
        {"properties": {"body": {"type": "text", "analyzer": "folded"}}},
    )
    # indexed as: erdogan, in, grossstadt
    es.index(index=index, document={"body": "Erdoğan in Großstädten"}, refresh=True)

    def hits(query_text: str) -> int:
        query = {"query_string": {"query": query_text, "default_field": "body"}}
        return es.search(index=index, query=query)["hits"]["total"]["value"]

    assert hits("ERDOĞ*") == 1  # lowercase + asciifolding
    assert hits("Großstädt*") == 1  # lowercase + german_normalization
    assert hits("Großstädten*") == 0  # the stemmer is not multi-term aware: "grossstadten*" stays unstemmed


def test_normalizer_rejects_filters_that_are_not_multi_term_aware(es: Elasticsearch):
    with pytest.raises(BadRequestError, match="may not use filter"):
        es.indices.create(
            index=f"pressindex-test-analysis-{uuid.uuid4().hex[:12]}",
            settings={"analysis": {"normalizer": {"stemmed": {"type": "custom", "filter": ["stemmer"]}}}},
        )


# ----------------------------------------------------------------------------- the builder


def test_build_is_cached_by_stamp(es: Elasticsearch, tmp_path: Path):
    es_home = Path(_local_node(es)["settings"]["path"]["home"])
    if not (es_home / "lib").is_dir():
        pytest.skip("the node's distribution is not on this machine")
    plugin = build_plugin(es_home, tmp_path)
    jar = plugin / f"{PLUGIN_NAME}.jar"
    descriptor = (plugin / "plugin-descriptor.properties").read_text()
    assert plugin.name == PLUGIN_NAME and jar.is_file()
    assert f"elasticsearch.version={elasticsearch_version(es_home)}" in descriptor
    assert "classname=org.pressindex.analysis.PressindexAnalysisPlugin" in descriptor
    built_at = jar.stat().st_mtime_ns
    assert build_plugin(es_home, tmp_path) == plugin
    assert jar.stat().st_mtime_ns == built_at


def test_build_reports_compile_failures(tmp_path: Path):
    es_home = tmp_path / "elasticsearch"
    (es_home / "lib").mkdir(parents=True)
    # a version to read, but no classes to compile against
    (es_home / "lib" / "elasticsearch-8.19.21.jar").write_bytes(b"")
    javac = shutil.which("javac")
    if javac is None:
        pytest.skip("no JDK on PATH")
    with pytest.raises(LocalNodeError, match="javac exit"):
        build_plugin(es_home, tmp_path / "out", javac=Path(javac))
    assert not (tmp_path / "out" / PLUGIN_NAME).exists()


def test_build_reports_a_missing_javac(tmp_path: Path):
    es_home = tmp_path / "elasticsearch"
    (es_home / "lib").mkdir(parents=True)
    (es_home / "lib" / "elasticsearch-8.19.21.jar").write_bytes(b"")
    with pytest.raises(LocalNodeError, match="could not run"):
        build_plugin(es_home, tmp_path / "out", javac=tmp_path / "no-such-jdk" / "javac")


def test_version_comes_from_the_server_jar(tmp_path: Path):
    (tmp_path / "lib").mkdir()
    for name in ("elasticsearch-cli-8.19.21.jar", "elasticsearch-8.19.21.jar", "lucene-core-9.12.2.jar"):
        (tmp_path / "lib" / name).write_bytes(b"")
    assert elasticsearch_version(tmp_path) == "8.19.21"
    with pytest.raises(LocalNodeError, match="not an Elasticsearch distribution"):
        elasticsearch_version(tmp_path / "nowhere")
