"""The ingest flow on a Dask cluster gives the same documents as the default (threads) run.

The cluster is a real local one (two worker processes, one thread each), reached through its
scheduler address exactly as a remote cluster would be (``PRESSINDEX_DASK_ADDRESS``); a second
test lets the flow start its own local cluster (``PRESSINDEX_DASK_WORKERS``).
"""

from __future__ import annotations

import pytest
from elasticsearch.helpers import scan
from wire_factory import article_text, write_articles

from pressindex.cli.main import load_flow
from pressindex.index.indices import drop_alias_family
from pressindex.ingest.run_history import runs_alias
from pressindex.ingest.state import state_alias

FILES = 24
BATCH = 4
RUN_FIELDS = {"ingested_at", "run_id"}  # differ between any two runs


def _documents(es, alias: str) -> dict[str, dict]:
    es.indices.refresh(index=alias)
    return {
        hit["_id"]: {k: v for k, v in hit["_source"].items() if k not in RUN_FIELDS}
        for hit in scan(es, index=alias, query={"query": {"match_all": {}}})
    }


@pytest.fixture
def inbox(tmp_path):
    inbox = tmp_path / "inbox"
    write_articles(inbox, FILES - 2)
    # a dpa story (external version) and a file for the quarantine go through the workers too
    (inbox / "dpa_story.txt").write_text(article_text(900, dpa_story="210413-99-186470/5"), encoding="utf-8")
    (inbox / "empty.txt").write_bytes(b"")
    return inbox


@pytest.fixture
def second_alias(es, alias):
    name = alias + "-dask"
    yield name
    drop_alias_family(es, name)
    drop_alias_family(es, state_alias(name))
    drop_alias_family(es, runs_alias(name))


@pytest.fixture
def threads_run(prefect_harness, es, alias, inbox, quarantine_dir, monkeypatch):
    """The default run: batches on the flow's threads."""
    monkeypatch.setenv("PRESSINDEX_TASK_RUNNER", "threads")
    summary = load_flow("ingest", "ingest")(paths=[str(inbox)], index=alias, batch_size=BATCH)
    return summary, _documents(es, alias)


@pytest.fixture
def dask_cluster(prefect_harness, quarantine_dir, monkeypatch):
    from distributed import LocalCluster

    # workers start after the environment is set, so they resolve the same settings as the flow
    monkeypatch.setenv("PREFECT_API_URL", prefect_harness)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster


def test_dask_cluster_gives_the_same_documents(
    es, threads_run, second_alias, inbox, dask_cluster, monkeypatch
):
    from distributed import Client

    expected_summary, expected = threads_run
    monkeypatch.setenv("PRESSINDEX_TASK_RUNNER", "dask")
    monkeypatch.setenv("PRESSINDEX_DASK_ADDRESS", dask_cluster.scheduler_address)
    ingest = load_flow("ingest", "ingest")  # loaded after the settings: the runner is chosen at load
    assert type(ingest.task_runner).__name__ == "DaskTaskRunner"

    summary = ingest(paths=[str(inbox)], index=second_alias, batch_size=BATCH)

    assert _documents(es, second_alias) == expected
    assert len(expected) == FILES - 1
    for key in ("processed", "indexed", "quarantined", "languages", "agencies"):
        assert summary[key] == expected_summary[key], key
    # the batches ran on the cluster's two workers, not in this process
    with Client(dask_cluster.scheduler_address) as client:
        executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert sum(executed.values()) >= FILES // BATCH
    assert all(n > 0 for n in executed.values()), executed


def test_flow_starts_its_own_local_cluster(
    es, threads_run, second_alias, inbox, prefect_harness, monkeypatch
):
    _, expected = threads_run
    monkeypatch.setenv("PREFECT_API_URL", prefect_harness)
    monkeypatch.setenv("PRESSINDEX_TASK_RUNNER", "dask")
    monkeypatch.delenv("PRESSINDEX_DASK_ADDRESS", raising=False)
    monkeypatch.setenv("PRESSINDEX_DASK_WORKERS", "2")
    ingest = load_flow("ingest", "ingest")

    ingest(paths=[str(inbox)], index=second_alias, batch_size=BATCH)

    assert _documents(es, second_alias) == expected
