#!/usr/bin/env bash
# Sets everything up and runs every test: the C++ unit tests (ctest), the
# end-to-end tests (pytest: real server, CLI, proxy and the pinned codex on
# the scripted model), the Python SDK tests (ruff, mypy, pytest), the
# UI's tests (tsc, grpc-web clients, chromium) and the TypeScript client's,
# first on the normal build, then the C++, e2e and SDK suites again on the
# AddressSanitizer + UBSan build, which builds in the background at the
# lowest CPU priority while the first suites run, and a minute of each
# libFuzzer target, which fuzz at that priority beside the second suites.
#
#   scripts/test.sh            everything
#   SKIP_ASAN=1 scripts/test.sh  skip the sanitizer pass (faster, local only)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# Every suite is bounded, so a hang fails the run in minutes instead of
# holding CI until its own limit: pytest-timeout and node --test-timeout
# bound each test, ctest each case (TIMEOUT 120), and this bounds each suite.
bounded() {  # runs "$@" for at most SUITE_TIMEOUT seconds (default 900)
  timeout --kill-after=15 "${SUITE_TIMEOUT:-900}" "$@"
}

run_suite() {  # $1 = preset, $2 = build dir
  echo "== unit tests ($1)"
  bounded ctest --preset "$1" -j2
  echo "== end-to-end tests ($1)"
  # In E2E_WORKERS processes (pytest-xdist): one at a time, a test mostly
  # waits on Codex and the servers it starts, a third of two cores busy.
  (cd tests && CODEX_MANAGER_BUILD="$repo/$2" bounded "$repo/.venv/bin/python" -m pytest -q \
     -n "${E2E_WORKERS:-3}")
  echo "== Connect conformance suite, gRPC-Web ($1)"
  bounded tests/conformance/run.sh "$2"
  echo "== Python SDK tests ($1)"
  (cd clients/python && CODEX_MANAGER_BUILD="$repo/$2" bounded "$repo/.venv/bin/python" -m pytest -q)
}

scripts/setup.sh default

# The sanitizer build, begun now in the background at nice 19: the suites
# below leave much of the two cores idle while they wait on Codex, and any
# process of theirs that wants a core gets it first. Its output goes to
# build-asan/build.log, shown if it fails.
asan_build=
fuzzing=
stop_background() {
  if [ -n "$asan_build" ]; then kill "$asan_build" 2>/dev/null || true; fi
  if [ -n "$fuzzing" ]; then kill "$fuzzing" 2>/dev/null || true; fi
}
trap stop_background EXIT
if [ "${SKIP_ASAN:-0}" != 1 ]; then
  cmake --preset asan >/dev/null
  nice -n 19 ninja -C build-asan -j2 > build-asan/build.log 2>&1 &
  asan_build=$!  # ninja itself (nice execs it): on SIGTERM it stops its compilers
fi

echo "== Python lint and types (the SDK; the suites, benches and scripts)"
(cd clients/python && "$repo/.venv/bin/ruff" check src examples tests && "$repo/.venv/bin/mypy")
"$repo/.venv/bin/ruff" check tests bench scripts
run_suite default build
echo "== UI types and tests (grpc-web clients, chromium)"
(cd web-proxy/ui && CODEX_MANAGER_BUILD="$repo/build" bounded npm test --silent)
echo "== TypeScript client (tsc, tests through the proxy and over gRPC)"
(cd clients/typescript && CODEX_MANAGER_BUILD="$repo/build" bounded npm test --silent)
echo "== fuzz targets (libFuzzer; build-fuzz/)"
bounded scripts/fuzz.sh build

fuzz_seconds=60  # per target; scripts/fuzz.sh alone runs an hour
if [ "${SKIP_ASAN:-0}" = 1 ]; then
  echo "== fuzzing (libFuzzer, ${fuzz_seconds} s per target)"
  bounded scripts/fuzz.sh "$fuzz_seconds"
else
  echo "== sanitizer build (begun in the background)"
  if ! wait "$asan_build"; then
    asan_build=
    tail -n 60 build-asan/build.log
    exit 1
  fi
  asan_build=
  scripts/setup.sh asan  # checks the rest; nothing is left to build
  # The fuzzers run for a set time, not a set amount of work, so they run
  # beside the sanitizer suites, at nice 19, mostly in the CPU those leave
  # idle while they wait on Codex, instead of before them, where the
  # sanitizer build needed it. Their output is shown once the suites are
  # done.
  echo "== fuzzing (libFuzzer, ${fuzz_seconds} s per target, in the background)"
  # (bounded as a job of its own: timeout itself is $!, which stops all of
  # the fuzzers' process group when it is stopped)
  timeout --kill-after=15 "${SUITE_TIMEOUT:-900}" nice -n 19 \
    scripts/fuzz.sh "$fuzz_seconds" > build-fuzz/fuzz.log 2>&1 &
  fuzzing=$!
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_suite asan build-asan
  echo "== fuzzing (begun beside the sanitizer suites)"
  fuzz_status=0
  wait "$fuzzing" || fuzz_status=$?
  fuzzing=
  cat build-fuzz/fuzz.log
  if [ "$fuzz_status" != 0 ]; then exit 1; fi
fi
echo "== all tests passed"
