#!/usr/bin/env bash
# Runs the libFuzzer targets (fuzz/): the JSON-RPC line handler with the
# Codex protocol mapping, the grpc-web proxy's frame and base64 code, the
# server's reading of x-forwarded-for, and the text people are shown of
# what Codex sends (common/visible_text.h).
# Each starts from its seed corpus (fuzz/corpus/NAME, read only) and grows a
# working corpus under build-fuzz/corpus/NAME. A crash leaves its input in
# build-fuzz/findings/; turn it into a regression test (a seed in
# fuzz/corpus/NAME and a unit test) before fixing it.
#
#   scripts/fuzz.sh [SECONDS]   per target; default 3600 (CI runs 60)
#   scripts/fuzz.sh build       only builds them (build-fuzz/bin/)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-3600}"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
if [[ "$seconds" == build ]]; then exit 0; fi
mkdir -p build-fuzz/findings
for name in json_rpc grpc_web forwarded_for visible_text; do
  echo "== fuzzing $name for ${seconds}s"
  if [[ ! -x "build-fuzz/bin/${name}_fuzzer" ]]; then
    echo "fuzz: build-fuzz/bin/${name}_fuzzer was not built (CMakePresets.json's fuzz targets)" >&2
    exit 1
  fi
  mkdir -p "build-fuzz/corpus/$name"
  build-fuzz/bin/${name}_fuzzer -max_total_time="$seconds" -max_len=65536 \
    -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/findings/${name}-" \
    "build-fuzz/corpus/$name" "fuzz/corpus/$name" 2>&1 |
    grep -E "^(Done|stat::|==|SUMMARY)|ERROR|crash" || true
  # A slow unit or a timeout can be the machine stalling (a VM paused for
  # seconds, or other work ahead of a fuzzer run at nice 19, as CI runs
  # them), not the input: each is run again alone and is a failure only if
  # it still takes over 1 s of CPU time (user + system, which waiting for
  # the CPU does not add to) or fails. Crashes, leaks and running out of
  # memory are always failures.
  for finding in "build-fuzz/findings/${name}-slow-unit-"* "build-fuzz/findings/${name}-timeout-"*; do
    [[ -e "$finding" ]] || continue
    if cpu=$( { TIMEFORMAT='%3U %3S'; time build-fuzz/bin/${name}_fuzzer -timeout=60 "$finding" >/dev/null 2>&1; } 2>&1 ); then
      ms=$(awk '{ printf "%d", ($1 + $2) * 1000 }' <<<"$cpu")
      if (( ms < 1000 )); then
        echo "fuzz: $finding ran in ${ms} ms of CPU alone: a stall of the machine while fuzzing, not the input; set aside in build-fuzz/stalls/"
        mkdir -p build-fuzz/stalls
        mv "$finding" build-fuzz/stalls/
      fi
    fi
  done
  # A finding is a failure.
  if compgen -G "build-fuzz/findings/${name}-*" >/dev/null; then
    echo "fuzz: $name found a failure: $(ls build-fuzz/findings/${name}-*)" >&2
    exit 1
  fi
done
