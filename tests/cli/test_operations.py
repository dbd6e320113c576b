"""Operations: nightly deployment, incremental runs, idempotency, quarantine, reruns — against a
real Elasticsearch and a real Prefect server (the test harness)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from wire_factory import article_text, write_articles

from pressindex.cli.main import cli, load_flow
from pressindex.ingest import state

ROOT = Path(__file__).resolve().parents[2]


def _ingest(runner, alias, *paths, extra=()):
    result = runner.invoke(cli, ["ingest", *map(str, paths), "--index", alias, "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def _count(es, alias) -> int:
    es.indices.refresh(index=alias)
    return es.count(index=alias)["count"]


# -- 1. the nightly deployment ------------------------------------------------------------------


def test_nightly_deployment_has_its_schedule_and_a_limit_of_one(prefect_harness, tmp_path):
    from prefect import get_client

    deployment = load_flow("ingest", "nightly_deployment")(str(tmp_path))
    deployment_id = deployment.apply()
    with get_client(sync_client=True) as client:
        stored = client.read_deployment(deployment_id)
    assert stored.name == "nightly"
    assert stored.parameters == {"paths": [str(tmp_path)]}
    [schedule] = stored.schedules
    assert schedule.schedule.cron == "0 2 * * *"
    assert schedule.schedule.timezone == "Europe/Berlin"
    assert schedule.active
    assert stored.global_concurrency_limit is not None
    assert stored.global_concurrency_limit.limit == 1
    assert stored.concurrency_options.collision_strategy == "ENQUEUE"


# -- 2. incremental runs by checksum --------------------------------------------------------------


def test_a_run_processes_only_new_and_changed_files(prefect_harness, runner, alias, quarantine_dir, tmp_path):
    inbox = tmp_path / "inbox"
    paths = write_articles(inbox, 6)
    first = _ingest(runner, alias, inbox)
    assert (first["processed"], first["indexed"]) == (6, 6)
    # the plan does not read new files; the checksum recorded is that of the bytes parsed
    records = state.lookup(_es(runner), alias, [str(p) for p in paths])
    assert {r["content_sha256"] for r in records.values()} == {state.file_sha256(p) for p in paths}
    # the size of the bytes parsed, as the parse process read them
    assert {r["path"]: r["size"] for r in records.values()} == {str(p): p.stat().st_size for p in paths}

    again = _ingest(runner, alias, inbox)
    assert again["processed"] == 0
    assert again["unchanged"] == 6

    # changed content with the old modification time: still seen
    old = paths[0].stat()
    paths[0].write_text(article_text(1000), encoding="utf-8")
    os.utime(paths[0], ns=(old.st_atime_ns, old.st_mtime_ns))
    # a copy with an old timestamp under a new name: seen, and it is the same document
    copy = inbox / "copied_later.txt"
    shutil.copy2(paths[1], copy)
    third = _ingest(runner, alias, inbox)
    assert third["processed"] == 2
    assert third["indexed"] == 1  # the changed file
    assert third["unchanged"] == 6 - 1 + 1  # skipped by checksum, plus the copy found identical
    # the changed file's old document was replaced, not kept beside the new one
    assert _count(es := _es(runner), alias) == 6
    assert state.lookup(es, alias, [str(copy)])[str(copy)]["status"] == state.UNCHANGED


def _es(_runner):
    from pressindex.config import Settings
    from pressindex.index.es_client import connect

    return connect(Settings())


# -- 3. idempotency: dpa versions ----------------------------------------------------------------


def test_dpa_versions_only_move_forward(prefect_harness, runner, es, alias, quarantine_dir, tmp_path):
    story = "210413-99-555555"
    versions = {v: article_text(50 + v, dpa_story=f"{story}/{v}") for v in (3, 5, 4)}
    for v in (3, 5, 4):  # arrival order: 3, then 5, then the late 4
        folder = tmp_path / f"v{v}"
        folder.mkdir()
        (folder / "story.txt").write_text(versions[v], encoding="utf-8")
        _ingest(runner, alias, folder)
    doc = es.get(index=alias, id=f"dpa-{story}")["_source"]
    assert doc["dpa_version"] == 5
    assert "Nummer 55" in doc["body"]
    assert _count(es, alias) == 1


def test_reruns_in_any_order_end_with_the_same_documents(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    a, b = tmp_path / "a", tmp_path / "b"
    write_articles(a, 4)
    write_articles(b, 4, start=2)  # overlaps a by two identical articles
    for folder in (b, a, b, a):
        _ingest(runner, alias, folder, extra=["--force"])
    first_ids = sorted(h["_id"] for h in es.search(index=alias, size=100)["hits"]["hits"])
    assert len(first_ids) == 6


# -- 4. quarantine ------------------------------------------------------------------------------


def test_quarantine_list_show_and_retry(prefect_harness, runner, es, alias, quarantine_dir, tmp_path):
    inbox = tmp_path / "inbox"
    write_articles(inbox, 2)
    broken = inbox / "broken.txt"
    broken.write_bytes(b"")
    summary = _ingest(runner, alias, inbox)
    assert summary["quarantined"] == {"empty": 1}

    listed = runner.invoke(cli, ["quarantine", "list", "--index", alias, "--json"])
    assert listed.exit_code == 0, listed.output
    [record] = [json.loads(line) for line in listed.output.splitlines()]
    assert record["path"] == str(broken)
    assert record["error_code"] == "empty"
    assert record["run_id"] == summary["run_id"]
    assert record["processed_at"]

    shown = runner.invoke(cli, ["quarantine", "show", record["id"][:10], "--index", alias])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["error_message"]
    assert (quarantine_dir / Path(record["quarantine_copy"]).name).exists()

    # unchanged content is not retried by the nightly run …
    assert _ingest(runner, alias, inbox)["quarantined_before"] == 1
    # … a failed retry leaves it in quarantine, a successful one releases it
    still = runner.invoke(cli, ["quarantine", "retry", record["id"], "--index", alias, "--json"])
    assert json.loads(still.output.splitlines()[-1])["quarantined"] == {"empty": 1}
    broken.write_text(article_text(77), encoding="utf-8")
    retried = runner.invoke(cli, ["quarantine", "retry", "--all", "--index", alias, "--json"])
    assert retried.exit_code == 0, retried.output
    outcome = json.loads(retried.output.splitlines()[-1])
    assert outcome["indexed"] == 1
    assert outcome["released_from_quarantine"] == 1
    assert state.quarantined(es, alias) == []
    assert not list(quarantine_dir.glob("*.reason.json"))
    assert _count(es, alias) == 3


def test_retry_of_a_deleted_file_says_so_and_keeps_the_record(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    broken = inbox / "leer.txt"
    broken.write_bytes(b"")
    assert _ingest(runner, alias, inbox)["quarantined"] == {"empty": 1}
    broken.unlink()
    retried = runner.invoke(cli, ["quarantine", "retry", "--all", "--index", alias])
    assert retried.exit_code == 0, retried.output
    assert f"original file is gone, left in quarantine: {broken}" in retried.output
    assert "nothing to retry" in retried.output
    assert [r["path"] for r in state.quarantined(es, alias)] == [str(broken)]


# -- 5. a failed run retried from Prefect skips its completed batches ---------------------------


def test_retried_flow_run_runs_only_the_failed_batch(prefect_harness, es, alias, tmp_path, monkeypatch):
    from prefect import get_client

    inbox = tmp_path / "inbox"
    write_articles(inbox, 6)
    (inbox / "wire_000003.txt").write_bytes(b"")  # batch 1 (files 2-3) will need the quarantine
    blocker = tmp_path / "quarantine"
    blocker.write_text("a file where the quarantine directory should be")  # quarantining fails
    monkeypatch.setenv("PRESSINDEX_QUARANTINE_DIR", str(blocker))

    ingest = load_flow("ingest", "ingest")
    failed = ingest(paths=[str(inbox)], index=alias, batch_size=2, return_state=True)
    assert failed.is_failed()
    run_id = failed.state_details.flow_run_id
    before_retry = datetime.now(UTC)

    blocker.unlink()  # the operator fixes the cause …
    env = {**os.environ, "PREFECT_API_URL": prefect_harness, "PRESSINDEX_QUARANTINE_DIR": str(blocker)}
    retry = subprocess.run(
        [sys.executable, "-m", "prefect", "flow-run", "retry", str(run_id), "--entrypoint", "flows/ingest.py:ingest"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert retry.returncode == 0, retry.stdout + retry.stderr

    with get_client(sync_client=True) as client:
        assert client.read_flow_run(run_id).state.is_completed()
    # which batches executed on the retry: only batch 1 wrote state records after it began
    records = state.lookup(es, alias, [str(p) for p in sorted(inbox.iterdir())])
    rewritten = sorted(
        Path(p).name for p, r in records.items() if r["processed_at"] >= before_retry.isoformat()
    )
    assert rewritten == ["wire_000002.txt", "wire_000003.txt"]
    assert records[str(inbox / "wire_000003.txt")]["status"] == state.QUARANTINED
    assert _count(es, alias) == 5
    # and Prefect reports batches 0 and 2 as Cached on the retried run
    deadline = time.monotonic() + 30
    while True:
        with get_client(sync_client=True) as client:
            from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
        cached = sorted(r.name for r in runs if r.state and r.state.name == "Cached")
        if len(cached) >= 3 or time.monotonic() > deadline:
            break
        time.sleep(1)
    # the plan is reused too, so the retry sees exactly the batches of the first attempt
    assert [n for n in cached if n.startswith("batch-")] == ["batch-0", "batch-2"]
    assert any(n.startswith("plan-run") for n in cached)


def test_serve_registers_the_nightly_deployment_and_the_embargo_releases(prefect_harness, tmp_path):
    """`pressindex serve` against a real Prefect server: the deployment appears with its schedule."""
    from prefect import get_client

    env = {**os.environ, "PREFECT_API_URL": prefect_harness, "PRESSINDEX_INBOX_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pressindex", "serve", "--cron", "30 1 * * *"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        stored = None
        while time.monotonic() < deadline:  # another test may have left a deployment of that name
            assert proc.poll() is None, proc.stdout.read()
            with get_client(sync_client=True) as client:
                try:
                    stored = client.read_deployment_by_name("pressindex-ingest/nightly")
                except Exception:
                    stored = None
            if stored is not None and stored.parameters == {"paths": [str(tmp_path)]}:
                break
            time.sleep(1)
        assert stored is not None, "serve did not register the deployment"
        assert stored.parameters == {"paths": [str(tmp_path)]}
        assert stored.schedules[0].schedule.cron == "30 1 * * *"
        assert stored.schedules[0].schedule.timezone == "Europe/Berlin"
        # beside it, the embargo releases every quarter of an hour (registered right after the nightly one)
        releases = None
        while releases is None and time.monotonic() < deadline:
            with get_client(sync_client=True) as client:
                try:
                    releases = client.read_deployment_by_name(
                        "pressindex-release-embargoes/release-embargoes"
                    )
                except Exception:
                    time.sleep(1)
        assert releases is not None, "serve did not register the embargo releases"
        assert releases.schedules[0].schedule.cron == "*/15 * * * *"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
