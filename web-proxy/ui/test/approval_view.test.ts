// What an approval asks, in a line (src/approval_view.ts): the body of the
// notification announcing it while the page is hidden.
import assert from "node:assert/strict";
import { test } from "node:test";

import { create } from "@bufbuild/protobuf";
import { ApprovalKind, ApprovalSchema } from "../src/gen/codex_manager/v1/approvals_pb.js";
import { approvalDetail, approvalTitle, questionsOf } from "../src/approval_view.js";
import { visible } from "../src/visible.js";

test("an approval's detail is its command, its first question, its files, the permissions asked or its reason", () => {
  assert.equal(approvalDetail(create(ApprovalSchema, {
    kind: ApprovalKind.COMMAND_EXECUTION, command: "npm test", reason: "to check" })), "npm test");
  const asked = create(ApprovalSchema, {
    kind: ApprovalKind.USER_INPUT,
    paramsJson: JSON.stringify({ questions: [
      { id: "storage", header: "Storage", question: "Where should the cache live?",
        isOther: true, options: [{ label: "Disk", description: "kept" }] },
      { id: "key", question: "The key", isSecret: true }] }),
  });
  assert.equal(approvalDetail(asked), "Where should the cache live?");
  assert.deepEqual(questionsOf(asked.paramsJson).map((q) => [q.id, q.isOther, q.isSecret]),
                   [["storage", true, false], ["key", false, true]]);
  // Params a runtime got wrong say nothing; the reason, if any, is said.
  for (const paramsJson of ["", "[]", '{"questions":[7]}', '{"questions":"?"}']) {
    assert.equal(approvalDetail(create(ApprovalSchema, { kind: ApprovalKind.USER_INPUT, paramsJson })), "");
  }
  assert.equal(approvalDetail(create(ApprovalSchema, {
    kind: ApprovalKind.PERMISSIONS, reason: "Needs the network" })), "Needs the network");
  assert.equal(approvalDetail(create(ApprovalSchema, {
    kind: ApprovalKind.PERMISSIONS, reason: "Needs the network",
    requestedPermissions: ["network access", "write /srv/out"] })), "network access, write /srv/out");
  assert.equal(approvalDetail(create(ApprovalSchema, {
    kind: ApprovalKind.FILE_CHANGE, changedFiles: ["/p/notes.txt", "/p/old.txt"] })), "/p/notes.txt, /p/old.txt");
});

test("what would hide or reorder part of an approval is shown by name", () => {
  // A carriage return and an escape sequence that would hide the first half
  // of a command; a right-to-left override that would reverse the rest.
  const command = "rm -rf ~\r\u001b[2Kecho hello \u202etxt.exe";
  assert.equal(visible(command), "rm -rf ~^M^[[2Kecho hello <U+202E>txt.exe");
  assert.equal(approvalDetail(create(ApprovalSchema, { kind: ApprovalKind.COMMAND_EXECUTION, command })),
               "rm -rf ~^M^[[2Kecho hello <U+202E>txt.exe");
  assert.equal(visible("\u0085\u061c\u200e\u200f\u2066x\u2069\u007f\u0007"),
               "<U+0085><U+061C><U+200E><U+200F><U+2066>x<U+2069>^?^G");
  // Tabs, line ends and the rest of Unicode are text.
  const text = "a\tb\r\nc\nca\u00e9 \u2014 \u05e9\u05dc\u05d5\u05dd \u{1f600}";
  assert.equal(visible(text), text.replace("\r\n", "\n"));
});

test("an approval's title names who asks: Codex, or the sub-agent that asks", () => {
  const run = create(ApprovalSchema, { kind: ApprovalKind.COMMAND_EXECUTION, command: "ls" });
  assert.equal(approvalTitle(run), "Codex wants to run");
  assert.equal(approvalTitle(run, "helper"), "Sub-agent helper wants to run");
  assert.equal(approvalTitle(create(ApprovalSchema, { kind: ApprovalKind.FILE_CHANGE }), "helper"),
               "Sub-agent helper wants to change files");
  assert.equal(approvalTitle(create(ApprovalSchema, { kind: ApprovalKind.MCP_ELICITATION, mcpServerName: "tickets" }),
                             "helper"), "tickets asks you");
});
