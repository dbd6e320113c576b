"""Settings, resolved once at the edge (CLI, flow entry) and passed down as plain values."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from pressindex.localnode.node import LocalNode, default_cache_dir

# Largest _bulk request body. Here rather than in ``pressindex.ingest.load``: the command reads its settings
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
    batch_retries: int = Field(
        4, ge=0, description="retries of a batch after a transient Elasticsearch error"
    )
    retry_backoff_seconds: float = Field(
        2.0, gt=0, description="first retry delay; doubles each retry, with jitter"
    )
    # throughput: see bench/ingest_bench.py for what these were measured with
    parse_workers: int = Field(
        default_factory=_cores, ge=1,
        description="processes that parse and detect language, each file within the limits below",
    )  # fmt: skip
    # Per-file limits of the parse processes (pressindex.ingest.parse_pool). Ordinary copy parses at about
    # 20 MB/s on one core and the slowest known shape (thousands of tiny wire messages) at 1.7 s per
    # MB (bench/pathological.py): 5 s per MB leaves a margin for a loaded machine, the floor covers
    # scheduling jitter of small files. A file over either limit is quarantined (parse_timeout, parse_memory).
    parse_seconds_per_mb: float = Field(
        5.0, gt=0, description="wall time a parse process may spend on a file, per MB of the file"
    )
    parse_min_seconds: float = Field(
        10.0, gt=0, description="wall time any file may take to parse, whatever its size"
    )
    parse_memory_mb: int = Field(
        1536, ge=64,
        description="memory ceiling of one parse process (resident MB); the file it parses is quarantined",
    )  # fmt: skip
    batches_in_flight: int = Field(
        3, ge=1, description="batch tasks run at once, sharing the parse processes"
    )
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
    # Picture, audio and video items (NewsML-G2 itemClass, digitalwires/ninjs type) carry a caption,
    # not news text: recorded in the state index (status skipped_media) and not searched, unless set.
    media_captions_as_documents: bool = Field(
        False, description="index the captions of picture, audio and video items as documents (kind media)"
    )

    cache_dir: Path = Field(default_factory=default_cache_dir, description="local node downloads and data")
    es_port: int = Field(9200, description="HTTP port of the local node")
    es_heap: str = Field("1g", description="JVM heap of the local node")
    # `pressindex up` (pressindex.localnode.services): a Prefect server and a worker that survive the command
    prefect_port: int = Field(
        4200, description="port of the local Prefect server (API and UI) that `up` starts"
    )
    services_dir: Path | None = Field(
        None, description="pid, state and log files of the local services (default: <cache_dir>/services)"
    )
    use_local_services: bool = Field(
        True,
        description="commands use the Prefect server `pressindex up` started (false: a temporary one per run)",
    )
    # The drift alarm (pressindex.ingest.drift): a run is `degraded` when a field's coverage falls more than
    # drift_margin_points below the median of the previous good runs, or its quarantine share is too high.
    drift_runs: int = Field(7, ge=1, description="previous runs whose median coverage a run is compared with")
    drift_margin_points: float = Field(
        20.0, gt=0, description="percentage points a field's coverage may fall below that median"
    )
    drift_max_quarantine_share: float = Field(
        0.1, gt=0, le=1, description="share of a run's new or changed files that may go to quarantine"
    )
    drift_min_files: int = Field(
        20,
        ge=1,
        description="runs with fewer new or changed files are recorded but not judged (too few to tell)",
    )

    # Run limits (pressindex.ingest.run_limits): the backstop when something hangs that the per-file parse
    # limits do not cover (Elasticsearch, a bug). An ordinary file costs 1-3 ms end to end and a
    # 100,000-file run 3-4 minutes here, so the limits sit 300x and more above legitimate runs:
    # a batch may take 1 s per file, and at least 10 minutes (its retries after Elasticsearch
    # timeouts of request_timeout each fit); a run 1 s per file over the batches in flight, plus
    # 30 minutes for planning and the end of the run (100,000 files: 9.8 h, under a night).
    batch_seconds_per_file: float = Field(
        1.0, gt=0, description="time limit of a batch per file in it; over it the run fails, naming the batch"
    )
    batch_min_seconds: float = Field(
        600.0, gt=0, description="time limit of any batch, however few its files"
    )
    run_min_seconds: float = Field(
        1800.0, gt=0,
        description="time limit of a run beyond its batches' share (batch_seconds_per_file x files / batches_in_flight)",
    )  # fmt: skip
    # The end of a run (removing replaced documents, withdrawals, story assignment, the reports) has
    # its own limit, from the time its batches end: story assignment costs 2-6 ms of Elasticsearch
    # CPU per document (docs/stories.md), so 0.1 s per file sits 15x and more above it.
    end_of_run_seconds_per_file: float = Field(
        0.1, gt=0,
        description="time limit of the end of a run (after its batches) per new or changed file; over it the run fails",
    )  # fmt: skip
    end_of_run_min_seconds: float = Field(
        1800.0, gt=0, description="time limit of the end of any run, however few its files"
    )
    # A flow run whose process died without a word (SIGKILL, power loss) stops sending heartbeats;
    # `pressindex serve` has the Prefect server mark it Crashed after 3 missed ones, which frees the
    # nightly deployment's slot (measured: the next run started 84-98 s after the kill with 30 s
    # heartbeats; at most ~225 s with 60 s). Short beats keep that well under the 300 s lease Prefect
    # 3.8.8 renews for a running flow run (renewed every 225 s): the earlier the run is marked, the
    # likelier its own lease is the one released, not a later run's (docs/operations.md).
    heartbeat_seconds: int = Field(
        60, ge=30, le=90, description="seconds between a flow run's heartbeats (Prefect's minimum: 30)"
    )
    stop_grace_seconds: float = Field(
        10.0,
        gt=0,
        description="after SIGTERM or Ctrl-C, time the command takes to clean up before it exits anyway",
    )
    # Story clusters (pressindex.stories, docs/stories.md): assigned at the end of every run.
    stories_enabled: bool = Field(True, description="assign every run's new documents to stories")
    # unset: pressindex.stories.DEFAULT_THRESHOLD (not imported here: it brings numpy into every command)
    story_threshold: float | None = Field(
        None, gt=0, le=1,
        description="similarity (pressindex.stories.story_similarity) from which two documents tell one story",
    )  # fmt: skip
    story_window_days: int = Field(
        7,
        ge=1,
        le=366,
        description="a document joins stories with copies published at most this many days apart",
    )

    def local_node(self) -> LocalNode:
        return LocalNode(cache_dir=self.cache_dir, port=self.es_port, heap=self.es_heap)

    @property
    def uses_local_node(self) -> bool:
        return not self.elasticsearch_url

    @property
    def es_url(self) -> str:
        return self.elasticsearch_url or self.local_node().url

    @property
    def services_path(self) -> Path:
        return self.services_dir or self.cache_dir / "services"

    def for_index(self, index: str | None) -> Settings:
        """These settings with another alias (a command's ``--index``), or unchanged."""
        return self.model_copy(update={"index": index}) if index else self
