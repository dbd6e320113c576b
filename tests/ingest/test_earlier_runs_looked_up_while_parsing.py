"""A batch looks up its documents' candidates among earlier runs while it parses
(``pressindex.ingest.batch.spool_batch``); the flow's decision uses them and asks Elasticsearch
only for a batch an earlier attempt of the run spooled (``stale``). Against the real node.

The texts are written for these tests (an invented lighthouse).
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from pressindex.cli.main import cli
from pressindex.config import Settings
from pressindex.index.indices import current_index
from pressindex.ingest import run_stories, spool
from pressindex.ingest.batch import spool_batch

LIGHTHOUSE = [
    "Leuchtturm auf Hallig Nordstrand wird wieder bewohnt",
    "Nordstrand (dpa) - Der alte Leuchtturm auf der Hallig Nordstrand bekommt nach zwanzig Jahren wieder einen "
    "Wärter. Ein Ehepaar aus Husum zieht im Mai in das Wärterhaus am Fuß des Turms.",
    "Die Gemeinde hatte die Stelle im Winter ausgeschrieben, mehr als 400 Menschen bewarben sich. Das Paar soll "
    "den Turm pflegen, Führungen anbieten und bei Sturmflut die Pegel ablesen.",
    "Das Leuchtfeuer selbst wird seit Jahren ferngesteuert. Der Turm von 1906 steht unter Denkmalschutz und "
    "wurde im vergangenen Sommer für 1,2 Millionen Euro saniert.",
]
LIGHTHOUSE_COPY = [
    "Neuer Wärter für den Leuchtturm Nordstrand",
    "Husum (epd) - Nach zwanzig Jahren bekommt der alte Leuchtturm auf der Hallig Nordstrand wieder einen Wärter. "
    "Ein Ehepaar aus Husum zieht im Mai in das Wärterhaus am Fuß des Turms.",
    LIGHTHOUSE[2],
    LIGHTHOUSE[3].replace("1,2 Millionen", "1,3 Millionen"),
]


@pytest.fixture
def stories_on(prefect_harness, quarantine_dir, monkeypatch):
    monkeypatch.delenv("PRESSINDEX_STORY_THRESHOLD", raising=False)
    monkeypatch.setenv("PRESSINDEX_STORIES_ENABLED", "true")


def _write(path: Path, paragraphs: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def test_the_decision_uses_the_batchs_look_ups_unless_an_earlier_attempt_made_them(
    stories_on, runner, es, alias, tmp_path
):
    earlier = _write(tmp_path / "night1" / "lighthouse.txt", LIGHTHOUSE)
    result = runner.invoke(cli, ["ingest", str(earlier.parent), "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["indexed"] == 1
    es.indices.refresh(index=current_index(es, alias))
    earlier_story = es.search(index=alias, query={"match_all": {}})["hits"]["hits"][0]["_source"]["story_id"]

    copy = _write(tmp_path / "night2" / "lighthouse-epd.txt", LIGHTHOUSE_COPY)
    spooled = spool.spool_path(tmp_path / "spool", "run-2", 0)
    window = Settings().story_window_days
    spool_batch(
        es, alias, [(str(copy), None)], spooled, max_bytes=10_000_000, run_id="run-2", window_days=window
    )
    (entry,) = [orjson.loads(line) for line in spool.features_path(spooled).read_bytes().splitlines()]
    assert [c["_source"]["story_id"] for c in entry["earlier"]] == [earlier_story]
    assert list(entry["centers"]) == [earlier_story]

    def decide(stale: set[int]) -> str:
        decided = run_stories.decide(
            es, alias, "run-2", {0: str(spooled)}, threshold=None, window_days=window, stale=stale
        )
        return decided.report.stories_of[entry["_id"]]

    assert decide(set()) == earlier_story
    # the stored look-ups are what the decision uses: emptied, the copy stays alone ...
    entry.update(earlier=[], centers={})
    spool.features_path(spooled).write_bytes(orjson.dumps(entry) + b"\n")
    assert decide(set()) == entry["_source"]["story_id"]
    # ... unless the batch was spooled by an earlier attempt: then Elasticsearch is asked again
    assert decide({0}) == earlier_story
