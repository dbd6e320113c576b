"""A real single-node Elasticsearch on 127.0.0.1, provisioned from Maven Central without Docker.

The node is Elastic's own minimal distribution (``integ-test-zip``), fetched with ``mvn`` (so a
user's Maven mirrors and proxies apply) into a cache outside the repository. That distribution
lacks the ``analysis-common`` and ``rest-root`` modules, so we add ``pressindex-analysis``, a
plugin built here with ``javac`` from the Lucene analysis classes the distribution ships, which
offers the same component names and parameters. ``mappings/`` therefore works unchanged on a
stock Elasticsearch (docker-compose) and on this node.

Layout under the cache dir::

    downloads/elasticsearch-<v>.zip       the Maven artifact (kept: a second provisioning downloads nothing)
    dist/elasticsearch-<v>/               unpacked distribution + plugin (read-only at run time)
    nodes/<name>/{config,data,logs,run}   one node's state; run/es.pid names the process we started
"""

from __future__ import annotations

import base64
import json
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pressindex.errors import LocalNodeError
from pressindex.project import mappings_dir

ES_VERSION = "8.19.21"
MAVEN_ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
MAVEN_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1"
# Elasticsearch refuses to run as root; when we are root we run it as this system user.
SERVICE_USER = "pressindex-es"
PLUGIN_NAME = "pressindex-analysis"


def default_cache_dir() -> Path:
    override = os.environ.get("PRESSINDEX_CACHE_DIR")
    if override:
        return Path(override)
    if os.geteuid() == 0:
        # root's home is not traversable by the service user
        return Path("/var/cache/pressindex")
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pressindex"


@dataclass(frozen=True)
class LocalNode:
    cache_dir: Path
    name: str = "default"
    port: int = 9200
    heap: str = "1g"
    # Extra elasticsearch.yml settings over the defaults in _write_config, e.g. security and TLS
    # (tests/deploy/test_secured_cluster.py). Relative paths in them resolve against config_dir, as in Elasticsearch.
    settings: tuple[tuple[str, object], ...] = ()
    # Secure settings written into the node's keystore (bin/elasticsearch-keystore) at each start, e.g.
    # ("bootstrap.password", …): the elastic user's first password, as ELASTIC_PASSWORD is in the Docker image.
    secure_settings: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @property
    def url(self) -> str:
        tls = dict(self.settings).get("xpack.security.http.ssl.enabled") in (True, "true")
        return f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def es_home(self) -> Path:
        return self.cache_dir / "dist" / f"elasticsearch-{ES_VERSION}"

    @property
    def node_dir(self) -> Path:
        return self.cache_dir / "nodes" / self.name

    @property
    def pid_file(self) -> Path:
        return self.node_dir / "run" / "es.pid"

    @property
    def log_file(self) -> Path:
        return self.node_dir / "logs" / f"pressindex-{self.name}.log"

    @property
    def config_dir(self) -> Path:
        return self.node_dir / "config"


@dataclass(frozen=True)
class NodeStatus:
    url: str
    running: bool
    healthy: bool
    pid: int | None
    log_file: Path
    version: str | None = None

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "running": self.running,
            "healthy": self.healthy,
            "pid": self.pid,
            "log_file": str(self.log_file),
            "version": self.version,
        }


# -- provisioning -------------------------------------------------------------------------------


def provision(node: LocalNode, log=print) -> Path:
    """Download (once), unpack (once) and add the analysis plugin (rebuilt only when its sources change)."""
    home = node.es_home
    if not (home / "bin" / "elasticsearch").exists():
        archive = _download(node.cache_dir / "downloads", log)
        _unpack(archive, home, log)
    _install_plugin(home, node.cache_dir / "build", log)
    return home


def _download(dest: Path, log) -> Path:
    archive = dest / f"elasticsearch-{ES_VERSION}.zip"
    if archive.exists() and zipfile.is_zipfile(archive):
        return archive
    if shutil.which("mvn") is None:
        raise LocalNodeError(
            "Maven (mvn) is needed to fetch Elasticsearch from Maven Central; install it (apt-get install maven)"
        )
    dest.mkdir(parents=True, exist_ok=True)
    log(f"fetching {MAVEN_ARTIFACT} with mvn …")
    cmd = [
        "mvn",
        "-q",
        "-B",
        f"{MAVEN_DEPENDENCY_PLUGIN}:copy",
        f"-Dartifact={MAVEN_ARTIFACT}",
        f"-DoutputDirectory={dest}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not archive.exists():
        raise LocalNodeError(f"mvn could not fetch {MAVEN_ARTIFACT}:\n{(proc.stdout + proc.stderr)[-2000:]}")
    return archive


def _unpack(archive: Path, home: Path, log) -> None:
    log(f"unpacking {archive.name} …")
    staging = home.parent / (home.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(staging)
    inner = staging / f"elasticsearch-{ES_VERSION}"
    for member in (inner / "bin").iterdir():  # zipfile drops the executable bit
        member.chmod(0o755)
    for path in inner.glob("lib/**/*"):
        if path.is_file() and (path.parent.name == "bin" or path.suffix == ""):
            path.chmod(path.stat().st_mode | 0o111)
    inner.rename(home)  # atomic: a half-unpacked tree is never mistaken for a complete one
    shutil.rmtree(staging, ignore_errors=True)


def _install_plugin(home: Path, build_dir: Path, log) -> None:
    from pressindex.localnode.plugin_build import build_plugin

    built = build_plugin(home, build_dir)
    target = home / "plugins" / PLUGIN_NAME
    stamp = built / "plugin-descriptor.properties"
    if (
        target.exists()
        and (target / stamp.name).read_bytes() == stamp.read_bytes()
        and _same_tree(built, target)
    ):
        return
    log("installing the pressindex-analysis plugin …")
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(built, target)


def _same_tree(a: Path, b: Path) -> bool:
    names_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    names_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return names_a == names_b and all((a / n).read_bytes() == (b / n).read_bytes() for n in names_a)


# -- running ------------------------------------------------------------------------------------


def start(node: LocalNode, *, timeout: float = 180.0, log=print) -> NodeStatus:
    """Start the node, or reuse it when it already runs; returns once it answers."""
    current = status(node)
    if current.running and current.healthy:
        return current
    if current.running:
        return _wait_healthy(node, timeout)
    if _port_answers(node):
        raise LocalNodeError(
            f"port {node.port} is taken by a process this project did not start; "
            "stop it, choose another port (PRESSINDEX_ES_PORT), or point ELASTICSEARCH_URL at it"
        )
    home = provision(node, log=log)
    _write_config(node, home)
    java_home = _java_home()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ES_")},
        "ES_JAVA_HOME": str(java_home),
        "ES_PATH_CONF": str(node.config_dir),
        "ES_JAVA_OPTS": f"-Xms{node.heap} -Xmx{node.heap}",
    }
    if node.secure_settings:
        _write_keystore(node, home, env)
    cmd = [str(home / "bin" / "elasticsearch"), "-d", "-p", str(node.pid_file)]
    if os.geteuid() == 0:
        _ensure_service_user()
        _chown_tree(node.node_dir, SERVICE_USER)
        cmd = ["runuser", "-u", SERVICE_USER, "--", "env", *[f"{k}={v}" for k, v in env.items()], *cmd]
    log(f"starting Elasticsearch {ES_VERSION} on {node.url} …")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=node.node_dir)
    if proc.returncode != 0:
        raise LocalNodeError(
            f"Elasticsearch did not start (exit {proc.returncode}); see {node.log_file}\n"
            f"{(proc.stdout + proc.stderr)[-2000:]}"
        )
    return _wait_healthy(node, timeout)


def stop(node: LocalNode, *, timeout: float = 60.0) -> bool:
    """Stop the node this project started (by its pid); returns False when none was running."""
    pid = _our_pid(node)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            break
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
    node.pid_file.unlink(missing_ok=True)
    return True


def status(node: LocalNode) -> NodeStatus:
    pid = _our_pid(node)
    version = _health_version(node) if pid else None
    return NodeStatus(
        url=node.url,
        running=pid is not None,
        healthy=version is not None,
        pid=pid,
        log_file=node.log_file,
        version=version,
    )


def _wait_healthy(node: LocalNode, timeout: float) -> NodeStatus:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = status(node)
        if current.healthy:
            return current
        if not current.running and not node.pid_file.exists():
            break
        time.sleep(0.5)
    raise LocalNodeError(
        f"Elasticsearch did not answer on {node.url} within {timeout:.0f}s; see {node.log_file}"
    )


def _write_config(node: LocalNode, home: Path) -> None:
    cfg = node.config_dir
    for sub in ("config", "data", "logs", "run"):
        (node.node_dir / sub).mkdir(parents=True, exist_ok=True)
    for name in ("jvm.options", "log4j2.properties"):
        shutil.copy2(home / "config" / name, cfg / name)
    (cfg / "jvm.options.d").mkdir(exist_ok=True)
    settings = {
        "cluster.name": f"pressindex-{node.name}",
        "node.name": f"pressindex-{node.name}",
        "discovery.type": "single-node",
        "network.host": "127.0.0.1",
        "http.port": node.port,
        "transport.port": f"{node.port + 100}-{node.port + 199}",  # first free port
        "path.data": str(node.node_dir / "data"),
        "path.logs": str(node.node_dir / "logs"),
        "xpack.security.enabled": False,
        # a developer laptop or CI disk may be nearly full; do not turn indices read-only for that
        "cluster.routing.allocation.disk.threshold_enabled": False,
        "action.destructive_requires_name": False,
        **dict(node.settings),
    }
    (cfg / "elasticsearch.yml").write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in settings.items()))
    # Files the mapping refers to (word lists, hyphenation patterns) resolve against the config dir.
    analysis_src = mappings_dir() / "analysis"
    if analysis_src.is_dir():
        shutil.copytree(analysis_src, cfg / "analysis", dirs_exist_ok=True)
    (cfg / "elasticsearch.keystore").unlink(missing_ok=True)


def _write_keystore(node: LocalNode, home: Path, env: dict[str, str]) -> None:
    """A fresh keystore holding ``node.secure_settings``; values go through stdin, never argv."""
    tool = str(home / "bin" / "elasticsearch-keystore")
    steps: list[tuple[list[str], str | None]] = [([tool, "create"], None)]  # (argv, stdin)
    steps += [([tool, "add", "--stdin", "--force", name], value) for name, value in node.secure_settings]
    for cmd, value in steps:
        proc = subprocess.run(cmd, input=value, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise LocalNodeError(f"elasticsearch-keystore {' '.join(cmd[1:])} failed: {proc.stderr[-1000:]}")


def _java_home() -> Path:
    for var in ("ES_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            return Path(os.environ[var])
    java = shutil.which("java")
    if java is None:
        raise LocalNodeError(
            "no Java found: install a JDK 17 or newer (apt-get install openjdk-17-jdk-headless)"
        )
    return Path(java).resolve().parent.parent


def _ensure_service_user() -> None:
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
            check=True,
            capture_output=True,
        )


def _chown_tree(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for p in [path, *path.rglob("*")]:
        os.chown(p, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    # every ancestor must be traversable by the service user
    for parent in path.parents:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


def _our_pid(node: LocalNode) -> int | None:
    """The pid in our pid file, if that process is alive and is Elasticsearch for this node."""
    try:
        pid = int(node.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if not _alive(pid):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return pid  # no /proc (not Linux): trust the pid file
    return pid if str(node.es_home) in cmdline or "org.elasticsearch" in cmdline else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():  # a zombie is not alive
        try:
            return stat.read_text().split(")")[-1].split()[0] != "Z"
        except OSError:
            return True
    return True


def _get(node: LocalNode, path: str, timeout: float):
    """GET on the node; a secured node is asked as ``elastic`` (bootstrap password) over TLS with its CA."""
    request = urllib.request.Request(node.url + path)
    password = dict(node.secure_settings).get("bootstrap.password")
    if password is not None:
        token = base64.b64encode(f"elastic:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    context = None
    if node.url.startswith("https:"):
        ca = dict(node.settings).get("xpack.security.http.ssl.certificate_authorities")
        context = ssl.create_default_context(
            cafile=str(node.config_dir / ca) if isinstance(ca, str) else None
        )
    return urllib.request.urlopen(request, timeout=timeout, context=context)


def _health_version(node: LocalNode) -> str | None:
    try:
        with _get(node, "/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=3) as resp:
            if resp.status != 200:
                return None
            product = resp.headers.get("X-elastic-product")
        with _get(node, "/_nodes/_local?filter_path=nodes.*.version", timeout=3) as resp:
            nodes = json.load(resp).get("nodes", {})
        return next(iter(nodes.values()))["version"] if nodes and product else None
    except (OSError, urllib.error.URLError, ValueError, KeyError, StopIteration):
        return None


def _port_answers(node: LocalNode) -> bool:
    """Is anything listening on the node's port (HTTP or HTTPS alike)?"""
    try:
        socket.create_connection(("127.0.0.1", node.port), timeout=2).close()
    except OSError:
        return False
    return True
