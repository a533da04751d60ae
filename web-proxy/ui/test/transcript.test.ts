// The transcript model: events apply once, in any replay or resume.
import assert from "node:assert/strict";
import { test } from "node:test";

import { create } from "@bufbuild/protobuf";

import { ApprovalSchema, ApprovalState, SubAgentSchema } from "../src/gen/codex_manager/v1/approvals_pb.js";
import {
  type Event, EventSchema, EventType, GoalUpdatedSchema, HookRunSchema, ItemSchema, SessionRevertedSchema,
  NoticeSchema, TerminalInputSchema, TurnStateChangedSchema,
} from "../src/gen/codex_manager/v1/events_pb.js";
import { CodexSettingsSchema, GoalStatus, type SessionGoal, SessionGoalSchema } from "../src/gen/codex_manager/v1/sessions_pb.js";
import { TurnState } from "../src/gen/codex_manager/v1/turns_pb.js";
import { COMPACTED, generatedImage, subAgentActivity, subAgentLabel, subAgentName, Transcript } from "../src/transcript.js";

function stream(): Event[] {
  let seq = 0n;
  const ev = (type: EventType, payload: Event["payload"], turnId = "turn_1"): Event =>
    create(EventSchema, { sessionSeq: ++seq, eventId: seq, type, turnId, payload });
  const approval = create(ApprovalSchema, {
    approvalId: "apr_1", state: ApprovalState.PENDING, command: "ls", kind: 1,
  });
  return [
    ev(EventType.TURN_STATE_CHANGED, { case: "turnStateChanged", value: { $typeName: "codex_manager.v1.TurnStateChanged", turnId: "turn_1", state: TurnState.RUNNING, error: "", prompt: "", finalMessage: "", codexTurnId: "", startedByCodex: false } }),
    ev(EventType.ITEM_COMPLETED, { case: "item", value: create(ItemSchema, { itemId: "u1", itemType: "userMessage", text: "hi" }) }),
    ev(EventType.APPROVAL_REQUESTED, { case: "approvalRequested", value: { $typeName: "codex_manager.v1.ApprovalRequested", approval } }),
    ev(EventType.APPROVAL_RESOLVED, { case: "approvalResolved", value: { $typeName: "codex_manager.v1.ApprovalResolved", approvalId: "apr_1", state: ApprovalState.APPROVED, decision: 1 } }),
    ev(EventType.AGENT_MESSAGE_DELTA, { case: "delta", value: { $typeName: "codex_manager.v1.ItemDelta", itemId: "m1", text: "Hel", method: "" } }),
    ev(EventType.AGENT_MESSAGE_DELTA, { case: "delta", value: { $typeName: "codex_manager.v1.ItemDelta", itemId: "m1", text: "lo", method: "" } }),
    ev(EventType.ITEM_COMPLETED, { case: "item", value: create(ItemSchema, { itemId: "m1", itemType: "agentMessage", text: "Hello" }) }),
    ev(EventType.TURN_STATE_CHANGED, { case: "turnStateChanged", value: { $typeName: "codex_manager.v1.TurnStateChanged", turnId: "turn_1", state: TurnState.COMPLETED, error: "", prompt: "", finalMessage: "Hello", codexTurnId: "", startedByCodex: false } }),
  ];
}

// A maker of item events of turn_1, numbered from 1.
function itemEvents() {
  let seq = 0n;
  return (type: EventType, init: Parameters<typeof create<typeof ItemSchema>>[1]): Event =>
    create(EventSchema, { sessionSeq: ++seq, eventId: seq, type, turnId: "turn_1",
                          payload: { case: "item", value: create(ItemSchema, init) } });
}

const summary = (t: Transcript) =>
  t.entries.map((e) => `${e.kind}:${"text" in e ? e.text : ""}`).join("|");

test("a replay builds the transcript", () => {
  const t = new Transcript();
  for (const e of stream()) t.apply(e);
  assert.equal(summary(t), "prompt:hi|agent:Hello|turn:");
  assert.equal(t.lastSeq, 8n);
  assert.equal(t.approvals.size, 0);
  assert.equal(t.runningTurnId, "");
});

test("overlapping resumes apply each event once", () => {
  const events = stream();
  const t = new Transcript();
  for (const e of events.slice(0, 5)) t.apply(e);
  // A reconnect that resumes from an older cursor re-sends some events.
  for (const e of events.slice(3)) t.apply(e);
  for (const e of events) assert.equal(t.apply(e), false);
  assert.equal(summary(t), "prompt:hi|agent:Hello|turn:");
});

test("events a restore lost are said where they were, once", () => {
  const events = stream();
  const t = new Transcript();
  for (const e of events.slice(0, 2)) t.apply(e);
  // Seqs 3 to 6 were lost: the stream goes on at 7.
  for (const e of events.slice(6)) t.apply(e);
  for (const e of events.slice(6)) assert.equal(t.apply(e), false);
  assert.equal(summary(t), "prompt:hi|notice:Events 3–6 of this session are missing: the server " +
                           "was restored from a backup taken before them|agent:Hello|turn:");
});

test("events retention deleted are said first, once, when none is shown", () => {
  const events = stream();
  const t = new Transcript();
  t.purged(0n);
  assert.equal(t.entries.length, 0);
  // Events after the deleted ones may arrive before GetSession's answer.
  for (const e of events.slice(6)) t.apply(e);
  t.purged(6n);
  t.purged(6n);
  assert.equal(summary(t), "notice:Events 1–6 of this session were deleted: it was archived " +
                           "longer ago than the server keeps events|agent:Hello|turn:");
  // A page that shows them (it loaded them before they were deleted) keeps them.
  const shown = new Transcript();
  for (const e of events) shown.apply(e);
  shown.purged(2n);
  assert.equal(summary(shown), "prompt:hi|agent:Hello|turn:");
});

test("a redelivered pending approval shows once and leaves when resolved", () => {
  const events = stream();
  const t = new Transcript();
  for (const e of events.slice(0, 3)) t.apply(e);
  const copy = create(EventSchema, { ...events[2]!, redelivered: true });
  t.apply(copy);
  assert.deepEqual([...t.approvals.keys()], ["apr_1"]);
  t.apply(events[3]!);
  assert.equal(t.approvals.size, 0);
});

test("a review is one entry with its findings, shown once", () => {
  let seq = 0n;
  const item = (type: EventType, itemId: string, itemType: string, text: string): Event =>
    create(EventSchema, {
      sessionSeq: ++seq, eventId: seq, type, turnId: "turn_r",
      payload: { case: "item", value: create(ItemSchema, { itemId, itemType, text }) },
    });
  const t = new Transcript();
  for (const e of [
    item(EventType.ITEM_COMPLETED, "r1", "enteredReviewMode", "current changes"),
    item(EventType.ITEM_COMPLETED, "u1", "userMessage", "Review the current code changes"),
    item(EventType.ITEM_STARTED, "m0", "agentMessage", ""),  // never said anything
    item(EventType.ITEM_COMPLETED, "r2", "exitedReviewMode", "No issues found."),
    item(EventType.ITEM_STARTED, "m1", "agentMessage", "No issues found."),
    item(EventType.ITEM_COMPLETED, "m1", "agentMessage", "No issues found."),
  ]) t.apply(e);
  assert.deepEqual(t.entries, [{
    kind: "review", id: "review-turn_r", target: "current changes",
    findings: "No issues found.", done: true,
  }]);
});

test("the thread's status is said in words; a system error is a notice", () => {
  let seq = 0n;
  const status = (value: string, flags: string[]): Event =>
    create(EventSchema, {
      sessionSeq: ++seq, eventId: seq, type: EventType.THREAD_STATUS_CHANGED,
      payload: { case: "threadStatus", value: { $typeName: "codex_manager.v1.ThreadStatus",
        status: value, activeFlags: flags } },
    });
  const t = new Transcript();
  t.apply(status("active", ["waitingOnApproval"]));
  assert.equal(t.threadStatus, "Codex waits for an approval");
  t.apply(status("idle", []));
  assert.equal(t.threadStatus, "");
  t.apply(status("systemError", []));
  assert.equal(t.threadStatus, "Codex reports a system error");
  assert.equal(t.entries.at(-1)?.kind, "notice");
});

test("a settings change is noted, and names the session", () => {
  const t = new Transcript();
  for (const e of stream()) t.apply(e);
  assert.equal(t.title, undefined);
  t.apply(create(EventSchema, {
    sessionSeq: 9n, eventId: 9n, type: EventType.SESSION_UPDATED,
    payload: { case: "sessionUpdated", value: { $typeName: "codex_manager.v1.SessionUpdated",
      changedFields: ["title", "effort", "sandbox", "service_tier", "someday"], title: "nightly",
      model: "gpt-5", effort: "", approvalPolicy: "never", sandbox: "read-only", serviceTier: "priority" } },
  }));
  assert.equal(t.title, "nightly");
  assert.deepEqual(t.entries.at(-1), {
    kind: "notice", id: "s9", level: "info",
    text: "Settings changed: title “nightly”, effort default, sandbox read-only, speed Fast",
  });
});

test("a hook's run is one entry, updated when it ends; its prompt is marked", () => {
  const t = new Transcript();
  let seq = 0n;
  const run = (runId: string, eventName: string, status: string, entries: string[] = [],
               durationMs?: bigint) =>
    create(EventSchema, {
      sessionSeq: ++seq, eventId: seq, type: EventType.HOOK_RUN, turnId: "turn_1",
      payload: { case: "hookRun", value: create(HookRunSchema, {
        runId, eventName, status, statusMessage: status === "running" ? "checking" : "",
        entries: entries.map((text) => ({ kind: "feedback", text })), durationMs,
      }) },
    });
  t.apply(run("pre:0", "preToolUse", "running"));
  assert.deepEqual(t.entries, [{ kind: "hook", id: "h1", event: "preToolUse", status: "running",
                                 message: "checking", output: [], durationMs: undefined }]);
  t.apply(run("pre:0", "preToolUse", "blocked", ["no rm here"], 4n));
  assert.deepEqual(t.entries, [{ kind: "hook", id: "h1", event: "preToolUse", status: "blocked",
                                 message: "", output: [{ kind: "feedback", text: "no rm here" }],
                                 durationMs: 4 }]);
  // Codex runs one Stop hook twice in a turn under one run id: two entries.
  t.apply(run("stop:1", "stop", "running"));
  t.apply(run("stop:1", "stop", "blocked", ["Now say goodbye."], 6n));
  t.apply(create(EventSchema, {
    sessionSeq: ++seq, eventId: seq, type: EventType.ITEM_COMPLETED, turnId: "turn_1",
    payload: { case: "item", value: create(ItemSchema, {
      itemId: "msg_1", itemType: "hookPrompt", text: "Now say goodbye." }) },
  }));
  t.apply(run("stop:1", "stop", "running"));
  t.apply(run("stop:1", "stop", "completed", [], 7n));
  assert.deepEqual(t.entries.map((e) => e.kind === "hook" ? `${e.id} ${e.event} ${e.status}`
                                                           : `${e.kind} ${"text" in e ? e.text : ""}`), [
    "h1 preToolUse blocked", "h3 stop blocked", "prompt Now say goodbye.", "h6 stop completed"]);
  assert.equal((t.entries[2] as { fromHook?: boolean }).fromHook, true);
  // A resume that overlaps applies nothing twice.
  const before = JSON.stringify(t.entries);
  seq = 0n;
  assert.equal(t.apply(run("pre:0", "preToolUse", "running")), false);
  assert.equal(t.apply(run("pre:0", "preToolUse", "blocked", ["no rm here"], 4n)), false);
  assert.equal(JSON.stringify(t.entries), before);
});

test("an MCP tool call is one entry, filled in when it ends; a web search is a line", () => {
  const t = new Transcript();
  const item = itemEvents();
  const call = { itemId: "call_5", itemType: "mcpToolCall", mcpServer: "tickets", tool: "file_ticket",
                 arguments: '{"title":"Disk full"}' };
  t.apply(item(EventType.ITEM_STARTED, { ...call, status: "inProgress" }));
  assert.deepEqual(t.entries, [{ kind: "tool", id: "call_5", server: "tickets", tool: "file_ticket",
    arguments: '{"title":"Disk full"}', output: "", error: "", status: "inProgress",
    durationMs: undefined }]);
  t.apply(item(EventType.ITEM_COMPLETED, { ...call, status: "completed", toolOutput: "ticket filed",
                                           durationMs: 3n }));
  assert.equal(t.entries.length, 1);
  assert.deepEqual(t.entries[0], { kind: "tool", id: "call_5", server: "tickets", tool: "file_ticket",
    arguments: '{"title":"Disk full"}', output: "ticket filed", error: "", status: "completed",
    durationMs: 3 });
  t.apply(item(EventType.ITEM_STARTED, { itemId: "ws", itemType: "webSearch" }));
  t.apply(item(EventType.ITEM_COMPLETED, { itemId: "ws", itemType: "webSearch", text: "codex hooks" }));
  t.apply(item(EventType.ITEM_COMPLETED, { itemId: "iv", itemType: "imageView", text: "/w/shot.png" }));
  t.apply(item(EventType.ITEM_STARTED, { itemId: "ig", itemType: "imageGeneration", status: "generating" }));
  t.apply(item(EventType.ITEM_COMPLETED, { itemId: "ig", itemType: "imageGeneration", status: "completed",
                                           text: "/c/generated_images/ig.png" }));
  t.apply(item(EventType.ITEM_COMPLETED, { itemId: "ig2", itemType: "imageGeneration", status: "failed",
                                           error: "usageLimitExceeded" }));
  t.apply(item(EventType.ITEM_COMPLETED, { itemId: "sl", itemType: "sleep", durationMs: 1500n }));
  // One that came with its image (base64 PNG): the image itself.
  const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";
  t.apply(item(EventType.ITEM_COMPLETED, { itemId: "ig3", itemType: "imageGeneration", status: "completed",
    text: "/c/generated_images/red.png",
    itemJson: JSON.stringify({ type: "imageGeneration", id: "ig3", result: png, revisedPrompt: "a red dot" }) }));
  assert.deepEqual(t.entries.at(-1), { kind: "image", id: "ig3", src: `data:image/png;base64,${png}`,
                                       path: "/c/generated_images/red.png", alt: "a red dot" });
  assert.deepEqual(t.entries.slice(1).map((e) => "text" in e ? e.text : e.kind),
    ["Searched the web: codex hooks", "Viewed image /w/shot.png",
     "Generated an image: /c/generated_images/ig.png", "Image not generated: usageLimitExceeded",
     "Waited 1.5 s", "image"]);
  assert.deepEqual(t.entries.slice(3, 6).map((e) => e.kind === "notice" && e.level),
    ["info", "warning", "info"]);
});

test("a proposed plan (Plan mode) is one entry that grows as Codex streams it", () => {
  const t = new Transcript();
  const item = itemEvents();
  const delta = (seq: bigint, text: string): Event =>
    create(EventSchema, { sessionSeq: seq, eventId: seq, type: EventType.ITEM_DELTA, turnId: "turn_1",
                          payload: { case: "delta", value: { $typeName: "codex_manager.v1.ItemDelta",
                                                              itemId: "p1", text, method: "item/plan/delta" } } });
  t.apply(item(EventType.ITEM_STARTED, { itemId: "p1", itemType: "plan", text: "" }));
  t.apply(delta(2n, "# Tidy\n- one"));
  t.apply(delta(3n, "\n- two\n"));
  assert.deepEqual(t.entries, [{ kind: "proposedPlan", id: "p1", text: "# Tidy\n- one\n- two\n", done: false }]);
  // A file change's output delta is not a plan's.
  t.apply(create(EventSchema, { sessionSeq: 4n, eventId: 4n, type: EventType.ITEM_DELTA, turnId: "turn_1",
    payload: { case: "delta", value: { $typeName: "codex_manager.v1.ItemDelta", itemId: "f1", text: "x",
                                       method: "item/fileChange/outputDelta" } } }));
  assert.equal(t.entries.length, 1);
  const done = create(EventSchema, { sessionSeq: 5n, eventId: 5n, type: EventType.ITEM_COMPLETED, turnId: "turn_1",
    payload: { case: "item", value: create(ItemSchema, { itemId: "p1", itemType: "plan", text: "# Tidy\n- one\n- two\n" }) } });
  t.apply(done);
  assert.deepEqual(t.entries, [{ kind: "proposedPlan", id: "p1", text: "# Tidy\n- one\n- two\n", done: true }]);
});

test("a patch being written is one file entry that grows, then the change itself", () => {
  const t = new Transcript();
  const item = itemEvents();
  const file = { itemId: "call_7", itemType: "fileChange" };
  t.apply(item(EventType.ITEM_UPDATED, { ...file, status: "inProgress", diff: "--- /dev/null\n+++ b/a.txt\n" }));
  t.apply(item(EventType.ITEM_UPDATED, { ...file, status: "inProgress", diff: "--- /dev/null\n+++ b/a.txt\n+one\n" }));
  assert.deepEqual(t.entries, [{ kind: "file", id: "call_7", diff: "--- /dev/null\n+++ b/a.txt\n+one\n",
                                 status: "writing" }]);
  t.apply(item(EventType.ITEM_STARTED, { ...file, status: "inProgress", diff: "--- /dev/null\n+++ b/w/a.txt\n+one\n" }));
  assert.deepEqual(t.entries, [{ kind: "file", id: "call_7", diff: "--- /dev/null\n+++ b/w/a.txt\n+one\n",
                                 status: "inProgress" }]);
  // An update arriving after the start changes nothing.
  t.apply(item(EventType.ITEM_UPDATED, { ...file, status: "inProgress", diff: "--- /dev/null\n+++ b/a.txt\n" }));
  assert.deepEqual(t.entries, [{ kind: "file", id: "call_7", diff: "--- /dev/null\n+++ b/w/a.txt\n+one\n",
                                 status: "inProgress" }]);
});

test("what the agent typed into a running command is a line naming the command", () => {
  const t = new Transcript();
  t.apply(create(EventSchema, { sessionSeq: 1n, eventId: 1n, type: EventType.ITEM_STARTED, turnId: "turn_1",
    payload: { case: "item", value: create(ItemSchema, {
      itemId: "call_7", itemType: "commandExecution", command: "python3 -i", status: "inProgress" }) } }));
  const typed = (seq: bigint, itemId: string) => create(EventSchema, {
    sessionSeq: seq, eventId: seq, type: EventType.TERMINAL_INPUT, turnId: "turn_2",
    payload: { case: "terminalInput", value: create(TerminalInputSchema, {
      itemId, processId: "27649", stdin: "print(2 + 2)\n" }) } });
  t.apply(typed(2n, "call_7"));
  t.apply(typed(3n, "call_from_before_a_reload"));
  t.apply(typed(3n, "call_7"));  // a redelivery: once
  assert.deepEqual(t.entries.slice(1), [
    { kind: "notice", id: "n2", level: "info", text: "Typed into python3 -i: print(2 + 2)" },
    { kind: "notice", id: "n3", level: "info", text: "Typed into background terminal 27649: print(2 + 2)" },
  ]);
});

test("the prompt that began a turn names it (Edit forks before it); one steered into it does not", () => {
  const t = new Transcript();
  let seq = 0n;
  const prompt = (type: EventType, turnId: string, itemId: string, text: string) =>
    create(EventSchema, { sessionSeq: ++seq, eventId: seq, type, turnId,
      payload: { case: "item", value: create(ItemSchema, { itemId, itemType: "userMessage", text }) } });
  t.apply(prompt(EventType.ITEM_STARTED, "turn_1", "u1", "fix the test"));
  t.apply(prompt(EventType.ITEM_COMPLETED, "turn_1", "u1", "fix the test"));
  t.apply(prompt(EventType.ITEM_COMPLETED, "turn_1", "u2", "use the helper"));  // steered
  t.apply(prompt(EventType.ITEM_COMPLETED, "turn_2", "u3", "now the docs"));
  assert.deepEqual(t.entries, [
    { kind: "prompt", id: "u1", text: "fix the test", turnId: "turn_1" },
    { kind: "prompt", id: "u2", text: "use the helper" },
    { kind: "prompt", id: "u3", text: "now the docs", turnId: "turn_2" },
  ]);
});

test("a revert marks every entry of the turns it names, and only those", () => {
  const t = new Transcript();
  let seq = 0n;
  const item = (turnId: string, itemId: string, itemType: string, text: string) =>
    create(EventSchema, { sessionSeq: ++seq, eventId: seq, type: EventType.ITEM_COMPLETED, turnId,
      payload: { case: "item", value: create(ItemSchema, { itemId, itemType, text }) } });
  t.apply(item("turn_1", "u1", "userMessage", "remember fig"));
  t.apply(item("turn_1", "m1", "agentMessage", "ok fig"));
  t.apply(item("turn_2", "u2", "userMessage", "remember date"));
  t.apply(item("turn_2", "m2", "agentMessage", "ok date"));
  const reverted = create(EventSchema, {
    sessionSeq: ++seq, eventId: seq, type: EventType.SESSION_REVERTED,
    payload: { case: "sessionReverted",
               value: create(SessionRevertedSchema, { beforeTurnId: "turn_2", revertedTurnIds: ["turn_2"] }) } });
  assert.equal(t.apply(reverted), true);
  assert.deepEqual(t.entries.map((e) => [e.id, e.reverted === true]),
                   [["u1", false], ["m1", false], ["u2", true], ["m2", true], [`s${seq}`, false]]);
  assert.match(summary(t), /Undone: the turn above left the conversation/);
  assert.deepEqual([...t.reverted], ["turn_2"]);
  assert.equal(t.apply(reverted), false);  // once
});

test("a turn Codex started by itself is said where a prompt would be", () => {
  const t = new Transcript();
  let seq = 0n;
  const running = (turnId: string, startedByCodex: boolean) => create(EventSchema, {
    sessionSeq: ++seq, eventId: seq, type: EventType.TURN_STATE_CHANGED, turnId,
    payload: { case: "turnStateChanged",
               value: create(TurnStateChangedSchema, { turnId, state: TurnState.RUNNING, startedByCodex }) } });
  t.apply(running("turn_1", false));
  t.apply(running("turn_2", true));
  t.apply(create(EventSchema, { sessionSeq: ++seq, eventId: seq, type: EventType.ITEM_COMPLETED,
    turnId: "turn_2", payload: { case: "item",
      value: create(ItemSchema, { itemId: "m2", itemType: "agentMessage", text: "Goal complete." }) } }));
  assert.equal(summary(t), "notice:Codex went on by itself|agent:Goal complete.");
  assert.equal(t.runningTurnId, "turn_2");
  // Taken out of the conversation with its turn, like a prompt.
  t.apply(create(EventSchema, { sessionSeq: ++seq, eventId: seq, type: EventType.SESSION_REVERTED,
    payload: { case: "sessionReverted",
               value: create(SessionRevertedSchema, { beforeTurnId: "turn_2", revertedTurnIds: ["turn_2"] }) } }));
  assert.deepEqual(t.entries.slice(0, 2).map((e) => e.reverted), [true, true]);
});

test("queued prompts wait until their turn starts; one that never runs is said with its prompt", () => {
  const t = new Transcript();
  let seq = 0n;
  const state = (turnId: string, state: TurnState, prompt = "", error = "") => create(EventSchema, {
    sessionSeq: ++seq, eventId: seq, type: EventType.TURN_STATE_CHANGED, turnId,
    payload: { case: "turnStateChanged", value: create(TurnStateChangedSchema, { turnId, state, prompt, error }) } });
  t.apply(state("turn_1", TurnState.QUEUED, "first"));
  t.apply(state("turn_1", TurnState.RUNNING));
  t.apply(state("turn_2", TurnState.QUEUED, "second"));
  t.apply(state("turn_3", TurnState.QUEUED, "third\nline"));
  assert.deepEqual([...t.queued], [["turn_2", "second"], ["turn_3", "third\nline"]]);
  assert.equal(t.entries.length, 0);  // a prompt is shown when Codex takes it
  t.apply(state("turn_3", TurnState.INTERRUPTED, "", "interrupted before it started"));
  assert.deepEqual([...t.queued.keys()], ["turn_2"]);
  assert.deepEqual(t.entries.at(-1), { kind: "turn", id: `t${seq}`, state: TurnState.INTERRUPTED,
    error: "interrupted before it started", prompt: "third\nline" });
  t.apply(state("turn_1", TurnState.COMPLETED));
  assert.equal((t.entries.at(-1) as { prompt?: string }).prompt, undefined);  // it ran
  t.apply(state("turn_2", TurnState.RUNNING));
  assert.equal(t.queued.size, 0);
});

test("takeChanged names the entries added or changed since it last ran, and only those", () => {
  const t = new Transcript();
  for (const e of stream()) t.apply(e);
  assert.deepEqual([...t.takeChanged()].sort(), ["m1", "t8", "u1"]);
  assert.equal(t.takeChanged().size, 0);
  t.apply(create(EventSchema, { sessionSeq: 9n, eventId: 9n, type: EventType.AGENT_MESSAGE_DELTA,
    turnId: "turn_1", payload: { case: "delta", value: { $typeName: "codex_manager.v1.ItemDelta",
      itemId: "m1", text: " again", method: "" } } }));
  assert.deepEqual([...t.takeChanged()], ["m1"]);
  assert.equal((t.entries[1] as { text: string }).text, "Hello again");
});

test("a running shell command is known, so what is sent meanwhile is queued, not steered", () => {
  const t = new Transcript();
  let seq = 0n;
  const state = (state: TurnState) => create(EventSchema, { sessionSeq: ++seq, eventId: seq,
    type: EventType.TURN_STATE_CHANGED, turnId: "turn_s",
    payload: { case: "turnStateChanged", value: { $typeName: "codex_manager.v1.TurnStateChanged",
      turnId: "turn_s", state, error: "", prompt: "!make", finalMessage: "", codexTurnId: "", startedByCodex: false } } });
  t.apply(state(TurnState.RUNNING));
  assert.equal(t.runningShell, false);
  t.apply(create(EventSchema, { sessionSeq: ++seq, eventId: seq, type: EventType.ITEM_STARTED,
    turnId: "turn_s", payload: { case: "item", value: create(ItemSchema, {
      itemId: "c1", itemType: "commandExecution", command: "make", commandSource: "userShell",
      status: "inProgress" }) } }));
  assert.equal(t.runningShell, true);
  assert.deepEqual(t.entries[0], { kind: "command", id: "c1", command: "make", output: "",
    status: "inProgress", exitCode: undefined, byUser: true });
  t.apply(state(TurnState.COMPLETED));
  assert.equal(t.runningShell, false);
  assert.equal(t.runningTurnId, "");
});

test("what Codex runs the session with is noted each time what it says changes", () => {
  const t = new Transcript();
  let seq = 0n;
  const settings = (model: string, effort: string, collaborationMode = "") => t.apply(create(EventSchema, {
    sessionSeq: ++seq, eventId: seq, type: EventType.CODEX_SETTINGS_CHANGED,
    payload: { case: "codexSettings", value: create(CodexSettingsSchema, {
      model, modelProvider: "openai", effort, approvalPolicy: "on-request", sandbox: "workspace-write",
      approvalsReviewer: "user", collaborationMode }) },
  }));
  settings("gpt-5.5", "");
  settings("gpt-5.5", "", "default");  // a change it does not name: not said again
  settings("gpt-5.4", "high");
  settings("gpt-5.4", "high", "plan");
  settings("gpt-5.4", "high", "default");
  assert.deepEqual(t.entries.map((e) => "text" in e ? e.text : ""), [
    "Codex runs this with gpt-5.5 (openai), effort default, on-request, workspace-write",
    "Codex runs this with gpt-5.4 (openai), effort high, on-request, workspace-write",
    "Codex runs this with gpt-5.4 (openai), effort high, on-request, workspace-write, plan mode",
    "Codex runs this with gpt-5.4 (openai), effort high, on-request, workspace-write",
  ]);
});

test("a goal's objective and status are noted when they change, not its usage", () => {
  const t = new Transcript();
  let seq = 0n;
  const goal = (status?: GoalStatus, tokensUsed = 0n) => t.apply(create(EventSchema, {
    sessionSeq: ++seq, eventId: seq, type: EventType.GOAL_UPDATED,
    payload: { case: "goalUpdated", value: create(GoalUpdatedSchema, status === undefined ? {} : {
      goal: create(SessionGoalSchema, { objective: "ship it", status, tokensUsed }) }) },
  }));
  assert.equal(t.goal, undefined);
  goal(GoalStatus.ACTIVE);
  goal(GoalStatus.ACTIVE, 120n);
  // (Read through a function: the assertion above narrowed `t.goal`.)
  const current = (): SessionGoal | null | undefined => t.goal;
  assert.equal(current()?.tokensUsed, 120n);
  goal(GoalStatus.COMPLETE, 150n);
  goal(undefined);
  assert.equal(current(), null);
  assert.deepEqual(t.entries.map((e) => "text" in e ? e.text : ""),
                   ["Goal (active): ship it", "Goal (complete): ship it", "Goal cleared"]);
});

test("a sub-agent's entries are marked with its name; its start and end are said", () => {
  const t = new Transcript();
  const item = itemEvents();
  const helper = create(SubAgentSchema, { threadId: "01a24fb6-4e46", path: "/root/helper" });
  const activity = (kind: string) => JSON.stringify({
    agentPath: "/root/helper", agentThreadId: "01a24fb6-4e46", kind, model: "gpt-5.5" });
  const of = (e: Event) => { e.subAgent = helper; return e; };
  t.apply(item(EventType.ITEM_COMPLETED, { itemId: "s1", itemType: "subAgentActivity", itemJson: activity("started") }));
  t.apply(of(item(EventType.ITEM_COMPLETED, { itemId: "u1", itemType: "userMessage", text: "its task" })));
  t.apply(of(item(EventType.ITEM_STARTED, { itemId: "c1", itemType: "commandExecution", command: "echo hi" })));
  t.apply(of(item(EventType.ITEM_COMPLETED, { itemId: "m1", itemType: "agentMessage", text: "Done here" })));
  t.apply(item(EventType.ITEM_COMPLETED, { itemId: "s2", itemType: "subAgentActivity", itemJson: activity("interacted") }));
  t.apply(item(EventType.ITEM_COMPLETED, { itemId: "s3", itemType: "subAgentActivity", itemJson: activity("completed") }));
  t.apply(item(EventType.ITEM_COMPLETED, { itemId: "m2", itemType: "agentMessage", text: "All done" }));
  assert.deepEqual(t.entries.map((e) => [e.kind, "text" in e ? e.text : "", e.agent]), [
    ["notice", "Sub-agent helper started (gpt-5.5)", undefined],
    ["command", "", "helper"],
    ["agent", "Done here", "helper"],
    ["notice", "Sub-agent helper completed", undefined],
    ["agent", "All done", undefined],
  ]);
  assert.equal(subAgentName({ path: "", threadId: "01a24fb6-4e46" }), "sub-agent 01a24fb6");
  assert.equal(subAgentLabel("sub-agent 01a24fb6"), "Sub-agent 01a24fb6");
  assert.equal(subAgentActivity("not json"), "");
});

test("an approval a sub-agent asks is known as its, redelivered too, until decided", () => {
  const t = new Transcript();
  const helper = create(SubAgentSchema, { threadId: "01a24fb6-4e46", path: "/root/helper" });
  const asked = (seq: bigint, approvalId: string, subAgent?: typeof helper, redelivered = false) =>
    create(EventSchema, { sessionSeq: seq, eventId: seq, type: EventType.APPROVAL_REQUESTED, turnId: "turn_1",
      redelivered, subAgent, payload: { case: "approvalRequested", value: { $typeName: "codex_manager.v1.ApprovalRequested",
        approval: create(ApprovalSchema, { approvalId, state: ApprovalState.PENDING, command: "ls", kind: 1 }) } } });
  t.apply(asked(1n, "apr_mine"));
  t.apply(asked(2n, "apr_its", helper));
  assert.deepEqual([...t.approvals.keys()], ["apr_mine", "apr_its"]);
  assert.deepEqual([...t.approvalAgents], [["apr_its", "helper"]]);
  t.apply(create(EventSchema, { sessionSeq: 3n, eventId: 3n, type: EventType.APPROVAL_RESOLVED,
    payload: { case: "approvalResolved", value: { $typeName: "codex_manager.v1.ApprovalResolved",
      approvalId: "apr_its", state: ApprovalState.APPROVED, decision: 1 } } }));
  assert.equal(t.approvalAgents.size, 0);
  // A reconnect past the request gets it again, redelivered, with its agent.
  const again = new Transcript();
  again.apply(asked(2n, "apr_its", helper, true));
  assert.equal(again.approvalAgents.get("apr_its"), "helper");
});

test("a compaction is said once, as news, in either of Codex's forms", () => {
  const t = new Transcript();
  const item = itemEvents();
  t.apply(item(EventType.ITEM_STARTED, { itemId: "k1", itemType: "contextCompaction" }));
  t.apply(item(EventType.ITEM_COMPLETED, { itemId: "k1", itemType: "contextCompaction" }));
  t.apply(create(EventSchema, {
    sessionSeq: 3n, eventId: 3n, type: EventType.CONTEXT_COMPACTED,
    payload: { case: "notice", value: create(NoticeSchema, { message: COMPACTED }) },
  }));
  assert.deepEqual(t.entries.map((e) => [e.kind, "level" in e ? e.level : "", "text" in e ? e.text : ""]), [
    ["notice", "info", COMPACTED],
    ["notice", "info", COMPACTED],
  ]);
});

test("a generated image is shown only when its data is base64 of a PNG, JPEG, GIF or WebP", () => {
  const of = (result: unknown, more: object = {}) =>
    generatedImage(JSON.stringify({ type: "imageGeneration", result, ...more }));
  assert.deepEqual(of("iVBORw0KGgoAAAA=", { revisedPrompt: "a dot" }),
                   { src: "data:image/png;base64,iVBORw0KGgoAAAA=", prompt: "a dot" });
  assert.equal(of("/9j/4AAQ")?.src, "data:image/jpeg;base64,/9j/4AAQ");
  assert.equal(of("R0lGODlh")?.src, "data:image/gif;base64,R0lGODlh");
  assert.equal(of("UklGRiQA")?.src, "data:image/webp;base64,UklGRiQA");
  // Not an image of those kinds, not base64, or none at all: not shown.
  for (const result of ["PHN2ZyB4bWxucz0i", "iVBORw0KGgo\"><script>", "iVBORw0KGgo AAAA", "", 7, null]) {
    assert.equal(of(result), undefined, String(result));
  }
  assert.equal(of(undefined, { fileId: "file_1" }), undefined);
  assert.equal(generatedImage("{not json"), undefined);
});
