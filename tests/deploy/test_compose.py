"""docker-compose.yml is valid and agrees with the code: settings, versions, order, volumes, setup commands.

No Docker runs here. Debian's ``docker-compose`` (1.29) resolves the file with a throwaway env file
made from ``.env.example`` by ``docker/make-env.sh``; the checks read that resolved configuration.
The Elasticsearch settings and docker/es-setup.sh are exercised for real in test_secured_cluster.py.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import re
import shlex
import shutil
import ssl
import subprocess
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click
import pytest
import yaml

from pressindex.cli.main import cli
from pressindex.config import Settings
from pressindex.index.indices import drop_alias_family
from pressindex.ingest.run_history import runs_alias
from pressindex.localnode.node import ES_VERSION

ROOT = Path(__file__).resolve().parents[2]
PIPELINE_IMAGE = "pressindex:local"
# the setup service reaches Kibana by its service name; local runs substitute a local URL
KIBANA_SERVICE_URL = "https://kibana:5601"


# -- the resolved compose file ------------------------------------------------------------------


def make_env_file(path: Path) -> Path:
    proc = subprocess.run(
        ["sh", str(ROOT / "docker" / "make-env.sh")], capture_output=True, text=True, check=True
    )
    path.write_text(proc.stdout)
    return path


def docker_compose(*args: str, env_file: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("docker-compose")
    assert exe, "docker-compose (Debian package) is needed; scripts/bootstrap.sh installs it"
    return subprocess.run([exe, "--env-file", str(env_file), *args], cwd=ROOT, capture_output=True, text=True)


def compose_config(env_file: Path) -> dict:
    proc = docker_compose("config", env_file=env_file)
    assert proc.returncode == 0, proc.stderr
    return yaml.safe_load(proc.stdout)


def setup_command_lines(config: dict) -> list[list[str]]:
    """The setup service's command lines, split like the shell splits them."""
    command = config["services"]["setup"]["command"]
    assert command[:2] == ["sh", "-euc"], command
    return [shlex.split(line) for line in command[2].splitlines() if line.strip()]


def volume_mounts(service: dict) -> dict[str, tuple[str, str]]:
    """target → (source, mode) for a service's short-syntax volumes."""
    mounts = {}
    for spec in service.get("volumes", []):
        source, target, *mode = spec.split(":")
        mounts[target] = (source, mode[0] if mode else "rw")
    return mounts


@pytest.fixture(scope="module")
def env_file(tmp_path_factory) -> Path:
    return make_env_file(tmp_path_factory.mktemp("compose") / "env")


@pytest.fixture(scope="module")
def config(env_file) -> dict:
    return compose_config(env_file)


@pytest.fixture(scope="module")
def services(config) -> dict:
    return config["services"]


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


# -- validity, variables and secrets -----------------------------------------------------------------


def test_compose_file_is_valid(env_file):
    proc = docker_compose("config", "-q", env_file=env_file)
    assert proc.returncode == 0, proc.stderr


def test_env_example_lists_every_variable_the_compose_file_reads():
    text = (ROOT / "docker-compose.yml").read_text()
    read = set(re.findall(r"(?<!\$)\$\{(\w+)", text))
    declared = set(env_example())
    assert read == declared - {"COMPOSE_PROJECT_NAME"}  # that one Compose reads itself


def test_nothing_secret_is_committed():
    secrets = {k for k, v in env_example().items() if v == ""}
    assert secrets == {
        "ELASTIC_PASSWORD", "KIBANA_SYSTEM_PASSWORD", "PIPELINE_ES_PASSWORD",
        "KIBANA_ENCRYPTION_KEY", "POSTGRES_PASSWORD", "PREFECT_UI_PASSWORD",
    }  # fmt: skip
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
    assert ignored.returncode == 0, ".env must be git-ignored"
    # every password, key or credential-bearing value in the compose file is a ${VARIABLE}
    raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name, service in raw["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|ENCRYPTIONKEY|API_KEY|AUTH_STRING|CONNECTION_URL", key):
                assert "${" in str(value), (name, key)


@pytest.mark.parametrize("secret", ["ELASTIC_PASSWORD", "KIBANA_SYSTEM_PASSWORD", "PIPELINE_ES_PASSWORD",
                                    "KIBANA_ENCRYPTION_KEY", "POSTGRES_PASSWORD", "PREFECT_UI_PASSWORD"])  # fmt: skip
def test_a_missing_secret_stops_the_stack(secret, env_file, tmp_path):
    lines = [line for line in env_file.read_text().splitlines() if not line.startswith(f"{secret}=")]
    partial = tmp_path / "env"
    partial.write_text("\n".join(lines) + "\n")
    proc = docker_compose("config", "-q", env_file=partial)
    assert proc.returncode != 0 and "set it in .env" in proc.stderr


def test_make_env_fills_every_secret_with_a_fresh_random_value(env_file, tmp_path):
    made = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if line and line[0] != "#")
    again = dict(
        line.split("=", 1)
        for line in make_env_file(tmp_path / "env").read_text().splitlines()
        if line and line[0] != "#"
    )
    for key, value in env_example().items():
        if value == "":
            assert re.fullmatch(r"[0-9a-f]{48}", made[key]) and made[key] != again[key], key
        else:
            assert made[key] == value


# -- versions and images ------------------------------------------------------------------------------


def test_elasticsearch_and_kibana_run_the_local_nodes_version(services):
    images = {name: s["image"] for name, s in services.items() if s["image"].startswith("docker.elastic.co/")}
    assert set(images) == {"setup-certs", "elasticsearch", "setup-passwords", "kibana"}
    for image in images.values():
        assert image.rsplit(":", 1)[1] == ES_VERSION, image


def test_prefect_server_and_worker_share_the_pipeline_image(services):
    """One image, built from uv.lock: the server runs the Prefect the worker runs."""
    for name in ("setup", "prefect-server", "worker"):
        assert services[name]["image"] == PIPELINE_IMAGE, name
        assert services[name]["build"]["context"] == str(ROOT), name
    assert services["prefect-server"]["command"][:3] == ["prefect", "server", "start"]
    url = services["prefect-server"]["environment"]["PREFECT_SERVER_DATABASE_CONNECTION_URL"]
    assert url.startswith("postgresql+asyncpg://prefect:") and url.endswith("@postgres:5432/prefect")
    import asyncpg  # noqa: F401  (the driver that URL names is in the locked environment)


def test_dockerfile_is_multi_stage_locked_and_non_root():
    text = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", text, re.M)) >= 2
    assert re.search(r"^RUN uv sync --frozen --no-dev", text, re.M)
    runtime = text[text.rindex("\nFROM ") :]
    assert re.search(r"^USER pressindex$", runtime, re.M)
    for directory in ("flows", "mappings", "kibana"):
        assert re.search(rf"^COPY {directory} \./{directory}$", runtime, re.M), directory


# -- what each service reads --------------------------------------------------------------------------


def settings_env_names() -> set[str]:
    names = set()
    prefix = Settings.model_config["env_prefix"]
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names |= {c.upper() for c in alias.choices} if alias is not None else {(prefix + name).upper()}
    return names


def prefect_env_names() -> set[str]:
    from prefect.settings import Settings as PrefectSettings
    from prefect.settings.legacy import _get_settings_fields  # every PREFECT_* name Prefect accepts

    return set(_get_settings_fields(PrefectSettings))


def resolve_command(args: list[str]) -> click.Command:
    """The click command ``pressindex ARGS`` runs; fails when there is none, or the options do not parse."""
    assert args[0] == "pressindex", args
    command, rest = cli, list(args[1:])
    while isinstance(command, click.Group):
        sub = command.get_command(click.Context(command), rest[0]) if rest else None
        assert (
            sub is not None
        ), f"`{' '.join(args)}`: pressindex has no command `{' '.join(args[1:len(args) - len(rest) + 1])}`"
        command, rest = sub, rest[1:]
    command.make_context(" ".join(args), rest, resilient_parsing=True)
    return command


def command_env_names(args: list[str]) -> set[str]:
    """Environment variables the command reads through its options (``envvar=``)."""
    return {p.envvar for p in resolve_command(args).params if isinstance(p.envvar, str)}


def test_setup_runs_only_the_projects_own_commands(config):
    lines = setup_command_lines(config)
    assert [args[:3] for args in lines] == [
        ["pressindex", "index", "create"], ["pressindex", "runs", "create"], ["pressindex", "kibana", "import"],
    ]  # fmt: skip
    for args in lines:
        resolve_command(args)
    assert config["services"]["worker"]["command"] == ["pressindex", "serve"]
    resolve_command(["pressindex", "serve"])


def test_every_variable_passed_to_the_pipeline_is_read(config, services):
    """Each variable is a Settings field, an option of the command the service runs, a Prefect setting,
    or (SSL_CERT_FILE) OpenSSL's CA file; nothing is passed that nobody reads."""
    openssl = {ssl.get_default_verify_paths().openssl_cafile_env}
    common = settings_env_names() | prefect_env_names() | openssl
    commands = {
        "setup": setup_command_lines(config),
        "worker": [services["worker"]["command"]],
        "prefect-server": [],
    }
    for name, lines in commands.items():
        readers = common.union(*(command_env_names(args) for args in lines))
        unread = set(services[name]["environment"]) - readers
        assert not unread, f"{name}: nothing reads {sorted(unread)}"


def test_every_variable_passed_to_the_elasticsearch_setup_is_read_by_its_script(services):
    script = (ROOT / "docker" / "es-setup.sh").read_text()
    for name in ("setup-certs", "setup-passwords"):
        for key in services[name]["environment"]:
            assert re.search(rf"\$\{{?{key}\b", script), (name, key)


def test_services_agree_on_credentials_and_addresses(services):
    es_env = services["elasticsearch"]["environment"]
    passwords = services["setup-passwords"]["environment"]
    assert passwords["ELASTIC_PASSWORD"] == es_env["ELASTIC_PASSWORD"]
    assert services["kibana"]["environment"]["ELASTICSEARCH_USERNAME"] == "kibana_system"
    assert services["kibana"]["environment"]["ELASTICSEARCH_PASSWORD"] == passwords["KIBANA_SYSTEM_PASSWORD"]
    for name in ("setup", "worker"):
        env = services[name]["environment"]
        assert env["ELASTICSEARCH_URL"] == passwords["ES_URL"] == "https://elasticsearch:9200"
        assert (env["ELASTICSEARCH_USERNAME"], env["ELASTICSEARCH_PASSWORD"]) == (
            "pressindex", passwords["PIPELINE_ES_PASSWORD"]
        )  # fmt: skip
        assert env["PRESSINDEX_INDEX"] == passwords["PRESSINDEX_INDEX"]
        assert volume_mounts(services[name])["/certs"] == ("certs", "ro")
        assert env["ELASTICSEARCH_CA_CERTS"] == "/certs/ca/ca.crt"
    setup = services["setup"]["environment"]
    assert (setup["KIBANA_USERNAME"], setup["KIBANA_PASSWORD"]) == ("elastic", es_env["ELASTIC_PASSWORD"])
    assert setup["SSL_CERT_FILE"] == "/certs/ca/ca.crt"
    worker, server = services["worker"]["environment"], services["prefect-server"]["environment"]
    assert worker["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    assert worker["PREFECT_API_AUTH_STRING"] == server["PREFECT_SERVER_API_AUTH_STRING"]
    assert server["PREFECT_SERVER_API_AUTH_STRING"].startswith("admin:")


def test_schedule_defaults_are_the_commands_defaults(services):
    serve = cli.get_command(click.Context(cli), "serve")
    defaults = {p.envvar: p.default for p in serve.params if isinstance(p.envvar, str) and p.default}
    worker = services["worker"]["environment"]
    example = env_example()
    for var in ("PRESSINDEX_SCHEDULE_CRON", "PRESSINDEX_SCHEDULE_TIMEZONE"):
        assert worker[var] == example[var] == defaults[var], var


# -- order, health, volumes ---------------------------------------------------------------------------


def dependencies(services: dict, name: str) -> set[str]:
    """Everything ``name`` waits for, directly or not."""
    seen: set[str] = set()
    todo = list(services[name].get("depends_on", {}))
    while todo:
        dep = todo.pop()
        if dep not in seen:
            seen.add(dep)
            todo += list(services[dep].get("depends_on", {}))
    return seen


def test_start_order(services):
    assert dependencies(services, "elasticsearch") == {"setup-certs"}
    assert dependencies(services, "kibana") == {"setup-certs", "elasticsearch", "setup-passwords"}
    assert dependencies(services, "setup") == {"setup-certs", "elasticsearch", "setup-passwords", "kibana"}
    assert dependencies(services, "worker") == dependencies(services, "setup") | {
        "setup",
        "postgres",
        "prefect-server",
    }
    for name, service in services.items():
        for dep, cond in service.get("depends_on", {}).items():
            one_shot = services[dep].get("restart") == "no"
            if one_shot:
                assert cond["condition"] == "service_completed_successfully", (name, dep)
            else:
                assert cond["condition"] == "service_healthy", (name, dep)
                assert "test" in services[dep]["healthcheck"], dep
    long_running = [n for n, s in services.items() if s.get("restart") != "no"]
    assert all(services[n].get("healthcheck", {}).get("test") for n in long_running), long_running


def test_data_lives_in_named_volumes(config, services):
    named = set(config["volumes"])
    data = {
        "elasticsearch": ["/usr/share/elasticsearch/data", "/usr/share/elasticsearch/snapshots",
                          "/usr/share/elasticsearch/config/certs"],
        "kibana": ["/usr/share/kibana/data"],
        "postgres": ["/var/lib/postgresql/data"],
        "worker": ["/data/quarantine", "/data/prefect"],
    }  # fmt: skip
    for name, targets in data.items():
        mounts = volume_mounts(services[name])
        for target in targets:
            assert mounts[target][0] in named, (name, target)
    assert services["elasticsearch"]["environment"]["path.repo"] == "/usr/share/elasticsearch/snapshots"
    # the CA's private key is mounted by the certificate step only
    assert [n for n, s in services.items() if "es-ca" in {m[0] for m in volume_mounts(s).values()}] == [
        "setup-certs"
    ]


def test_worker_reads_the_inbox_read_only_and_writes_the_quarantine(services):
    worker = services["worker"]
    env, mounts = worker["environment"], volume_mounts(worker)
    assert mounts[env["PRESSINDEX_INBOX_DIR"]][1] == "ro"
    assert mounts[env["PRESSINDEX_QUARANTINE_DIR"]] == ("quarantine", "rw")


def test_index_definition_and_word_lists_come_from_mappings(services):
    analysis = volume_mounts(services["elasticsearch"])["/usr/share/elasticsearch/config/analysis"]
    assert analysis == (str(ROOT / "mappings" / "analysis"), "ro")
    for name in ("setup", "worker"):
        assert volume_mounts(services[name])["/app/mappings"] == (str(ROOT / "mappings"), "ro"), name


# -- the setup commands, run here -----------------------------------------------------------------------


class KibanaImportStandIn:
    """Answers the one Kibana call ``pressindex kibana import`` makes, as Kibana 8 documents it
    (``POST /api/saved_objects/_import?overwrite=true``, multipart ``file``, ``kbn-xsrf``).

    No Kibana runs here (no Docker), so this checks what the command sends: the route, the header,
    basic auth as the given user, and, with ``cert``/``key``, HTTPS that the client must trust.
    """

    def __init__(self, username: str, password: str, cert: Path | None = None, key: Path | None = None):
        self.expected_auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.objects: list[dict] = []
        self.requests = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                stand_in.requests += 1
                url = urllib.parse.urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Authorization") != stand_in.expected_auth:
                    return self._answer(401, {"statusCode": 401, "error": "Unauthorized"})
                if url.path != "/api/saved_objects/_import" or "kbn-xsrf" not in self.headers:
                    return self._answer(400, {"statusCode": 400, "error": "Bad Request"})
                if urllib.parse.parse_qs(url.query).get("overwrite") != ["true"]:
                    return self._answer(409, {"statusCode": 409, "error": "Conflict"})
                message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                    f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
                )
                (part,) = message.iter_parts()
                lines = part.get_payload(decode=True).decode().splitlines()
                stand_in.objects = [json.loads(line) for line in lines if line.strip()]
                self._answer(200, {"success": True, "successCount": len(stand_in.objects)})

            def _answer(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.scheme = "http"
        if cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"

    @property
    def url(self) -> str:
        return f"{self.scheme}://localhost:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def run_setup_commands(runner, lines: list[list[str]], env: dict, kibana_url: str) -> list[str]:
    """Run the setup service's command lines through click, as ``sh -eu`` would: stop at the first failure."""
    outputs = []
    for args in lines:
        args = [kibana_url if a == KIBANA_SERVICE_URL else a for a in args]
        result = runner.invoke(cli, args[1:], env=env, catch_exceptions=False)
        assert result.exit_code == 0, f"`{' '.join(args)}` failed:\n{result.output}"
        outputs.append(result.output)
    return outputs


def test_setup_commands_run_against_the_local_node(config, es, es_settings, alias, runner):
    """The same command lines as the setup service, against the project's local node (plain HTTP here;
    test_secured_cluster.py runs them again with the stack's TLS and users)."""
    secret = lambda v: v.get_secret_value() if v else None  # noqa: E731
    env = {
        "ELASTICSEARCH_URL": es_settings.es_url,
        "ELASTICSEARCH_USERNAME": es_settings.elasticsearch_username,
        "ELASTICSEARCH_PASSWORD": secret(es_settings.elasticsearch_password),
        "ELASTICSEARCH_API_KEY": secret(es_settings.elasticsearch_api_key),
        "ELASTICSEARCH_CA_CERTS": str(es_settings.elasticsearch_ca_certs or "") or None,
        "PRESSINDEX_INDEX": alias,
        "KIBANA_USERNAME": "elastic",
        "KIBANA_PASSWORD": "kibana-test-password",
    }
    with KibanaImportStandIn("elastic", "kibana-test-password") as kibana:
        run_setup_commands(runner, setup_command_lines(config), env, kibana.url)
        run_setup_commands(
            runner, setup_command_lines(config), env, kibana.url
        )  # a second `up` changes nothing
    (concrete,) = es.indices.get_alias(name=alias)
    assert concrete.startswith(f"{alias}-v")
    # the run history's index and the ingestion health dashboard's data view on it (issue 22)
    (runs_index,) = es.indices.get_alias(name=runs_alias(alias))
    assert runs_index == f"{runs_alias(alias)}-v1"
    drop_alias_family(es, runs_alias(alias))
    views = [o for o in kibana.objects if o["type"] == "index-pattern"]
    assert [v["attributes"]["title"] for v in views] == [alias, runs_alias(alias)]
    assert "pressindex-ingestion-health" in {o["id"] for o in kibana.objects}
