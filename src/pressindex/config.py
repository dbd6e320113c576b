"""Settings, resolved once at the edge (CLI, flow entry) and passed down as plain values."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from pressindex.localnode.node import LocalNode, default_cache_dir

# Largest _bulk request body. Here rather than in ``pressindex.load``: the command reads its settings
# first thing, and importing the Elasticsearch client with them (0.5 s) would delay the parse processes.
DEFAULT_CHUNK_BYTES = 1024 * 1024


def _cores() -> int:
    return os.cpu_count() or 1


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRESSINDEX_", extra="ignore", populate_by_name=True)

    # An external cluster; when unset, the project's local node is used.
    elasticsearch_url: str | None = Field(
        None,
        validation_alias=AliasChoices("ELASTICSEARCH_URL", "PRESSINDEX_ELASTICSEARCH_URL"),
        description="URL of an existing cluster; nothing is started when it is set",
    )
    elasticsearch_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("ELASTICSEARCH_API_KEY", "PRESSINDEX_ELASTICSEARCH_API_KEY")
    )
    elasticsearch_username: str | None = Field(
        None, validation_alias=AliasChoices("ELASTICSEARCH_USERNAME", "PRESSINDEX_ELASTICSEARCH_USERNAME")
    )
    elasticsearch_password: SecretStr | None = Field(
        None, validation_alias=AliasChoices("ELASTICSEARCH_PASSWORD", "PRESSINDEX_ELASTICSEARCH_PASSWORD")
    )
    elasticsearch_ca_certs: Path | None = Field(
        None, validation_alias=AliasChoices("ELASTICSEARCH_CA_CERTS", "PRESSINDEX_ELASTICSEARCH_CA_CERTS")
    )
    request_timeout: float = Field(60.0, description="seconds per Elasticsearch request")

    index: str = Field("press", description="the alias searches and ingests go through")
    batch_size: int = Field(1000, ge=1, le=100_000, description="files per Prefect task run")
    max_file_bytes: int = Field(20 * 1024 * 1024, ge=1, description="larger files are quarantined")
    batch_retries: int = Field(4, ge=0, description="retries of a batch after a transient Elasticsearch error")
    retry_backoff_seconds: float = Field(2.0, gt=0, description="first retry delay; doubles each retry, with jitter")
    # throughput: see bench/ingest_bench.py for what these were measured with
    parse_workers: int = Field(
        default_factory=_cores, ge=0,
        description="processes that parse and detect language (0: parse in the task's own thread)",
    )  # fmt: skip
    batches_in_flight: int = Field(3, ge=1, description="batch tasks run at once, sharing the parse processes")
    parse_ahead_files: int | None = Field(
        None, ge=0,
        description="new files `pressindex ingest` parses while Prefect starts (default: the first batches in "
        "flight, batch_size x batches_in_flight; 0: none)",
    )  # fmt: skip
    bulk_chunk_bytes: int = Field(
        DEFAULT_CHUNK_BYTES, ge=64 * 1024, description="largest _bulk request body; requests are cut by size"
    )
    bulk_requests_in_flight: int = Field(
        default_factory=_cores, ge=1,
        description="_bulk requests a batch keeps open at once (one shard indexes a request on one thread)",
    )  # fmt: skip
    bulk_mode_min_files: int = Field(
        5000, ge=1, description="runs of this many files turn refresh off (replicas too, on an initial load)"
    )
    task_runner: Literal["threads", "dask"] = Field(
        "threads", description="where batch tasks run: threads of the flow process, or a Dask cluster"
    )
    dask_address: str | None = Field(
        None, description="scheduler of an existing Dask cluster (tcp://host:8786); unset: a local cluster"
    )
    dask_workers: int = Field(default_factory=_cores, ge=1, description="processes of a local Dask cluster")
    quarantine_dir: Path = Field(Path("quarantine"), description="where rejected files and their reasons go")

    cache_dir: Path = Field(default_factory=default_cache_dir, description="local node downloads and data")
    es_port: int = Field(9200, description="HTTP port of the local node")
    es_heap: str = Field("1g", description="JVM heap of the local node")

    def local_node(self) -> LocalNode:
        return LocalNode(cache_dir=self.cache_dir, port=self.es_port, heap=self.es_heap)

    @property
    def uses_local_node(self) -> bool:
        return not self.elasticsearch_url

    @property
    def es_url(self) -> str:
        return self.elasticsearch_url or self.local_node().url

    def for_index(self, index: str | None) -> Settings:
        """These settings with another alias (a command's ``--index``), or unchanged."""
        return self.model_copy(update={"index": index}) if index else self
