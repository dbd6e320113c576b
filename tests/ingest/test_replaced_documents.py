"""A file whose text changed replaces its old document, unless another file still has that text.

Against a real Elasticsearch and a real Prefect server (the test harness)."""

from __future__ import annotations

import copy
import json

import pytest
from wire_factory import article_text, write_articles

from pressindex.cli.main import cli
from pressindex.ingest import state


def _ingest(runner, alias, *paths, extra=()):
    result = runner.invoke(cli, ["ingest", *map(str, paths), "--index", alias, "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def _ids(es, alias) -> set[str]:
    es.indices.refresh(index=alias)
    return {h["_id"] for h in es.search(index=alias, size=100, source=False)["hits"]["hits"]}


def test_old_text_moved_to_a_new_file_in_the_same_run_keeps_its_document(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    [first, *_] = write_articles(inbox, 3)
    _ingest(runner, alias, inbox)
    old_id = state.lookup(es, alias, [str(first)])[str(first)]["doc_id"]
    old_text = first.read_text(encoding="utf-8")

    # the old text is archived under a new name, and the file gets a new text, in one run
    (inbox / "archived.txt").write_text(old_text, encoding="utf-8")
    first.write_text(article_text(900), encoding="utf-8")
    _ingest(runner, alias, inbox)

    records = state.lookup(es, alias, [str(first), str(inbox / "archived.txt")])
    assert records[str(inbox / "archived.txt")]["doc_id"] == old_id
    assert old_id in _ids(es, alias)
    assert records[str(first)]["doc_id"] in _ids(es, alias)
    assert len(_ids(es, alias)) == 4


def test_old_text_moved_to_a_file_of_another_batch_keeps_its_document(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    paths = write_articles(inbox, 4)
    _ingest(runner, alias, inbox)
    last = paths[-1]
    old_id = state.lookup(es, alias, [str(last)])[str(last)]["doc_id"]
    old_text = last.read_text(encoding="utf-8")

    # "0-archived.txt" sorts first: its batch is planned before the changed file's batch
    (inbox / "0-archived.txt").write_text(old_text, encoding="utf-8")
    last.write_text(article_text(901), encoding="utf-8")
    _ingest(runner, alias, inbox, extra=["--batch-size", "1"])

    assert old_id in _ids(es, alias)
    assert len(_ids(es, alias)) == 5


def test_a_changed_file_replaces_its_old_document(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    [first, *_] = write_articles(inbox, 2)
    _ingest(runner, alias, inbox)
    old_id = state.lookup(es, alias, [str(first)])[str(first)]["doc_id"]
    first.write_text(article_text(902), encoding="utf-8")
    _ingest(runner, alias, inbox)
    assert old_id not in _ids(es, alias)
    assert len(_ids(es, alias)) == 2


def test_a_run_that_ended_before_removing_leaves_the_work_to_the_next_run(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    [first, second] = write_articles(inbox, 2)
    _ingest(runner, alias, inbox)
    records = state.lookup(es, alias, [str(first), str(second)])
    # as a run leaves it when it is killed after its batches: the changed file's new document is
    # in, its record lists the old one, and the old one is still there
    stale = es.get(index=alias, id=records[str(first)]["doc_id"])["_source"]
    es.index(index=alias, id="sha1-stale", document=stale, refresh=True)
    outcome = state.FileOutcome(
        str(first), first.stat().st_size, records[str(first)]["content_sha256"], state.INDEXED,
        doc_id=records[str(first)]["doc_id"], replaces=("sha1-stale",),
    )  # fmt: skip
    state.write(es, alias, [outcome], run_id="killed", previous=records)
    assert "sha1-stale" in _ids(es, alias)

    summary = _ingest(runner, alias, inbox)  # nothing new to do

    assert summary["processed"] == 0
    assert summary["replaced_removed"] == 1
    assert _ids(es, alias) == {r["doc_id"] for r in records.values()}
    assert state.lookup(es, alias, [str(first)])[str(first)].get("replaces") is None


def test_an_older_state_index_gets_the_new_field(es, alias):
    from pressindex.index.indices import load_definition

    definition = copy.deepcopy(load_definition(state.DEFINITION_FILE))  # the loaded one is shared
    del definition["mappings"]["properties"]["replaces"]
    es.indices.create(
        index=f"{state.state_alias(alias)}-v1",
        settings=definition["settings"],
        mappings=definition["mappings"],
        aliases={state.state_alias(alias): {"is_write_index": True}},
    )
    state.ensure_state_index(es, alias)
    mapping = es.indices.get_mapping(index=state.state_alias(alias))
    [entry] = mapping.values()
    assert entry["mappings"]["properties"]["replaces"] == {"type": "keyword"}


def _outcome(status=state.INDEXED, doc_id="sha1-new"):
    return state.FileOutcome("/in/a.txt", 10, "c" * 64, status, doc_id=doc_id)


def test_what_a_record_lists_as_replaced():
    assert state.replaced(_outcome(), None) == ()
    assert state.replaced(_outcome(), {"doc_id": "sha1-new"}) == ()
    assert state.replaced(_outcome(), {"doc_id": "sha1-old"}) == ("sha1-old",)
    # a dpa story keeps its id across versions
    assert state.replaced(_outcome(doc_id="dpa-210413-99-1"), {"doc_id": "dpa-210413-99-2"}) == ()
    # a file that turned bad keeps its old document
    assert state.replaced(_outcome(state.QUARANTINED, None), {"doc_id": "sha1-old"}) == ()
    # what an unfinished run left is carried forward, without the document the file produces now
    before = {"doc_id": "sha1-old", "replaces": ["sha1-older", "sha1-new"]}
    assert state.replaced(_outcome(), before) == ("sha1-older", "sha1-old")
    assert state.replaced(_outcome(state.QUARANTINED, None), before) == ("sha1-older", "sha1-new")


def test_a_state_record_elasticsearch_refuses_is_a_terminal_error(es, alias):
    from pressindex.errors import TerminalLoadError

    state.ensure_state_index(es, alias)
    bad = state.FileOutcome("/in/a.txt", "not a number", "c" * 64, state.INDEXED, doc_id="sha1-a")
    with pytest.raises(TerminalLoadError, match="1 state records were not written"):
        state.write(es, alias, [bad], run_id="r", previous={})
