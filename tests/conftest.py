"""Fixtures: the real Elasticsearch the test command starts, and a real Prefect (test harness).

An unreachable Elasticsearch is a failure, never a skip.
"""

from __future__ import annotations

import uuid

import pytest
from click.testing import CliRunner

from pressindex.config import Settings
from pressindex.index.es_client import connect
from pressindex.index.indices import drop_alias_family
from pressindex.ingest.run_history import runs_alias
from pressindex.ingest.state import state_alias
from pressindex.localnode import node as localnode


@pytest.fixture(scope="session")
def es_settings() -> Settings:
    settings = Settings()
    if settings.uses_local_node:
        try:
            localnode.start(settings.local_node())  # provisions once, reuses a running node
        except Exception as exc:  # a failure to start is a test failure, with the reason
            pytest.fail(f"could not start the local Elasticsearch: {exc}", pytrace=False)
    return settings


@pytest.fixture(scope="session")
def es(es_settings):
    client = connect(es_settings)
    try:
        client.cluster.health(wait_for_status="yellow", timeout="30s")
    except Exception as exc:
        pytest.fail(f"Elasticsearch at {es_settings.es_url} is unreachable: {exc}", pytrace=False)
    return client


@pytest.fixture(scope="session")
def prefect_harness():
    import prefect.settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield prefect.settings.PREFECT_API_URL.value()  # the harness server, for subprocesses


@pytest.fixture
def alias(es):
    """A fresh alias (and its versioned indices) per test, removed afterwards."""
    name = f"test-{uuid.uuid4().hex[:10]}"
    yield name
    drop_alias_family(es, name)
    drop_alias_family(es, state_alias(name))
    drop_alias_family(es, runs_alias(name))  # the run history every ingest writes


@pytest.fixture
def quarantine_dir(tmp_path, monkeypatch):
    path = tmp_path / "quarantine"
    monkeypatch.setenv("PRESSINDEX_QUARANTINE_DIR", str(path))
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
