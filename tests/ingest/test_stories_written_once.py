"""With story clusters on, a run writes each of its documents once, with its final story fields:
the batches spool what they parse, the flow decides the stories, the batches load
(``pressindex.ingest.spool``, ``pressindex.ingest.run_stories``). Against the real node and Prefect.

The texts are written for these tests (an invented observatory and a harbour festival).
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from elasticsearch.helpers import scan

from pressindex.cli.main import cli
from pressindex.config import Settings
from pressindex.index.indices import current_index
from pressindex.ingest import spool
from pressindex.ingest.pipeline import MediaItem, Rejected
from pressindex.model import BulkDocument
from pressindex.stories.fields import with_story

OBSERVATORY = [
    "Sternwarte auf dem Feldberg bekommt ein neues Teleskop",
    "Feldberg (dpa) - Die Volkssternwarte auf dem Feldberg hat am Freitag ein neues Spiegelteleskop in Betrieb "
    "genommen. Der Spiegel misst 80 Zentimeter und wurde in einer Werkstatt in Jena geschliffen.",
    "Der Förderverein hatte sechs Jahre lang Spenden gesammelt, das Land gab einen Zuschuss von 300.000 Euro. "
    "Schulklassen sollen das Gerät an zwei Abenden in der Woche kostenlos nutzen dürfen.",
    "Bei der ersten Beobachtung zeigten die Astronomen den Gästen die Ringe des Saturn und einen Kugelsternhaufen. "
    "Wegen der dunklen Lage gilt der Berg als einer der besten Beobachtungsplätze im Südwesten.",
    "Im Herbst soll eine Kuppel mit Planetarium dazukommen. Der Verein sucht dafür noch ehrenamtliche Helfer.",
]
# other copies: another credit and headline, a reworded lead, a changed number, the end cut
OBSERVATORY_COPY = [
    "Neues Teleskop für die Volkssternwarte Feldberg",
    "Freiburg (epd) - Ein neues Spiegelteleskop ist seit Freitag in der Volkssternwarte auf dem Feldberg in Betrieb. "
    "Der Spiegel misst 80 Zentimeter und wurde in einer Werkstatt in Jena geschliffen.",
    OBSERVATORY[2].replace("300.000", "320.000"),
    OBSERVATORY[3],
]
OBSERVATORY_SHORT = [
    "Feldberg: Sternwarte weiht Teleskop ein",
    OBSERVATORY[1],
    OBSERVATORY[2],
    OBSERVATORY[3].replace("Saturn", "Jupiter"),
]
FESTIVAL = [
    "Hafenfest in Wismar lockt Zehntausende an",
    "Wismar (dpa) - Rund 60.000 Besucher sind am Wochenende zum Hafenfest nach Wismar gekommen. Traditionssegler "
    "aus Dänemark und Polen lagen im Alten Hafen, am Abend spielten Bands auf drei Bühnen.",
    "Die Polizei sprach von einem friedlichen Fest. Wegen des Andrangs fuhren die Regionalzüge aus Schwerin mit "
    "zusätzlichen Wagen, die Parkplätze am Stadtrand waren schon am Mittag belegt.",
    "Höhepunkt war ein Feuerwerk über der Hafeneinfahrt. Im kommenden Jahr soll das Fest einen Tag länger dauern.",
]


def _write(directory: Path, name: str, paragraphs: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def _ingest(runner, alias: str, *paths) -> dict:
    result = runner.invoke(cli, ["ingest", *map(str, paths), "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def _documents(es, alias: str) -> dict[str, dict]:
    index = current_index(es, alias)
    es.indices.refresh(index=index)
    fields = ["title", "story_id", "story_representative", "story_size", "run_id"]
    return {
        hit["_source"]["title"]: {**hit["_source"], "_version": hit["_version"]}
        for hit in scan(es, index=index, _source=fields, version=True)
    }


@pytest.fixture
def ingest_env(prefect_harness, quarantine_dir, monkeypatch):
    monkeypatch.delenv("PRESSINDEX_STORY_THRESHOLD", raising=False)
    monkeypatch.setenv("PRESSINDEX_STORIES_ENABLED", "true")


def test_a_run_writes_each_document_once_with_its_story(ingest_env, runner, es, alias, tmp_path):
    night1 = tmp_path / "night1"
    _write(night1, "a-observatory.txt", OBSERVATORY)
    _write(night1, "b-observatory-epd.txt", OBSERVATORY_COPY)
    _write(night1, "c-festival.txt", FESTIVAL)
    _write(night1, "d-observatory-short.txt", OBSERVATORY_SHORT)
    first = _ingest(runner, alias, night1)
    assert first["indexed"] == 4
    assert first["stories"]["documents"] == 4 and first["stories"]["joined"] == 2
    assert first["stories"]["written"] == 0  # nothing written a second time
    docs = _documents(es, alias)
    assert {title: d["_version"] for title, d in docs.items()} == dict.fromkeys(docs, 1)
    copies = [docs[t[0]] for t in (OBSERVATORY, OBSERVATORY_COPY, OBSERVATORY_SHORT)]
    assert len({d["story_id"] for d in copies}) == 1 != docs[FESTIVAL[0]]["story_id"]
    # the longest copy represents the story, with its size; the others are members
    assert [(d["story_representative"], d["story_size"]) for d in copies] == [
        (True, 3),
        (False, None),
        (False, None),
    ]
    assert (docs[FESTIVAL[0]]["story_representative"], docs[FESTIVAL[0]]["story_size"]) == (True, 1)
    # the run's spool is gone once the run has ended well
    assert not spool.run_dir(Settings().cache_dir.absolute() / "spool", first["run_id"]).exists()

    # the next night's copy joins the story: written once; of the older documents only the
    # representative is written again, for its size
    night2 = tmp_path / "night2"
    _write(
        night2, "e-observatory-again.txt", [OBSERVATORY_COPY[0] + " (Wiederholung)", *OBSERVATORY_COPY[1:]]
    )
    second = _ingest(runner, alias, night2)
    assert second["stories"]["joined"] == 1
    after = _documents(es, alias)
    again = after[OBSERVATORY_COPY[0] + " (Wiederholung)"]
    assert again["_version"] == 1 and again["story_id"] == copies[0]["story_id"]
    assert (again["story_representative"], again["story_size"]) == (False, None)
    assert (after[OBSERVATORY[0]]["story_representative"], after[OBSERVATORY[0]]["story_size"]) == (True, 4)
    assert after[OBSERVATORY_COPY[0]]["_version"] == 1


def _document(doc_id: str, path: str, story_id: str) -> BulkDocument:
    source = orjson.dumps(
        {"title": 'a title with ,"story_id":" in it', "story_id": story_id, "story_representative": True,
         "story_size": 1, "story_bands": ["m0:0a"], "run_id": "r"}
    )  # fmt: skip
    return BulkDocument(doc_id, path, source, "sha256", 10, "sha1", None, "de", ("dpa",))


def test_a_spool_gives_back_what_was_spooled_and_the_story_swaps_into_the_source(tmp_path):
    doc = _document("sha1-1", "/in/a.txt", "20250301-aaa")
    media = MediaItem(
        "/in/b.xml", "sha1-2", "picture", "A caption", _document("sha1-2", "/in/b.xml", "u-bbb")
    )
    rejected = Rejected("/in/c.txt", "empty", "the file is empty")
    path = tmp_path / "run" / "batch-0.spool.gz"
    assert list(spool.write_spool(path, [doc, media, rejected])) == [doc, media, rejected]
    assert list(spool.read_spool(path)) == [doc, media, rejected]

    story = {"story_id": "20250228-ccc", "story_representative": False, "story_size": None}
    swapped = orjson.loads(with_story(doc.source, story))
    assert swapped == {**orjson.loads(doc.source), **story}
    with pytest.raises(ValueError):
        with_story(with_story(doc.source, story), story)  # no own story left to swap


def test_a_spool_carries_paths_that_are_not_utf8(tmp_path):
    path = "/in/caf\udce9.txt"  # a Latin-1 name, as os.fsdecode gives it
    items = [
        _document("sha1-1", path, "u-aaa"),
        Rejected(path, "unreadable", f"cannot read {path}: \u00fcbel"),
    ]
    spooled = tmp_path / "batch-0.spool.gz"
    list(spool.write_spool(spooled, items))
    assert list(spool.read_spool(spooled)) == items


def test_a_retried_runs_batch_loaded_by_an_earlier_attempt_gets_this_attempts_stories(es, alias, tmp_path):
    """A load that came back Cached wrote the first attempt's stories; the retry's decisions win."""
    from pressindex.index.indices import ensure_index
    from pressindex.ingest.load import load_documents
    from pressindex.ingest.run_stories import reconcile

    index = ensure_index(es, alias)
    docs = [_document("sha1-1", "/in/a.txt", "u-aaa"), _document("sha1-2", "/in/b.txt", "u-bbb")]
    load_documents(es, index, docs)
    spooled = tmp_path / "batch-0.spool.gz"
    spool.features_path(spooled).write_bytes(b"".join(spool.feature_line(d, existed=False) for d in docs))
    joined = {"story_id": "u-aaa", "story_representative": False, "story_size": None}
    spool.decided_path(spooled).write_bytes(
        orjson.dumps({"sha1-1": {**joined, "story_representative": True, "story_size": 2}, "sha1-2": joined})
    )
    assert reconcile(es, index, spooled) == 2
    assert reconcile(es, index, spooled) == 0  # nothing left to change
    stored = {d["_id"]: d["_source"] for d in es.mget(index=index, ids=["sha1-1", "sha1-2"])["docs"]}
    assert [stored[i]["story_id"] for i in ("sha1-1", "sha1-2")] == ["u-aaa", "u-aaa"]
    assert (stored["sha1-1"]["story_size"], stored["sha1-2"]["story_representative"]) == (2, False)
