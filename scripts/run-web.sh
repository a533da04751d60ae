#!/usr/bin/env bash
# Sets everything up, then runs codex-manager-web: the gRPC-Web proxy in
# front of a running codex-manager-server, serving the browser UI.
# Extra arguments go to the proxy (see --help), e.g.
#   scripts/run-web.sh --listen 127.0.0.1:8080 --upstream 127.0.0.1:50051
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh default >&2
exec build/bin/codex-manager-web --static-dir "$(pwd)/web-proxy/ui/dist" "$@"
