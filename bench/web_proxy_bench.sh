#!/usr/bin/env bash
# web_proxy_bench: the same streaming and unary load directly over gRPC,
# through codex-manager-web and through improbable-eng's grpcwebproxy
# (pinned below, go-installed into .cache/go-bin), in one run with one
# client library: throughput, p50/p99 latency and proxy CPU per message,
# and the ratios (targets: codex-manager-web streams at least 1.5x
# grpcwebproxy and 0.95x direct gRPC). Needs the build (build/bin) and the
# UI's npm packages (scripts/setup.sh).
#
#   bench/web_proxy_bench.sh     EVENTS=50000 RUNS=3 PARALLEL=4 CALLS=2000 by default
#   NO_PEER=1 bench/web_proxy_bench.sh   without grpcwebproxy
#   bench/web_proxy_bench.sh --lean [web_proxy_load flags]
#                                the C++ load (build/bin/web_proxy_load), whose
#                                client is too lean to be the bottleneck
set -euo pipefail
cd "$(dirname "$0")/.."
GRPCWEBPROXY_VERSION=v0.15.0
if [ "${NO_PEER:-0}" != 1 ]; then
  bin=$(scripts/go-install.sh "grpcwebproxy-$GRPCWEBPROXY_VERSION" \
    "github.com/improbable-eng/grpc-web/go/grpcwebproxy@$GRPCWEBPROXY_VERSION")
  export GRPCWEBPROXY="$bin/grpcwebproxy"
fi
if [ "${1:-}" = --lean ]; then
  shift
  exec build/bin/web_proxy_load --grpcwebproxy-bin "${GRPCWEBPROXY:-}" "$@"
fi
cd web-proxy/ui
node scripts/build.mjs --bench >/dev/null
exec node dist-bench/proxy_throughput.mjs
