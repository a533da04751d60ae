#!/usr/bin/env bash
# Kill -9 soak of the durable core: the in-suite kill test
# (tests/e2e/test_durability.py) with 200 SIGKILLs of the server under load
# instead of 10. After each kill `codex-manager-server --check` must pass,
# and a follower resuming by cursor must see every event exactly once, in
# order. Takes about 8 minutes on 2 cores.
#
#   scripts/soak.sh [KILLS]     default 200; needs a build (scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-200}"
repo=$(pwd)
cd tests
CODEX_MANAGER_SOAK_KILLS="$kills" CODEX_MANAGER_BUILD="${CODEX_MANAGER_BUILD:-$repo/build}" \
  "$repo/.venv/bin/python" -m pytest -q -o timeout=$((kills * 10 + 120)) \
  e2e/test_durability.py -k kill_9
