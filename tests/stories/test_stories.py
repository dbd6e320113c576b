"""Story clusters in Elasticsearch (issue 21): assignment at the end of every run, stable ids,
merges, search collapse, ``pressindex story`` and ``pressindex stories rebuild`` — against the
real node and a real Prefect (``pressindex ingest``).

The texts are composed for these tests (an invented ferry, regatta, market and road works).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from elasticsearch.helpers import scan

from pressindex.cli.main import cli
from pressindex.index.indices import current_index
from pressindex.stories.fields import own_story_id, story_day

FERRY = [
    "Neue Elektrofähre verbindet Lindau und Bregenz",
    "Lindau (dpa) - Zwischen Lindau und Bregenz pendelt seit Montag eine elektrisch betriebene Fähre. Das Schiff "
    "bietet Platz für 240 Fahrgäste und 40 Fahrräder und braucht für die Überfahrt knapp 25 Minuten.",
    "Die Bodensee-Schiffsbetriebe haben nach eigenen Angaben rund 14 Millionen Euro in den Neubau investiert. "
    "Geladen werden die Akkus in der Nacht am Lindauer Hafen mit Strom aus Wasserkraft.",
    "Bei der Jungfernfahrt am Vormittag waren neben dem Oberbürgermeister auch Vertreter der österreichischen "
    "Landesregierung an Bord. Der Kapitän lobte die ruhige Fahrt und den leisen Antrieb.",
    "Im Sommer soll die Fähre stündlich fahren, im Winter alle zwei Stunden. Einzelfahrten kosten für Erwachsene "
    "sieben Euro, Kinder unter sechs Jahren fahren kostenlos mit.",
    "Umweltverbände begrüßten das Projekt, forderten aber, auch die älteren Dieselschiffe auf dem See rasch zu "
    "ersetzen. Die Reederei kündigte an, bis 2030 zwei weitere Schiffe umzurüsten.",
]
# another agency's copy: other headline and credit, reworded lead, changed numbers, the end cut
FERRY_COPY = [
    "Elektrofähre zwischen Lindau und Bregenz in Betrieb",
    "Bregenz (APA) - Eine elektrisch betriebene Fähre pendelt seit Montag zwischen Lindau und Bregenz. Das Schiff "
    "bietet Platz für 250 Fahrgäste und 40 Fahrräder und braucht für die Überfahrt knapp 25 Minuten.",
    FERRY[2].replace("14 Millionen", "15 Millionen"),
    FERRY[3],
    FERRY[4],
]
# the same lake and ships, another story
REGATTA = [
    "Segelregatta auf dem Bodensee wegen Sturm abgebrochen",
    "Konstanz (dpa) - Wegen heftiger Sturmböen ist eine Segelregatta auf dem Bodensee am Samstag abgebrochen "
    "worden. Die Wasserschutzpolizei holte mehrere gekenterte Jollen aus dem Wasser, verletzt wurde niemand.",
    "Nach Angaben des Veranstalters waren mehr als 80 Boote aus der Schweiz, Österreich und Deutschland gestartet. "
    "Der Wetterdienst hatte am Morgen vor Gewittern über dem westlichen See gewarnt.",
    "Die Wertung soll am Sonntag mit zwei zusätzlichen Läufen nachgeholt werden. Die Fähren zwischen Meersburg und "
    "Konstanz stellten ihren Betrieb für eine Stunde ein.",
]
ROADWORKS = [
    "Busse in der Kasseler Innenstadt fahren neue Wege",
    "Kassel (dpa) - Wegen der Bauarbeiten in der Oberen Königsstraße fahren die Stadtbusse von April an über die "
    "Kurfürstenstraße. Drei Haltestellen werden für die Dauer der Arbeiten verlegt.",
    "Die Verkehrsbetriebe rechnen mit Verspätungen von wenigen Minuten und empfehlen Fahrgästen, die Fahrpläne im "
    "Netz zu prüfen. Die Umleitung soll bis zum Herbst bestehen bleiben.",
    "Händler in der Innenstadt befürchten weniger Kundschaft während der Bauzeit. Die Stadt will mit Hinweisschildern "
    "und einem verkaufsoffenen Sonntag im Mai gegensteuern.",
]

# two reports on regional transport, another story each, and
TRAM_A = [
    "Stadtrat in Heilbronn streitet über neue Straßenbahnlinie",
    "Heilbronn (dpa) - Der Gemeinderat von Heilbronn hat am Dienstag stundenlang über eine neue Straßenbahnlinie in die Südstadt gestritten. Die Verwaltung will die Strecke bis 2029 bauen lassen und rechnet mit Kosten von rund 90 Millionen Euro.",
    "Die Opposition hält die Planung für überteuert und verlangt ein unabhängiges Gutachten zu den Fahrgastzahlen. Anwohner der Wilhelmstraße fürchten jahrelangen Baulärm und den Verlust von Parkplätzen vor ihren Geschäften.",
    "Der Oberbürgermeister verteidigte das Vorhaben als wichtigsten Beitrag der Stadt zum Klimaschutz. Eine Entscheidung wurde auf die Sitzung im Juni vertagt.",
]
TRAM_C = [
    "Verkehrsverbund testet Wasserstoffbusse im Kochertal",
    "Schwäbisch Hall (dpa) - Im Kochertal fahren von Montag an zwei Busse mit Brennstoffzellen im Linienverkehr. Der Verkehrsverbund will ein Jahr lang prüfen, ob die Fahrzeuge im Winter zuverlässig anspringen und wie viel Wasserstoff sie auf den steilen Strecken brauchen.",
    "Getankt wird an einer neuen Station im Gewerbegebiet Hessental, die mit Strom aus einem benachbarten Solarpark betrieben wird. Das Land trägt zwei Drittel der Kosten für Fahrzeuge und Tankstelle.",
    "Fahrgäste sollen in Umfragen angeben, ob ihnen die leiseren Busse auffallen. Bewährt sich der Versuch, will der Landkreis bis 2030 zwanzig weitere Fahrzeuge bestellen.",
]
# a regional round-up (A~B and B~C pass the threshold, A~C does not):: the first half of one report, the second half of the other
TRAM_B = [
    "Nahverkehr in der Region: Straßenbahn umstritten, Wasserstoffbusse im Test",
    TRAM_A[1],
    TRAM_A[2],
    TRAM_C[2],
    TRAM_C[3],
]

# a closing table, its copy under another credit, and a prose report of another day on the same shares
MARKET_NAMES = ("Nordbank", "Alpenstrom", "Stahlwerk Ost", "Papierfabrik", "Telefonnetz", "Ziegelwerk")
MARKET_TABLE = [
    "Börse Wien: Schlusskurse vom Mittwoch",
    "Schlusskurse an der Wiener Börse am Mittwoch. "
    + " ".join(
        f"{name} {price:.2f} Euro ({price / 50 - 1:+.2f} Prozent)."
        for name, price in zip(MARKET_NAMES, (12.5, 33.1, 41.2, 8.9, 17.4, 25.0), strict=True)
    ),
]
MARKET_TABLE_COPY = ["Börse Wien: Schlusskurse vom Mittwoch (APA)", "Von Anna Berger. " + MARKET_TABLE[1]]
MARKET_REPORT = [
    "Wiener Börse: Nordbank und Alpenstrom gefragt",
    "Wien (dpa) - Die Wiener Börse hat am Dienstag fester geschlossen. Gefragt waren vor allem die Aktien der "
    "Nordbank und von Alpenstrom, die jeweils mehr als zwei Prozent zulegten. Händler verwiesen auf gute "
    "Quartalszahlen und steigende Strompreise.",
    "Schwächer tendierten dagegen Stahlwerk Ost und die Papierfabrik, deren Aktien rund ein Prozent an Wert "
    "verloren. Telefonnetz und Ziegelwerk blieben kaum verändert. Der Umsatz lag mit knapp 80 Millionen Euro "
    "unter dem Schnitt der vergangenen Wochen.",
]


def _text(paragraphs: list[str], dpa: str | None = None) -> str:
    text = "\n\n".join(paragraphs)
    return text + (f"\n\n© dpa-infocom, dpa:{dpa}\n" if dpa else "\n")


def _write(directory: Path, name: str, paragraphs: list[str], dpa: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(_text(paragraphs, dpa), encoding="utf-8")
    return path


def _ingest(runner, alias: str, *paths, force: bool = False) -> dict:
    args = ["ingest", *map(str, paths), "--index", alias, "--json"] + ["--force"] * force
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def _stories(es, alias: str) -> dict[str, dict]:
    """Every document's story fields, by title (the titles here are distinct)."""
    index = current_index(es, alias)
    es.indices.refresh(index=index)
    fields = ["title", "story_id", "story_representative", "story_size", "story_merged_ids", "dpa_version"]
    return {
        hit["_source"]["title"]: {**hit["_source"], "_id": hit["_id"], "_version": hit["_version"]}
        for hit in scan(es, index=index, _source=fields, version=True)
    }


@pytest.fixture
def ingest_env(prefect_harness, quarantine_dir, monkeypatch):
    monkeypatch.delenv("PRESSINDEX_STORY_THRESHOLD", raising=False)
    monkeypatch.setenv("PRESSINDEX_STORIES_ENABLED", "true")


def test_a_story_id_is_the_day_and_a_hash_of_its_first_document():
    assert story_day("2025-03-14T10:37:00+01:00") == "2025-03-14"
    assert story_day("2025-03", "2025-03-10") == "2025-03-10"  # a dpa story's issue date comes first
    assert story_day("2025") is None
    assert own_story_id("dpa-250314-99-1", "2025-03-14").startswith("20250314-")
    assert own_story_id("sha1-abc", None).startswith("u-")
    assert own_story_id("sha1-abc", None) == own_story_id("sha1-abc", None) != own_story_id("sha1-abd", None)


def test_copies_across_two_runs_join_one_story_and_another_story_on_the_topic_stays_apart(
    ingest_env, runner, es, alias, tmp_path
):
    _write(tmp_path / "night1", "ferry.txt", FERRY, dpa="250310-99-100001/1")
    first = _ingest(runner, alias, tmp_path / "night1")
    assert first["stories"]["documents"] == 1
    before = _stories(es, alias)
    ferry_story = before[FERRY[0]]["story_id"]
    assert ferry_story.startswith("20250310-")
    assert (before[FERRY[0]]["story_representative"], before[FERRY[0]]["story_size"]) == (True, 1)

    _write(tmp_path / "night2", "ferry-apa.txt", FERRY_COPY)
    _write(tmp_path / "night2", "regatta.txt", REGATTA, dpa="250311-99-100002/1")
    second = _ingest(runner, alias, tmp_path / "night2")
    assert second["stories"]["joined"] == 1
    after = _stories(es, alias)
    assert after[FERRY_COPY[0]]["story_id"] == after[FERRY[0]]["story_id"] == ferry_story
    assert after[REGATTA[0]]["story_id"] != ferry_story
    # the representative is the most complete copy (the dpa original has the last paragraph too)
    assert after[FERRY[0]]["story_representative"] is True and after[FERRY[0]]["story_size"] == 2
    assert after[FERRY_COPY[0]]["story_representative"] is False
    assert after[REGATTA[0]]["story_representative"] is True
    # the story fields were written without raising the dpa document's external version
    assert after[FERRY[0]]["_version"] == 1

    # a rerun of the same files, also forced, changes no id
    for force in (False, True):
        _ingest(runner, alias, tmp_path / "night1", tmp_path / "night2", force=force)
        assert {t: d["story_id"] for t, d in _stories(es, alias).items()} == {
            t: d["story_id"] for t, d in after.items()
        }


def test_a_document_linking_two_stories_merges_them_and_the_younger_id_stays_findable(
    ingest_env, runner, es, alias, tmp_path
):
    """Two copies 14 days apart are outside each other's window (7 days) and start two stories;
    a copy between them links both: the older id survives, the other is recorded as merged."""
    _write(tmp_path / "night1", "early.txt", FERRY, dpa="250301-99-100011/1")
    late = [FERRY[0] + ": Bilanz nach zwei Wochen", *FERRY[1:]]
    _write(tmp_path / "night1", "late.txt", late, dpa="250315-99-100012/1")
    _ingest(runner, alias, tmp_path / "night1")
    before = _stories(es, alias)
    early_id, late_id = before[FERRY[0]]["story_id"], before[late[0]]["story_id"]
    assert early_id != late_id and early_id < late_id

    middle = [FERRY_COPY[0] + " seit einer Woche", *FERRY_COPY[1:]]
    _write(tmp_path / "night2", "middle.txt", middle, dpa="250308-99-100013/1")
    summary = _ingest(runner, alias, tmp_path / "night2")
    assert summary["stories"]["merged"] == 1
    after = _stories(es, alias)
    assert {d["story_id"] for d in after.values()} == {early_id}
    representative = [d for d in after.values() if d["story_representative"]]
    assert len(representative) == 1 and representative[0]["story_size"] == 3
    assert representative[0]["story_merged_ids"] == [late_id]

    # the merged id still finds the story, listed in time order
    for asked in (late_id, early_id):
        shown = runner.invoke(cli, ["story", asked, "--index", alias, "--json"])
        assert shown.exit_code == 0, shown.output
        listing = json.loads(shown.output)
        assert listing["story_id"] == early_id
        assert [d["title"] for d in listing["documents"]] == [FERRY[0], middle[0], late[0]]
    missing = runner.invoke(cli, ["story", "20990101-000000000000", "--index", alias])
    assert missing.exit_code != 0 and "no story" in missing.output


def test_a_round_up_of_two_stories_does_not_chain_them_into_one(ingest_env, runner, es, alias, tmp_path):
    """A, then B (half A, half C), then C in one run: C resembles B but not A, whose story B
    joined. C must not join through B: a story is compared by its first document."""
    _write(tmp_path / "inbox", "a.txt", TRAM_A, dpa="250401-99-100051/1")
    _write(tmp_path / "inbox", "b.txt", TRAM_B, dpa="250402-99-100052/1")
    _write(tmp_path / "inbox", "c.txt", TRAM_C, dpa="250403-99-100053/1")
    _ingest(runner, alias, tmp_path / "inbox")
    stories = _stories(es, alias)
    assert stories[TRAM_B[0]]["story_id"] == stories[TRAM_A[0]]["story_id"]
    assert stories[TRAM_C[0]]["story_id"] != stories[TRAM_A[0]]["story_id"]
    assert stories[TRAM_C[0]]["story_representative"] is True and stories[TRAM_C[0]]["story_size"] == 1


def test_a_document_resembling_two_unrelated_stories_joins_one_and_merges_none(
    ingest_env, runner, es, alias, tmp_path
):
    """A and C from an earlier run are two stories; B, resembling both, joins the closer one (A)
    and does not merge them, as their first documents do not match."""
    _write(tmp_path / "night1", "a.txt", TRAM_A, dpa="250401-99-100061/1")
    _write(tmp_path / "night1", "c.txt", TRAM_C, dpa="250402-99-100062/1")
    _ingest(runner, alias, tmp_path / "night1")
    before = _stories(es, alias)
    _write(tmp_path / "night2", "b.txt", TRAM_B, dpa="250403-99-100063/1")
    summary = _ingest(runner, alias, tmp_path / "night2")
    assert (summary["stories"]["joined"], summary["stories"]["merged"]) == (1, 0)
    after = _stories(es, alias)
    assert after[TRAM_B[0]]["story_id"] == after[TRAM_A[0]]["story_id"] == before[TRAM_A[0]]["story_id"]
    assert after[TRAM_C[0]]["story_id"] == before[TRAM_C[0]]["story_id"] != after[TRAM_A[0]]["story_id"]


def test_a_prose_report_on_the_shares_of_a_table_stays_apart_from_it(ingest_env, runner, es, alias, tmp_path):
    """The report names every company of the table and its words match the table's well above
    the threshold, but a table is its numbers: the table's copy joins it, the report does not."""
    _write(tmp_path / "inbox", "a-report.txt", MARKET_REPORT, dpa="250304-99-100071/1")
    _write(tmp_path / "inbox", "b-table.txt", MARKET_TABLE)
    _write(tmp_path / "inbox", "c-table-apa.txt", MARKET_TABLE_COPY)
    _ingest(runner, alias, tmp_path / "inbox")
    stories = _stories(es, alias)
    table = stories[MARKET_TABLE[0]]["story_id"]
    assert stories[MARKET_TABLE_COPY[0]]["story_id"] == table
    assert stories[MARKET_REPORT[0]]["story_id"] != table
    assert stories[MARKET_REPORT[0]]["story_size"] == 1


def test_a_dpa_version_chain_stays_one_story(ingest_env, runner, es, alias, tmp_path):
    key = "250320-99-100021"
    _write(tmp_path / "night1", "v1.txt", FERRY[:4], dpa=f"{key}/1")
    _write(tmp_path / "night1", "regional.txt", [FERRY[0] + " (Regionaldienst)", *FERRY[1:4]])
    _ingest(runner, alias, tmp_path / "night1")
    before = _stories(es, alias)
    story = before[FERRY[0]]["story_id"]
    assert before[FERRY[0] + " (Regionaldienst)"]["story_id"] == story

    v2 = [FERRY[0] + " - Zusammenfassung", *FERRY[1:], "Die Fähre ist die erste ihrer Art auf dem Bodensee."]
    _write(tmp_path / "night2", "v2.txt", v2, dpa=f"{key}/2")
    summary = _ingest(runner, alias, tmp_path / "night2")
    assert summary["indexed"] == 1  # the newer version replaced the first: the story writes kept its version
    after = _stories(es, alias)
    assert FERRY[0] not in after  # /1 is replaced by /2 (one document, one id)
    assert after[v2[0]]["_id"] == f"dpa-{key}" and after[v2[0]]["_version"] == 2
    assert {d["story_id"] for d in after.values()} == {story}
    assert after[v2[0]]["story_representative"] is True and after[v2[0]]["story_size"] == 2


def test_search_collapses_copies_and_all_copies_shows_them(ingest_env, runner, es, alias, tmp_path):
    _write(tmp_path / "inbox", "ferry.txt", FERRY, dpa="250310-99-100031/1")
    _write(tmp_path / "inbox", "ferry-apa.txt", FERRY_COPY)
    _write(tmp_path / "inbox", "regatta.txt", REGATTA, dpa="250311-99-100032/1")
    _write(tmp_path / "inbox", "roadworks.txt", ROADWORKS, dpa="250312-99-100033/1")
    _ingest(runner, alias, tmp_path / "inbox")

    collapsed = runner.invoke(cli, ["search", "Bodensee", "--index", alias, "--json"])
    assert collapsed.exit_code == 0, collapsed.output
    result = json.loads(collapsed.output)
    assert (result["total"], result["stories"]) == (3, 2)  # the ferry twice and the regatta
    ferry = next(h for h in result["hits"] if "Lindau" in h["title"])
    assert len(result["hits"]) == 2
    assert ferry["copies"] == 1 and len(ferry["other_copies"]) == 1
    assert ferry["other_copies"][0]["id"] != ferry["id"]
    assert {ferry["title"], ferry["other_copies"][0]["title"]} == {FERRY[0], FERRY_COPY[0]}

    every = json.loads(
        runner.invoke(cli, ["search", "Bodensee", "--index", alias, "--json", "--all-copies"]).output
    )
    assert (every["total"], every["stories"], len(every["hits"])) == (3, 2, 3)

    shown = runner.invoke(cli, ["search", "Bodensee", "--index", alias])
    assert "3 hit(s) in 2 stories" in shown.output and "1 more:" in shown.output


def test_rebuild_recomputes_stories_from_stored_features(
    ingest_env, runner, es, alias, tmp_path, monkeypatch
):
    _write(tmp_path / "inbox", "ferry.txt", FERRY, dpa="250310-99-100041/1")
    _write(tmp_path / "inbox", "ferry-apa.txt", FERRY_COPY)
    _write(tmp_path / "inbox", "regatta.txt", REGATTA, dpa="250311-99-100042/1")
    _ingest(runner, alias, tmp_path / "inbox")
    joined = _stories(es, alias)
    assert joined[FERRY_COPY[0]]["story_id"] == joined[FERRY[0]]["story_id"]

    # a threshold no pair reaches: every document is a story of its own again
    monkeypatch.setenv("PRESSINDEX_STORY_THRESHOLD", "1")
    apart = runner.invoke(cli, ["stories", "rebuild", "--index", alias, "--json"])
    assert apart.exit_code == 0, apart.output
    assert json.loads(apart.output)["documents"] == 3
    separate = _stories(es, alias)
    assert len({d["story_id"] for d in separate.values()}) == 3
    assert all(d["story_representative"] and d["story_size"] == 1 for d in separate.values())

    monkeypatch.delenv("PRESSINDEX_STORY_THRESHOLD")
    again = runner.invoke(cli, ["stories", "rebuild", "--since", "2025-03-01", "--index", alias])
    assert again.exit_code == 0, again.output
    assert {t: d["story_id"] for t, d in _stories(es, alias).items()} == {
        t: d["story_id"] for t, d in joined.items()
    }


def test_the_run_finds_its_own_candidates_in_memory_as_elasticsearch_would(es, alias):
    """The candidates a document draws from the documents decided before it (RunDocuments) are
    those Elasticsearch's candidate search finds among them, in the same order: the same keys,
    the same window (dated by ``published``, undated by ``ingested_at``), the same ranking."""
    from pressindex.index.indices import ensure_index
    from pressindex.stories import store
    from pressindex.stories.fields import story_source
    from pressindex.stories.run_documents import RunDocuments

    ensure_index(es, alias)
    index = current_index(es, alias)
    docs = {  # id -> (paragraphs, published, ingested_at)
        "ferry-a": (FERRY, "2025-06-02T08:00:00+00:00", "2025-06-02T09:00:00+00:00"),
        "ferry-b": (FERRY_COPY, "2025-06-05T10:30:00+02:00", "2025-06-05T09:00:00+00:00"),
        "ferry-c": (FERRY[:4], "2025-06-11T08:00:00+00:00", "2025-06-11T09:00:00+00:00"),  # 9 days after a
        "ferry-d": (FERRY[:3], None, "2025-06-08T12:00:00+00:00"),  # undated: by when it came in
        "ferry-e": (FERRY[1:], "2025-05-20T08:00:00+00:00", "2025-06-07T09:00:00+00:00"),
        "regatta": (REGATTA, "2025-06-03T08:00:00+00:00", "2025-06-03T09:00:00+00:00"),
        "roadworks": (ROADWORKS, "2025-06-04T08:00:00+00:00", "2025-06-04T09:00:00+00:00"),
    }
    operations = []
    for doc_id, (paragraphs, published, ingested) in docs.items():
        title, body = paragraphs[0], "\n\n".join(paragraphs[1:])
        source = {"title": title, "body": body, "published": published, "ingested_at": ingested,
                  "text_sha1": doc_id, **story_source(doc_id, title, body, "de", (published or ingested)[:10])}  # fmt: skip
        operations += [{"index": {"_id": doc_id}}, source]
    es.bulk(index=index, operations=operations, refresh=True)

    run = RunDocuments()
    nothing_excluded = {"match_none": {}}
    for page in store.pending_pages(es, index, {"match_all": {}}):
        for hit, found in zip(page, store.find_candidates(es, index, page, 7, nothing_excluded), strict=True):
            decided = set(run.ids)
            in_memory = [c.doc_id for c in run.candidates(hit["_source"], 7, store.CANDIDATE_STORIES)]
            assert in_memory == [c["_id"] for c in found if c["_id"] in decided], hit["_id"]
            run.add(hit["_id"], hit["_source"])
    assert len(run.ids) == len(docs)
