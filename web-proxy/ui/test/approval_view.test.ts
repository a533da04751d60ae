// What an approval asks, in a line (src/approval_view.ts): the body of the
// notification announcing it while the page is hidden.
import assert from "node:assert/strict";
import { test } from "node:test";

import { create } from "@bufbuild/protobuf";
import { ApprovalKind, ApprovalSchema } from "../src/gen/codex_manager/v1/approvals_pb.js";
import { approvalDetail, questionsOf } from "../src/approval_view.js";

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
