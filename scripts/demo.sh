#!/usr/bin/env bash
# A whole turn, approval included, with no Codex account: the server runs the
# real, pinned codex against tests/mock_model (a scripted local model).
#
#   scripts/demo.sh [PROMPT]
#
# Leaves the server running on 127.0.0.1:50051 (or $CODEX_MANAGER_ADDR) and
# the browser UI on http://127.0.0.1:8080/ (or $CODEX_MANAGER_WEB_ADDR) until
# you press Ctrl-C, so you can try the CLI or the UI against it. Its files
# (data dir, Codex home, project, logs) are under var/demo (or
# $CODEX_MANAGER_DEMO_DIR). Without a terminal on stdin, approvals are
# approved and it stops after the turn. It runs scripts/setup.sh first;
# CODEX_MANAGER_DEMO_SETUP=0 skips that on a tree already set up (the
# end-to-end test does, as setup reinstalls the SDK and rebuilds the UI
# that other tests are using).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
[ "${CODEX_MANAGER_DEMO_SETUP:-1}" = 0 ] || scripts/setup.sh default >/dev/null
addr="${CODEX_MANAGER_ADDR:-127.0.0.1:50051}"
export CODEX_MANAGER_ADDR="$addr"
demo="${CODEX_MANAGER_DEMO_DIR:-$repo/var/demo}"
mkdir -p "$demo/codex-home" "$demo/project"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

rm -f "$demo/model.port"  # a stale one would point Codex at a dead port
python3 tests/mock_model/mock_model.py --port-file "$demo/model.port" >/dev/null 2>"$demo/model.log" &
pids+=($!)
for _ in $(seq 50); do [ -s "$demo/model.port" ] && break; sleep 0.1; done
cat > "$demo/codex-home/config.toml" <<TOML
model = "gpt-5.5"   # a name Codex knows (tools by model); served by the mock
model_provider = "mock"
[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:$(cat "$demo/model.port")/v1"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
TOML

build/bin/codex-manager-server --listen "$addr" --data-dir "$demo/var" \
  --codex-bin "$repo/tools/codex/node_modules/.bin/codex" \
  --codex-home "$demo/codex-home" 2>"$demo/server.log" &
pids+=($!)
for _ in $(seq 100); do build/bin/codex-manager health >/dev/null 2>&1 && break; sleep 0.1; done
# The admin token the server wrote at its first start (docs/security.md).
export CODEX_MANAGER_TOKEN="$(cat "$demo/var/admin.token")"

web_addr="${CODEX_MANAGER_WEB_ADDR:-127.0.0.1:8080}"
build/bin/codex-manager-web --listen "$web_addr" --upstream "$addr" \
  --static-dir "$repo/web-proxy/ui/dist" 2>"$demo/web.log" &
pids+=($!)

prompt="${1:-please run: echo hello from codex manager}"
echo "demo: server on $addr, scripted model on port $(cat "$demo/model.port"), project $demo/project"
echo "demo: the browser UI is at http://$web_addr/ (sign-in link: http://$web_addr/#token=$CODEX_MANAGER_TOKEN)"
echo "demo: codex-manager run --cwd $demo/project --approval-policy untrusted \"$prompt\""
echo
mode=ask; [ -t 0 ] || mode=approve
build/bin/codex-manager run --cwd "$demo/project" --approval-policy untrusted \
  --on-approval "$mode" "$prompt" || true
echo
# The session just run (the newest), and the command that replays it from
# any shell and folder: the demo's server has its own data dir, so the CLI
# there needs its admin token (not the one of a server run with the
# default data dir). Quoted for the shell (%q), whatever the paths hold.
session=$(build/bin/codex-manager --json session list --page-size 1 |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["sessions"][0]["sessionId"])')
printf 'demo: replay it with:  CODEX_MANAGER_ADDR=%q CODEX_MANAGER_TOKEN_FILE=%q %q events %q\n' \
  "$addr" "$demo/var/admin.token" "$repo/build/bin/codex-manager" "$session"
if [ -t 0 ]; then
  echo "demo: the server keeps running; press Ctrl-C to stop it."
  wait
fi
