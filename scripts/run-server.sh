#!/usr/bin/env bash
# Sets everything up, then runs codex-manager-server with the pinned Codex.
# Extra arguments go to the server (see --help), e.g.
#   scripts/run-server.sh --listen 127.0.0.1:50051 --allowed-root ~/src
# Codex uses your usual ~/.codex (config and login) unless you pass
# --codex-home.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh default >&2
exec build/bin/codex-manager-server \
  --codex-bin "$(pwd)/tools/codex/node_modules/.bin/codex" "$@"
