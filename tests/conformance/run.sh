#!/usr/bin/env bash
# Runs the Connect conformance suite (connectrpc.com/conformance, pinned
# below) against codex-manager-web as a gRPC-Web server: the suite's
# reference client calls the proxy, whose upstream is the suite's reference
# server over gRPC (proxy_under_test.py). Fails on any failed case.
#
#   tests/conformance/run.sh [BUILD_DIR]     BUILD_DIR defaults to build/
#
# The runner and reference server are built with `go install` from the Go
# module proxy into .cache/go-bin (once per version). Go is the machine's
# (`go` on PATH or /usr/local/go); without one, the Go toolchain is fetched
# from the module proxy (golang.org/toolchain), as `go` itself does.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
build="${1:-build}"
CONFORMANCE_VERSION=v1.0.7
GO_TOOLCHAIN=go1.26.8   # what conformance v1.0.7's go.mod asks for (1.26)

cache="$repo/.cache"
gobin="$cache/go-bin/conformance-$CONFORMANCE_VERSION"
find_go() {
  for candidate in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go \
                   "$cache/go/bin/go"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] && { echo "$candidate"; return; }
  done
  return 1
}
if [ ! -x "$gobin/connectconformance" ] || [ ! -x "$gobin/referenceserver" ]; then
  if ! go=$(find_go); then
    echo "conformance: no Go found; fetching $GO_TOOLCHAIN from the module proxy"
    mkdir -p "$cache"
    curl -fsSL -o "$cache/go.zip" \
      "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-$GO_TOOLCHAIN.linux-amd64.zip"
    python3 - "$cache" <<'PY'
import os, stat, sys, zipfile
cache = sys.argv[1]
with zipfile.ZipFile(os.path.join(cache, "go.zip")) as z:
    for info in z.infolist():
        rel = info.filename.split("/", 2)[-1]  # drop "golang.org/toolchain@…/"
        target = os.path.join(cache, "go", rel)
        if info.is_dir():
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, "wb") as dst:
            dst.write(src.read())
        if (info.external_attr >> 16) & stat.S_IXUSR or "/bin/" in rel or "/tool/" in rel:
            os.chmod(target, 0o755)
PY
    rm -f "$cache/go.zip"
    go="$cache/go/bin/go"
  fi
  echo "conformance: installing connectconformance and referenceserver $CONFORMANCE_VERSION ($("$go" version))"
  mkdir -p "$gobin"
  GOBIN="$gobin" GOTOOLCHAIN=auto GOFLAGS=-mod=mod "$go" install \
    "connectrpc.com/conformance/cmd/connectconformance@$CONFORMANCE_VERSION" \
    "connectrpc.com/conformance/cmd/referenceserver@$CONFORMANCE_VERSION"
fi

web="$repo/$build/bin/codex-manager-web"
[ -x "$web" ] || { echo "conformance: $web is not built" >&2; exit 1; }
echo "== Connect conformance suite $CONFORMANCE_VERSION (gRPC-Web, server mode) against $web"
# Every case must pass: no --known-failing list.
exec timeout --kill-after=10 600 "$gobin/connectconformance" \
  --mode server --conf tests/conformance/config.yaml --trace -- \
  python3 tests/conformance/proxy_under_test.py "$web" "$gobin/referenceserver"
