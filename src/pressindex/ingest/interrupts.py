"""SIGTERM and Ctrl-C on ``pressindex ingest``: stop cleanly, and within seconds.

Left to Python and Prefect, a signal ends the flow run only once every batch has finished (the
engine joins its task runner before it reports the run Crashed), so a hung batch kept the command
alive and its flow run ``Running`` for good. On the first SIGTERM or SIGINT the command instead
stops here, in this order: the parse processes, the indices' bulk-mode settings, the flow run
(marked ``Cancelled`` in Prefect, with the signal in its message); then it exits with 128 + the
signal's number (130 for Ctrl-C, 143 for SIGTERM) whatever its other threads are doing. The clean-up
runs in its own thread while the main thread waits in the handler (so the flow cannot report
another state meanwhile), and it gets ``grace_seconds``; a second signal exits at once.

Prefect installs its own SIGTERM handler for the flow run's duration; the flow hands SIGTERM back
with :func:`reclaim_sigterm`. Only the command arms this: a flow run of a deployment keeps
Prefect's handling, through which its runner cancels it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

from pressindex.ingest import bulk_mode, pipeline, run_limits

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_armed: StopOnSignal | None = None


def _say(text: str) -> None:
    # os.write, not print: the main thread may be interrupted in the middle of a write to stderr
    os.write(2, f"pressindex: {text}\n".encode())


class StopOnSignal:
    """``with StopOnSignal(grace_seconds=...):`` around a run in the main thread."""

    def __init__(self, *, grace_seconds: float) -> None:
        self.grace_seconds = grace_seconds
        self.flow_run_id = None
        self._previous: dict[int, Callable[[int, FrameType | None], object] | int | None] = {}
        self._stopping = False

    def __enter__(self) -> StopOnSignal:
        global _armed
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
            _armed = self
        return self

    def __exit__(self, *exc) -> None:
        global _armed
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        _armed = None

    def _handle(self, signum: int, _frame) -> None:
        code = 128 + signum
        if self._stopping:  # asked twice: no more waiting
            run_limits.hard_exit(code)
        self._stopping = True
        name = signal.Signals(signum).name
        _say(f"{name} received: stopping the parse processes, restoring bulk mode, cancelling the flow run")
        flow_run_id = self.flow_run_id or _current_flow_run_id()
        cleaner = threading.Thread(
            target=_clean_up, args=(name, flow_run_id), daemon=True, name="stop-on-signal"
        )
        cleaner.start()
        cleaner.join(self.grace_seconds)
        if cleaner.is_alive():
            _say(f"clean-up still busy after {self.grace_seconds:g} s; exiting anyway")
        run_limits.hard_exit(code)


def reclaim_sigterm(flow_run_id) -> None:
    """Called by the flow: SIGTERM goes to the command's handler again, which now knows the flow
    run to cancel. Does nothing in a process where no command armed it (a deployment's run)."""
    guard = _armed
    if guard is None or threading.current_thread() is not threading.main_thread():
        return
    guard.flow_run_id = flow_run_id
    signal.signal(signal.SIGTERM, guard._handle)


def _current_flow_run_id():
    if "prefect.context" not in sys.modules:  # stopped before Prefect was even loaded
        return None
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()  # the main thread's context, which the handler runs in
    return ctx.flow_run.id if ctx is not None and ctx.flow_run is not None else None


def _clean_up(signal_name: str, flow_run_id) -> None:
    steps = [
        ("parse processes", pipeline.stop_parse_pool),  # kills them: a stopped command waits for no file
        ("bulk mode", _restore_bulk_mode),
        ("flow run", lambda: _cancel_flow_run(flow_run_id, signal_name)),
    ]
    for what, step in steps:  # each on its own: one failing must not skip the others
        try:
            step()
        except Exception as exc:  # reported, and the command exits anyway
            _say(f"could not stop cleanly ({what}): {exc}")


def _restore_bulk_mode() -> None:
    for index in bulk_mode.restore_active():
        _say(f"bulk mode ended on {index}: its refresh interval and replicas are restored")


def _cancel_flow_run(flow_run_id, signal_name: str) -> None:
    if flow_run_id is None:
        return
    from prefect import get_client
    from prefect.states import Cancelled

    message = f"pressindex ingest was stopped by {signal_name}; rerun it to index the files it did not get to"
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(flow_run_id, Cancelled(message=message), force=True)
    _say(f"flow run {flow_run_id} marked Cancelled")
