"""Bulk mode: refresh off (and replicas 0) during a large load, restored on success, on failure,
and after a killed run by the next one — against the real local node."""

from __future__ import annotations

import logging

import pytest
from wire_factory import write_articles

from pressindex.cli.main import load_flow
from pressindex.index.indices import current_index, ensure_index
from pressindex.ingest import bulk_mode, state


def _settings(es, index: str) -> dict:
    found = es.indices.get_settings(index=index, flat_settings=True)[index]["settings"]
    return {k: found.get(f"index.{k}") for k in ("refresh_interval", "number_of_replicas")}


def _meta(es, index: str) -> dict:
    return es.indices.get_mapping(index=index)[index]["mappings"].get("_meta", {})


@pytest.fixture
def concrete(es, alias):
    name = ensure_index(es, alias)
    es.indices.put_settings(index=name, settings={"refresh_interval": "5s"})  # as an operator might have
    return name


def test_settings_come_back_when_the_load_fails(es, concrete):
    before = _settings(es, concrete)
    with pytest.raises(RuntimeError, match="load failed"), bulk_mode.bulk_mode(es, concrete):
        assert _settings(es, concrete) == {"refresh_interval": "-1", "number_of_replicas": "0"}
        assert bulk_mode.META_KEY in _meta(es, concrete)
        raise RuntimeError("load failed")
    assert _settings(es, concrete) == before == {"refresh_interval": "5s", "number_of_replicas": "0"}
    meta = _meta(es, concrete)
    assert bulk_mode.META_KEY not in meta
    assert "mapping_version" in meta  # the rest of _meta is kept


def test_a_second_bulk_mode_keeps_the_first_record(es, concrete):
    bulk_mode.enter(es, concrete, drop_replicas=False)  # a run killed in bulk mode …
    bulk_mode.enter(es, concrete, drop_replicas=False)  # … and the next large run
    assert bulk_mode.restore_leftovers(es, concrete)
    assert _settings(es, concrete)["refresh_interval"] == "5s"  # not the -1 the first run had set
    assert not bulk_mode.restore_leftovers(es, concrete)


def test_the_next_run_repairs_what_a_killed_run_left(
    prefect_harness, es, alias, concrete, quarantine_dir, tmp_path
):
    state.ensure_state_index(es, alias)
    state_index = current_index(es, state.state_alias(alias))
    bulk_mode.enter(es, concrete, drop_replicas=True, run_id="killed")  # then SIGKILL: no restore
    bulk_mode.enter(es, state_index, drop_replicas=False, run_id="killed")
    inbox = tmp_path / "inbox"
    write_articles(inbox, 3)

    load_flow("ingest", "ingest")(paths=[str(inbox)], index=alias)  # a small run: no bulk mode of its own

    assert _settings(es, concrete)["refresh_interval"] == "5s"
    assert bulk_mode.META_KEY not in _meta(es, concrete)
    assert _settings(es, state_index)["refresh_interval"] is None  # Elasticsearch's default again
    assert bulk_mode.META_KEY not in _meta(es, state_index)
    assert es.count(index=alias)["count"] == 3


def test_a_failed_large_run_restores_the_settings(
    prefect_harness, es, alias, concrete, tmp_path, monkeypatch, caplog
):
    inbox = tmp_path / "inbox"
    write_articles(inbox, 4)
    (inbox / "empty.txt").write_bytes(b"")  # needs the quarantine …
    blocker = tmp_path / "quarantine"
    blocker.write_text("a file where the quarantine directory should be")  # … which cannot be written
    monkeypatch.setenv("PRESSINDEX_QUARANTINE_DIR", str(blocker))
    monkeypatch.setenv("PRESSINDEX_BULK_MODE_MIN_FILES", "2")
    caplog.set_level(logging.INFO)

    final = load_flow("ingest", "ingest")(paths=[str(inbox)], index=alias, batch_size=2, return_state=True)

    assert final.is_failed()
    assert f"bulk mode on {concrete}" in caplog.text
    assert _settings(es, concrete)["refresh_interval"] == "5s"
    assert bulk_mode.META_KEY not in _meta(es, concrete)
    state_index = current_index(es, state.state_alias(alias))
    assert _settings(es, state_index)["refresh_interval"] is None
    assert bulk_mode.META_KEY not in _meta(es, state_index)


def test_a_large_run_loads_the_state_records_without_refreshing_them_each_second(
    prefect_harness, es, alias, concrete, quarantine_dir, tmp_path, monkeypatch
):
    state.ensure_state_index(es, alias)
    state_index = current_index(es, state.state_alias(alias))
    seen: list[dict] = []
    write = state.write

    def write_and_look(es_, alias_, outcomes, **kwargs):  # the settings while a batch records
        seen.append(_settings(es, state_index))
        return write(es_, alias_, outcomes, **kwargs)

    monkeypatch.setattr(state, "write", write_and_look)
    monkeypatch.setenv("PRESSINDEX_BULK_MODE_MIN_FILES", "2")
    inbox = tmp_path / "inbox"
    paths = write_articles(inbox, 4)

    load_flow("ingest", "ingest")(paths=[str(inbox)], index=alias, batch_size=2)

    assert [s["refresh_interval"] for s in seen] == ["-1", "-1"]
    assert _settings(es, state_index)["refresh_interval"] is None
    # searchable when the run returns
    hits = es.search(index=state.state_alias(alias), size=10)["hits"]["hits"]
    assert sorted(h["_source"]["path"] for h in hits) == sorted(map(str, paths))
