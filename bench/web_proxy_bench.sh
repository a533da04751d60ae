#!/usr/bin/env bash
# web_proxy_bench: event-stream throughput through codex-manager-web versus
# directly over gRPC, in one run (same client library both ways), and the
# ratio (target: the proxy keeps at least 90% of direct throughput); then
# sequential unary calls both ways (calls per second, ms per call).
# Needs the build (build/bin) and web-proxy/ui's npm packages (scripts/setup.sh).
#
#   bench/web_proxy_bench.sh            EVENTS=50000 RUNS=3 CALLS=2000 by default
set -euo pipefail
cd "$(dirname "$0")/../web-proxy/ui"
node scripts/build.mjs --bench >/dev/null
exec node dist-bench/proxy_throughput.mjs
