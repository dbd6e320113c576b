#!/usr/bin/env bash
# Installs what pressindex needs on a fresh Debian-like machine, then the locked Python environment.
# Idempotent: each step is skipped when its tool is already there. Used by both README commands.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.8
need_apt=()
command -v java >/dev/null || need_apt+=(openjdk-17-jdk-headless)
command -v javac >/dev/null || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need_apt+=(maven)
command -v docker-compose >/dev/null || need_apt+=(docker-compose)
# the language scorer is a C extension, compiled when uv installs the project
command -v cc >/dev/null || need_apt+=(gcc libc6-dev)
python3 -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
  || need_apt+=(python3-dev)
if ((${#need_apt[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${need_apt[*]} with apt-get …" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if ! command -v uv >/dev/null || [ "$(uv --version | awk '{print $2}')" != "$UV_VERSION" ]; then
  python3 -m pip install --quiet "uv==$UV_VERSION" 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages "uv==$UV_VERSION"
fi
# Compiled bytecode: this environment may set PYTHONDONTWRITEBYTECODE, and then every process
# (CLI, parse workers, tests) would compile its imports again at start: seconds each.
uv sync --frozen --quiet --compile-bytecode
# The project's own modules (an editable install, so not compiled by the line above).
uv run --frozen --no-sync python -m compileall -q src flows bench >/dev/null
