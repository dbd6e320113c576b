"""Time limits of an ingest run: every batch, and the run as a whole, ends in bounded time.

The per-file limits of the parse processes end ordinary hangs; these are the backstop for the
rest (Elasticsearch that accepts a request and never answers, a bug). They are enforced where the
flow waits for its batches, not with Prefect's task ``timeout_seconds``: Prefect 3.8.8 times out
a sync task in a worker thread by injecting an exception into that thread
(``PyThreadState_SetAsyncExc``), which is raised only once the thread runs Python code again, never
while it is blocked in a C wait (a socket read, a lock). A batch over its limit fails the run with a
message that names it; its thread, which nothing can stop, is abandoned, and the process exits
past it (:func:`hard_exit`).

Nothing here imports Prefect: the flow passes its futures and its task runner in.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from pressindex.errors import PressindexError


class OverTimeLimit(PressindexError):
    """A batch, or the run, took longer than its limit; the message names the batches."""

    code = "time_limit"


def batch_limit(files: int, *, per_file: float, minimum: float) -> float:
    """Seconds a batch of ``files`` files may take."""
    return max(minimum, per_file * files)


def run_limit(files: int, *, in_flight: int, per_file: float, minimum: float) -> float:
    """Seconds a run of ``files`` files may take from its start: its batches' share (they run
    ``in_flight`` at a time) plus ``minimum`` for planning and the end of the run."""
    return minimum + per_file * files / max(1, in_flight)


def end_of_run_limit(files: int, *, per_file: float, minimum: float) -> float:
    """Seconds the stages after a run's batches may take (removing replaced documents, withdrawals,
    stories, the reports), for a run of ``files`` new or changed files: they grow with its documents
    as a batch does."""
    return batch_limit(files, per_file=per_file, minimum=minimum)


def _seconds(value: float) -> str:
    return f"{value:,.0f} s" if value >= 10 else f"{value:g} s"


def wait_for_batches(
    futures: Sequence,
    limits: Sequence[float],
    *,
    in_flight: int,
    run_deadline: float,
    run_seconds: float,
    on_done: Callable[[int], None],
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Wait for ``futures`` (objects with ``wait(timeout)`` and ``wrapped_future.done()``, as
    Prefect's) in order, calling ``on_done(n)`` as each finishes.

    Batch ``n``'s clock starts when it can have started: at the wait's start for the first
    ``in_flight`` batches, else when batch ``n - in_flight`` was seen to finish (the runner runs
    ``in_flight`` at a time, first in, first out), so time spent queued never counts against it.
    Raises :class:`OverTimeLimit` when the batch waited for is over its limit, or the run over
    ``run_deadline`` (a ``clock`` time); the message names every unfinished batch over its limit.
    """
    begun = clock()
    seen_done: list[float | None] = [None] * len(futures)

    def started(n: int) -> float | None:
        return begun if n < in_flight else seen_done[n - in_flight]

    for n, fut in enumerate(futures):
        deadline = min(started(n) + limits[n], run_deadline)  # type: ignore[operator] # n - in_flight is done
        fut.wait(timeout=max(0.0, deadline - clock()))
        if not fut.wrapped_future.done():
            now = clock()
            over = [
                m for m in range(n, len(futures))
                if not futures[m].wrapped_future.done()
                and (s := started(m)) is not None and now >= s + limits[m]
            ]  # fmt: skip
            raise OverTimeLimit(_over_message(over, limits, now >= run_deadline, run_seconds, futures, n))
        seen_done[n] = clock()
        on_done(n)


def _over_message(
    over: list[int], limits: Sequence[float], run_over: bool, run_seconds: float, futures, n: int
) -> str:
    parts = [f"batch {m} exceeded its time limit of {_seconds(limits[m])}" for m in over]
    if run_over:
        running = [m for m in range(n, len(futures)) if not futures[m].wrapped_future.done()]
        parts.insert(
            0, f"the run exceeded its time limit of {_seconds(run_seconds)} (unfinished batches: {running})"
        )
    return "; ".join(parts) + (
        " - the run was stopped; completed batches are kept, a retry or the next run does the rest"
    )


_T = TypeVar("_T")


def finish_within(seconds: float, work: Callable[[Callable[[str], None]], _T]) -> _T:
    """``work(enter)``'s result, if it comes within ``seconds``; ``work`` calls ``enter(stage)`` as
    it begins each stage, so that the :class:`OverTimeLimit` raised after ``seconds`` names the stage.

    ``work`` runs in a daemon thread, in a copy of the caller's context (Prefect's run logger finds
    its flow run there), and the caller waits for it with a timeout: a request blocked in a C wait
    (a socket read) cannot be interrupted where it runs (see the module's docstring). Over its
    limit the thread is left to itself; being a daemon, it does not keep the process from exiting.
    """
    stage = ["starting"]
    outcome: list[_T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work(lambda name: stage.__setitem__(0, name)))
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    thread = threading.Thread(
        target=contextvars.copy_context().run, args=(run,), name="end-of-run", daemon=True
    )
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise OverTimeLimit(
            f"the end of the run exceeded its time limit of {_seconds(seconds)} while {stage[0]} - the run was "
            "stopped; its batches' documents are kept: retry this flow run (completed batches are cached) "
            "to finish it"
        )
    if error:
        raise error[0]
    return outcome[0]


# -- leaving stuck threads behind ------------------------------------------------------------------

_abandoned: list[threading.Thread] = []
_hook_registered = False


def abandon(task_runner, exit_code: int = 1) -> None:
    """Stop waiting for ``task_runner``'s batches: queued ones are cancelled, running ones left to
    themselves, and the process exits at its end even while one of them is stuck.

    Prefect's thread runner shuts its executor down with ``wait=True`` when the flow run ends, and
    the interpreter joins every executor thread at exit: a stuck batch would keep the run from
    ending and the process alive for good. The executor is shut down here without waiting and
    dropped from the runner (Prefect 3.8.8 skips a runner without one).
    """
    global _hook_registered
    executor = getattr(task_runner, "_executor", None)
    if executor is None:  # another runner (Dask): its workers are other processes
        return
    task_runner._executor = None
    threads = list(getattr(executor, "_threads", ()))
    executor.shutdown(wait=False, cancel_futures=True)
    _abandoned.extend(threads)
    if not _hook_registered:
        _hook_registered = True
        # runs when the main thread is done, before the interpreter joins the executor threads
        threading._register_atexit(_exit_past_stuck_threads, exit_code)  # type: ignore[attr-defined]


def abandoned_threads_alive() -> bool:
    return any(t.is_alive() for t in _abandoned)


def _exit_past_stuck_threads(exit_code: int) -> None:
    if abandoned_threads_alive():
        hard_exit(exit_code)


def hard_exit(code: int) -> None:
    """Exit now, whatever other threads are doing, after what an ordinary exit does that matters:
    Prefect's logs and events are sent, ``atexit`` handlers run (they stop a temporary Prefect
    server), the output is flushed."""
    if "prefect" in sys.modules:  # a process that never loaded Prefect has nothing queued
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        for worker in (APILogWorker, EventsWorker):
            with contextlib.suppress(Exception):  # exiting anyway
                worker.drain_all(timeout=5)
    try:
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed stream: exiting anyway
                stream.flush()
        os._exit(code)
