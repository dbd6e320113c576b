"""Flow runs that died without a word (SIGKILL, power loss, a killed container) do not stay
``Running``, nor hold the nightly deployment's concurrency slot, for long.

What Prefect 3.8.8 does by itself: moving a deployment's run to Pending takes a slot of the
deployment's limit under a lease; the flow-run process renews the lease (300 s, renewed every
225 s, fixed in the engine) and a terminal state releases it. A process that dies stops renewing,
and the server's repossessor frees the slot once the lease has expired: at most 300 s after the
last renewal, plus its 15 s loop. The run itself stays ``Running`` for good, unless its runner
(``pressindex serve``) survived and reports it ``Crashed``.

What ``pressindex serve`` adds: its flow runs send a heartbeat every ``heartbeat_seconds``
(:func:`set_heartbeat`), and an automation on the Prefect server marks a ``pressindex-ingest`` run
``Crashed`` when three heartbeats in a row are missing (:func:`ensure_automation`). The Crashed
state releases the run's lease at once, so the next run starts ~3 heartbeats after the death.
Three heartbeats stay below the 300 s lease on purpose: in 3.8.8, a run marked Crashed after the
repossessor took its lease back releases a slot once more, which may be the next run's.
"""

from __future__ import annotations

import os
from datetime import timedelta

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
            match_related=ResourceSpecification({"prefect.resource.role": "flow", "prefect.resource.name": FLOW_NAME}),
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
        existing = Automation.read(name=AUTOMATION_NAME)
    except ValueError:  # none of that name
        existing = None
    if existing is None:
        return wanted.create()
    wanted.id = existing.id
    wanted.update()
    return wanted
