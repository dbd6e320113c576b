"""docker-compose.yml is valid and agrees with the local node and mappings/."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from pressindex.localnode.node import ES_VERSION

ROOT = Path(__file__).resolve().parents[1]


def test_compose_file_is_valid():
    exe = shutil.which("docker-compose")
    assert exe, "docker-compose (Debian package) is needed; scripts/bootstrap.sh installs it"
    proc = subprocess.run([exe, "config", "-q"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_compose_runs_the_local_nodes_elasticsearch_version():
    text = (ROOT / "docker-compose.yml").read_text()
    versions = set(re.findall(r"docker\.elastic\.co/\w+/\w+:([\d.]+)", text))
    assert versions == {ES_VERSION}


def test_compose_reads_the_index_definition_from_mappings():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "./mappings:/app/mappings:ro" in text
    assert "./mappings/analysis:/usr/share/elasticsearch/config/analysis:ro" in text
