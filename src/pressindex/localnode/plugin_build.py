"""Build the ``pressindex-analysis`` Elasticsearch plugin from its Java sources.

The local node runs Elastic's minimal integ-test distribution, which lacks the ``analysis-common``
and ``rest-root`` modules. The plugin (sources in ``analysis_plugin/``) gives it the analysis
components pressindex's mapping uses, under analysis-common's names and parameters, plus ``GET /``.

It is compiled with ``javac`` against the jars of the distribution itself, so it always matches the
node's exact version (classic plugins must). Builds are cached: a stamp over the sources, this
builder and the Elasticsearch version decides whether anything needs compiling.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from string import Template

from pressindex.errors import LocalNodeError

PLUGIN_NAME = "pressindex-analysis"
SOURCE_DIR = Path(__file__).with_name("analysis_plugin")
JAVA_RELEASE = "17"  # the oldest JDK the 8.19 node runs on; javac of any newer JDK can target it

_SERVER_JAR = re.compile(r"^elasticsearch-(\d+\.\d+\.\d+(?:-[A-Za-z0-9.]+)?)\.jar$")
_SOURCE_SUFFIXES = (".java", ".properties.in", ".yaml")
_COMPILE_TIMEOUT_S = 600
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed entry times: the same sources give the same jar bytes


def build_plugin(es_home: Path, out_dir: Path, *, javac: Path | None = None) -> Path:
    """Compile and package the plugin for the distribution at ``es_home``; return the plugin directory.

    The returned ``out_dir/pressindex-analysis`` holds the jar, ``plugin-descriptor.properties`` and,
    if the sources have one, ``entitlement-policy.yaml``; copy it to ``<es_home>/plugins/``.
    Nothing is compiled when the stamp next to it matches. ``javac`` defaults to the one in
    ``$ES_JAVA_HOME``, then ``$JAVA_HOME``, then on ``PATH``.
    """
    es_home = Path(es_home)
    out_dir = Path(out_dir)
    es_version = elasticsearch_version(es_home)
    sources = _source_files()
    stamp = _stamp(sources, es_version)
    plugin_dir = out_dir / PLUGIN_NAME
    stamp_file = out_dir / f"{PLUGIN_NAME}.stamp"

    out_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(out_dir / f".{PLUGIN_NAME}.lock"):
        if _is_current(plugin_dir, stamp_file, stamp):
            return plugin_dir
        javac_path = javac or _find_javac()
        staging = Path(tempfile.mkdtemp(prefix=f".{PLUGIN_NAME}-", dir=out_dir))
        try:
            classes = staging / "classes"
            _compile(javac_path, es_home, [p for p in sources if p.suffix == ".java"], classes)
            built = staging / PLUGIN_NAME
            built.mkdir()
            _write_jar(classes, built / f"{PLUGIN_NAME}.jar")
            _write_descriptor(built / "plugin-descriptor.properties", es_version)
            policy = SOURCE_DIR / "entitlement-policy.yaml"
            if policy.is_file():
                shutil.copyfile(policy, built / policy.name)
            _make_world_readable(built)  # the node runs as its own, unprivileged user
            _replace_dir(built, plugin_dir, trash=staging / "previous")
            stamp_file.write_text(stamp + "\n", encoding="utf-8")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return plugin_dir


def elasticsearch_version(es_home: Path) -> str:
    """The version of the distribution at ``es_home``, read from its ``lib/elasticsearch-X.jar``."""
    lib = Path(es_home) / "lib"
    if not lib.is_dir():
        raise LocalNodeError(f"{es_home} is not an Elasticsearch distribution: it has no lib/ directory")
    versions = sorted({m.group(1) for p in lib.iterdir() if (m := _SERVER_JAR.match(p.name))})
    if len(versions) != 1:
        found = ", ".join(versions) or "none"
        raise LocalNodeError(
            f"expected exactly one lib/elasticsearch-<version>.jar in {es_home}, found: {found}"
        )
    return versions[0]


def _source_files() -> list[Path]:
    files = sorted(
        (p for p in SOURCE_DIR.rglob("*") if p.is_file() and p.name.endswith(_SOURCE_SUFFIXES)),
        key=lambda p: p.relative_to(SOURCE_DIR).as_posix(),
    )
    if not any(p.suffix == ".java" for p in files):
        raise LocalNodeError(f"no Java sources for the {PLUGIN_NAME} plugin under {SOURCE_DIR}")
    return files


def _stamp(sources: list[Path], es_version: str) -> str:
    digest = hashlib.sha256()
    digest.update(f"elasticsearch={es_version}\0release={JAVA_RELEASE}\0".encode())
    digest.update(Path(__file__).read_bytes())  # a change in how we package also invalidates the build
    for path in sources:
        digest.update(path.relative_to(SOURCE_DIR).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _is_current(plugin_dir: Path, stamp_file: Path, stamp: str) -> bool:
    try:
        recorded = stamp_file.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return (
        recorded == stamp
        and (plugin_dir / f"{PLUGIN_NAME}.jar").is_file()
        and (plugin_dir / "plugin-descriptor.properties").is_file()
    )


def _find_javac() -> Path:
    for variable in ("ES_JAVA_HOME", "JAVA_HOME"):
        if home := os.environ.get(variable):
            candidate = Path(home) / "bin" / "javac"
            if os.access(candidate, os.X_OK):  # a JRE-only home has no javac: fall through
                return candidate
    if found := shutil.which("javac"):
        return Path(found)
    raise LocalNodeError(
        f"javac not found (looked in $ES_JAVA_HOME, $JAVA_HOME and PATH): building the {PLUGIN_NAME} plugin "
        f"needs a JDK {JAVA_RELEASE} or newer, e.g. Debian's openjdk-{JAVA_RELEASE}-jdk-headless"
    )


def _compile(javac: Path, es_home: Path, java_files: list[Path], classes: Path) -> None:
    classes.mkdir(parents=True)
    command = [
        str(javac),
        "--release", JAVA_RELEASE,
        "-proc:none",  # the server jars carry annotation processors we do not want to run
        "-encoding", "UTF-8",
        "-nowarn",
        "-cp", str(es_home / "lib" / "*"),  # javac expands the wildcard itself
        "-d", str(classes),
        *map(str, java_files),
    ]  # fmt: skip
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=_COMPILE_TIMEOUT_S, check=False
        )
    except OSError as e:
        raise LocalNodeError(f"could not run {javac}: {e}") from e
    except subprocess.TimeoutExpired as e:
        raise LocalNodeError(f"compiling the {PLUGIN_NAME} plugin took over {_COMPILE_TIMEOUT_S} s") from e
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()
        raise LocalNodeError(
            f"compiling the {PLUGIN_NAME} plugin against {es_home} failed (javac exit {result.returncode}):\n"
            f"{output[-4000:]}"
        )


def _write_jar(classes: Path, jar: Path) -> None:
    entries = sorted(p for p in classes.rglob("*") if p.is_file())
    with zipfile.ZipFile(jar, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        manifest = "Manifest-Version: 1.0\r\nCreated-By: pressindex\r\n\r\n"
        archive.writestr(_jar_entry("META-INF/MANIFEST.MF"), manifest)
        for path in entries:
            archive.writestr(_jar_entry(path.relative_to(classes).as_posix()), path.read_bytes())


def _jar_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _write_descriptor(target: Path, es_version: str) -> None:
    template = Template((SOURCE_DIR / "plugin-descriptor.properties.in").read_text(encoding="utf-8"))
    try:
        text = template.substitute(
            plugin_version=es_version, java_version=JAVA_RELEASE, elasticsearch_version=es_version
        )
    except (KeyError, ValueError) as e:
        raise LocalNodeError(f"plugin-descriptor.properties.in has an unknown placeholder: {e}") from e
    target.write_text(text, encoding="utf-8")


def _make_world_readable(root: Path) -> None:
    root.chmod(0o755)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _replace_dir(new: Path, target: Path, *, trash: Path) -> None:
    """Swap ``new`` in for ``target`` with renames (both live under out_dir, so on one filesystem)."""
    if target.exists():
        target.rename(trash)
    new.rename(target)


@contextmanager
def _exclusive_lock(lock_file: Path) -> Iterator[None]:
    """Serialise concurrent builds into the same out_dir (e.g. parallel test workers)."""
    with open(lock_file, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
