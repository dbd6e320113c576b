"""Zero-downtime migrations against the real node: the alias moves while searches keep answering."""

from __future__ import annotations

import copy
import json
import threading
import time

import pytest
from elasticsearch.helpers import bulk

from pressindex.errors import ConfigError
from pressindex.index.indices import (
    current_index,
    drop_old,
    ensure_index,
    index_definition,
    mapping_version,
    migrate_index,
    versioned_name,
)
from pressindex.search import search

N_DOCS = 400


def older_definition() -> dict:
    """The current definition one version back, without the compound sub-fields (a real mapping change)."""
    old = copy.deepcopy(index_definition())
    old["_meta"]["mapping_version"] = mapping_version() - 1
    for name in ("title", "lead", "body"):
        old["mappings"]["properties"][name]["fields"].pop("decomp", None)
    return old


def _docs(alias: str):
    for i in range(N_DOCS):
        yield {
            "_index": alias,
            "_id": f"doc-{i}",
            "_source": {
                "title": f"Meldung {i}",
                "body": "Der Truppenaufmarsch an der Grenze geht weiter."
                if i % 2
                else "Das Wetter bleibt mild.",
                "language": "de",
                "published": f"2024-05-{1 + i % 28:02d}",
                "ingested_at": "2024-06-01T00:00:00+00:00",
            },
        }
    # a dpa story written with an external version, as the loader does
    yield {
        "_index": alias,
        "_id": "dpa-1",
        "version": 5,
        "version_type": "external_gte",
        "_source": {"title": "Gipfel", "body": "Truppen ziehen ab.", "language": "de", "dpa_version": 5},
    }


@pytest.fixture
def old_alias(es, alias):
    old = ensure_index(es, alias, older_definition())
    bulk(es, _docs(alias), refresh="wait_for")
    return alias, old


def test_migrate_while_searching(es, old_alias):
    alias, old = old_alias
    expected = N_DOCS // 2  # every odd doc says "Grenze", in both mappings
    answers: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def keep_searching() -> None:
        deadline = time.monotonic() + 120  # bounded: never outlives a hung migration by much
        while not stop.is_set() and time.monotonic() < deadline and len(answers) < 5000:
            try:
                query = '"an der Grenze"' if len(answers) % 2 else "Grenze"  # a word, a phrase
                answers.append(search(es, alias, query, size=1).total)
            except Exception as exc:  # every failure is a finding
                errors.append(exc)

    searcher = threading.Thread(target=keep_searching, daemon=True)
    searcher.start()
    time.sleep(0.5)
    before = len(answers)
    report = migrate_index(es, alias)
    after_swap = len(answers)
    time.sleep(0.5)
    stop.set()
    searcher.join(timeout=30)

    assert not errors, errors[:3]
    assert before > 0 and len(answers) > after_swap, "searches ran before and after the swap"
    assert set(answers) == {expected}, f"every search saw all documents: {sorted(set(answers))}"
    assert report.old_index == old
    assert report.new_index == versioned_name(alias, mapping_version()) == current_index(es, alias)
    assert report.old_count == report.new_count == N_DOCS + 1
    # the new mapping is in force: the compound sub-field finds the head of the compound
    assert search(es, alias, "Aufmarsch").total == N_DOCS // 2
    assert search(es, old, "Aufmarsch").total == 0
    # the external version survived, so a late, older dpa version is still refused
    assert es.get(index=alias, id="dpa-1")["_version"] == 5
    # the old index stays until it is dropped
    assert es.indices.exists(index=old)
    assert drop_old(es, alias) == [old]
    assert not es.indices.exists(index=old)
    assert search(es, alias, "Truppen").total == expected + 1  # and the dpa story


def test_migrate_refuses_without_a_version_bump(es, alias):
    ensure_index(es, alias)
    with pytest.raises(ConfigError, match="bump"):
        migrate_index(es, alias)


def test_migrate_of_a_new_alias_creates_the_index(es, alias):
    report = migrate_index(es, alias)
    assert report.old_index is None
    assert current_index(es, alias) == versioned_name(alias, mapping_version())


def test_index_commands(es, alias, runner):
    from pressindex.cli.admin import index

    older = older_definition()
    ensure_index(es, alias, older)
    old = current_index(es, alias)
    result = runner.invoke(index, ["migrate", "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["old_index"], report["new_index"]) == (old, versioned_name(alias, mapping_version()))
    again = runner.invoke(index, ["migrate", "--index", alias])
    assert again.exit_code == 1 and "bump _meta.mapping_version" in again.output
    dropped = runner.invoke(index, ["drop-old", "--index", alias, "--yes"])
    assert dropped.exit_code == 0, dropped.output
    assert f"dropped {old}" in dropped.output
    assert runner.invoke(index, ["drop-old", "--index", alias, "--yes"]).output.strip() == "nothing to drop"
    created = runner.invoke(index, ["create", "--index", alias])
    assert created.output.strip() == f"{alias} → {versioned_name(alias, mapping_version())}"


def test_an_index_of_an_older_release_gets_the_new_fields_in_place(es, alias):
    old = copy.deepcopy(index_definition())
    old["_meta"]["mapping_version"] = mapping_version() - 1
    for name in ("format", "urgency", "embargo_until", "kind"):  # fields a later release added
        old["mappings"]["properties"].pop(name)
    from pressindex.index.indices import create_index

    create_index(es, versioned_name(alias, mapping_version() - 1), old, aliases={alias: {}})

    concrete = ensure_index(es, alias)  # what every run does first

    assert concrete == versioned_name(alias, mapping_version() - 1)  # no migration: the same index
    mapped = es.indices.get_mapping(index=concrete)[concrete]["mappings"]["properties"]
    assert {"format", "urgency", "embargo_until", "kind"} <= set(mapped)
    es.index(
        index=concrete, id="new", document={"title": "Neu", "format": "iptc7901", "urgency": 2}, refresh=True
    )
    assert es.get(index=concrete, id="new")["_source"]["format"] == "iptc7901"


def test_a_search_on_an_index_from_before_story_clusters_lists_every_copy(es, alias):
    """An index made by a release without story_id (not yet migrated, no ingest since) still
    answers: every copy is a hit of its own, no error."""
    old = copy.deepcopy(index_definition())
    old["_meta"]["mapping_version"] = mapping_version() - 1
    for name in [n for n in old["mappings"]["properties"] if n.startswith("story_")]:
        del old["mappings"]["properties"][name]
    ensure_index(es, alias, old)
    bulk(
        es,
        [
            {
                "_index": alias,
                "_id": f"copy-{i}",
                "_source": {"title": "Gipfel", "body": "Truppenaufmarsch an der Grenze.", "language": "de"},
            }
            for i in range(3)
        ],
        refresh=True,
    )
    result = search(es, alias, "Truppenaufmarsch")
    assert result.total == 3 and len(result.hits) == 3 and not result.collapsed
