#!/usr/bin/env bash
# Runs the libFuzzer targets (fuzz/): the JSON-RPC line handler with the
# Codex protocol mapping, and the grpc-web proxy's frame and base64 code.
# Each starts from its seed corpus (fuzz/corpus/NAME, read only) and grows a
# working corpus under build-fuzz/corpus/NAME. A crash leaves its input in
# build-fuzz/findings/; turn it into a regression test (a seed in
# fuzz/corpus/NAME and a unit test) before fixing it.
#
#   scripts/fuzz.sh [SECONDS]   per target; default 3600 (CI runs 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-3600}"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
mkdir -p build-fuzz/findings
for name in json_rpc grpc_web; do
  echo "== fuzzing $name for ${seconds}s"
  mkdir -p "build-fuzz/corpus/$name"
  build-fuzz/bin/${name}_fuzzer -max_total_time="$seconds" -max_len=65536 \
    -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/findings/${name}-" \
    "build-fuzz/corpus/$name" "fuzz/corpus/$name" 2>&1 |
    grep -E "^(Done|stat::|==|SUMMARY)|ERROR|crash" || true
  # A finding is a failure.
  if compgen -G "build-fuzz/findings/${name}-*" >/dev/null; then
    echo "fuzz: $name found a failure: $(ls build-fuzz/findings/${name}-*)" >&2
    exit 1
  fi
done
