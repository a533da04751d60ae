#!/usr/bin/env bash
# Installs pinned Go programs with `go install` from the Go module proxy into
# .cache/go-bin/NAME (once per NAME) and prints that folder.
#
#   scripts/go-install.sh NAME MODULE/PATH@VERSION...
#
# Go is the machine's (`go` on PATH or /usr/local/go). Without one, the Go
# toolchain named below is fetched from the module proxy
# (golang.org/toolchain, the module `go` itself downloads toolchains from)
# into .cache/go. GOTOOLCHAIN=auto lets a module ask for a newer Go.
set -euo pipefail
cd "$(dirname "$0")/.."
name="$1"; shift
GO_TOOLCHAIN=go1.26.8
cache="$(pwd)/.cache"
bin="$cache/go-bin/$name"
stamp="$bin/.installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$*" ]; then echo "$bin"; exit 0; fi

find_go() {
  for candidate in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go \
                   "$cache/go/bin/go"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] && { echo "$candidate"; return; }
  done
  return 1
}
if ! go=$(find_go); then
  echo "go-install: no Go found; fetching $GO_TOOLCHAIN from the module proxy" >&2
  mkdir -p "$cache"
  curl -fsSL -o "$cache/go.zip" \
    "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-$GO_TOOLCHAIN.linux-amd64.zip"
  python3 - "$cache" <<'PY'
import os, sys, zipfile
cache = sys.argv[1]
with zipfile.ZipFile(os.path.join(cache, "go.zip")) as z:
    for info in z.infolist():
        if info.is_dir():
            continue
        rel = info.filename.split("/", 2)[2]  # drop "golang.org/toolchain@…/"
        target = os.path.join(cache, "go", rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, "wb") as dst:
            dst.write(src.read())
        # Module zips keep no file modes: programs are those under bin/ and
        # pkg/tool/, as `go` marks them when it unpacks a toolchain.
        executable = rel.startswith("bin/") or rel.startswith("pkg/tool/")
        os.chmod(target, 0o755 if executable else 0o644)
PY
  rm -f "$cache/go.zip"
  go="$cache/go/bin/go"
fi
echo "go-install: $* ($("$go" version))" >&2
mkdir -p "$bin"
GOBIN="$bin" GOTOOLCHAIN=auto "$go" install "$@" >&2
echo "$*" > "$stamp"
echo "$bin"
