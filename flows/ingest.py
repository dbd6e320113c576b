"""Prefect flow: find new and changed news files, then one task per batch parses, loads and records.

With story clusters on (the default), each batch runs as two tasks, so that every document is
written once, with its final story: ``parse-N`` parses to the run's spool on disk, the flow decides
the stories of all spooled documents in one fixed order (``pressindex.ingest.run_stories``), then
``batch-N`` loads the spool with them, quarantines and records (``pressindex.ingest.spool``).

Thin wrappers only; the behaviour lives in ``pressindex.ingest.state`` (what to do), ``pressindex.ingest.batch``
(doing one batch) and ``pressindex.ingest.run_report`` (what operators see).

Reruns: a batch's result is persisted under a cache key made of its files' paths and checksums,
the alias and the flow run id. Retrying a failed flow run (UI "Retry", or
``prefect flow-run retry <id>``) therefore skips the batches that had completed (they come back
``Cached``) and runs only the rest. A new run relies on the state index instead.
Secrets never travel as flow parameters: tasks read connection settings from the environment.

Throughput: a few batches are in flight at once (``PRESSINDEX_BATCHES_IN_FLIGHT``); each parses
in the process's shared pool of parse processes (started when the run starts; ``pressindex ingest``
starts them before it imports Prefect and has them parse the first new files meanwhile,
``pressindex.ingest.head_start``) and sends its documents while the rest of it is still parsing, several
requests at once. A run of at least ``PRESSINDEX_BULK_MODE_MIN_FILES`` files turns refresh off on
the index while it loads (``pressindex.ingest.bulk_mode``), restored when the run ends, fails, or, after a
killed run, when the next one starts. ``PRESSINDEX_TASK_RUNNER=dask`` runs the batches on a Dask cluster instead
(``pressindex.ingest.task_runners``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import cloudpickle
from prefect import flow, get_run_logger, task
from prefect.cache_policies import INPUTS, TASK_SOURCE
from prefect.context import FlowRunContext
from prefect.runtime import flow_run
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote

from pressindex.config import Settings
from pressindex.errors import PressindexError
from pressindex.index.es_client import connect, shared_client
from pressindex.index.indices import current_index, ensure_index
from pressindex.ingest import (
    bulk_mode,
    drift,
    heap,
    interrupts,
    pipeline,
    progress,
    run_history,
    run_limits,
    run_report,
    spool,
    state,
    withdrawals,
)
from pressindex.ingest.batch import BatchReport, load_spooled_batch, process_batch, spool_batch
from pressindex.ingest.parse_pool import ParseLimits
from pressindex.ingest.task_runners import batch_task_runner

if TYPE_CHECKING:
    from pressindex.ingest import run_stories

# A deployment's flow run imports this file first: cap malloc arenas before the batches start threads.
heap.limit_arenas()

# This file is loaded from its path, so a Dask worker cannot import it: its tasks travel by value.
if __name__ in sys.modules:
    cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _retry_only_transient(task, task_run, state) -> bool:
    """Retry 429/503/timeouts/connection refused; a bad file or a mapping error will not get better."""
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, PressindexError) and exc.transient


# every batch task: persisted per flow run (a retried run gets the completed ones back Cached)
BATCH_TASK_OPTIONS: dict = {
    "cache_policy": INPUTS + TASK_SOURCE,
    "persist_result": True,
    "cache_expiration": timedelta(days=30),
    "retries": 4,
    "retry_delay_seconds": exponential_backoff(backoff_factor=2),
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": _retry_only_transient,
}


@task(name="ingest-batch", task_run_name="batch-{batch_no}", **BATCH_TASK_OPTIONS)
def ingest_batch(batch_no: int, files: list[tuple[str, str | None]], alias: str, run_id: str | None) -> dict:
    settings = Settings()
    report = process_batch(
        shared_client(settings),
        alias,
        files,
        max_bytes=settings.max_file_bytes,
        quarantine_dir=settings.quarantine_dir.absolute(),
        run_id=run_id,
        parse_workers=settings.parse_workers,
        limits=ParseLimits.from_settings(settings),
        chunk_bytes=settings.bulk_chunk_bytes,
        concurrent_requests=settings.bulk_requests_in_flight,
        media_as_documents=settings.media_captions_as_documents,
    )
    return _reported(batch_no, report)


def _reported(batch_no: int, report: BatchReport) -> dict:
    get_run_logger().info(
        "batch=%d files=%d indexed=%d unchanged=%d superseded=%d quarantined=%d",
        batch_no, report.files, report.indexed, report.unchanged, report.superseded, sum(report.quarantined.values()),
    )  # fmt: skip
    return {"batch": batch_no, **report.as_dict()}


@task(name="parse-batch", task_run_name="parse-{batch_no}", **BATCH_TASK_OPTIONS)
def parse_batch(batch_no: int, files: list[tuple[str, str | None]], alias: str, run_id: str) -> dict:
    """A batch's first half with story clusters: parse to the run's spool (``pressindex.ingest.spool``)."""
    settings = Settings()
    return spool_batch(
        shared_client(settings),
        alias,
        files,
        spool.spool_path(_spool_root(settings), run_id, batch_no),
        max_bytes=settings.max_file_bytes,
        run_id=run_id,
        parse_workers=settings.parse_workers,
        limits=ParseLimits.from_settings(settings),
        media_as_documents=settings.media_captions_as_documents,
        window_days=settings.story_window_days,
    )


@task(name="load-batch", task_run_name="batch-{batch_no}", **BATCH_TASK_OPTIONS)
def load_batch(
    batch_no: int, files: list[tuple[str, str | None]], spool_file: str, alias: str, run_id: str
) -> dict:
    """Its second half: load the spool with the stories the flow decided, quarantine, record."""
    settings = Settings()
    report = load_spooled_batch(
        shared_client(settings),
        alias,
        files,
        Path(spool_file),
        quarantine_dir=settings.quarantine_dir.absolute(),
        run_id=run_id,
        chunk_bytes=settings.bulk_chunk_bytes,
        concurrent_requests=settings.bulk_requests_in_flight,
        media_as_documents=settings.media_captions_as_documents,
    )
    return _reported(batch_no, report)


def _spool_root(settings: Settings) -> Path:
    return settings.cache_dir.absolute() / "spool"


@task(
    name="plan-run",
    cache_policy=INPUTS + TASK_SOURCE,
    persist_result=True,
    cache_expiration=timedelta(days=30),
)
def plan_run(paths: list[str], alias: str, force: bool, batch_size: int, run_id: str) -> dict:
    """New and changed files, cut into batches. Persisted per flow run, so a retried run sees the
    same batches as the first attempt and its completed batches come back ``Cached``."""
    settings = Settings()
    es = connect(settings)
    files = pipeline.discover(paths)
    plan = state.plan_run(es, alias, files, force=force)
    return {
        "files_seen": len(files),
        "skipped_unchanged": plan.skipped_unchanged,
        "skipped_quarantined": plan.skipped_quarantined,
        "batches": [plan.todo[i : i + batch_size] for i in range(0, len(plan.todo), batch_size)],
    }


# The runner is chosen from the settings when this file is loaded (CLI, serve, a retried run).
@flow(name="pressindex-ingest", log_prints=False, task_runner=batch_task_runner(Settings()))
def ingest(
    paths: list[str], index: str | None = None, batch_size: int | None = None, force: bool = False
) -> dict:
    """Ingest new and changed files under ``paths`` into the alias ``index`` (default: settings, ``press``).

    ``force`` reprocesses every file even when its checksum is unchanged.
    """
    started = time.monotonic()
    logger = get_run_logger()
    settings = Settings()
    alias = index or settings.index
    run_id = str(flow_run.get_id() or "")
    interrupts.reclaim_sigterm(flow_run.get_id())  # `pressindex ingest`: SIGTERM stops the run at once
    if settings.task_runner == "threads":
        # the workers start while the run plans
        pipeline.start_parse_pool(settings.parse_workers, ParseLimits.from_settings(settings))
    es = connect(settings)
    concrete = ensure_index(es, alias)
    state.ensure_state_index(es, alias)
    state_index = current_index(es, state.state_alias(alias))
    if state_index is None:  # ensure_state_index has just made it: someone removed it since
        raise PressindexError(f"the state index of {alias} is gone; run again")
    for index in (concrete, state_index):
        if bulk_mode.restore_leftovers(es, index):
            logger.warning("%s was left in bulk mode by an unfinished run; its settings are restored", index)
    # absolute paths: the cache key of a retried run must not depend on the working directory;
    # a planning that hangs is stopped (in the main thread, Prefect's timeout interrupts any wait)
    plan = plan_run.with_options(timeout_seconds=settings.run_min_seconds)(
        [str(Path(p).absolute()) for p in paths], alias, force, batch_size or settings.batch_size, run_id
    )
    batches = plan["batches"]
    # planning freed ~0.5 KB per file (checksums, lookups, serialising the persisted plan); a full
    # gc.collect would only walk Prefect's objects (0.2 s): reference counting has freed it already
    heap.return_freed_memory()
    logger.info(
        "files=%d new_or_changed=%d unchanged=%d quarantined_before=%d batches=%d alias=%s index=%s",
        plan["files_seen"], sum(map(len, batches)), plan["skipped_unchanged"], plan["skipped_quarantined"],
        len(batches), alias, concrete,
    )  # fmt: skip
    todo = sum(map(len, batches))
    progress.started(total=todo)
    tracker = run_report.ProgressArtifact(len(batches))
    limits = [
        run_limits.batch_limit(
            len(b), per_file=settings.batch_seconds_per_file, minimum=settings.batch_min_seconds
        )
        for b in batches
    ]
    in_threads = isinstance(_task_runner(), ThreadPoolTaskRunner)
    in_flight = settings.batches_in_flight if in_threads else settings.dask_workers
    run_seconds = run_limits.run_limit(
        todo, in_flight=in_flight, per_file=settings.batch_seconds_per_file, minimum=settings.run_min_seconds
    )
    retrying: dict[str, Any] = {
        "retries": settings.batch_retries,
        "retry_delay_seconds": exponential_backoff(backoff_factor=settings.retry_backoff_seconds),
    }
    # with story clusters, each document is written once, with its story: the batches parse to a
    # spool, the flow decides the stories, then the batches load (pressindex.ingest.run_stories)
    two_pass = settings.stories_enabled and bool(run_id)
    if todo >= settings.bulk_mode_min_files:
        initial = bulk_mode.is_initial_load(es, concrete, todo)
        logger.info("bulk mode on %s: refresh off%s until the run ends", concrete, ", replicas 0" * initial)
        stack = ExitStack()
        stack.enter_context(bulk_mode.bulk_mode(es, concrete, drop_replicas=initial, run_id=run_id))
        # the state index too: refreshing it every second cost Elasticsearch as much CPU as a
        # tenth of the documents (nothing searches it during the run; lookups are real-time gets)
        stack.enter_context(bulk_mode.bulk_mode(es, state_index, drop_replicas=False, run_id=run_id))
        loading: AbstractContextManager[object] = stack
    else:
        loading = nullcontext()
    rows: list[dict] = []
    failed: list[int] = []
    cached: list[int] = []
    spools: dict[int, str] = {}  # batch -> its spool (two passes)
    stale_spools: set[int] = set()  # spooled by an earlier attempt of the run
    decided: run_stories.RunStories | None = None
    with loading:  # left on any exit, a failed or interrupted run included
        # quote: Prefect would otherwise walk every (path, checksum) pair of a batch looking for
        # futures, twice per batch (measured as a fifth of this process's CPU); the cache key is
        # computed from the unwrapped list, so it is the same as without the annotation. The Dask
        # runner ships the annotation as a bare tuple, so only the local thread runner gets it.
        wrap = quote if in_threads else (lambda files: files)

        def wait(futures: dict, on_done: Callable[[int, object], None]) -> None:
            numbers = list(futures)
            try:
                run_limits.wait_for_batches(
                    list(futures.values()), [limits[n] for n in numbers], in_flight=in_flight,
                    run_deadline=started + run_seconds, run_seconds=run_seconds,
                    on_done=lambda i: on_done(numbers[i], futures[numbers[i]]),
                )  # fmt: skip
            except run_limits.OverTimeLimit as exc:
                logger.error("%s", exc)
                _give_up(list(futures.values()), str(exc))
                raise  # the run ends Failed with this message; bulk mode is restored on the way out

        def batch_failed(n: int, fut) -> None:
            failed.append(n)
            logger.error("batch=%d failed: %s", n, fut.state.message)
            progress.advanced(len(batches[n]))
            tracker.update(n + 1)

        def finished(n: int, fut) -> None:
            if not fut.state.is_completed():
                batch_failed(n, fut)
                return
            rows.append(fut.result())
            if fut.state.name == "Cached":
                cached.append(n)
            progress.advanced(len(batches[n]))
            tracker.update(n + 1)

        def spooled(n: int, fut) -> None:
            if fut.state.is_completed():
                spools[n] = fut.result()["spool"]
                if fut.state.name == "Cached":  # its look-ups of earlier runs are an earlier attempt's
                    stale_spools.add(n)
                # read here, while later batches parse: what the decision orders and searches by
                spooled_features.read_batch(n, spools[n])
            else:
                batch_failed(n, fut)

        # ignored below: Prefect unwraps a quote before the call, which submit's typing does not know
        if two_pass:
            spool.remove_stale(_spool_root(settings))
            from pressindex.ingest.run_stories import SpooledFeatures  # numpy: only when a run clusters

            spooled_features = SpooledFeatures()
            parse = parse_batch.with_options(**retrying)
            wait({n: parse.submit(n, wrap(b), alias, run_id) for n, b in enumerate(batches)}, spooled)  # type: ignore[call-overload]
            decided = _decide_stories(es, alias, run_id, settings, spools, stale_spools, spooled_features)
            load = load_batch.with_options(**retrying)
            loads = {n: load.submit(n, wrap(batches[n]), spools[n], alias, run_id) for n in sorted(spools)}  # type: ignore[call-overload]
            wait(loads, finished)
        else:
            run_batch = ingest_batch.with_options(**retrying)
            wait({n: run_batch.submit(n, wrap(b), alias, run_id) for n, b in enumerate(batches)}, finished)  # type: ignore[call-overload]

    # the stages after the batches end within a limit of their own: a hung request there would
    # otherwise hold the run (and the nightly slot) for good
    def end_of_run(enter: Callable[[str], None]) -> tuple[dict, dict]:
        enter("removing replaced documents")
        # after every batch: a file of any batch may now have a changed file's old text
        replaced = state.remove_replaced_documents(es, alias)
        if replaced:
            logger.info("removed %d documents that changed files replaced", replaced)
        enter("applying withdrawals")
        # withdrawal notices of this run and earlier ones take the stories they name out of search,
        # also those that came in this run: once they are searchable
        es.indices.refresh(index=alias)
        withdrawn = withdrawals.apply_withdrawals(es, alias)
        if withdrawn:
            logger.info("withdrew %d documents named by %d withdrawal notices", sum(map(len, withdrawn.values())),
                        len(withdrawn))  # fmt: skip
        enter("finishing stories")
        stories = (
            None if decided is None else _finish_stories(es, concrete, decided, [spools[n] for n in cached])
        )
        if settings.stories_enabled:
            enter("releasing embargoed stories")
            _release_embargoed(es, concrete, settings)
        enter("refreshing the indices")
        es.indices.refresh(index=[alias, state.state_alias(alias)])  # searchable when the run returns
        summary = run_report.summarize(
            rows,
            run_id=run_id,
            alias=alias,
            files_seen=plan["files_seen"],
            skipped_unchanged=plan["skipped_unchanged"],
            skipped_quarantined=plan["skipped_quarantined"],
            failed_batches=failed,
            cached_batches=cached,
            seconds=time.monotonic() - started,
            replaced_removed=replaced,
            withdrawn=sum(map(len, withdrawn.values())),
        )
        if stories is not None:
            summary["stories"] = stories.as_dict()
        enter("publishing the report")
        run_report.publish(summary, rows)
        enter("recording the run")
        # the run's record in <alias>-runs (rewritten by a retry), judged against the runs before it
        record = run_history.record_run(
            es, alias, concrete, {**summary, "bytes": sum(row["bytes"] for row in rows)},
            thresholds=drift.Thresholds.from_settings(settings), failed=bool(failed),
        )  # fmt: skip
        return summary, record

    end_seconds = run_limits.end_of_run_limit(
        todo, per_file=settings.end_of_run_seconds_per_file, minimum=settings.end_of_run_min_seconds
    )
    try:
        summary, record = run_limits.finish_within(end_seconds, end_of_run)
    except run_limits.OverTimeLimit as exc:
        logger.error("%s", exc)
        raise  # the run ends Failed with this message
    if two_pass and not failed:
        spool.remove_run(_spool_root(settings), run_id)  # a failed run keeps it for its retry
    if failed:
        raise RuntimeError(
            f"{len(failed)} of {len(batches)} batches failed ({failed}); retry this flow run: "
            "completed batches are cached and will not run again"
        )
    summary.update(status=record["status"], degraded_reasons=record["degraded_reasons"])
    if record["status"] == run_history.DEGRADED:
        return _degraded(summary, record["degraded_reasons"])
    return summary


def _degraded(summary: dict, reasons: list[str]):
    """The drift alarm: a warning naming the reasons, the tag ``degraded`` and a final state of type
    Completed named ``Degraded`` (event ``prefect.flow-run.Degraded``, for an automation to match;
    docs/operations.md says why not Failed). The caller still gets the summary."""
    from prefect import get_client
    from prefect.states import Completed

    get_run_logger().warning("drift alarm: this run is degraded: %s", "; ".join(reasons))
    run_id = flow_run.get_id()
    if run_id:
        with get_client(sync_client=True) as client:
            tags = client.read_flow_run(UUID(run_id)).tags
            client.update_flow_run(UUID(run_id), tags=sorted({*tags, "degraded"}))
    return Completed(name="Degraded", message="degraded: " + "; ".join(reasons), data=summary)


def _decide_stories(
    es, alias: str, run_id: str, settings: Settings, spools: dict[int, str], stale: set[int], features
):
    """The stories of every spooled document (``pressindex.ingest.run_stories``): in the flow
    process, before any batch loads, so every runner gives the same stories. The batches looked up
    earlier runs' candidates as they parsed; ``stale``: those spooled by an earlier attempt;
    ``features``: the batches' features files read as they spooled (``run_stories.SpooledFeatures``)."""
    from pressindex.ingest import run_stories  # numpy and the stories: only when a run clusters

    decided = run_stories.decide(
        es, alias, run_id, spools, threshold=settings.story_threshold, window_days=settings.story_window_days,
        stale=stale, features=features,
    )  # fmt: skip
    get_run_logger().info("%s (decided before the load)", decided.report)
    return decided


def _finish_stories(es, index: str, decided: run_stories.RunStories, cached_spools: list[str]):
    """After the load: a retried run's batches that were loaded by an earlier attempt get this
    attempt's decisions, then the stories that reach into earlier runs are finished."""
    from pressindex.ingest import run_stories

    began = time.monotonic()
    report = decided.report
    for spool_file in cached_spools:
        report.written += run_stories.reconcile(es, index, Path(spool_file))
    run_stories.finish(es, index, decided)
    report.seconds += time.monotonic() - began
    get_run_logger().info("%s", report)
    return report


def _release_embargoed(es, index: str, settings: Settings) -> dict:
    """Stories with a copy whose embargo ended since they were decided (within the story window)
    get that copy counted, and as their representative if it is the most complete: every run and
    every quarter of an hour (:func:`release_embargoes`), so no operator has to (docs/stories.md,
    "Embargo")."""
    from pressindex.stories.assign import release_embargoed

    report = release_embargoed(es, index, settings.story_window_days)
    if report.written:
        get_run_logger().info("embargo ended: %d stories finished again, %d documents written",
                              report.stories, report.written)  # fmt: skip
    return report.as_dict()


@flow(name="pressindex-release-embargoes", log_prints=False)
def release_embargoes(index: str | None = None) -> dict:
    """Finish again the stories of ``index`` (alias; default: settings) with a copy whose embargo
    ended lately, between the nightly runs: a few searches, and writes only where a story changed."""
    settings = Settings()
    es = connect(settings)
    concrete = current_index(es, index or settings.index)
    if concrete is None or not settings.stories_enabled:
        return {}
    return _release_embargoed(es, concrete, settings)


def _give_up(futures, message: str) -> None:
    """Leave the batches still running to themselves (nothing can stop a thread) and mark them
    Failed, so neither the flow run's end nor the process's exit waits for them."""
    from prefect import get_client
    from prefect.states import Failed

    running = [f for f in futures if getattr(f.wrapped_future, "running", lambda: False)()]
    run_limits.abandon(_task_runner())
    with get_client(sync_client=True) as client:
        for fut in running:
            client.set_task_run_state(fut.task_run_id, Failed(message=message), force=True)


def _task_runner() -> TaskRunner:
    """The task runner of the flow run this is called in."""
    context = FlowRunContext.get()
    if context is None:
        raise RuntimeError("called outside the ingest flow run")
    return context.task_runner


def nightly_deployment(
    inbox: str, *, cron: str = "0 2 * * *", timezone: str = "Europe/Berlin", index: str | None = None
):
    """The nightly ingestion: a cron schedule, at most one run at a time (a late run waits in line)."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    return ingest.to_deployment(
        name="nightly",
        schedules=[Cron(cron, timezone=timezone)],
        parameters={"paths": [inbox], **({"index": index} if index else {})},
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE
        ),
        description=f"Nightly ingestion of {inbox}",
        tags=["pressindex", "nightly"],
    )


def embargo_deployment(
    *, cron: str = "*/15 * * * *", timezone: str = "Europe/Berlin", index: str | None = None
):
    """Beside the nightly one: stories whose embargoed copy was released are finished again within
    a quarter of an hour, not at the next night's run. One run at a time; a late one is dropped
    (the next does the same work)."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    return release_embargoes.to_deployment(
        name="release-embargoes",
        schedules=[Cron(cron, timezone=timezone)],
        parameters={"index": index} if index else {},
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        ),
        description="Stories whose embargoed copies were released get them counted and represented",
        tags=["pressindex", "embargo"],
    )


def served_deployments(inbox: str, *, cron: str, timezone: str, index: str | None = None) -> list:
    """What `pressindex serve` serves: the nightly ingestion and the embargo releases beside it."""
    return [
        nightly_deployment(inbox, cron=cron, timezone=timezone, index=index),
        embargo_deployment(timezone=timezone, index=index),
    ]
