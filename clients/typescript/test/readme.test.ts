// The README's example type-checks against the built package, as written.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { REPO } from "./stack.js";

test("the README example type-checks", () => {
  const root = join(REPO, "clients/typescript");
  const example = /```ts\n([\s\S]*?)```/.exec(readFileSync(join(root, "README.md"), "utf8"));
  assert.ok(example, "no ts example in the README");
  const dir = mkdtempSync(join(root, "dist-test", "readme-"));
  writeFileSync(join(dir, "example.mts"), example[1]!);
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  execFileSync(join(root, "node_modules/.bin/tsc"), [
    "--noEmit", "--strict", "--skipLibCheck", "--target", "ES2022", "--module", "NodeNext",
    "--moduleResolution", "NodeNext", "--types", "node", join(dir, "example.mts"),
  ], { cwd: dir, stdio: "pipe" });
});
