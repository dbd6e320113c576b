"""Issue 19, the index half: embargo, withdrawals, facets and several documents per file —
against the real Elasticsearch node (documents built from Articles, so no parser is involved).

Invented stories, places and ids only.
"""

from __future__ import annotations

import copy
import time
from datetime import UTC, datetime, timedelta

from pressindex.index.indices import (
    alias_spec,
    create_index,
    current_index,
    ensure_index,
    index_definition,
    mapping_version,
    migrate_index,
    search_filter,
    versioned_name,
)
from pressindex.ingest import state, withdrawals
from pressindex.ingest.load import load_documents
from pressindex.model import Article, BulkDocument, DpaId
from pressindex.search import SearchFilters, search


def _doc(doc_id: str, title: str, **fields) -> BulkDocument:
    article = Article(
        id=doc_id,
        source_path=fields.pop("source_path", f"/inbox/{doc_id}.txt"),
        title=title,
        body=fields.pop("body", f"{title}. Ein erfundener Text über die Gemeinde Beispielstadt."),
        language="de",
        content_sha256=fields.pop("sha", doc_id),
        text_sha1=fields.pop("text_sha1", title),
        **fields,
    )
    return BulkDocument.from_article(
        article, run_id="test", ingested_at=datetime.now(UTC).isoformat(timespec="seconds")
    )


def _load(es, alias, *docs):
    report = load_documents(es, alias, list(docs))
    assert not report.rejected, report.rejected
    es.indices.refresh(index=alias)
    return report


def _found(es, alias, text: str = "", **filters) -> set[str]:
    return {h["id"] for h in search(es, alias, text, SearchFilters(**filters), size=100).hits}


def _alias_filter(es, alias) -> dict | None:
    found = es.indices.get_alias(name=alias)
    return next(iter(found.values()))["aliases"][alias].get("filter")


# -- embargo ------------------------------------------------------------------------------------


def test_embargo_hides_a_document_until_its_moment_without_reingest(es, alias):
    ensure_index(es, alias)
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=6)
    embargoed = _doc(
        "sha1-embargo",
        "Sperrfrist für die Bilanz der Beispielwerke",
        embargo_until=moment.astimezone().isoformat(),
    )
    free = _doc("sha1-free", "Bilanz der Musterbank ohne Sperrfrist")
    _load(es, alias, embargoed, free)

    # before the moment: found by no search through the alias (the one Kibana's data view uses)
    assert _found(es, alias, "Bilanz") == {"sha1-free"}
    assert es.count(index=alias)["count"] == 1
    assert es.count(index=alias, query={"term": {"_id": "sha1-embargo"}})["count"] == 0
    # it is stored: the operator sees it in the concrete index, and gets by id are not filtered
    assert es.count(index=current_index(es, alias))["count"] == 2
    assert es.get(index=alias, id="sha1-embargo")["found"]

    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + 1.5)
    # after the moment: found, with nothing re-ingested and nothing refreshed
    assert _found(es, alias, "Bilanz") == {"sha1-free", "sha1-embargo"}
    assert es.count(index=alias)["count"] == 2


def test_the_alias_filter_is_the_one_in_press_json_also_for_old_and_migrated_indices(es, alias):
    flt = search_filter()
    assert flt and alias_spec()["filter"] == flt
    # an index made before the filter existed: the next ensure_index (every run) adds it
    old = copy.deepcopy(index_definition())
    old["_meta"]["mapping_version"] = mapping_version() - 1
    name = versioned_name(alias, mapping_version() - 1)
    create_index(es, name, old, aliases={alias: {"is_write_index": True}})
    assert _alias_filter(es, alias) is None
    assert ensure_index(es, alias) == name
    assert _alias_filter(es, alias) == flt
    # a migration moves the filter with the alias
    report = migrate_index(es, alias)
    assert report.new_index == current_index(es, alias)
    assert _alias_filter(es, alias) == flt
    entry = es.indices.get_alias(name=alias)[report.new_index]["aliases"][alias]
    assert entry["is_write_index"] is True


# -- withdrawals --------------------------------------------------------------------------------


def _story_key(serial: int) -> str:
    return f"250314-930-{serial:06d}"


def _dpa_story(serial: int, title: str, version: int = 1, **fields) -> BulkDocument:
    key = _story_key(serial)
    fields.setdefault("text_sha1", f"{title}/{version}")
    return _doc(f"dpa-{key}", title, dpa=DpaId(key, version, "2025-03-14"), format="iptc7901", **fields)


def _notice(doc_id: str, names: str, **fields) -> BulkDocument:
    return _doc(
        doc_id,
        "Achtung: Meldung wird zurückgezogen",
        kind="withdrawal",
        withdraws=(names,),
        format="iptc7901",
        **fields,
    )


def _record_files(es, alias, *files: tuple[str, tuple[str, ...]]):
    state.ensure_state_index(es, alias)
    outcomes = [
        state.FileOutcome(path, 100, path, state.INDEXED, doc_id=ids[0], doc_ids=ids) for path, ids in files
    ]
    state.write(es, alias, outcomes, run_id="test", previous={})
    es.indices.refresh(index=state.state_alias(alias))


def test_withdrawal_by_dpa_id_and_by_headline_takes_stories_out_of_search(es, alias):
    ensure_index(es, alias)
    when = "2025-03-14T09:18:00+01:00"
    title = "Neue Brücke über die Leine bei Beispielstadt freigegeben"
    _load(
        es, alias,
        _dpa_story(123456, "Hafenfest in Musterhausen abgesagt", published=when, wire_service="bdt"),
        _doc("sha1-bridge", title, published=when, wire_service="nsb"),
        _doc("sha1-bridge-other-service", title, published=when, wire_service="bdt"),
        _doc("sha1-bridge-weeks-later", title, published="2025-04-02T10:00:00+02:00", wire_service="nsb"),
        _doc("sha1-unrelated", "Stadtrat von Beispielstadt tagt", published=when, wire_service="nsb"),
        _notice("sha1-kill-by-id", _story_key(123456), published="2025-03-14T11:00:00+01:00", wire_service="bdt"),
        # quoted with other quotes, case and spacing
        _notice("sha1-kill-by-headline", f"„{title.upper()}“", published="2025-03-14T12:00:00+01:00",
                wire_service="nsb"),
    )  # fmt: skip
    _record_files(es, alias, ("/inbox/kills.txt", ("sha1-kill-by-id", "sha1-kill-by-headline")))

    withdrawn = withdrawals.apply_withdrawals(es, alias)
    assert withdrawn == {
        "sha1-kill-by-id": [f"dpa-{_story_key(123456)}"],
        "sha1-kill-by-headline": ["sha1-bridge"],
    }
    es.indices.refresh(index=alias)
    # neither the stories nor the notices are news: the search alias shows neither
    assert _found(es, alias) == {"sha1-bridge-other-service", "sha1-bridge-weeks-later", "sha1-unrelated"}
    # the operator record: what the notices removed, on their file's state record
    record = state.lookup(es, alias, ["/inbox/kills.txt"])["/inbox/kills.txt"]
    assert sorted(record["withdrew"]) == sorted([f"dpa-{_story_key(123456)}", "sha1-bridge"])
    assert withdrawals.withdrawn_documents(es, alias) == {
        f"dpa-{_story_key(123456)}": "sha1-kill-by-id",
        "sha1-bridge": "sha1-kill-by-headline",
    }
    # nothing left to do: a second pass changes nothing
    assert withdrawals.apply_withdrawals(es, alias) == {}


def test_an_anpa_kill_naming_a_slug_withdraws_every_version_with_that_slug(es, alias):
    ensure_index(es, alias)
    when = "2025-03-14T09:18:00+00:00"
    _load(
        es, alias,
        _doc("sha1-dam", "Dam repairs start in Riverton", published=when, wire_service="a",
             keywords=("US", "Dam", "Repairs"), format="anpa1312"),
        _doc("sha1-dam-writethru", "Dam repairs start in Riverton, cost doubles", wire_service="a",
             published="2025-03-14T11:02:00+00:00", keywords=("US", "Dam", "Repairs"), format="anpa1312"),
        # other slugs: one word more, another service, weeks later
        _doc("sha1-dam-road", "Dam road closed", published=when, wire_service="a",
             keywords=("US", "Dam", "Repairs", "Road"), format="anpa1312"),
        _doc("sha1-dam-other-service", "Dam repairs start", published=when, wire_service="b",
             keywords=("US", "Dam", "Repairs"), format="anpa1312"),
        _doc("sha1-dam-later", "Dam repairs end", published="2025-04-20T10:00:00+00:00", wire_service="a",
             keywords=("US", "Dam", "Repairs"), format="anpa1312"),
        _notice("sha1-elimination", "BC-us-dam-REPAIRS", published="2025-03-14T12:00:00+00:00", wire_service="a"),
    )  # fmt: skip
    _record_files(es, alias, ("/inbox/ap-kill.txt", ("sha1-elimination",)))

    withdrawn = withdrawals.apply_withdrawals(es, alias)
    assert withdrawn == {"sha1-elimination": ["sha1-dam", "sha1-dam-writethru"]}
    es.indices.refresh(index=alias)
    assert _found(es, alias) == {"sha1-dam-road", "sha1-dam-other-service", "sha1-dam-later"}


def test_a_notice_before_its_story_and_a_later_version_are_withdrawn_too(es, alias):
    ensure_index(es, alias)
    key = _story_key(654321)
    _load(es, alias, _notice("sha1-early-kill", key, published="2025-03-14T08:00:00+01:00"))
    _record_files(es, alias, ("/inbox/early-kill.txt", ("sha1-early-kill",)))
    assert withdrawals.apply_withdrawals(es, alias) == {}  # nothing to withdraw yet

    # the story arrives in a later run
    _load(es, alias, _dpa_story(654321, "Zugverkehr zwischen Adorf und Bedorf eingestellt", version=1))
    assert _found(es, alias, "Zugverkehr") == {f"dpa-{key}"}
    assert withdrawals.apply_withdrawals(es, alias) == {"sha1-early-kill": [f"dpa-{key}"]}
    es.indices.refresh(index=alias)
    assert _found(es, alias, "Zugverkehr") == set()

    # a correction (a newer version) overwrites the story, and the mark with it: withdrawn again
    _load(
        es,
        alias,
        _dpa_story(
            654321,
            "Zugverkehr zwischen Adorf und Bedorf eingestellt",
            version=2,
            correction="Im zweiten Absatz wurde der Ortsname berichtigt.",
            is_correction=True,
        ),
    )
    assert withdrawals.apply_withdrawals(es, alias) == {"sha1-early-kill": [f"dpa-{key}"]}
    es.indices.refresh(index=alias)
    assert _found(es, alias, "Zugverkehr") == set()
    stored = es.get(index=alias, id=f"dpa-{key}")["_source"]
    assert (stored["dpa_version"], stored["is_correction"], stored["withdrawn_by"]) == (
        2,
        True,
        "sha1-early-kill",
    )
    record = state.lookup(es, alias, ["/inbox/early-kill.txt"])["/inbox/early-kill.txt"]
    assert record["withdrew"] == [f"dpa-{key}"]


def test_withdrawing_a_dpa_story_keeps_its_external_version(es, alias):
    """The mark must not raise the story's Elasticsearch version: a dpa story is written with its dpa
    version as an external version (external_gte), and a version raised by one refused the same dpa
    version written again (a re-parse after a parser fix, ``--force``) as if it were older."""
    ensure_index(es, alias)
    key = _story_key(777001)
    title = "Schwimmbad in Beispielstadt bleibt geschlossen"
    _load(es, alias, _dpa_story(777001, title, version=3), _notice("sha1-kill-pool", key))
    _record_files(es, alias, ("/inbox/kill-pool.txt", ("sha1-kill-pool",)))
    assert withdrawals.apply_withdrawals(es, alias) == {"sha1-kill-pool": [f"dpa-{key}"]}
    stored = es.get(index=alias, id=f"dpa-{key}")
    assert (stored["_version"], stored["_source"]["withdrawn_by"]) == (3, "sha1-kill-pool")

    # the same dpa version parsed again with another text: written (it replaces the mark), not refused
    reparsed = _dpa_story(777001, title, version=3, text_sha1="reparsed", body=f"{title}. Anders gelesen.")
    assert _load(es, alias, reparsed).superseded == 0
    assert withdrawals.apply_withdrawals(es, alias) == {"sha1-kill-pool": [f"dpa-{key}"]}
    stored = es.get(index=alias, id=f"dpa-{key}")
    assert (stored["_version"], stored["_source"]["text_sha1"]) == (3, "reparsed")
    assert stored["_source"]["withdrawn_by"] == "sha1-kill-pool"
    # an older version is still refused, a newer one still written
    assert _load(es, alias, _dpa_story(777001, title, version=2)).superseded == 1
    assert _load(es, alias, _dpa_story(777001, title, version=4)).superseded == 0
    assert es.get(index=alias, id=f"dpa-{key}")["_source"]["dpa_version"] == 4


def test_a_correction_replaces_the_earlier_version_and_is_marked(es, alias):
    ensure_index(es, alias)
    key = _story_key(111222)
    _load(es, alias, _dpa_story(111222, "Rathaus von Beispielstadt wird saniert", version=1))
    report = _load(
        es,
        alias,
        _dpa_story(
            111222,
            "Rathaus von Beispielstadt wird saniert",
            version=2,
            correction="Berichtigt wird die Bausumme.",
            is_correction=True,
        ),
    )
    assert list(report.outcomes.values()) == ["indexed"]
    late = load_documents(
        es,
        alias,
        [_dpa_story(111222, "Rathaus von Beispielstadt wird saniert", version=1, text_sha1="late copy")],
    )
    assert list(late.outcomes.values()) == ["superseded"]  # an older version never overwrites
    es.indices.refresh(index=alias)
    assert _found(es, alias, "Rathaus", corrections_only=True) == {f"dpa-{key}"}
    assert es.get(index=alias, id=f"dpa-{key}")["_source"]["dpa_version"] == 2


# -- facets and filters -------------------------------------------------------------------------


def test_wire_facets_and_filters(es, alias):
    ensure_index(es, alias)
    _load(
        es, alias,
        _doc("sha1-blitz", "Blitz aus Beispielstadt", format="iptc7901", wire_service="bdt", urgency=1,
             category="pl", category_name="Politik", genre=None),
        _doc("sha1-eil", "Eil aus Beispielstadt", format="iptc7901", wire_service="nsb", urgency=2,
             category="vm", category_name="Vermischtes", genre="Zusammenfassung"),
        _doc("sha1-routine", "Routine aus Beispielstadt", format="anpa1312", wire_service="a", urgency=4,
             category="i", category_name="International", is_correction=True, correction="Fixes the name."),
        _doc("sha1-text", "Text aus Beispielstadt"),
    )  # fmt: skip
    result = search(es, alias, "Beispielstadt", size=10)
    assert result.facets["format"] == {"iptc7901": 2, "anpa1312": 1, "text": 1}
    assert result.facets["urgency"] == {"1": 1, "2": 1, "4": 1}
    assert result.facets["category"] == {"Politik": 1, "Vermischtes": 1, "International": 1}
    assert result.facets["wire_service"] == {"bdt": 1, "nsb": 1, "a": 1}
    assert result.facets["genre"] == {"Zusammenfassung": 1}
    assert result.facets["correction"] == {"false": 3, "true": 1}
    assert _found(es, alias, "", urgency=2) == {"sha1-blitz", "sha1-eil"}
    assert _found(es, alias, "", format="anpa1312") == {"sha1-routine"}
    assert _found(es, alias, "", category="pl") == {"sha1-blitz"}
    assert _found(es, alias, "", category="vermischtes") == {"sha1-eil"}
    assert _found(es, alias, "", wire_service="nsb", genre="Zusammenfassung") == {"sha1-eil"}
    assert _found(es, alias, "", corrections_only=True) == {"sha1-routine"}
    hit = next(h for h in result.hits if h["id"] == "sha1-eil")
    assert (hit["urgency"], hit["category_name"], hit["wire_service"]) == (2, "Vermischtes", "nsb")


def test_search_command_filters_and_prints_wire_facets(es, alias, runner):
    import json

    from pressindex.cli.main import cli

    ensure_index(es, alias)
    _load(
        es, alias,
        _doc("sha1-eil", "Eil aus Beispielstadt", format="iptc7901", wire_service="nsb", urgency=2,
             category="vm", category_name="Vermischtes"),
        _doc("sha1-routine", "Routine aus Beispielstadt", format="iptc7901", wire_service="nsb", urgency=5,
             category="vm", category_name="Vermischtes"),
    )  # fmt: skip
    result = runner.invoke(cli, ["search", "Beispielstadt", "--index", alias, "--urgency", "2", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert [h["id"] for h in answer["hits"]] == ["sha1-eil"]
    assert answer["facets"]["urgency"] == {"2": 1}
    text = runner.invoke(
        cli, ["search", "Beispielstadt", "--index", alias, "--category", "vm", "--format", "iptc7901"]
    )
    assert text.exit_code == 0, text.output
    assert "2 hit(s)" in text.output and "category: Vermischtes (2)" in text.output
    assert "urgency 2" in text.output


# -- several documents per file: the state record and replaced documents --------------------------


def test_a_file_of_several_messages_records_all_its_documents_and_replaces_those_that_left(es, alias):
    ensure_index(es, alias)
    state.ensure_state_index(es, alias)
    path = "/inbox/three-messages.txt"
    _load(
        es,
        alias,
        *(_doc(f"sha1-msg-{i}", f"Meldung {i} aus Beispielstadt", source_path=path) for i in range(3)),
    )
    first = state.FileOutcome(path, 300, "v1", state.INDEXED, doc_id="sha1-msg-0",
                              doc_ids=("sha1-msg-0", "sha1-msg-1", "sha1-msg-2"))  # fmt: skip
    state.write(es, alias, [first], run_id="run-1", previous={})
    before = state.lookup(es, alias, [path])
    assert before[path]["doc_ids"] == ["sha1-msg-0", "sha1-msg-1", "sha1-msg-2"]
    assert state.produced_ids(before[path]) == ("sha1-msg-0", "sha1-msg-1", "sha1-msg-2")

    # the file changes: message 1 is gone, message 3 is new
    _load(es, alias, _doc("sha1-msg-3", "Meldung 3 aus Beispielstadt", source_path=path))
    second = state.FileOutcome(path, 300, "v2", state.INDEXED, doc_id="sha1-msg-0",
                               doc_ids=("sha1-msg-0", "sha1-msg-2", "sha1-msg-3"))  # fmt: skip
    assert state.replaced(second, before[path]) == ("sha1-msg-1",)
    from dataclasses import replace

    state.write(es, alias, [replace(second, replaces=("sha1-msg-1",))], run_id="run-2", previous=before)
    assert state.remove_replaced_documents(es, alias) == 1
    es.indices.refresh(index=alias)
    assert _found(es, alias, "Beispielstadt") == {"sha1-msg-0", "sha1-msg-2", "sha1-msg-3"}


def test_records_made_before_doc_ids_still_count_as_producing_their_document(es, alias):
    state.ensure_state_index(es, alias)
    ensure_index(es, alias)
    _load(es, alias, _doc("sha1-old", "Alter Text aus Beispielstadt"))
    # an old record (doc_id only) produces sha1-old; a new record lists it under replaces
    es.index(index=state.state_alias(alias), id=state.record_id("/inbox/old.txt"),
             document={"path": "/inbox/old.txt", "status": "indexed", "doc_id": "sha1-old"})  # fmt: skip
    es.index(index=state.state_alias(alias), id=state.record_id("/inbox/new.txt"),
             document={"path": "/inbox/new.txt", "status": "indexed", "doc_id": "sha1-new",
                       "doc_ids": ["sha1-new"], "replaces": ["sha1-old"]})  # fmt: skip
    assert state.produced_ids({"doc_id": "sha1-old"}) == ("sha1-old",)
    assert state.remove_replaced_documents(es, alias) == 0
    es.indices.refresh(index=alias)
    assert _found(es, alias, "Beispielstadt") == {"sha1-old"}
