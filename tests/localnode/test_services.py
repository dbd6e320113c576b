"""`pressindex up | down | status` for real: a Prefect server and a worker in the background, found by
other commands, and a failed nightly run retried the way the Prefect UI does it, through the API.

The services run in a directory and on a port of their own (not an operator's), started once for this
module by `pressindex up --serve` as a subprocess and stopped by `pressindex down` (by pid). The shared
Elasticsearch node is running before `up` (the `es` fixture), so `up` reuses it and `down` leaves it be.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from wire_factory import write_articles

from pressindex.config import Settings
from pressindex.ingest import state
from pressindex.localnode.node import _alive
from pressindex.localnode.services import use_local_prefect_server

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pressindex(env: dict, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pressindex", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)  # fmt: skip


def api(url: str, path: str, body: dict | None = None, method: str | None = None):
    request = urllib.request.Request(
        url + path, data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}, method=method or ("GET" if body is None else "POST"),
    )  # fmt: skip
    for attempt in range(5):
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            # 503 is the server's "retry": its SQLite was busy and nothing was written (Prefect's own
            # client retries it too); seen on create_flow_run right after `up`
            if exc.code != 503 or attempt == 4:
                raise
        time.sleep(1 + attempt)


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


class Stack:
    def __init__(self, env: dict, inbox: Path, blocker: Path, alias: str):
        self.env, self.inbox, self.blocker, self.alias = env, inbox, blocker, alias

    def status(self) -> tuple[int, dict]:
        result = pressindex(self.env, "status", "--json")
        return result.returncode, json.loads(result.stdout)

    def service(self, name: str) -> dict:
        return next(s for s in self.status()[1]["services"] if s["name"] == name)


@pytest.fixture(scope="module")
def stack(es, tmp_path_factory):
    from pressindex.index.indices import drop_alias_family
    from pressindex.ingest.run_history import runs_alias

    work = tmp_path_factory.mktemp("services")
    inbox = work / "inbox"
    write_articles(inbox, 6)
    (inbox / "wire_000003.txt").write_bytes(b"")  # batch 1 (files 2-3) will need the quarantine
    blocker = work / "quarantine"
    blocker.write_text("a file where the quarantine directory should be")  # quarantining fails, until fixed
    alias = f"test-services-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PRESSINDEX_SERVICES_DIR=str(work / "services"),
        PRESSINDEX_PREFECT_PORT=str(_free_port()),
        PRESSINDEX_QUARANTINE_DIR=str(blocker),
        PRESSINDEX_BATCH_SIZE="2",
        PRESSINDEX_INDEX=alias,
    )
    up = pressindex(env, "up", "--serve", str(inbox), "--json")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield Stack(env, inbox, blocker, alias)
    finally:
        pressindex(env, "down")  # by the pids in the pid files; a no-op after test_down_stops_them
        for name in (alias, state.state_alias(alias), runs_alias(alias)):
            drop_alias_family(es, name)


def test_up_starts_prefect_with_its_ui_and_reuses_elasticsearch(stack):
    code, report = stack.status()
    assert code == 0, report
    assert report["healthy"]
    services = {s["name"]: s for s in report["services"]}
    assert set(services) == {"elasticsearch", "prefect-server", "worker"}
    assert all(s["healthy"] and s["running"] and s["pid"] for s in services.values()), services
    assert services["elasticsearch"]["detail"]["stopped_by_down"] is False  # it ran before `up`
    prefect = services["prefect-server"]
    port = stack.env["PRESSINDEX_PREFECT_PORT"]
    assert prefect["url"] == f"http://127.0.0.1:{port}/api"
    assert prefect["detail"]["ui_url"] == f"http://127.0.0.1:{port}"
    assert prefect["detail"]["database"].endswith(
        str(Path(stack.env["PRESSINDEX_SERVICES_DIR"]) / "prefect.db")
    )
    with urllib.request.urlopen(prefect["detail"]["ui_url"], timeout=10) as page:  # the UI itself
        assert page.status == 200 and b"<html" in page.read().lower()
    assert services["worker"]["detail"]["inbox"] == str(stack.inbox)
    for service in services.values():
        assert Path(service["log_file"]).exists()


def test_a_second_up_reuses_the_running_services(stack):
    before = {s["name"]: s["pid"] for s in stack.status()[1]["services"]}
    again = pressindex(stack.env, "up", "--serve", str(stack.inbox), "--json")
    assert again.returncode == 0, again.stderr
    assert {s["name"]: s["pid"] for s in json.loads(again.stdout)["services"]} == before
    assert "starting" not in again.stderr


def test_commands_find_the_local_server_unless_prefect_api_url_is_set(stack):
    settings = Settings(_env_file=None, services_dir=stack.env["PRESSINDEX_SERVICES_DIR"],
                        prefect_port=int(stack.env["PRESSINDEX_PREFECT_PORT"]))  # fmt: skip
    environ: dict[str, str] = {}
    assert use_local_prefect_server(settings, environ) == stack.service("prefect-server")["url"]
    assert environ["PREFECT_API_URL"] == stack.service("prefect-server")["url"]
    mine = {"PREFECT_API_URL": "http://prefect.example:4200/api"}
    assert use_local_prefect_server(settings, mine) is None
    assert mine == {"PREFECT_API_URL": "http://prefect.example:4200/api"}
    off = settings.model_copy(update={"use_local_services": False})
    assert use_local_prefect_server(off, {}) is None


def test_an_ingest_runs_on_the_local_server(stack, tmp_path):
    two = tmp_path / "two"
    write_articles(two, 2, start=100)
    env = {**stack.env, "PRESSINDEX_QUARANTINE_DIR": str(tmp_path / "q")}
    started = time.monotonic()
    result = pressindex(env, "ingest", str(two), "--json")
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["indexed"] == 2
    run = api(stack.service("prefect-server")["url"], f"/flow_runs/{summary['run_id']}")
    assert run["state"]["type"] == "COMPLETED"
    assert "Starting temporary server" not in result.stderr
    print(f"2-file ingest with the services up: {seconds:.1f} s wall")  # measured, not asserted


def test_a_failed_nightly_run_is_retried_like_the_ui_does_and_runs_only_the_failed_batch(stack, es):
    url = stack.service("prefect-server")["url"]
    deployment = api(url, "/deployments/name/pressindex-ingest/nightly")
    run = api(url, f"/deployments/{deployment['id']}/create_flow_run", {})
    run_id = run["id"]

    def final_state():
        found = api(url, f"/flow_runs/{run_id}")["state"]
        return found if found["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

    failed = wait_for(final_state, 300, "the nightly run to fail")
    assert failed["type"] == "FAILED", failed
    assert "batches failed" in failed["message"]
    failed_runs = api(url, "/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["FAILED"]}}}})
    assert run_id in {r["id"] for r in failed_runs}  # what the UI's list of failed runs shows

    stack.blocker.unlink()  # the operator fixes the cause, then presses Retry in the UI
    answer = api(url, f"/flow_runs/{run_id}/set_state",
                 {"state": {"type": "SCHEDULED", "name": "AwaitingRetry", "message": "Retry from the UI"}})  # fmt: skip
    assert answer["status"] == "ACCEPT", answer
    done = wait_for(final_state, 300, "the retried run to finish")  # the worker picks it up
    assert done["type"] == "COMPLETED", done

    records = state.lookup(es, stack.alias, [str(p) for p in sorted(stack.inbox.iterdir())])
    # the first attempt wrote its records before its Failed state (the flow waits for every batch), the
    # retry after it; a margin around when the test saw Failed took a first attempt that failed within
    # it for a retry that reran everything (1 run in 4)
    failed_at = datetime.fromisoformat(failed["timestamp"])
    rewritten = sorted(
        Path(p).name for p, r in records.items() if datetime.fromisoformat(r["processed_at"]) > failed_at
    )
    assert rewritten == ["wire_000002.txt", "wire_000003.txt"]
    assert {r["attempts"] for r in records.values()} == {1}  # a cached batch's files were not processed again
    assert records[str(stack.inbox / "wire_000003.txt")]["status"] == state.QUARANTINED
    tasks = api(url, "/task_runs/filter", {"flow_runs": {"id": {"any_": [run_id]}}})
    cached = sorted(
        t["name"] for t in tasks if t["state"]["name"] == "Cached" and t["name"].startswith("batch-")
    )
    assert cached == ["batch-0", "batch-2"]
    # the retry rewrote the run's record: one record, now completed
    from pressindex.ingest.run_history import find_run

    es.indices.refresh(index=f"{stack.alias}-runs")
    record = find_run(es, stack.alias, run_id)
    assert record["status"] == "completed"
    assert record["files_quarantined"] == 1 and record["quarantined"] == {"empty": 1}


def test_down_stops_them(stack, es):
    before = stack.status()[1]
    pids = {s["name"]: s["pid"] for s in before["services"]}
    result = pressindex(stack.env, "down")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "stopped: worker, prefect-server"
    code, after = stack.status()
    assert code == 1
    services = {s["name"]: s for s in after["services"]}
    assert not services["prefect-server"]["running"] and not services["prefect-server"]["healthy"]
    for name in ("prefect-server", "worker"):
        assert not _alive(pids[name]), name  # a zombie left to init counts as gone
    # the shared node was running before `up`: still there
    assert services["elasticsearch"]["healthy"] and services["elasticsearch"]["pid"] == pids["elasticsearch"]
    assert es.cluster.health()["status"] in ("green", "yellow")
