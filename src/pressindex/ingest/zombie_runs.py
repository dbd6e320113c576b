"""Flow runs that died without a word (SIGKILL, power loss, a killed container) do not stay
``Running``, nor hold the nightly deployment's concurrency slot, for long.

What Prefect 3.8.8 does by itself: moving a deployment's run to Pending takes a slot of the
deployment's limit under a lease; the flow-run process renews the lease for 300 s when the run
starts and every 225 s after (fixed in the engine), and a final state releases it. A process that
dies stops renewing, and the server's repossessor (every 15 s) frees the slot once the lease has
expired: 75-315 s after the death. Measured: revoked 307 s after the renewal at the start, the next
run started 271 s after the kill. The dead run itself stays ``Running`` for good.

What ``pressindex serve`` adds: its flow runs send a heartbeat every ``heartbeat_seconds``
(:func:`set_heartbeat`; the serve process's environment reaches the flow-run processes), and an
automation on the Prefect server (:func:`ensure_automation`: a proactive trigger, after
``Running`` or a heartbeat of a ``pressindex-ingest`` run, expects another heartbeat or a final
state within three heartbeats) marks the run ``Crashed``. The server checks proactive triggers
every 5 s, so the run is Crashed at most 3 heartbeats + 5 s after its last heartbeat, hence at
most that long after the death; the Crashed state releases the slot at once, and the next run in line starts when
the server retries it (AwaitingConcurrencySlot, every 30 s by default) and serve picks it up (every
10 s). Measured with 30 s heartbeats (serve and its flow run SIGKILLed together, serve started
again; tests/ingest/test_run_limits.py::test_a_run_killed_without_a_word_frees_the_nightly_slot):
Crashed 1.8-3 s after the window, the next run started 84-98 s after the kill. With the default
60 s: Crashed at most 185 s after the death.

Serve must not update an unchanged automation when it starts (it did, and nothing was ever marked
Crashed after a power loss): an update gives the trigger a new id on the server, which forgets the
runs it was watching. A change of ``heartbeat_seconds`` does update it, and runs that died before
are then left to the lease.

Known gap (3.8.8, read from the source, not measured): if the lease expires before the automation
fires (a death more than ~120 s after a lease renewal, with 60 s heartbeats) and a waiting run takes
the freed slot, the Crashed state releases one slot more, which is that run's: until it ends, a third
run could start beside it.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import cast

FLOW_NAME = "pressindex-ingest"
AUTOMATION_NAME = "pressindex: crash unresponsive ingest runs"
MISSED_HEARTBEATS = 3


def set_heartbeat(seconds: int) -> None:
    """Flow runs of this process and its children send heartbeats every ``seconds``. Call before
    Prefect is imported: it reads its settings once. An explicit PREFECT_FLOWS_HEARTBEAT_FREQUENCY wins."""
    os.environ.setdefault("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", str(seconds))


def silence_limit(heartbeat_seconds: int) -> timedelta:
    return timedelta(seconds=MISSED_HEARTBEATS * heartbeat_seconds)


def ensure_automation(heartbeat_seconds: int):
    """Create, or bring up to date, the automation that marks silent ingest runs Crashed."""
    from prefect.automations import Automation
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    within = silence_limit(heartbeat_seconds)
    wanted = Automation(
        name=AUTOMATION_NAME,
        description=f"Marks a {FLOW_NAME} flow run Crashed after {MISSED_HEARTBEATS} missed heartbeats "
        f"({within.total_seconds():.0f} s without one): its process died without reporting (pressindex serve)",
        trigger=EventTrigger(
            # Running too: a run killed before its first heartbeat reached the server (measured:
            # killed a second after it started, it never sent one) is caught as well
            after={"prefect.flow-run.Running", "prefect.flow-run.heartbeat"},
            expect={
                "prefect.flow-run.heartbeat",
                "prefect.flow-run.Completed",
                "prefect.flow-run.Failed",
                "prefect.flow-run.Cancelled",
                "prefect.flow-run.Crashed",
            },
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            # only this project's runs: another flow on the server may beat less often
            match_related=ResourceSpecification(
                {"prefect.resource.role": "flow", "prefect.resource.name": FLOW_NAME}
            ),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=within,
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                message=f"No heartbeat for {within.total_seconds():.0f} s: the process running this flow run died "
                "without reporting (killed, or its machine stopped). Its concurrency slot is released; rerun it.",
            )
        ],
    )
    try:
        # Prefect's overloads declare read async; called from sync code it returns the automation
        existing: Automation | None = cast("Automation", Automation.read(name=AUTOMATION_NAME))
    except ValueError:  # none of that name
        existing = None
    if existing is None:
        return wanted.create()
    if _spec(existing) == _spec(wanted):
        # Left alone: an update gives the trigger a new id on the server, which drops what it was
        # waiting for (the buckets of the runs that sent a heartbeat), so a run that died together
        # with serve would never be marked Crashed once serve comes back (measured: it was not)
        return existing
    wanted.id = existing.id
    wanted.update()
    return wanted


def _spec(automation) -> dict:
    # python mode: `after`, `expect` and `for_each` stay sets, compared without their order
    return automation.model_dump(exclude={"id", "owner_resource", "tags"})
