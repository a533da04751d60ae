// The transcript of one session as the UI shows it, built from the event
// stream. apply() is idempotent per session_seq: an event at or below the
// last applied seq is ignored (redelivered pending approvals are merged by
// approval id), so a reconnect that resumes from `lastSeq` — or a reload
// that replays from 0 — shows everything once.
import { type Event, EventType } from "./gen/codex_manager/v1/events_pb.js";
import { ApprovalState, type Approval } from "./gen/codex_manager/v1/approvals_pb.js";
import { GoalStatus, type SessionGoal, SessionState } from "./gen/codex_manager/v1/sessions_pb.js";
import { TurnState } from "./gen/codex_manager/v1/turns_pb.js";
import { codexSettingsLabel, credentialsRefused, durationLabel, tierLabel } from "./labels.js";

// `reverted`: the entry's turn was taken out of the conversation
// (SessionService.RevertSession); it stays in the transcript, marked.
// `agent`: the entry is a sub-agent's (Event.sub_agent: Codex's
// multi-agent tools), by name; absent for the session's agent.
export type Entry = (
  // A prompt: the person's, or one a Codex hook gave the agent (a Stop
  // hook that sent it on).
  // `turnId` is set on the prompt that began its turn (not on one steered
  // into it): "Edit" forks the session before that turn.
  | { kind: "prompt"; id: string; text: string; fromHook?: boolean; turnId?: string }
  | { kind: "agent"; id: string; text: string; done: boolean }
  | { kind: "reasoning"; id: string; text: string }
  // `byUser`: a shell command a person ran (RunShellCommand, the TUI's
  // `!`; Codex's source "userShell"), not the agent.
  | { kind: "command"; id: string; command: string; output: string; status: string;
      exitCode?: number; byUser?: boolean }
  | { kind: "file"; id: string; diff: string; status: string }
  // An MCP tool call (Codex `mcpToolCall`): its arguments, then what the
  // tool returned or why it failed.
  | { kind: "tool"; id: string; server: string; tool: string; arguments: string;
      output: string; error: string; status: string; durationMs?: number }
  // An image the agent generated (Codex's image_gen tool) that came with
  // its data: `src` a data: URL of it, `path` where Codex saved it on the
  // server's machine, `alt` the prompt it was made from.
  | { kind: "image"; id: string; src: string; path: string; alt: string }
  // `signIn`: the provider refused Codex's credentials (say how to sign
  // Codex in).
  | { kind: "notice"; id: string; level: "error" | "warning" | "info"; text: string; signIn?: boolean }
  // A turn's end. `prompt`: the turn ended before it ran (dropped from the
  // queue, or the session stopped), and this was its prompt.
  | { kind: "turn"; id: string; state: TurnState; error: string; prompt?: string }
  // The agent's plan (`turn/plan/updated`) and the turn's aggregated diff
  // (`turn/diff/updated`): one entry per turn, replaced as they change.
  | { kind: "plan"; id: string; explanation: string; steps: { step: string; status: string }[] }
  | { kind: "turnDiff"; id: string; diff: string }
  // One run of a Codex hook (`hook/started`, then `hook/completed` in its
  // place): when it ran, its status line while running, its verdict and
  // what it said.
  | { kind: "hook"; id: string; event: string; status: string; message: string;
      output: { kind: string; text: string }[]; durationMs?: number }
  // A code review (StartReview): what it looks at (enteredReviewMode),
  // then its findings (exitedReviewMode); one entry per review turn.
  | { kind: "review"; id: string; target: string; findings: string; done: boolean }
  // A plan the agent proposes in Codex's Plan mode (a `plan` item, its
  // Markdown streamed by `item/plan/delta`).
  | { kind: "proposedPlan"; id: string; text: string; done: boolean }
) & { reverted?: boolean; agent?: string };

// What a `subAgentActivity` item (its JSON) says, e.g. "Sub-agent helper
// started (gpt-5.5)"; "" for a message to it (kind "interacted").
export function subAgentActivity(itemJson: string): string {
  let item: { agentPath?: unknown; agentThreadId?: unknown; kind?: unknown; model?: unknown };
  try {
    item = JSON.parse(itemJson) as typeof item;
  } catch {
    return "";
  }
  const text = (v: unknown) => typeof v === "string" ? v : "";
  const kind = text(item.kind);
  if (!["started", "completed", "interrupted"].includes(kind)) return "";
  const name = subAgentName({ path: text(item.agentPath), threadId: text(item.agentThreadId) });
  const model = kind === "started" && text(item.model) ? ` (${text(item.model)})` : "";
  return `${subAgentLabel(name)} ${kind}${model}`;
}

// "Sub-agent helper" for a sub-agent's name (subAgentName).
export function subAgentLabel(name: string): string {
  return name.startsWith("sub-agent ") ? `S${name.slice(1)}` : `Sub-agent ${name}`;
}

// A sub-agent's name: the last part of its path (Codex's agentPath,
// "/root/helper" -> "helper"), else the start of its thread id.
export function subAgentName(agent: { path: string; threadId: string }): string {
  const name = agent.path.slice(agent.path.lastIndexOf("/") + 1);
  return name || `sub-agent ${agent.threadId.slice(0, 8)}`;
}

// The base64 starts of the image formats shown inline, and their types.
const IMAGE_TYPES: [string, string][] = [
  ["iVBORw0KGgo", "image/png"], ["/9j/", "image/jpeg"], ["R0lGOD", "image/gif"], ["UklGR", "image/webp"],
];

// An imageGeneration item's image (its JSON's `result`: the image's bytes,
// base64, which Codex 0.171's schema allows in place of a `fileId`) as a
// data: URL, with the prompt it was made from; undefined when the item
// carries none, or anything but base64 of a PNG, JPEG, GIF or WebP.
export function generatedImage(itemJson: string): { src: string; prompt: string } | undefined {
  let item: { result?: unknown; revisedPrompt?: unknown };
  try {
    item = JSON.parse(itemJson) as typeof item;
  } catch {
    return undefined;
  }
  const data = item?.result;
  if (typeof data !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return undefined;
  const type = IMAGE_TYPES.find(([start]) => data.startsWith(start))?.[1];
  if (!type) return undefined;
  return { src: `data:${type};base64,${data}`,
           prompt: typeof item.revisedPrompt === "string" ? item.revisedPrompt : "" };
}

// What the transcript says when Codex compacted the conversation (the
// server's CONTEXT_COMPACTED says the same).
export const COMPACTED = "Codex compacted the conversation to free context";

// A goal's status in words.
export const GOAL_STATUS: Record<GoalStatus, string> = {
  [GoalStatus.UNSPECIFIED]: "unknown",
  [GoalStatus.ACTIVE]: "active",
  [GoalStatus.PAUSED]: "paused",
  [GoalStatus.BLOCKED]: "blocked",
  [GoalStatus.USAGE_LIMITED]: "stopped by the usage limit",
  [GoalStatus.BUDGET_LIMITED]: "out of token budget",
  [GoalStatus.COMPLETE]: "complete",
};

// An optional int64 of milliseconds as a number (entries are compared as
// JSON, which has no bigint).
const millis = (ms: bigint | undefined) => ms === undefined ? undefined : Number(ms);

export class Transcript {
  lastSeq = 0n;
  sessionState: SessionState = SessionState.UNSPECIFIED;
  runningTurnId = "";
  // The running turn is a person's shell command (RunShellCommand): it
  // takes no steer, so what is sent meanwhile is queued.
  runningShell = false;
  totalTokens = 0n;
  // The account's usage, from the last rate-limit update ("" until one).
  rateLimits = "";
  // What Codex says its thread waits for or failed with (thread status),
  // in words; "" when there is nothing to say (idle, or working).
  threadStatus = "";
  // The session's title from its last SESSION_UPDATED (undefined until
  // one: GetSession's then holds).
  title: string | undefined;
  // Its first prompt that is not empty (what Session.preview starts
  // with), "" until one was queued.
  firstPrompt = "";
  // The session's sandbox from its last SESSION_UPDATED, and the one Codex
  // runs its thread with from the last CODEX_SETTINGS_CHANGED (undefined
  // until one: GetSession's then holds).
  sandbox: string | undefined;
  codexSandbox: string | undefined;
  // The same for the model.
  model: string | undefined;
  codexModel: string | undefined;
  // The session's goal from its last GOAL_UPDATED: null when cleared,
  // undefined until one (GetSession's then holds).
  goal: SessionGoal | null | undefined;
  readonly entries: Entry[] = [];
  readonly approvals = new Map<string, Approval>();  // pending, by id
  // Of those, the ones a sub-agent asked: its name (subAgentName), by id.
  readonly approvalAgents = new Map<string, string>();
  // Prompts waiting for the running turn (TURN_STATE_CHANGED QUEUED), by
  // turn id, in queue order; each leaves when its turn starts or ends.
  readonly queued = new Map<string, string>();
  private readonly byId = new Map<string, Entry>();
  // Review findings by turn: Codex repeats them as the agent message that
  // follows, which is then not shown twice.
  private readonly findings = new Map<string, string>();
  // Hook runs started and not yet ended: their entry's id by turn and run
  // id (Codex reuses a run id for each run of one hook in a turn).
  private readonly runningHooks = new Map<string, string>();
  // The item id of each turn's first prompt, by turn.
  private readonly prompted = new Map<string, string>();
  // Turns RevertSession took out of the conversation.
  readonly reverted = new Set<string>();
  // The turn of each entry that has one, by entry id; and the turn of the
  // event being applied.
  private readonly turnOf = new Map<string, string>();
  private eventTurn = "";
  // The sub-agent whose event is being applied (undefined: the session's
  // agent); its entries say so.
  private eventAgent: string | undefined;
  // The goal's objective and status as last told in the transcript: its
  // usage alone changing says nothing.
  private goalSaid = "";
  // What Codex runs the thread with, as last told.
  private settingsSaid = "";
  // The seq of the first event applied (0 until one).
  private firstSeq = 0n;
  // Ids of the entries added or changed since takeChanged() last ran.
  private changed = new Set<string>();

  // The ids of the entries added or changed since the last call: all a
  // view must draw again (EntryViews.render), the rest being as it drew
  // them. Every change to an entry goes through add, upsert or touch.
  takeChanged(): Set<string> {
    const changed = this.changed;
    this.changed = new Set();
    return changed;
  }

  // Applies one event; returns false when it was already applied.
  apply(event: Event): boolean {
    if (event.redelivered) {
      const a = event.payload.case === "approvalRequested" ? event.payload.value.approval : undefined;
      if (a && a.state === ApprovalState.PENDING) this.pending(a, event);
      return true;
    }
    if (event.sessionSeq <= this.lastSeq) return false;
    if (this.lastSeq > 0n && event.sessionSeq > this.lastSeq + 1n) {
      // Seqs jump only over what a restore from a backup lost.
      this.eventTurn = "";
      this.eventAgent = undefined;
      this.add({ kind: "notice", id: `g${event.sessionSeq}`, level: "warning",
                 text: `Events ${this.lastSeq + 1n}–${event.sessionSeq - 1n} of this session are ` +
                       "missing: the server was restored from a backup taken before them" });
    }
    if (this.firstSeq === 0n) this.firstSeq = event.sessionSeq;
    this.lastSeq = event.sessionSeq;
    this.eventTurn = event.turnId;
    this.eventAgent = event.subAgent ? subAgentName(event.subAgent) : undefined;
    const p = event.payload;
    switch (p.case) {
      case "sessionReverted": {
        const ids = p.value.revertedTurnIds;
        for (const id of ids) this.reverted.add(id);
        for (const entry of this.entries) {
          const turn = this.turnOf.get(entry.id);
          if (turn !== undefined && this.reverted.has(turn)) this.touch(entry).reverted = true;
        }
        this.add({ kind: "notice", id: `s${event.sessionSeq}`, level: "info",
                   text: `Undone: ${ids.length === 1 ? "the turn" : `${ids.length} turns`} above ` +
                         "left the conversation; the agent no longer sees them (files they changed stay changed)" });
        break;
      }
      case "goalUpdated": {
        const goal = p.value.goal ?? null;
        this.goal = goal;
        const said = goal ? `Goal (${GOAL_STATUS[goal.status] ?? "unknown"}): ${goal.objective}` : "Goal cleared";
        if (said !== this.goalSaid) {
          this.goalSaid = said;
          this.add({ kind: "notice", id: `s${event.sessionSeq}`, level: "info", text: said });
        }
        break;
      }
      case "codexSettings": {
        // What Codex runs the thread with changed: at its start, or a
        // turn's settings changed it. Said again only when what it says
        // changed (a change of a setting it does not name is not news).
        this.codexSandbox = p.value.sandbox;
        this.codexModel = p.value.model;
        const said = `Codex runs this with ${codexSettingsLabel(p.value)}`;
        if (said !== this.settingsSaid) {
          this.settingsSaid = said;
          this.add({ kind: "notice", id: `s${event.sessionSeq}`, level: "info", text: said });
        }
        break;
      }
      case "sessionStateChanged":
        this.sessionState = p.value.state;
        if (p.value.error) this.add({ kind: "notice", id: `s${event.sessionSeq}`, level: "warning", text: p.value.error });
        break;
      case "sessionUpdated": {
        const u = p.value;
        this.title = u.title;
        this.sandbox = u.sandbox;
        this.model = u.model;
        const said: Record<string, string> = {
          title: `title “${u.title}”`, model: `model ${u.model || "default"}`,
          effort: `effort ${u.effort || "default"}`,
          approval_policy: `approval policy ${u.approvalPolicy || "default"}`,
          sandbox: `sandbox ${u.sandbox || "default"}`,
          service_tier: `speed ${tierLabel(u.serviceTier)}`,
        };
        const parts = u.changedFields.map((f) => said[f]).filter((part) => part !== undefined);
        this.add({ kind: "notice", id: `s${event.sessionSeq}`, level: "info",
                   text: `Settings changed: ${parts.join(", ")}` });
        break;
      }
      case "turnStateChanged": {
        const t = p.value;
        if (t.state === TurnState.QUEUED) {
          this.queued.set(t.turnId, t.prompt);
          this.firstPrompt ||= t.prompt;
          break;
        }
        const notRun = this.queued.get(t.turnId);
        this.queued.delete(t.turnId);
        if (t.state === TurnState.RUNNING) {
          this.runningTurnId = t.turnId;
          this.runningShell = false;
          // No prompt began it: Codex went on by itself (toward the goal
          // the agent set, Codex's thread/goal/*).
          if (t.startedByCodex) {
            this.add({ kind: "notice", id: `t${event.sessionSeq}`, level: "info",
                       text: "Codex went on by itself" });
          }
        }
        if (t.state === TurnState.COMPLETED || t.state === TurnState.FAILED ||
            t.state === TurnState.INTERRUPTED) {
          if (this.runningTurnId === t.turnId) {
            this.runningTurnId = "";
            this.runningShell = false;
          }
          this.add({ kind: "turn", id: `t${event.sessionSeq}`, state: t.state, error: t.error,
                     ...(notRun !== undefined ? { prompt: notRun } : {}) });
        }
        break;
      }
      case "item": {
        const item = p.value;
        const done = event.type === EventType.ITEM_COMPLETED;
        if (item.itemType === "hookPrompt") {
          this.upsert({ kind: "prompt", id: item.itemId, text: item.text, fromHook: true });
        } else if (item.itemType === "userMessage" && !event.subAgent) {
          // (A sub-agent's is its task, from its spawner: not a person's.)
          // Inside a review, the prompt is Codex's own (the review entry
          // says what is reviewed).
          if (!this.byId.has(`review-${event.turnId}`)) {
            const first = !this.prompted.has(event.turnId) ||
              this.prompted.get(event.turnId) === item.itemId;
            if (event.turnId && first) this.prompted.set(event.turnId, item.itemId);
            this.upsert({ kind: "prompt", id: item.itemId, text: item.text,
                          ...(event.turnId && first ? { turnId: event.turnId } : {}) });
          }
        } else if (item.itemType === "contextCompaction") {
          // How Codex 0.171 says it compacted (CONTEXT_COMPACTED: older ones).
          if (done) this.add({ kind: "notice", id: item.itemId, level: "info", text: COMPACTED });
        } else if (item.itemType === "subAgentActivity") {
          // The agent started, ended or stopped a sub-agent of its own.
          const said = done ? subAgentActivity(item.itemJson) : "";
          if (said) this.add({ kind: "notice", id: item.itemId, level: "info", text: said });
        } else if (item.itemType === "enteredReviewMode" || item.itemType === "exitedReviewMode") {
          const id = `review-${event.turnId}`;
          const prev = this.byId.get(id) as Extract<Entry, { kind: "review" }> | undefined;
          const exited = item.itemType === "exitedReviewMode";
          if (exited && done) this.findings.set(event.turnId, item.text.trim());
          this.upsert({
            kind: "review", id, target: exited ? prev?.target ?? "" : item.text,
            findings: exited ? item.text : prev?.findings ?? "", done: exited && done,
          });
        } else if (item.itemType === "agentMessage" && done &&
                   this.findings.get(event.turnId) === item.text.trim()) {
          this.drop(item.itemId);  // the review entry shows it
        } else if (item.itemType === "agentMessage" && !done && !item.text &&
                   !this.byId.has(item.itemId)) {
          // Started with nothing yet: its first delta (or its end) shows it.
        } else if (item.itemType === "agentMessage") {
          const prev = this.byId.get(item.itemId);
          const text = done || !prev ? item.text : (prev as { text: string }).text;
          this.upsert({ kind: "agent", id: item.itemId, text, done });
        } else if (item.itemType === "plan") {
          const prev = this.byId.get(item.itemId) as Extract<Entry, { kind: "proposedPlan" }> | undefined;
          this.upsert({ kind: "proposedPlan", id: item.itemId,
                        text: done || !prev ? item.text : prev.text, done });
        } else if (item.itemType === "reasoning" && item.text) {
          this.upsert({ kind: "reasoning", id: item.itemId, text: item.text });
        } else if (item.itemType === "commandExecution") {
          if (item.commandSource === "userShell" && event.turnId === this.runningTurnId) {
            this.runningShell = true;
          }
          const prev = this.byId.get(item.itemId) as Extract<Entry, { kind: "command" }> | undefined;
          this.upsert({
            kind: "command", id: item.itemId, command: item.command,
            output: done && item.aggregatedOutput ? item.aggregatedOutput : prev?.output ?? "",
            status: item.status, exitCode: item.exitCode,
            ...(item.commandSource === "userShell" ? { byUser: true } : {}),
          });
        } else if (item.itemType === "fileChange") {
          // ITEM_UPDATED: the patch so far, before the change starts. One
          // arriving late never takes a started change back to "writing".
          const writing = event.type === EventType.ITEM_UPDATED;
          const prev = this.byId.get(item.itemId) as Extract<Entry, { kind: "file" }> | undefined;
          if (!writing || !prev || prev.status === "writing") {
            this.upsert({ kind: "file", id: item.itemId, diff: item.diff,
                          status: writing ? "writing" : item.status });
          }
        } else if (item.itemType === "mcpToolCall") {
          this.upsert({
            kind: "tool", id: item.itemId, server: item.mcpServer, tool: item.tool,
            arguments: item.arguments, output: item.toolOutput, error: item.error,
            status: item.status,
            durationMs: millis(item.durationMs),
          });
        } else if ((item.itemType === "webSearch" || item.itemType === "imageView") && done) {
          this.upsert({
            kind: "notice", id: item.itemId, level: "info",
            text: item.itemType === "webSearch" ? `Searched the web: ${item.text}`
                                                 : `Viewed image ${item.text}`,
          });
        } else if (item.itemType === "imageGeneration" && done) {
          // An image the agent generated: shown when it came with its
          // data; else where it is saved on the server's machine, or why
          // none was made.
          const image = item.text ? generatedImage(item.itemJson) : undefined;
          this.upsert(image
            ? { kind: "image", id: item.itemId, src: image.src, path: item.text,
                alt: image.prompt || "Generated image" }
            : { kind: "notice", id: item.itemId, level: item.text || !item.error ? "info" : "warning",
                text: item.text ? `Generated an image: ${item.text}`
                  : item.error ? `Image not generated: ${item.error}`
                  : `Image generation ${item.status}` });
        } else if (item.itemType === "sleep" && done) {
          // The agent waited (Codex's clock.sleep tool).
          this.upsert({ kind: "notice", id: item.itemId, level: "info",
                        text: `Waited ${durationLabel(millis(item.durationMs) ?? 0)}` });
        }
        break;
      }
      case "delta": {
        const d = p.value;
        const entry = this.byId.get(d.itemId);
        if (event.type === EventType.AGENT_MESSAGE_DELTA) {
          if (entry?.kind === "agent") this.touch(entry).text += d.text;
          else this.upsert({ kind: "agent", id: d.itemId, text: d.text, done: false });
        } else if (event.type === EventType.ITEM_DELTA && d.method === "item/plan/delta") {
          if (entry?.kind === "proposedPlan") this.touch(entry).text += d.text;
          else this.upsert({ kind: "proposedPlan", id: d.itemId, text: d.text, done: false });
        } else if (event.type === EventType.COMMAND_OUTPUT_DELTA && entry?.kind === "command") {
          this.touch(entry).output += d.text;
        } else if (event.type === EventType.REASONING_DELTA) {
          if (entry?.kind === "reasoning") this.touch(entry).text += d.text;
          else this.upsert({ kind: "reasoning", id: d.itemId, text: d.text });
        }
        break;
      }
      case "approvalRequested": {
        const a = p.value.approval;
        if (a) this.pending(a, event);
        break;
      }
      case "approvalResolved":
        this.approvals.delete(p.value.approvalId);
        this.approvalAgents.delete(p.value.approvalId);
        break;
      case "tokenUsage":
        this.totalTokens = p.value.totalTokens;
        break;
      case "plan":
        this.upsert({
          kind: "plan", id: `plan-${event.turnId}`, explanation: p.value.explanation,
          steps: p.value.steps.map((s) => ({ step: s.step, status: s.status })),
        });
        break;
      case "turnDiff":
        this.upsert({ kind: "turnDiff", id: `diff-${event.turnId}`, diff: p.value.diff });
        break;
      case "rateLimits": {
        const w = p.value.primary;
        if (w) {
          const hours = w.windowMinutes ? `${Math.round(Number(w.windowMinutes) / 60)}h ` : "";
          this.rateLimits = `${hours}limit ${w.usedPercent}% used`;
        }
        break;
      }
      case "threadStatus": {
        const { status, activeFlags } = p.value;
        this.threadStatus =
          status === "systemError" ? "Codex reports a system error"
          : activeFlags.includes("waitingOnApproval") ? "Codex waits for an approval"
          : activeFlags.includes("waitingOnUserInput") ? "Codex waits for an answer"
          : "";
        if (status === "systemError") {
          this.add({ kind: "notice", id: `n${event.sessionSeq}`, level: "error",
                     text: "Codex reports a system error on this thread; stop and resume the session." });
        }
        break;
      }
      case "modelRerouted":
        this.add({
          kind: "notice", id: `n${event.sessionSeq}`, level: "warning",
          text: `Codex switched from ${p.value.fromModel} to ${p.value.toModel} (${p.value.reason})`,
        });
        break;
      case "mcpServerStatus":
        if (p.value.status === "failed") {
          this.add({
            kind: "notice", id: `n${event.sessionSeq}`, level: "warning",
            text: `MCP server ${p.value.name} failed to start${p.value.error ? `: ${p.value.error}` : ""}`,
          });
        }
        break;
      case "hookRun": {
        const r = p.value;
        const key = `${event.turnId}/${r.runId}`;
        const id = this.runningHooks.get(key) ?? `h${event.sessionSeq}`;
        if (r.status === "running") this.runningHooks.set(key, id);
        else this.runningHooks.delete(key);
        this.upsert({
          kind: "hook", id, event: r.eventName, status: r.status, message: r.statusMessage,
          output: r.entries.map((x) => ({ kind: x.kind, text: x.text })),
          durationMs: millis(r.durationMs),
        });
        break;
      }
      case "terminalInput": {
        // The agent wrote to a command still running (its card, and the
        // output the input caused, stay where the command started).
        const input = p.value;
        const command = this.byId.get(input.itemId);
        const what = command?.kind === "command" ? command.command : `background terminal ${input.processId}`;
        this.add({
          kind: "notice", id: `n${event.sessionSeq}`, level: "info",
          text: `Typed into ${what}: ${input.stdin.replace(/\n$/, "")}`,
        });
        break;
      }
      case "notice":
        this.add({
          kind: "notice", id: `n${event.sessionSeq}`,
          level: event.type === EventType.ERROR ? "error"
            : event.type === EventType.CONTEXT_COMPACTED ? "info" : "warning",
          text: p.value.message,
          signIn: event.type === EventType.ERROR && credentialsRefused(p.value.codexErrorInfo),
        });
        break;
      default:
        break;
    }
    return true;
  }

  // Says, first, that the session's events through `seq` were deleted
  // (Session.purged_seq: retention, --retain-archived-days); once, and
  // only when none of them is shown.
  purged(seq: bigint): void {
    const shown = this.firstSeq > 0n && this.firstSeq <= seq;
    if (seq <= 0n || shown || this.byId.has("purged")) return;
    const entry: Entry = {
      kind: "notice", id: "purged", level: "info",
      text: `Events 1–${seq} of this session were deleted: it was archived longer ago ` +
            "than the server keeps events",
    };
    this.entries.unshift(entry);
    this.byId.set(entry.id, entry);
    this.changed.add(entry.id);
  }

  // `a`, asked by `event`'s agent, waits for a person.
  private pending(a: Approval, event: Event): void {
    this.approvals.set(a.approvalId, a);
    if (event.subAgent) this.approvalAgents.set(a.approvalId, subAgentName(event.subAgent));
  }

  private add(entry: Entry): void {
    if (this.eventAgent !== undefined) entry.agent = this.eventAgent;
    this.entries.push(entry);
    this.byId.set(entry.id, entry);
    this.changed.add(entry.id);
    if (this.eventTurn) this.turnOf.set(entry.id, this.eventTurn);
  }

  // `entry`, marked changed (takeChanged) before the caller changes it.
  private touch<E extends Entry>(entry: E): E {
    this.changed.add(entry.id);
    return entry;
  }

  private drop(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    this.entries.splice(this.entries.indexOf(entry), 1);
  }

  private upsert(entry: Entry): void {
    const prev = this.byId.get(entry.id);
    if (!prev) return this.add(entry);
    Object.assign(this.touch(prev), entry);
  }
}
