// Writes the Connect-ES code of protos/codex_manager/v1 into src/gen with
// Debian's protoc and this package's pinned @bufbuild/protoc-gen-es. Never
// edit src/gen by hand; test/generated.test.ts fails when it differs from a
// fresh run.
//
//   node scripts/generate.mjs [OUT_DIR]
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const protos = resolve(root, "../../protos");
const v1 = join(protos, "codex_manager/v1");

export function generateInto(out) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const sources = readdirSync(v1).filter((f) => f.endsWith(".proto")).sort();
  execFileSync(process.env.PROTOC ?? "/usr/bin/protoc", [
    `-I${protos}`,
    `--plugin=protoc-gen-es=${join(root, "node_modules/.bin/protoc-gen-es")}`,
    `--es_out=${out}`,
    "--es_opt=target=ts,import_extension=js",
    ...sources.map((f) => join(v1, f)),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  generateInto(process.argv[2] ?? join(root, "src/gen"));
}
