// The words people see for the API's states and Codex's item statuses,
// instead of enum names and protocol values ("BUSY", "inProgress").
import { type CodexSettings, type McpServer, SessionState } from "./gen/codex_manager/v1/sessions_pb.js";
import { TurnState } from "./gen/codex_manager/v1/turns_pb.js";

const SESSION: Record<SessionState, string> = {
  [SessionState.UNSPECIFIED]: "Unknown",
  [SessionState.STARTING]: "Starting",
  [SessionState.IDLE]: "Idle",
  [SessionState.BUSY]: "Working",
  [SessionState.STOPPED]: "Stopped",
  [SessionState.FAILED]: "Failed",
  [SessionState.ARCHIVED]: "Archived",
};

const TURN: Record<TurnState, string> = {
  [TurnState.UNSPECIFIED]: "unknown",
  [TurnState.QUEUED]: "queued",
  [TurnState.RUNNING]: "running",
  [TurnState.COMPLETED]: "completed",
  [TurnState.INTERRUPTED]: "interrupted",
  [TurnState.FAILED]: "failed",
};

// Codex ThreadItem statuses (commandExecution, fileChange, mcpToolCall).
const ITEM: Record<string, string> = {
  inProgress: "running",
  completed: "done",
  failed: "failed",
  declined: "declined",
  // Not Codex's: a fileChange whose patch the model is still writing
  // (ITEM_UPDATED, transcript.ts).
  writing: "being written",
};

// Codex hook run statuses (HookRun.status).
const HOOK: Record<string, string> = {
  running: "running",
  completed: "done",
  failed: "failed",
  blocked: "blocked",
  stopped: "stopped the turn",
};

export const sessionLabel = (s: SessionState) => SESSION[s] ?? "Unknown";
// What names a session for people (its list card, its page, the tab's
// title, a notification): its title; untitled, the start of its first
// prompt (Session.preview) on one line, as Codex's lists show a thread;
// before any prompt, its id.
export const sessionName = (s: { title: string; preview: string; sessionId: string }) =>
  s.title || s.preview.replace(/\s+/g, " ").trim() || s.sessionId;
export const turnLabel = (s: TurnState) => TURN[s] ?? "unknown";
export const itemStatusLabel = (status: string) => ITEM[status] ?? status;
export const hookStatusLabel = (status: string) => HOOK[status] ?? status;
// Whether Codex runs a hook of its config (CodexHook), in words.
const HOOK_TRUST: Record<string, string> = {
  trusted: "trusted", managed: "managed", untrusted: "not trusted: skipped",
  modified: "changed since trusted: skipped",
};
export const hookTrustLabel = (hook: { enabled: boolean; trustStatus: string }) =>
  hook.enabled ? HOOK_TRUST[hook.trustStatus] ?? hook.trustStatus : "off";

// A service tier as people say it: Codex's "priority" is its Fast mode,
// "default" standard speed, "" the thread's own.
export const tierLabel = (tier: string) =>
  tier === "priority" ? "Fast" : tier === "default" ? "Standard" : tier || "default";

// What Codex runs a thread with (Session.codex_settings):
// "gpt-5.5 (openai), effort default, on-request, workspace-write", and
// ", plan mode" while the thread is in Codex's Plan mode, ", Fast" in its
// Fast mode.
export const codexSettingsLabel = (c: CodexSettings) =>
  `${c.model}${c.modelProvider ? ` (${c.modelProvider})` : ""}, ` +
  `effort ${c.effort || "default"}, ${c.approvalPolicy}, ${c.sandbox}` +
  (c.collaborationMode === "plan" ? ", plan mode" : "") +
  (c.serviceTier && c.serviceTier !== "default" ? `, ${tierLabel(c.serviceTier)}` : "");
// A duration in milliseconds as people read it: "4 ms", "60.0 s".
export const durationLabel = (ms: number) => ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
// A hook's event as its config spells it ("preToolUse" -> "PreToolUse").
export const hookEventLabel = (event: string) => event.charAt(0).toUpperCase() + event.slice(1);

// gRPC status codes by number, as the gRPC spec spells them.
const STATUS = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
  "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
  "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"];
export const statusName = (code: number) => STATUS[code] ?? `code ${code}`;

// Codex's words for a connection and a sign-in, as a person says them.
const CONNECTION: Record<string, string> = {
  connected: "connected", starting: "starting", failed: "failed",
  authenticationRequired: "needs sign-in", disabled: "disabled",
  notStarted: "not started", cancelled: "cancelled",
};

// "connected · tickets 1.0.0 · 1 tool", from what Codex reported.
export function mcpSummary(server: McpServer): string {
  const tools = server.tools.length;
  return [
    CONNECTION[server.connection] ?? server.connection,
    [server.title, server.version].filter(Boolean).join(" "),
    server.httpOrigin,
    server.authStatus === "notLoggedIn" ? "not signed in" : "",
    tools === 0 ? "" : `${tools} tool${tools === 1 ? "" : "s"}`,
  ].filter(Boolean).join(" · ");
}

// Whether an ERROR event's `codex_error_info` says the model provider
// refused Codex's credentials: Codex's "unauthorized", or an HTTP 401 on
// the request or its stream (as Codex 0.171 reports a refused key:
// `{"httpConnectionFailed":{"httpStatusCode":401}}`).
export function credentialsRefused(codexErrorInfo: string): boolean {
  if (codexErrorInfo === "unauthorized") return true;
  if (!codexErrorInfo.startsWith("{")) return false;
  try {
    const info = JSON.parse(codexErrorInfo) as Record<string, unknown>;
    return Object.values(info).some((v) =>
      typeof v === "object" && v !== null && (v as { httpStatusCode?: unknown }).httpStatusCode === 401);
  } catch {
    return false;
  }
}
