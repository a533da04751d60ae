// src/gen is exactly what protoc-gen-es makes of protos/ today.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { REPO } from "./stack.js";

test("src/gen matches a fresh generation from protos/", async () => {
  const root = join(REPO, "clients/typescript");
  const script = join(root, "scripts/generate.mjs");
  const { generateInto } = (await import(script)) as { generateInto: (out: string) => void };
  const fresh = mkdtempSync(join(tmpdir(), "cm-ts-gen-"));
  generateInto(fresh);
  const dir = "codex_manager/v1";
  const files = readdirSync(join(fresh, dir)).sort();
  assert.deepEqual(readdirSync(join(root, "src/gen", dir)).sort(), files);
  for (const f of files) {
    assert.equal(readFileSync(join(root, "src/gen", dir, f), "utf8"),
                 readFileSync(join(fresh, dir, f), "utf8"), `${f} is stale: npm run generate`);
  }
});
