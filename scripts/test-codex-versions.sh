#!/usr/bin/env bash
# Runs the suites that drive the real Codex (the end-to-end tests and the
# Python SDK's) against other @openai/codex releases, each installed from
# npm into .cache/codex-versions/<version>; the build must exist
# (scripts/test.sh builds it). Prints one line per release and exits
# non-zero when any failed. Upgrade the pin (tools/codex/package.json, then
# scripts/update-codex-schema.sh) once the newer releases pass.
#
#   scripts/test-codex-versions.sh                  0.168.0 0.169.0 0.171.0
#   scripts/test-codex-versions.sh 0.172.0          one release
#   PYTEST_ARGS="-k real_codex" scripts/test-codex-versions.sh
#
# A suite PYTEST_ARGS selects nothing from is not a failure; a release no
# test ran for is.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(0.168.0 0.169.0 0.171.0)
build="${CODEX_MANAGER_BUILD:-$repo/build}"
pinned=$(node -p 'require("./tools/codex/package.json").dependencies["@openai/codex"]')
failed=0
summary=()
# pytest's exit status 5: PYTEST_ARGS selected no test of that suite.
selected_none() { [ $? -eq 5 ]; }
for v in "${versions[@]}"; do
  dir="$repo/.cache/codex-versions/$v"
  if [ ! -x "$dir/node_modules/.bin/codex" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error \
      --prefix . "@openai/codex@$v" >/dev/null)
  fi
  codex="$dir/node_modules/.bin/codex"
  log="$repo/.cache/codex-versions/$v.log"
  echo "== @openai/codex $v ($("$codex" --version 2>/dev/null || echo '?'))"
  # The drift test holds the pinned binary to its checked-in schema; the
  # schema walk (codex_methods_test) is for the pinned version only.
  deselect=()
  [ "$v" = "$pinned" ] || deselect=(--deselect e2e/test_codex_schema.py)
  status=passed
  if ! (cd tests && CODEX_MANAGER_CODEX_BIN="$codex" CODEX_MANAGER_BUILD="$build" \
        timeout 1200 "$repo/.venv/bin/python" -m pytest -q ${PYTEST_ARGS:-} \
        "${deselect[@]}" || selected_none) >"$log" 2>&1; then
    status=failed
  fi
  if ! (cd clients/python && CODEX_MANAGER_CODEX_BIN="$codex" \
        CODEX_MANAGER_BUILD="$build" timeout 900 "$repo/.venv/bin/python" -m pytest -q \
        ${PYTEST_ARGS:-} || selected_none) >>"$log" 2>&1; then
    status=failed
  fi
  counts=$(grep -Eh '^[0-9]+ (passed|failed)|[0-9]+ passed' "$log" | tr '\n' ' ' || true)
  if [ -z "$counts" ]; then
    status=failed
    counts="no test ran"
  fi
  line="$v: $status ($counts)"
  echo "$line"
  summary+=("$line")
  [ "$status" = passed ] || failed=1
done
printf '%s\n' "${summary[@]}"
exit "$failed"
