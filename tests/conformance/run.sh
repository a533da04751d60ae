#!/usr/bin/env bash
# Runs the Connect conformance suite (connectrpc.com/conformance, pinned
# below) against codex-manager-web as a gRPC-Web server: the suite's
# reference client calls the proxy, whose upstream is the suite's reference
# server over gRPC (proxy_under_test.py). Fails on any failed case.
#
#   tests/conformance/run.sh [BUILD_DIR]     BUILD_DIR defaults to build/
#
# The runner and reference server are built with `go install` from the Go
# module proxy into .cache/go-bin (once per version; scripts/go-install.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
build="${1:-build}"
CONFORMANCE_VERSION=v1.0.7

gobin=$(scripts/go-install.sh "conformance-$CONFORMANCE_VERSION" \
  "connectrpc.com/conformance/cmd/connectconformance@$CONFORMANCE_VERSION" \
  "connectrpc.com/conformance/cmd/referenceserver@$CONFORMANCE_VERSION")

web="$repo/$build/bin/codex-manager-web"
[ -x "$web" ] || { echo "conformance: $web is not built" >&2; exit 1; }
echo "== Connect conformance suite $CONFORMANCE_VERSION (gRPC-Web, server mode) against $web"
# Every case must pass: no --known-failing list.
exec timeout --kill-after=10 600 "$gobin/connectconformance" \
  --mode server --conf tests/conformance/config.yaml --trace -- \
  python3 tests/conformance/proxy_under_test.py "$web" "$gobin/referenceserver"
