#!/usr/bin/env bash
# Sets up everything Codex Manager needs on a Debian 12 machine, then builds.
# Idempotent: a second run only rebuilds what changed.
#
#   scripts/setup.sh [PRESET]   PRESET: default (build/), asan (build-asan/)
#                               or fuzz (build-fuzz/, the libFuzzer targets)
#
# Installs: Debian packages (compiler toolchain, gRPC, Protobuf, Abseil,
# SQLite, nlohmann-json, CLI11, GoogleTest, Boost, OpenSSL, clang for the
# fuzz targets, Chromium for the browser tests, systemd and dpkg-dev to
# check the service units and build the .deb, prometheus for promtool,
# bubblewrap for Codex's sandbox), the
# pinned @openai/codex from tools/codex/package-lock.json, the
# UI's and the TypeScript client's npm packages (their package-lock.json),
# and a Python venv
# (.venv) with the test tools and the Python SDK (clients/python).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

debs=(g++ cmake ninja-build pkg-config git
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
      libabsl-dev libsqlite3-dev nlohmann-json3-dev libcli11-dev
      libgtest-dev libgmock-dev libboost-dev libssl-dev openssl chromium
      clang python3 python3-venv systemd dpkg-dev prometheus bubblewrap)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The pinned Codex (exact version and integrity in the lockfile).
stamp=tools/codex/node_modules/.package-lock.json
if [ ! -x tools/codex/node_modules/.bin/codex ] || [ tools/codex/package-lock.json -nt "$stamp" ]; then
  echo "setup: installing the pinned @openai/codex"
  (cd tools/codex && npm ci --no-audit --no-fund --loglevel=error)
fi

# The browser UI's packages (exact versions in its package-lock.json). Their
# install scripts are not needed (esbuild's binary comes as a package).
ui_stamp=web-proxy/ui/node_modules/.package-lock.json
if [ ! -d web-proxy/ui/node_modules ] || [ web-proxy/ui/package-lock.json -nt "$ui_stamp" ]; then
  echo "setup: installing the UI's npm packages"
  (cd web-proxy/ui && npm ci --no-audit --no-fund --loglevel=error)
fi

# The TypeScript client's packages (clients/typescript/package-lock.json).
ts_stamp=clients/typescript/node_modules/.package-lock.json
if [ ! -d clients/typescript/node_modules ] || [ clients/typescript/package-lock.json -nt "$ts_stamp" ]; then
  echo "setup: installing the TypeScript client's npm packages"
  (cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error)
fi

# Python for the end-to-end tests.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ tests/requirements.txt -nt .venv/.requirements-installed ] || [ ! -f .venv/.requirements-installed ]; then
  .venv/bin/pip install -q --disable-pip-version-check -r tests/requirements.txt
  touch .venv/.requirements-installed
fi
# The Python SDK, installed as users install it (not editable).
.venv/bin/pip install -q --disable-pip-version-check --no-deps --force-reinstall ./clients/python

echo "setup: building ($preset)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
# The UI, into web-proxy/ui/dist (what codex-manager-web --static-dir serves).
(cd web-proxy/ui && node scripts/build.mjs)
