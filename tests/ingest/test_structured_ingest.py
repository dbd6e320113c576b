"""Issue 20 through ``pressindex ingest``: NewsML-G2, NITF and dpa digitalwires JSON files beside
plain and IPTC 7901 text in one inbox — against the real Elasticsearch node and a real Prefect server.

Items are composed with tests/structured_factory.py and tests/wire_formats_factory.py (invented
text, example.org addresses, 0000 numbers).
"""

from __future__ import annotations

import json
from pathlib import Path

from elasticsearch.helpers import scan
from prefect_records import flow_run_record
from structured_factory import SECRETS, digitalwires_document, g2_document, g2_message, nitf_document, story
from wire_formats_factory import de_story, iptc

from pressindex.cli.main import cli
from pressindex.index.indices import current_index
from pressindex.ingest import state
from pressindex.ingest.withdrawals import withdrawn_documents


def _urn(key: str) -> str:
    return f"urn:newsml:dpa.com:20090101:{key}"


# Stories of their own (search shows one hit per story cluster: the factory's default text repeated
# would be one story).
TEXTS = {
    "Fähre": (
        "Die Fähre nach Beispieloog fährt ab Juni auch nachts. Die Reederei setzt dafür ein zweites "
        "Schiff ein.",
        "Die Nachtfahrten sollen zunächst bis zum Herbst angeboten werden.",
    ),
    "Hafen": (
        "Der Fährhafen von Musterhafen wird um zwei Liegeplätze erweitert. Der Umbau kostet nach "
        "Angaben des Landes neun Millionen Euro.",
        "Baubeginn ist im kommenden Frühjahr.",
    ),
    "Bahn": (
        "Die Inselbahn auf Beispieloog fährt nach einer Sanierung der Gleise wieder im Stundentakt. "
        "Fahrgäste hatten monatelang auf Busse umsteigen müssen.",
        "Die Tickets bleiben gleich teuer.",
    ),
    "Leuchtturm": (
        "Der alte Leuchtturm an der Westspitze wird saniert und soll danach als Museum dienen. Ein "
        "Förderverein sammelt seit Jahren Spenden.",
        "Die Arbeiten dauern voraussichtlich zwei Jahre.",
    ),
    "Deich": (
        "Der Deich vor Kleinsiel wird auf einer Länge von drei Kilometern erhöht. Anwohner müssen mit "
        "Baulärm rechnen.",
        "Das Land trägt die Kosten vollständig.",
    ),
    "Markt": (
        "Der Wochenmarkt in Musterhafen zieht auf den Platz vor dem Rathaus um. Händler begrüßten den "
        "Schritt.",
        "Der Markt findet weiter mittwochs und samstags statt.",
    ),
}


def item(key: str, topic: str, **changes):
    """A composed dpa item about ``topic`` (:data:`TEXTS`) with the story key ``key``."""
    first, second = TEXTS[topic]
    fields = {"urn": _urn(key), "headline": f"{topic}: Neuigkeiten aus Musterhafen", "teaser": None,
              "paragraphs": (f"Musterhafen (dpa/lni) - {first}", second)}  # fmt: skip
    return story(**{**fields, **changes})


def _ingest(runner, alias, *paths) -> dict:
    result = runner.invoke(cli, ["ingest", *map(str, paths), "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def _searchable(es, alias) -> set[str]:
    es.indices.refresh(index=alias)
    return {h["_id"] for h in es.search(index=alias, size=100, source=False)["hits"]["hits"]}


def _record(es, alias, path: Path) -> dict:
    return state.lookup(es, alias, [str(path)])[str(path)]


def _dump(es, index: str) -> str:
    return "\n".join(json.dumps(h["_source"], ensure_ascii=False) for h in scan(es, index=index))


def _search(runner, alias, *args) -> dict:
    result = runner.invoke(cli, ["search", *args, "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


XXE_MARKER = "xxe-was-read-4711"


def _xxe(target: Path) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE newsItem [<!ENTITY xxe SYSTEM "file://{target}">]>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:newsml:example.org:1" version="1">
<contentMeta><headline>&xxe;</headline></contentMeta></newsItem>""".encode()


LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE nitf [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
          b"<nitf><head><title>&d;</title></head><body><body.content><p>&d;</p></body.content></body></nitf>")  # fmt: skip


def test_structured_files_beside_text_in_one_inbox(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    keys = [f"250314-99-10000{i}" for i in range(5)]
    (inbox / "a.xml").write_bytes(g2_document(item(keys[0], "Markt")))
    # two items and a package in one message: one document per newsItem
    (inbox / "b.xml").write_bytes(g2_message([item(keys[1], "Fähre"), item(keys[2], "Hafen")], package=True))
    (inbox / "c.json").write_bytes(digitalwires_document(item(keys[3], "Bahn")))
    (inbox / "d.nitf").write_bytes(nitf_document(item(keys[4], "Leuchtturm")))
    (inbox / "e.txt").write_text(
        "Stadtfest in Musterhausen\n\n" + "\n".join(de_story("Musterhausen", "dpa", "das Fest"))
    )
    (inbox / "bad.xml").write_bytes(b'<?xml version="1.0"?>\n<newsItem><itemMeta><headline>offen</itemMeta>')
    (inbox / "bad.json").write_bytes(
        b'{"urn": "urn:newsml:dpa.com:20090101:250314-99-100009", "version": 1, "head'
    )
    (tmp_path / "local.txt").write_text(XXE_MARKER)
    (inbox / "xxe.xml").write_bytes(_xxe(tmp_path / "local.txt"))
    (inbox / "laughs.xml").write_bytes(LAUGHS)

    summary = _ingest(runner, alias, inbox)
    assert summary["quarantined"] == {"malformed_xml": 1, "malformed_json": 1, "xml_entities_forbidden": 2}
    assert (summary["processed"], summary["documents"]) == (9, 6)
    ids = _searchable(es, alias)
    assert {f"dpa-{k}" for k in keys} <= ids and len(ids) == 6
    assert _record(es, alias, inbox / "b.xml")["doc_ids"] == [f"dpa-{keys[1]}", f"dpa-{keys[2]}"]
    reasons = {r["path"].rsplit("/", 1)[-1]: r for r in state.quarantined(es, alias)}
    assert (
        "not well-formed XML" in reasons["bad.xml"]["error_message"]
        and "line 2" in reasons["bad.xml"]["error_message"]
    )
    assert "not well-formed JSON" in reasons["bad.json"]["error_message"]
    assert (
        "entit" in reasons["xxe.xml"]["error_message"] and "entit" in reasons["laughs.xml"]["error_message"]
    )
    assert len(list(quarantine_dir.glob("*.reason.json"))) == 4
    assert XXE_MARKER not in _dump(es, current_index(es, alias)) + _dump(es, state.state_alias(alias))

    # the format facet and filter
    found = _search(runner, alias, "", "--format", "newsml_g2")
    assert found["total"] == 3 and {h["format"] for h in found["hits"]} == {"newsml_g2"}
    facets = _search(runner, alias, "")["facets"]["format"]
    assert facets == {"newsml_g2": 3, "digitalwires": 1, "nitf": 1, "text": 1}
    assert _search(runner, alias, "Leuchtturm", "--format", "nitf")["total"] == 1
    assert _search(runner, alias, "Leuchtturm", "--format", "digitalwires")["total"] == 0
    assert _ingest(runner, alias, inbox)["processed"] == 0  # unchanged files, bad ones included: skipped


def test_a_canceled_item_takes_its_story_out_of_search_in_the_same_run_and_a_later_one(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first, second, other = "250314-99-300001", "250314-99-300002", "250314-99-300003"
    (inbox / "a-story.xml").write_bytes(g2_document(item(first, "Fähre", version=1)))
    (inbox / "b-canceled.xml").write_bytes(g2_document(item(first, "Fähre", version=2, pubstatus="canceled")))
    (inbox / "c-story.json").write_bytes(digitalwires_document(item(second, "Deich", version=1)))
    (inbox / "d-other.json").write_bytes(digitalwires_document(item(other, "Markt")))
    summary = _ingest(runner, alias, inbox)
    assert summary["withdrawn"] == 1
    assert _searchable(es, alias) == {f"dpa-{second}", f"dpa-{other}"}
    assert withdrawn_documents(es, alias) == {f"dpa-{first}": f"dpa-{first}-canceled"}
    assert _record(es, alias, inbox / "b-canceled.xml")["withdrew"] == [f"dpa-{first}"]

    # a later run: the JSON item of the second story, canceled
    (inbox / "e-canceled.json").write_bytes(digitalwires_document(item(second, "Deich", version=2,
                                                                       pubstatus="canceled")))  # fmt: skip
    assert _ingest(runner, alias, inbox)["withdrawn"] == 1
    assert _searchable(es, alias) == {f"dpa-{other}"}
    assert _search(runner, alias, "Deich")["total"] == 0


def _iptc_story(key: str, version: int, title: str) -> bytes:
    lines = [
        f"{title} =",
        "",
        *de_story("Musterhafen", "dpa", "die Fähre"),
        f"© dpa-infocom, dpa:{key}/{version}",
        "",
    ]
    return iptc("bdt0042 4 vm 100  dpa 0042", "Verkehr/", lines, "140918 Mär 25").encode("utf-8")


def test_one_dpa_story_as_json_and_as_iptc_text_is_one_document_the_newest(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    key = "250314-99-400001"
    (inbox / "a.json").write_bytes(
        digitalwires_document(item(key, "Fähre", version=2, headline="Fähre fällt aus"))
    )
    _ingest(runner, alias, inbox)
    doc = es.get(index=alias, id=f"dpa-{key}")["_source"]
    assert (doc["format"], doc["dpa_version"], doc["title"]) == ("digitalwires", 2, "Fähre fällt aus")

    (inbox / "b.txt").write_bytes(_iptc_story(key, 3, "Fähre fährt wieder"))
    summary = _ingest(runner, alias, inbox)
    assert summary["indexed"] == 1
    doc = es.get(index=alias, id=f"dpa-{key}")["_source"]
    assert (doc["format"], doc["dpa_version"], doc["title"]) == ("iptc7901", 3, "Fähre fährt wieder")

    # an older version arriving late, as NewsML-G2: superseded, the newest stays
    (inbox / "c.xml").write_bytes(g2_document(item(key, "Fähre", version=1, headline="Fähre verspätet")))
    assert _ingest(runner, alias, inbox)["superseded"] == 1
    assert es.get(index=alias, id=f"dpa-{key}")["_source"]["title"] == "Fähre fährt wieder"
    assert _searchable(es, alias) == {f"dpa-{key}"}


def test_media_items_are_recorded_with_their_caption_and_not_searchable(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path, monkeypatch
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    caption = "Die neue Fähre legt am Anleger in Musterhafen an."
    (inbox / "picture.xml").write_bytes(g2_document(item("250314-99-500001", "Fähre", media="picture",
                                                         teaser=caption)))  # fmt: skip
    (inbox / "video.json").write_bytes(
        digitalwires_document(
            item("250314-99-500002", "Hafen", media="video", teaser="Ein Kran hebt Boote am Anleger.")
        )
    )
    (inbox / "mixed.xml").write_bytes(g2_message([item("250314-99-500003", "Markt"),
                                                  item("250314-99-500004", "Bahn", media="picture",
                                                       teaser="Gäste warten abends am Anleger.")]))  # fmt: skip
    summary = _ingest(runner, alias, inbox)
    assert (summary["media_items"], summary["documents"], summary["quarantined"]) == (3, 1, {})
    assert _searchable(es, alias) == {"dpa-250314-99-500003"}
    assert _search(runner, alias, "Anleger")["total"] == 0

    parsed = runner.invoke(cli, ["parse", str(inbox / "picture.xml")])
    media_type = json.loads(parsed.output).get("media_type")  # the reader's, when the Article carries one
    record = _record(es, alias, inbox / "picture.xml")
    assert record["status"] == state.SKIPPED_MEDIA and not record.get("doc_ids")
    assert record["media"] == [{"id": "dpa-250314-99-500001", "type": media_type, "caption": caption}]
    mixed = _record(es, alias, inbox / "mixed.xml")
    assert (mixed["status"], mixed["doc_ids"]) == ("indexed", ["dpa-250314-99-500003"])
    assert [m["caption"] for m in mixed["media"]] == ["Gäste warten abends am Anleger."]
    assert _ingest(runner, alias, inbox)["processed"] == 0  # a media file is done: not read again

    # the setting turns captions into documents (kind media), found by search
    monkeypatch.setenv("PRESSINDEX_MEDIA_CAPTIONS_AS_DOCUMENTS", "true")
    result = runner.invoke(cli, ["ingest", str(inbox), "--index", alias, "--force"])
    assert (
        result.exit_code == 0
        and "media items (pictures, audio, video): 3, indexed as caption documents" in result.output
    )
    assert _searchable(es, alias) == {f"dpa-250314-99-50000{i}" for i in range(1, 5)}
    assert _search(runner, alias, "Anleger")["total"] == 3
    assert es.get(index=alias, id="dpa-250314-99-500001")["_source"]["kind"] == "media"
    assert _record(es, alias, inbox / "picture.xml")["status"] == "indexed"


def test_no_nonpublic_note_is_indexed_recorded_logged_or_printed(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path, caplog
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.xml").write_bytes(g2_document(story(urn=_urn("250314-99-600001"))))
    (inbox / "b.xml").write_bytes(g2_message([story(urn=_urn("250314-99-600002")),
                                              story(urn=_urn("250314-99-600003"), media="picture",
                                                    teaser="Die Fähre im Hafen.")]))  # fmt: skip
    (inbox / "c.json").write_bytes(digitalwires_document(story(urn=_urn("250314-99-600004"))))
    (inbox / "d.nitf").write_bytes(nitf_document(story(urn=_urn("250314-99-600005"))))
    (inbox / "e.json").write_bytes(
        digitalwires_document(story(urn=_urn("250314-99-600006"), pubstatus="canceled"))
    )
    for name in ("a.xml", "c.json", "d.nitf"):
        assert any(s in (inbox / name).read_text(encoding="utf-8") for s in SECRETS)  # the files do hold them
    summary = _ingest(runner, alias, inbox)
    assert summary["quarantined"] == {} and summary["media_items"] == 1
    parsed = runner.invoke(cli, ["parse", *map(str, sorted(inbox.iterdir()))])
    assert parsed.exit_code == 0, parsed.output
    searched = runner.invoke(cli, ["search", "Fähre", "--index", alias])
    for where, text in {
        "index": _dump(es, current_index(es, alias)), "state index": _dump(es, state.state_alias(alias)),
        "parse output": parsed.output, "search output": searched.output, "log": caplog.text,
        "run record": flow_run_record(summary["run_id"]),
        "quarantine": "\n".join(p.read_text("utf-8", "replace") for p in quarantine_dir.glob("*")),
    }.items():  # fmt: skip
        assert not [s for s in SECRETS if s in text], where


def test_the_source_a_file_names_is_a_facet_and_a_filter(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # NewsML-G2 infoSource; NITF pubdata/@name; IPTC 7901 text names none
    (inbox / "a.xml").write_bytes(
        g2_document(item("250314-99-200001", "Markt", creditline="Stadtwerke Musterhafen"))
    )
    nitf = nitf_document(item("250314-99-200002", "Deich"))
    (inbox / "b.nitf").write_bytes(
        nitf.replace(b"</title>", b'</title><pubdata type="print" name="Musterhafener Anzeiger"/>', 1)
    )
    lines = ["Leuchtturm wird Museum =", "", *de_story("Musterhafen", "dpa", "den Leuchtturm")]
    (inbox / "c.txt").write_text(iptc("bdt0123 4 vm 231  dpa 0456", "Niedersachsen/Leuchtturm/", lines))
    assert _ingest(runner, alias, inbox)["documents"] == 3

    found = _search(runner, alias, "")
    assert found["facets"]["source"] == {"Stadtwerke Musterhafen": 1, "Musterhafener Anzeiger": 1}
    # compared normalised, as every text facet
    hits = _search(runner, alias, "", "--source", "stadtwerke MUSTERHAFEN")["hits"]
    assert [(h["id"], h["source"]) for h in hits] == [("dpa-250314-99-200001", "Stadtwerke Musterhafen")]
    assert _search(runner, alias, "", "--source", "Musterhafener Anzeiger")["total"] == 1
