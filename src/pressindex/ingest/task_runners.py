"""Where the ingest flow runs its batch tasks: threads of the flow process, or a Dask cluster.

Threads (the default) keep a few batches in flight on this machine; each parses in the
process's shared parse pool while another waits for Elasticsearch. Dask spreads the batches over
the workers of a cluster, an existing one (``dask_address``) or a local one started for the run.
A Dask worker parses in one supervised parse process of its own, within the same per-file limits
(``pressindex.ingest.parse_pool``): a cluster is sized by its workers (one per core, one thread each).
"""

from __future__ import annotations

from typing import Any

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from pressindex.config import Settings


def batch_task_runner(settings: Settings) -> TaskRunner[Any]:  # thread or Dask futures
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": settings.dask_workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,  # no web dashboard (and no port taken) for a run's own cluster
            }
        )
    # bounded: Prefect's default pool would start a thread per submitted batch
    return ThreadPoolTaskRunner(max_workers=settings.batches_in_flight)
