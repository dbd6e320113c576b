"""What Prefect keeps about a flow run, as one text: tests search it for what must never be there
(secrets, non-public contacts)."""

from __future__ import annotations


def flow_run_record(flow_run_id) -> str:
    """Everything Prefect keeps about a flow run: logs, artifacts, parameters, states, task runs."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterId,
        LogFilter,
        LogFilterFlowRunId,
    )  # fmt: skip
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()  # logs go to the API in batches
    with get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
        run = client.read_flow_run(flow_run_id)
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    assert logs, "the run logged nothing to the API"
    assert artifacts, "the run published no artifact"
    parts = [log.model_dump_json() for log in logs]
    parts += [a.model_dump_json() for a in artifacts]
    parts += [run.model_dump_json()] + [t.model_dump_json() for t in task_runs]
    return "\n".join(parts)
