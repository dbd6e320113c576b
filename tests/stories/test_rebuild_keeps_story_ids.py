"""`pressindex stories rebuild` gives the same stories back under the same ids, also when a story's
first copy is no longer the one it was started with (found in the acceptance check of issue 21: a
later dpa version replaced the first copy, and a rebuild with nothing changed renamed the story and
lost its old id) — real Elasticsearch, real Prefect. Invented text."""

from __future__ import annotations

import json

from wire_formats_factory import iptc

from pressindex.cli.main import cli

BODY = [
    "Norddeich (dpa/lni) - Ein Sturm mit Böen bis 120 Kilometern pro Stunde hat am Freitag den",
    "Fährverkehr zu den Inseln Juist und Norderney lahmgelegt. Die Reederei strich alle Abfahrten",
    "bis zum Abend, rund 900 Urlauber warteten im Hafen, wie eine Sprecherin mitteilte.",
    "",
    "Der Wetterdienst erwartet erst in der Nacht zum Samstag nachlassenden Wind. Auf dem Deich",
    "wurden mehrere Bäume entwurzelt, zwei Straßen bleiben gesperrt.",
]
OTHER = [
    "Hannover (dpa/lni) - Das Land will bis 2030 zwölf neue Rückhaltebecken an der Aller bauen. Die",
    "Umweltministerin stellte die Pläne am Freitag im Landtag vor. Naturschützer begrüßten das",
    "Vorhaben, verlangten aber mehr Auen statt Beton.",
]


def _ingest(runner, alias, path) -> None:
    result = runner.invoke(cli, ["ingest", str(path), "--index", alias, "--json"])
    assert result.exit_code == 0, result.output


def _story_ids(es, alias) -> dict[str, str]:
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=20, source_includes=["story_id"])["hits"]["hits"]
    return {h["_id"]: h["_source"]["story_id"] for h in hits}


def test_a_rebuild_with_nothing_changed_keeps_every_story_id(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    (first / "v1.txt").write_text(
        iptc("nsb0100 2 vm 0260  lni 0100", "Unwetter/Sturm/",
             ["Sturm legt Fähren nach Juist lahm =", "", *BODY, "", "© dpa-infocom, dpa:250314-930-444444/1", ""],
             "141012 Mär 25")
    )  # fmt: skip
    (first / "other.txt").write_text(
        iptc("nsb0120 4 pl 0150  lni 0120", "Hochwasser/Schutz/", ["Zwölf neue Becken an der Aller =", "", *OTHER, ""],
             "141300 Mär 25")
    )  # fmt: skip
    _ingest(runner, alias, first)
    # a later version replaces the story's first copy, and a copy published before it comes in now
    (second / "v2.txt").write_text(
        iptc("nsb0144 3 vm 0330  lni 0144", "Unwetter/Sturm/",
             ["(Zusammenfassung)", "Sturm: Fähren bleiben im Hafen =", "", *BODY, "",
              "Am Abend öffnete die Gemeinde eine Halle für gestrandete Urlauber.", "",
              "© dpa-infocom, dpa:250314-930-444444/2", ""], "141205 Mär 25")
    )  # fmt: skip
    (second / "regional.txt").write_text(
        iptc("nsb0101 4 vm 0200  lni 0101", "Niedersachsen/Sturm/",
             ["Keine Fähren nach Juist und Norderney =", "", *BODY, ""], "141030 Mär 25")
    )  # fmt: skip
    _ingest(runner, alias, second)
    before = _story_ids(es, alias)
    assert len(before) == 3 and len(set(before.values())) == 2

    for args in (["--since", "2025-03-01"], []):
        rebuilt = runner.invoke(cli, ["stories", "rebuild", *args, "--index", alias, "--json"])
        assert rebuilt.exit_code == 0, rebuilt.output
        assert json.loads(rebuilt.output)["documents"] == 3
        assert _story_ids(es, alias) == before, args

    story = before["dpa-250314-930-444444"]
    listing = runner.invoke(cli, ["story", story, "--index", alias])
    assert listing.exit_code == 0 and "2 document(s)" in listing.output, listing.output
