"""``pressindex up | down | status``: the local services an operator's machine runs in the background.

Three services, each surviving the command that started it:

- **elasticsearch**: the local node (:mod:`pressindex.localnode.node`, its own pid and log files);
  ``up`` starts it or reuses the running one, and ``down`` stops it only if ``up`` started it (a
  node started by ``pressindex es start`` or shared with others is left alone).
- **prefect-server**: ``prefect server start`` (API and UI, with its background services: the
  scheduler, the automations) on 127.0.0.1:``prefect_port``, its database a SQLite file here.
- **worker**: with ``up --serve DIR``, ``pressindex serve --inbox DIR``: serves the nightly
  deployment, and runs the flow runs the UI's Retry puts back in line.

Layout under ``services_dir`` (default ``<cache_dir>/services``)::

    prefect.db                    the Prefect server's database
    <service>.pid  <service>.log  the process this module started, and what it writes
    <service>.json                how to reach it (URL, inbox), read by every other command
    elasticsearch.json            present when `up` started the node (then `down` stops it)

Each process starts in a session of its own, so ``down`` stops it and its children (the server's
workers, serve's flow runs) through the process group whose id is the pid in the pid file, and
only when that pid still runs the command this module started: never by name or pattern.

Every other command finds the server by itself (:func:`use_local_prefect_server`); a
``PREFECT_API_URL`` or ``ELASTICSEARCH_URL`` the user set wins, and then nothing is started.
No Prefect import here: a command pays for Prefect only when it runs a flow.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from pressindex.config import Settings
from pressindex.errors import ConfigError, PressindexError
from pressindex.localnode import node as localnode
from pressindex.project import project_dir

SERVER = "prefect-server"
WORKER = "worker"
NIGHTLY_DEPLOYMENT = "pressindex-ingest/nightly"
# what a live process of ours has on its command line (a reused pid runs something else)
_COMMAND_MARKS = {SERVER: ("prefect", "server"), WORKER: ("pressindex", "serve")}


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    url: str | None
    running: bool
    healthy: bool
    pid: int | None = None
    log_file: str | None = None
    managed: bool = True  # False: the user's own (ELASTICSEARCH_URL, PREFECT_API_URL); nothing is started
    detail: dict | None = None  # ui_url, inbox, version

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None or k in ("url", "pid")}

    def __str__(self) -> str:
        state = "healthy" if self.healthy else ("running, not answering" if self.running else "not running")
        owner = "" if self.managed else " (yours: not managed here)"
        line = f"{self.name:<15} {state:<24} {self.url or '-'}{owner}"
        extras = [f"pid {self.pid}"] if self.pid else []
        extras += [f"{k.replace('_', ' ')}: {_shown(v)}" for k, v in (self.detail or {}).items()]
        extras += [f"log {self.log_file}"] if self.log_file else []
        return line + "".join(f"\n{'':<16}{e}" for e in extras)


def _shown(value) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class LocalServices:
    """Where this machine's services keep their files, and the Prefect server's address."""

    directory: Path
    prefect_port: int = 4200

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalServices:
        return cls(directory=settings.services_path, prefect_port=settings.prefect_port)

    @property
    def prefect_url(self) -> str:
        return f"http://127.0.0.1:{self.prefect_port}"

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.directory / 'prefect.db'}"

    def pid_file(self, name: str) -> Path:
        return self.directory / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.directory / f"{name}.log"

    def state_file(self, name: str) -> Path:
        return self.directory / f"{name}.json"


# -- what other commands call ---------------------------------------------------------------------


def local_prefect_api(settings: Settings) -> str | None:
    """The API URL of the Prefect server ``up`` started, when it runs and answers; else None."""
    services = LocalServices.from_settings(settings)
    state = _read_state(services, SERVER)
    if state is None or _our_pid(services, SERVER) is None:
        return None
    api = state.get("api_url")
    return api if api and _prefect_healthy(api) else None


def use_local_prefect_server(settings: Settings, environ=os.environ) -> str | None:
    """Point this process (and what it starts) at the local Prefect server, unless the user set
    ``PREFECT_API_URL`` or turned this off (``PRESSINDEX_USE_LOCAL_SERVICES=false``). Returns the
    URL it set. Call before Prefect is imported: Prefect reads its settings once."""
    if environ.get("PREFECT_API_URL") or not settings.use_local_services:
        return None
    api = local_prefect_api(settings)
    if api:
        environ["PREFECT_API_URL"] = api
    return api


# -- up / down / status ---------------------------------------------------------------------------


def up(
    settings: Settings,
    *,
    serve: Path | None = None,
    index: str | None = None,
    timeout: float = 180.0,
    log=print,
) -> list[ServiceStatus]:
    """Start, or reuse, Elasticsearch, the Prefect server and (with ``serve``) the worker; returns
    once each answers."""
    services = LocalServices.from_settings(settings)
    services.directory.mkdir(parents=True, exist_ok=True)
    _up_elasticsearch(settings, services, log)
    api = os.environ.get("PREFECT_API_URL") or _up_prefect_server(services, timeout, log)
    if serve is not None:
        _up_worker(services, api, serve, index, timeout, log)
    return status(settings)


def down(settings: Settings) -> list[str]:
    """Stop what ``up`` started, the worker first (its runs still report to the server); returns
    the names of the services stopped."""
    services = LocalServices.from_settings(settings)
    stopped = [name for name in (WORKER, SERVER) if _stop(services, name)]
    marker = services.state_file("elasticsearch")
    if marker.exists() and settings.uses_local_node:
        if localnode.stop(settings.local_node()):
            stopped.append("elasticsearch")
        marker.unlink(missing_ok=True)
    return stopped


def status(settings: Settings) -> list[ServiceStatus]:
    services = LocalServices.from_settings(settings)
    found = [_elasticsearch_status(settings, services), _prefect_status(services)]
    worker = _worker_status(services)
    if worker is not None:
        found.append(worker)
    return found


def all_healthy(found: list[ServiceStatus]) -> bool:
    return all(s.healthy for s in found)


def _elasticsearch_status(settings: Settings, services: LocalServices) -> ServiceStatus:
    if not settings.uses_local_node:
        version = _es_version(settings)
        return ServiceStatus("elasticsearch", settings.es_url, version is not None, version is not None,
                             managed=False, detail={"version": version} if version else None)  # fmt: skip
    st = localnode.status(settings.local_node())
    started_by_up = services.state_file("elasticsearch").exists()
    detail: dict[str, object] = {"version": st.version} if st.version else {}
    if st.running:
        detail["stopped_by_down"] = started_by_up  # only a node `up` started
    return ServiceStatus("elasticsearch", st.url, st.running, st.healthy, st.pid, str(st.log_file),
                         detail=detail or None)  # fmt: skip


def _prefect_status(services: LocalServices) -> ServiceStatus:
    user_api = os.environ.get("PREFECT_API_URL")
    if user_api:
        healthy = _prefect_healthy(user_api)
        return ServiceStatus(SERVER, user_api, healthy, healthy, managed=False,
                             detail={"ui_url": _ui_url(user_api)})  # fmt: skip
    pid = _our_pid(services, SERVER)
    api = services.prefect_url + "/api"
    return ServiceStatus(
        SERVER, api, pid is not None, pid is not None and _prefect_healthy(api), pid,
        str(services.log_file(SERVER)), detail={"ui_url": services.prefect_url, "database": services.database_url},
    )  # fmt: skip


def _worker_status(services: LocalServices) -> ServiceStatus | None:
    state = _read_state(services, WORKER)
    pid = _our_pid(services, WORKER)
    if state is None and pid is None:
        return None  # never started: `up` without --serve
    state = state or {}
    api = state.get("api_url")
    healthy = bool(pid is not None and api and _deployment_registered(api, state.get("inbox")))
    return ServiceStatus(WORKER, api, pid is not None, healthy, pid, str(services.log_file(WORKER)),
                         detail={"inbox": state.get("inbox"), "deployment": NIGHTLY_DEPLOYMENT})  # fmt: skip


# -- starting -------------------------------------------------------------------------------------


def _up_elasticsearch(settings: Settings, services: LocalServices, log) -> None:
    if not settings.uses_local_node:
        log(f"ELASTICSEARCH_URL is set: using {settings.es_url}; no local node is managed.")
        return
    node = settings.local_node()
    was_running = localnode.status(node).running
    localnode.start(node, log=log)
    if not was_running:  # ours to stop at `down`
        _write_state(services, "elasticsearch", {"url": node.url})


def _up_prefect_server(services: LocalServices, timeout: float, log) -> str:
    api = services.prefect_url + "/api"
    if _our_pid(services, SERVER) is not None:
        _wait(
            lambda: _prefect_healthy(api), timeout, f"the Prefect server at {api}", services.log_file(SERVER)
        )
        return api
    if _port_taken(services.prefect_port):
        raise ConfigError(
            f"port {services.prefect_port} is taken by a process pressindex did not start; stop it, choose "
            "another port (PRESSINDEX_PREFECT_PORT), or point PREFECT_API_URL at that server"
        )
    env = _child_environment()
    env.update(
        PREFECT_SERVER_DATABASE_CONNECTION_URL=services.database_url,
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(services.prefect_port),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
           "--port", str(services.prefect_port)]  # fmt: skip
    log(f"starting the Prefect server on {services.prefect_url} …")
    _spawn(services, SERVER, cmd, env)
    _wait(lambda: _prefect_healthy(api), timeout, f"the Prefect server at {api}", services.log_file(SERVER))
    _write_state(services, SERVER, {"api_url": api, "ui_url": services.prefect_url})
    return api


def _up_worker(
    services: LocalServices, api: str, inbox: Path, index: str | None, timeout: float, log
) -> None:
    inbox = inbox.absolute()
    if not inbox.is_dir():
        raise ConfigError(f"--serve {inbox}: no such directory")
    state = _read_state(services, WORKER) or {}
    if _our_pid(services, WORKER) is not None:
        if state.get("inbox") == str(inbox) and state.get("api_url") == api:
            return
        raise ConfigError(
            f"a worker already serves {state.get('inbox')} (pid file {services.pid_file(WORKER)}); "
            "run `pressindex down` first"
        )
    env = {**_child_environment(), "PREFECT_API_URL": api}
    cmd = [
        sys.executable,
        "-m",
        "pressindex",
        "serve",
        "--inbox",
        str(inbox),
        *(["--index", index] if index else []),
    ]
    log(f"starting the worker that serves {NIGHTLY_DEPLOYMENT} for {inbox} …")
    _spawn(services, WORKER, cmd, env)
    _write_state(services, WORKER, {"api_url": api, "inbox": str(inbox)})
    _wait(lambda: _deployment_registered(api, str(inbox)), timeout, "the worker's deployment",
          services.log_file(WORKER), alive=lambda: _our_pid(services, WORKER) is not None)  # fmt: skip


def _child_environment() -> dict[str, str]:
    # the worker loads flows/ from this checkout, whatever directory `up` was run from
    return {**os.environ, "PRESSINDEX_PROJECT_DIR": str(project_dir())}


def _spawn(services: LocalServices, name: str, cmd: list[str], env: dict[str, str]) -> int:
    log_file = services.log_file(name)
    with open(log_file, "ab") as log:
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(cmd)}\n".encode())
        log.flush()
        # a session of its own: survives this command, and `down` reaches its children as a group
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                cwd=project_dir(), start_new_session=True)  # fmt: skip
    services.pid_file(name).write_text(f"{proc.pid}\n")
    return proc.pid


def _wait(ready, timeout: float, what: str, log_file: Path, alive=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if alive is not None and not alive():
            raise PressindexError(f"{what} exited before it was ready; see {log_file}")
        time.sleep(0.3)
    raise PressindexError(f"{what} did not answer within {timeout:.0f} s; see {log_file}")


# -- stopping -------------------------------------------------------------------------------------


def _stop(services: LocalServices, name: str, timeout: float = 30.0) -> bool:
    pid = _our_pid(services, name)
    services.state_file(name).unlink(missing_ok=True)
    if pid is None:
        services.pid_file(name).unlink(missing_ok=True)
        return False
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    if _alive(pid):
        _signal_group(pid, signal.SIGKILL)
    services.pid_file(name).unlink(missing_ok=True)
    return True


def _signal_group(pid: int, sig: int) -> None:
    """``sig`` to the process group ``pid`` leads (started with a session of its own, so its id
    is the pid we recorded): the service and the processes it started, nothing else."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _our_pid(services: LocalServices, name: str) -> int | None:
    """The pid in the service's pid file, if that process is alive and runs what we started."""
    try:
        pid = int(services.pid_file(name).read_text().strip())
    except (OSError, ValueError):
        return None
    if not _alive(pid):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return pid  # no /proc (not Linux): trust the pid file
    words = {part.decode(errors="replace") for part in cmdline}
    return pid if all(mark in words for mark in _COMMAND_MARKS[name]) else None


def _alive(pid: int) -> bool:
    try:
        # reap it if it is our own child that exited (`up` and `down` in one process, as in tests)
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    return localnode._alive(pid)


# -- health ---------------------------------------------------------------------------------------


def _http_get(url: str, timeout: float = 3.0) -> tuple[int, bytes] | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except (OSError, ValueError):
        return None


def _prefect_healthy(api: str) -> bool:
    answer = _http_get(api.rstrip("/") + "/health", timeout=2.0)
    return answer is not None and answer[0] == 200


def _deployment_registered(api: str, inbox: str | None) -> bool:
    answer = _http_get(f"{api.rstrip('/')}/deployments/name/{NIGHTLY_DEPLOYMENT}")
    if answer is None or answer[0] != 200:
        return False
    return inbox is None or json.loads(answer[1]).get("parameters", {}).get("paths") == [inbox]


def _ui_url(api: str) -> str:
    return api.rstrip("/").removesuffix("/api")


def _es_version(settings: Settings) -> str | None:
    try:
        from pressindex.index.es_client import connect

        return connect(settings).info()["version"]["number"]
    except Exception:  # any failure to answer is "not healthy"; the URL is shown
        return None


def _port_taken(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return False
    return True


# -- state files ----------------------------------------------------------------------------------


def _write_state(services: LocalServices, name: str, state: dict) -> None:
    path = services.state_file(name)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(state))
    tmp.replace(path)


def _read_state(services: LocalServices, name: str) -> dict | None:
    try:
        return json.loads(services.state_file(name).read_text())
    except (OSError, ValueError):
        return None
