"""The client side against a secured Elasticsearch, configured the way docker-compose.yml configures the stack's.

The session fixture ``secured`` builds that cluster on a local node of its own (port 9320; the main node
on 9200 is not touched), with nothing of it written here by hand:

1. ``docker/es-setup.sh certs``, the compose file's certificate step, makes a CA and the certificates with
   the distribution's ``bin/elasticsearch-certutil`` into the node's ``config/certs``;
2. the node starts with every Elasticsearch setting of the compose file's ``elasticsearch`` service (security,
   TLS on HTTP and transport, ``path.repo`` moved to the node's directory) and the compose file's
   ``ELASTIC_PASSWORD`` as ``bootstrap.password`` in its keystore (``bin/elasticsearch-keystore``);
3. ``docker/es-setup.sh passwords``, the compose file's password step with that service's environment, sets
   the ``kibana_system`` password and creates the role ``pressindex_writer`` and the user ``pressindex``.

The secrets come from a throwaway env file made by ``docker/make-env.sh``. The node is stopped at the end.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from elasticsearch import AuthenticationException, AuthorizationException, Elasticsearch
from elasticsearch import ConnectionError as ESConnectionError
from prefect_records import flow_run_record
from test_compose import (
    KIBANA_SERVICE_URL,
    KibanaImportStandIn,
    compose_config,
    make_env_file,
    run_setup_commands,
    setup_command_lines,
)

from pressindex.cli.main import cli, load_flow
from pressindex.config import Settings
from pressindex.index.es_client import connect
from pressindex.localnode import node as localnode
from pressindex.localnode.node import ES_VERSION, LocalNode

ROOT = Path(__file__).resolve().parents[2]
ES_SETUP = ROOT / "docker" / "es-setup.sh"
PORT = 9320
CLIENT_VARS = ("ELASTICSEARCH_URL", "ELASTICSEARCH_API_KEY", "ELASTICSEARCH_USERNAME", "ELASTICSEARCH_PASSWORD",
               "ELASTICSEARCH_CA_CERTS")  # fmt: skip


@dataclass
class Secured:
    node: LocalNode
    compose: dict = field(repr=False)  # the resolved compose file: its settings and secrets
    ca: Path
    certs: Path
    passwords: dict[str, str] = field(
        repr=False
    )  # ELASTIC_PASSWORD, KIBANA_SYSTEM_PASSWORD, PIPELINE_ES_PASSWORD

    @property
    def url(self) -> str:
        return self.node.url

    def client(self, username: str = "elastic", password: str | None = None) -> Elasticsearch:
        password = password if password is not None else self.passwords["ELASTIC_PASSWORD"]
        return Elasticsearch(
            self.url, basic_auth=(username, password), ca_certs=str(self.ca), request_timeout=60
        )

    def pipeline_env(self) -> dict[str, str]:
        """The worker's Elasticsearch variables from the compose file, pointed at this node."""
        env = self.compose["services"]["worker"]["environment"]
        return {
            "ELASTICSEARCH_URL": self.url,
            "ELASTICSEARCH_USERNAME": env["ELASTICSEARCH_USERNAME"],
            "ELASTICSEARCH_PASSWORD": env["ELASTICSEARCH_PASSWORD"],
            "ELASTICSEARCH_CA_CERTS": str(self.ca),
        }


def _java_home() -> str:
    for var in ("ES_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            return os.environ[var]
    return str(Path(shutil.which("java")).resolve().parents[1])


def es_setup(step: str, env: dict[str, str]) -> None:
    """Run a step of docker/es-setup.sh; a failure shows its output, never the environment (secrets)."""
    proc = subprocess.run(
        ["sh", str(ES_SETUP), step], env={**os.environ, **env}, capture_output=True, text=True
    )
    if proc.returncode == 0:
        return
    hint = ""
    if "pattern_capture" in proc.stderr:
        hint = (
            "\nElasticsearch's own .security index (native users, API keys) needs the analysis components "
            "pattern_capture and uax_url_email, which the local node's pressindex-analysis plugin lacks."
        )
    pytest.fail(f"es-setup.sh {step} failed:\n{proc.stdout}{proc.stderr}{hint}", pytrace=False)


@pytest.fixture(scope="session")
def secured(tmp_path_factory) -> Secured:
    compose = compose_config(make_env_file(tmp_path_factory.mktemp("secured") / "env"))
    es_env = compose["services"]["elasticsearch"]["environment"]
    main = Settings().local_node()
    bare = LocalNode(cache_dir=main.cache_dir, name="secured", port=PORT, heap="512m")
    localnode.stop(bare)  # a node left over by an interrupted session
    shutil.rmtree(bare.node_dir, ignore_errors=True)  # a fresh cluster: new CA, new passwords
    snapshots = bare.node_dir / "snapshots"
    snapshots.mkdir(parents=True)
    settings = {k: v for k, v in es_env.items() if "." in k}  # Elasticsearch settings, not image variables
    settings["path.repo"] = str(snapshots)
    node = LocalNode(
        cache_dir=main.cache_dir, name="secured", port=PORT, heap="512m",
        settings=tuple(settings.items()),
        secure_settings=(("bootstrap.password", es_env["ELASTIC_PASSWORD"]),),
    )  # fmt: skip
    home = localnode.provision(node, log=lambda m: None)
    certs = node.config_dir / "certs"
    tools = {"ES_HOME": str(home), "ES_JAVA_HOME": _java_home()}
    es_setup("certs", {**tools, "CERTS_DIR": str(certs), "CA_DIR": str(node.node_dir / "ca")})
    try:
        localnode.start(node, timeout=240, log=lambda m: None)
        passwords = compose["services"]["setup-passwords"]["environment"]
        es_setup("passwords", {**passwords, **tools, "ES_URL": node.url, "CERTS_DIR": str(certs)})
        yield Secured(
            node=node, compose=compose, ca=certs / "ca" / "ca.crt", certs=certs,
            passwords={k: passwords[k] for k in ("ELASTIC_PASSWORD", "KIBANA_SYSTEM_PASSWORD", "PIPELINE_ES_PASSWORD")},
        )  # fmt: skip
    finally:
        localnode.stop(node)


@pytest.fixture
def secured_alias(secured):
    """A fresh alias inside the role's pattern (<PRESSINDEX_INDEX>*), removed afterwards."""
    prefix = secured.compose["services"]["setup-passwords"]["environment"]["PRESSINDEX_INDEX"]
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    yield name
    secured.client().indices.delete(index=f"{name}*", ignore_unavailable=True, allow_no_indices=True)


@pytest.fixture
def client_env(monkeypatch):
    """Set the client variables for Settings(), clearing any the developer's shell has."""

    def apply(values: dict[str, str]) -> None:
        for var in CLIENT_VARS:
            monkeypatch.delenv(var, raising=False)
            monkeypatch.delenv(f"PRESSINDEX_{var}", raising=False)
        for var, value in values.items():
            monkeypatch.setenv(var, value)

    return apply


# -- the cluster is the compose file's ------------------------------------------------------------------


def test_the_node_runs_the_compose_files_security_settings(secured):
    info = secured.client().nodes.info(node_id="_local", metric="settings")
    (node_info,) = info["nodes"].values()
    flat = _flatten(node_info["settings"])
    assert node_info["version"] == ES_VERSION
    assert secured.url.startswith("https://")
    for key in (
        "xpack.security.enabled",
        "xpack.security.http.ssl.enabled",
        "xpack.security.transport.ssl.enabled",
    ):
        assert flat[key] == "true", key
    assert flat["path.repo"] in (
        str(secured.node.node_dir / "snapshots"),
        [str(secured.node.node_dir / "snapshots")],
    )


def test_kibana_system_can_log_in_with_the_password_from_env(secured):
    me = secured.client("kibana_system", secured.passwords["KIBANA_SYSTEM_PASSWORD"]).security.authenticate()
    assert me["username"] == "kibana_system"


# -- connect(): user + password + CA, API key -------------------------------------------------------------


def test_connect_with_user_password_and_ca(secured, client_env):
    client_env(secured.pipeline_env())
    es = connect(Settings())
    me = es.security.authenticate()
    assert (me["username"], me["roles"]) == ("pressindex", ["pressindex_writer"])
    assert es.info()["version"]["number"] == ES_VERSION


def test_connect_with_an_api_key_and_ca(secured, client_env):
    key = secured.client().security.create_api_key(name="pressindex-test", expiration="1h")
    client_env({"ELASTICSEARCH_URL": secured.url, "ELASTICSEARCH_API_KEY": key["encoded"],
                "ELASTICSEARCH_CA_CERTS": str(secured.ca)})  # fmt: skip
    me = connect(Settings()).security.authenticate()
    assert me["authentication_type"] == "api_key" and me["api_key"]["id"] == key["id"]


def test_the_certificate_is_checked(secured, client_env, tmp_path):
    env = secured.pipeline_env()
    client_env({k: v for k, v in env.items() if k != "ELASTICSEARCH_CA_CERTS"})  # system CAs only
    with pytest.raises(ESConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        connect(Settings()).info()
    other_ca = tmp_path / "other-ca.crt"  # a certificate that did not sign the node's
    other_ca.write_text((secured.certs / "kibana" / "kibana.crt").read_text())
    client_env({**env, "ELASTICSEARCH_CA_CERTS": str(other_ca)})
    with pytest.raises(ESConnectionError):
        connect(Settings()).info()


def test_a_wrong_password_or_plain_http_is_refused(secured, client_env):
    client_env({**secured.pipeline_env(), "ELASTICSEARCH_PASSWORD": "wrong"})
    with pytest.raises(AuthenticationException):
        connect(Settings()).info()
    plain = {k: v for k, v in secured.pipeline_env().items() if k != "ELASTICSEARCH_CA_CERTS"}
    client_env({**plain, "ELASTICSEARCH_URL": secured.url.replace("https:", "http:")})
    with pytest.raises(ESConnectionError):
        connect(Settings()).info()


def test_the_pipeline_user_manages_only_its_own_indices(secured, secured_alias):
    es = secured.client("pressindex", secured.passwords["PIPELINE_ES_PASSWORD"])
    es.indices.create(index=f"{secured_alias}-scratch")
    with pytest.raises(AuthorizationException):
        es.indices.create(index=f"other-{uuid.uuid4().hex[:8]}")
    with pytest.raises(AuthorizationException):
        es.security.get_user(username="elastic")


# -- the setup service's commands, with the stack's TLS and users ------------------------------------------


def test_setup_commands_run_with_the_stacks_tls_and_users(secured, secured_alias, runner):
    compose_env = secured.compose["services"]["setup"]["environment"]
    env = {
        **compose_env,
        **secured.pipeline_env(),
        "PRESSINDEX_INDEX": secured_alias,
        "SSL_CERT_FILE": str(secured.ca),  # compose: /certs/ca/ca.crt
    }
    lines = setup_command_lines(secured.compose)
    kibana_cert = (secured.certs / "kibana" / "kibana.crt", secured.certs / "kibana" / "kibana.key")
    with KibanaImportStandIn(
        compose_env["KIBANA_USERNAME"], compose_env["KIBANA_PASSWORD"], *kibana_cert
    ) as kibana:
        run_setup_commands(runner, lines, env, kibana.url)
        assert kibana.objects, "nothing was imported"
        # without SSL_CERT_FILE, Python does not trust the stack's CA and the import fails
        kibana_line = [a if a != KIBANA_SERVICE_URL else kibana.url for a in lines[-1]]
        result = runner.invoke(cli, kibana_line[1:], env={**env, "SSL_CERT_FILE": None})
        assert result.exit_code != 0 and "CERTIFICATE_VERIFY_FAILED" in result.output
    (concrete,) = secured.client().indices.get_alias(name=secured_alias)
    assert concrete.startswith(f"{secured_alias}-v")


# -- no secret in a run's logs, artifacts or results -----------------------------------------------------


def _secrets(name: str, secret: str, basic_user: str | None = None) -> dict[str, str]:
    """The secret and the forms it travels in; failures name them, never show them."""
    found = {name: secret}
    if basic_user:
        found[f"{name} as a basic-auth header"] = base64.b64encode(f"{basic_user}:{secret}".encode()).decode()
    return found


def _leaked(secrets: dict[str, str], text: str) -> list[str]:
    return [name for name, value in secrets.items() if value in text]


def _files_text(*dirs: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace")
        for d in dirs
        if d.exists()
        for p in d.rglob("*")
        if p.is_file()
    )


def test_a_runs_logs_and_artifacts_never_contain_the_password_or_the_key(
    secured, secured_alias, prefect_harness, client_env, caplog, capfd, tmp_path, monkeypatch
):
    from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings

    inbox = tmp_path / "inbox"
    shutil.copytree(ROOT / "seeds", inbox)
    (inbox / "empty.txt").write_bytes(b"")  # quarantined: its reason file is output too
    (inbox / "binary.txt").write_bytes(bytes(range(256)) * 8)
    quarantine, results = tmp_path / "quarantine", tmp_path / "results"
    monkeypatch.setenv("PRESSINDEX_QUARANTINE_DIR", str(quarantine))
    # The test's own admin call answers with the key; with the client's DEBUG logging on, that answer
    # is logged. Make the key first and keep only what the runs produce.
    api_key = secured.client().security.create_api_key(name="pressindex-run", expiration="1h")
    caplog.clear()
    capfd.readouterr()
    caplog.set_level(logging.DEBUG)  # the Elasticsearch client's request logging included
    ingest = load_flow("ingest", "ingest")
    password = secured.passwords["PIPELINE_ES_PASSWORD"]
    runs = []  # (final state, should it complete)
    secrets: dict[str, str] = {}
    with temporary_settings({PREFECT_LOCAL_STORAGE_PATH: results}):
        # 1. user + password: the worker's settings
        client_env(secured.pipeline_env())
        runs.append((ingest(paths=[str(inbox)], index=secured_alias, return_state=True), True))
        secrets |= _secrets("the pipeline password", password, basic_user="pressindex")
        # 2. an API key
        client_env({"ELASTICSEARCH_URL": secured.url, "ELASTICSEARCH_API_KEY": api_key["encoded"],
                    "ELASTICSEARCH_CA_CERTS": str(secured.ca)})  # fmt: skip
        runs.append((ingest(paths=[str(inbox)], index=secured_alias, force=True, return_state=True), True))
        secrets |= _secrets("the encoded API key", api_key["encoded"]) | _secrets(
            "the API key", api_key["api_key"]
        )
        # 3. a wrong password: the run fails, and its error says why without the password
        wrong = f"wrong-{uuid.uuid4().hex}"
        client_env({**secured.pipeline_env(), "ELASTICSEARCH_PASSWORD": wrong})
        runs.append((ingest(paths=[str(inbox)], index=secured_alias, return_state=True), False))
        secrets |= _secrets("a wrong password", wrong, basic_user="pressindex")
    output = capfd.readouterr()
    local = "\n".join([caplog.text, output.out, output.err, _files_text(quarantine, results)])
    assert "security_exception" in local  # the failed run did report why
    assert any(quarantine.rglob("*.json")) and any(results.rglob("*")), "no quarantine or result was written"
    for state, completes in runs:
        assert state.is_completed() is completes, state
        leaked = _leaked(secrets, flow_run_record(state.state_details.flow_run_id))
        assert not leaked, f"in what Prefect keeps about run {state.state_details.flow_run_id}: {leaked}"
    leaked = _leaked(secrets, local)
    assert not leaked, f"in the runs' log records, console output, quarantine or results: {leaked}"
    assert secured.client().count(index=secured_alias)["count"] == 2


# -- back up and restore (docs/operations.md) -----------------------------------------------------------


def test_snapshot_to_the_fs_repository_and_restore(secured, secured_alias):
    """What docs/operations.md tells operators to do, as the elastic user, against path.repo."""
    es = secured.client()
    es.indices.create(index=f"{secured_alias}-v1", aliases={secured_alias: {"is_write_index": True}})
    es.bulk(operations=[{"index": {"_index": secured_alias, "_id": str(i)}} if j == 0 else {"n": i}
                        for i in range(20) for j in range(2)], refresh=True)  # fmt: skip
    repo = f"backup-{uuid.uuid4().hex[:6]}"
    es.snapshot.create_repository(name=repo, repository={"type": "fs", "settings": {"location": repo}})
    es.snapshot.verify_repository(name=repo)
    snap = es.snapshot.create(repository=repo, snapshot="nightly-1", indices=f"{secured_alias}*",
                              include_global_state=False, wait_for_completion=True)  # fmt: skip
    assert snap["snapshot"]["state"] == "SUCCESS"
    es.indices.delete(index=f"{secured_alias}-v1")
    restored = es.snapshot.restore(repository=repo, snapshot="nightly-1", indices=f"{secured_alias}*",
                                   wait_for_completion=True)  # fmt: skip
    assert restored["snapshot"]["shards"]["failed"] == 0
    es.cluster.health(index=f"{secured_alias}-v1", wait_for_status="yellow", timeout="30s")
    assert list(es.indices.get_alias(name=secured_alias)) == [f"{secured_alias}-v1"]
    assert es.count(index=secured_alias)["count"] == 20
    assert [s["snapshot"] for s in es.snapshot.get(repository=repo, snapshot="*")["snapshots"]] == [
        "nightly-1"
    ]
    es.snapshot.delete(repository=repo, snapshot="nightly-1")
    es.snapshot.delete_repository(name=repo)


def _flatten(settings: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat
