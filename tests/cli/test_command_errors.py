"""A command that Elasticsearch refuses ends with one line that says what to do, not a traceback."""

from __future__ import annotations

import subprocess
import sys

from pressindex.cli.main import cli


def test_a_search_before_any_ingest_names_the_missing_index(es, runner, alias):
    result = runner.invoke(cli, ["search", "Wahl", "--index", alias])
    assert result.exit_code == 1
    assert f"there is no index '{alias}' yet" in result.output
    assert "pressindex ingest" in result.output
    assert "Traceback" not in result.output


def test_an_unreachable_elasticsearch_is_one_clear_line(tmp_path):
    env = {"ELASTICSEARCH_URL": "http://127.0.0.1:9", "PREFECT_API_URL": "http://127.0.0.1:9/api", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-m", "pressindex", "search", "Wahl"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert out.returncode == 1
    assert out.stderr.startswith("Error: Elasticsearch is not reachable")
    assert "Traceback" not in out.stderr
