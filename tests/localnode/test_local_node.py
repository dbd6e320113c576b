"""The local node: provisioned once, reused when running, stopped only by its own pid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pressindex.cli.main import cli
from pressindex.localnode import node as localnode


@pytest.fixture
def local_settings(es_settings):
    if not es_settings.uses_local_node:
        pytest.skip("ELASTICSEARCH_URL points at an external cluster; no local node is managed")
    return es_settings


def test_status_reports_a_healthy_node(local_settings, runner, es):
    result = runner.invoke(cli, ["es", "status", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["healthy"] is True
    assert status["version"] == localnode.ES_VERSION
    assert status["url"] == local_settings.es_url


def test_start_reuses_the_running_node(local_settings, runner):
    before = localnode.status(local_settings.local_node()).pid
    result = runner.invoke(cli, ["es", "start"])
    assert result.exit_code == 0, result.output
    assert f"pid {before}" in result.output
    assert "log file:" in result.output


def test_provisioning_twice_downloads_nothing(local_settings):
    node = local_settings.local_node()
    archive = node.cache_dir / "downloads" / f"elasticsearch-{localnode.ES_VERSION}.zip"
    stamp = archive.stat().st_mtime_ns
    localnode.provision(node, log=lambda _m: None)
    assert archive.stat().st_mtime_ns == stamp


def test_german_analysis_components_are_available(es):
    tokens = es.indices.analyze(
        tokenizer="standard",
        filter=["lowercase", "german_normalization", "asciifolding"],
        text="Größte Erdoğan",
    )["tokens"]
    assert [t["token"] for t in tokens] == ["grosste", "erdogan"]


@pytest.mark.slow
def test_stop_ends_only_the_node_it_started(local_settings, tmp_path):
    """A second node on its own port: start, stop by pid; the main node keeps running."""
    main = local_settings.local_node()
    other = localnode.LocalNode(cache_dir=main.cache_dir, name="stop-test", port=main.port + 37, heap="512m")
    started = localnode.start(other, log=lambda _m: None)
    try:
        assert started.healthy and started.pid != localnode.status(main).pid
    finally:
        assert localnode.stop(other) is True
    # gone, or a zombie waiting for a parent that does not reap (pid 1 in some containers)
    state = Path(f"/proc/{started.pid}/stat")
    assert not state.exists() or state.read_text().split(")")[-1].split()[0] == "Z"
    assert localnode.status(other).running is False
    assert localnode.stop(other) is False  # nothing of ours left to stop
    assert localnode.status(main).healthy
