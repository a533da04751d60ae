#!/usr/bin/env bash
# Writes the app-server protocol schema of the pinned Codex
# (tools/codex/package.json) to tests/codex_schema/<version>/, the copy the
# drift tests hold the binary and the bridge to. Run it after changing the
# pin, then review the diff: every new server request or notification must
# get a rule in server/core/codex_methods.cc.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node -p 'require("./tools/codex/package.json").dependencies["@openai/codex"]')
out="tests/codex_schema/$version"
rm -rf "$out"
# --experimental: the fields Codex sends whether or not a client opts in
# (e.g. availableDecisions on approval requests) are only in this variant.
tools/codex/node_modules/.bin/codex app-server generate-json-schema \
  --experimental --out "$out" >/dev/null
echo "wrote $out ($(find "$out" -type f | wc -l) files)"
