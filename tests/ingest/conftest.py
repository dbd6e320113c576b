"""Fixtures the ingest tests share."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def run_env(prefect_harness, quarantine_dir):
    """The environment of a ``pressindex ingest`` subprocess: the test's Prefect server, one batch retry."""
    return {
        **os.environ,
        "PREFECT_API_URL": prefect_harness,
        "PRESSINDEX_BATCH_RETRIES": "1",
        "PRESSINDEX_RETRY_BACKOFF_SECONDS": "0.5",
    }
