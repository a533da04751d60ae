// src/gen is exactly what scripts/generate.mjs makes from protos/ today.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { generate } from "../scripts/generate.mjs";
import { UI } from "./support.js";

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? (d as unknown as { path: string }).path, d.name).slice(dir.length))
    .sort();
}

test("the committed TypeScript code matches a fresh generation", () => {
  const fresh = generate(mkdtempSync(join(tmpdir(), "cm-gen-")));
  const committed = join(UI, "src/gen");
  assert.deepEqual(files(fresh), files(committed));
  for (const f of files(fresh)) {
    assert.equal(readFileSync(join(fresh, f), "utf8"), readFileSync(join(committed, f), "utf8"),
                 `${f} differs: run npm run generate`);
  }
});
