// The "$" skill picker's choice of skills (src/skill_picker.ts) and the
// token reading it shares with the "@" picker (src/picker.ts).
import assert from "node:assert/strict";
import { test } from "node:test";

import { create } from "@bufbuild/protobuf";
import { SkillSchema } from "../src/gen/codex_manager/v1/sessions_pb.js";
import { tokenAt } from "../src/picker.js";
import { skillMatches } from "../src/skill_picker.js";

const skill = (name: string, description: string, enabled = true, shortDescription = "") =>
  create(SkillSchema, { name, description, shortDescription, enabled, scope: "repo" });

test("a $word is read as the @word is", () => {
  assert.deepEqual(tokenAt("use $rep", 8, "$"), { start: 4, query: "rep" });
  assert.deepEqual(tokenAt("$", 1, "$"), { start: 0, query: "" });
  assert.equal(tokenAt("costs US$5", 10, "$"), null);
  assert.equal(tokenAt("$$x", 3, "$"), null);
});

test("names that start with the query come first, then names and descriptions that have it", () => {
  const skills = [
    skill("review-agent", "Review a change."),
    skill("repo-helper", "Check the notes."),
    skill("notes-keeper", "Keep the repository tidy.", true, "Tidy repo notes"),
    skill("off-repo", "Disabled.", false),
    skill("imagegen", "Make images."),
  ];
  const found = skillMatches(skills, "RE", 8);
  assert.deepEqual(found.map((c) => c.said), ["$repo-helper", "$review-agent", "$notes-keeper"]);
  // The query's letters in "$name", counted in code points after the "$".
  assert.deepEqual(found[0]!.bold, [1, 2]);
  assert.deepEqual(found[2]!.bold, []);  // found by its description
  assert.equal(found[2]!.detail, "Tidy repo notes");  // the short one when there is one
  assert.equal(found[0]!.detail, "Check the notes.");
  assert.deepEqual(skillMatches(skills, "repo", 1).map((c) => c.said), ["$repo-helper"]);
  assert.deepEqual(skillMatches(skills, "zzz", 8), []);
  assert.deepEqual(skillMatches([skill("été-notes", "x")], "notes", 8)[0]!.bold, [5, 6, 7, 8, 9]);
});
