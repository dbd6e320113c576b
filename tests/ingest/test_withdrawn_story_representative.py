"""A withdrawal that takes a story's representative out of search leaves the story a representative
among the copies still shown (found in the acceptance check of issues 19 and 21: Kibana's story views,
which list representatives, lost the whole story) — real Elasticsearch, real Prefect. Invented text."""

from __future__ import annotations

import json

from wire_formats_factory import iptc

from pressindex.cli.main import cli

BODY = [
    "Rotenburg (dpa/lni) - Nach tagelangem Regen ist der Pegel der Wümme bei Rotenburg am Freitag",
    "auf 3,40 Meter gestiegen. Der Landkreis rief den Katastrophenfall aus und ließ zwei Ortsteile",
    "räumen. Rund 300 Anwohner mussten ihre Häuser verlassen, wie ein Sprecher mitteilte.",
    "",
    "Der Hochwasserdienst erwartet den Scheitel in der Nacht zum Samstag. Mehrere Straßen und",
    "zwei Brücken sind gesperrt, die Schulen in den Ortsteilen bleiben geschlossen.",
]
EXTRA = ["", "Am Abend besuchte der Innenminister die Einsatzkräfte und sagte weitere Hilfe des Landes zu."]


def _ingest(runner, alias, path) -> dict:
    result = runner.invoke(cli, ["ingest", str(path), "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def test_a_withdrawn_representative_hands_its_story_to_a_copy_still_shown(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    night = tmp_path / "night"
    night.mkdir()
    (night / "dpa.txt").write_text(
        iptc("nsb0100 3 vm 0260  lni 0100", "Unwetter/Hochwasser/",
             ["Wümme steigt auf 3,40 Meter - Katastrophenfall =", "", *BODY, *EXTRA, "",
              "© dpa-infocom, dpa:250314-930-333333/1", ""])
    )  # fmt: skip
    (night / "regional.txt").write_text(
        iptc("nsb0101 4 vm 0200  lni 0101", "Niedersachsen/Hochwasser/",
             ["Katastrophenfall bei Rotenburg =", "", *BODY, ""], "141030 Mär 25")
    )  # fmt: skip
    assert _ingest(runner, alias, night)["documents"] == 2
    es.indices.refresh(index=alias)
    [story_id] = {h["_source"]["story_id"] for h in es.search(index=alias, size=10)["hits"]["hits"]}
    shown = {"term": {"story_representative": True}}
    [before] = es.search(index=alias, query=shown)["hits"]["hits"]
    assert before["_id"] == "dpa-250314-930-333333"  # the most complete copy

    notice = tmp_path / "notice"
    notice.mkdir()
    (notice / "withdraw.txt").write_text(
        iptc("nsb0102 1 vm 0060  lni 0102", "Unwetter/",
             ["(Achtung)", "Meldung wird zurückgezogen =", "",
              "Die Meldung dpa:250314-930-333333 zum Hochwasser bei Rotenburg wird zurückgezogen.",
              "Bitte nicht verwenden.", ""], "141600 Mär 25")
    )  # fmt: skip
    assert _ingest(runner, alias, notice)["withdrawn"] == 1

    # through the alias, as search and Kibana read it: the regional copy represents the story now
    es.indices.refresh(index=alias)
    [after] = es.search(index=alias, query=shown)["hits"]["hits"]
    assert after["_source"]["story_id"] == story_id
    assert after["_source"]["story_size"] == 1  # the copies still shown
    assert after["_source"]["title"] == "Katastrophenfall bei Rotenburg"
    listing = runner.invoke(cli, ["story", story_id, "--index", alias])
    assert listing.exit_code == 0, listing.output
    assert "* Katastrophenfall bei Rotenburg" in listing.output
