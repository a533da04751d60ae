// Generates the TypeScript API code from protos/ with Debian's protoc and
// @bufbuild/protoc-gen-es (pinned in package-lock.json) into src/gen. Never
// edit src/gen by hand; test/generated.test.ts regenerates it and fails on
// any difference.
//
//   node scripts/generate.mjs [--out DIR] [--protobuf-ts DIR]
//
// --protobuf-ts DIR also generates @protobuf-ts clients (used only by the
// proxy's client-level tests) into DIR.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ui = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const protos = resolve(ui, "../../protos");
const files = readdirSync(join(protos, "codex_manager/v1"))
  .filter((f) => f.endsWith(".proto"))
  .sort()
  .map((f) => join(protos, "codex_manager/v1", f));
const protoc = process.env.PROTOC ?? "/usr/bin/protoc";

export function generate(out = join(ui, "src/gen")) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  execFileSync(protoc, [
    `-I${protos}`,
    `--plugin=protoc-gen-es=${join(ui, "node_modules/.bin/protoc-gen-es")}`,
    `--es_out=${out}`,
    "--es_opt=target=ts",
    ...files,
  ]);
  return out;
}

export function generateProtobufTs(out) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  execFileSync(protoc, [
    `-I${protos}`,
    `--plugin=protoc-gen-ts=${join(ui, "node_modules/.bin/protoc-gen-ts")}`,
    `--ts_out=${out}`,
    "--ts_opt=long_type_string",
    ...files,
  ]);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  generate(at("--out"));
  if (at("--protobuf-ts")) generateProtobufTs(at("--protobuf-ts"));
}
