// Plain data types of the core: sessions, turns, approvals and events.
// They mirror the API messages of protos/codex_manager/v1 (enum values are
// numerically identical) but carry no gRPC or Protobuf types, so the core
// and the store stay independent of the API layer.
#ifndef CODEX_MANAGER_SERVER_CORE_TYPES_H_
#define CODEX_MANAGER_SERVER_CORE_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

// STARTING -> IDLE <-> BUSY -> STOPPED | FAILED | ARCHIVED (sessions.proto).
enum class SessionState : int {
  kUnspecified = 0,
  kStarting = 1,
  kIdle = 2,
  kBusy = 3,
  kStopped = 4,
  kFailed = 5,
  kArchived = 6,
};

// QUEUED -> RUNNING -> COMPLETED | INTERRUPTED | FAILED (turns.proto).
enum class TurnState : int {
  kUnspecified = 0,
  kQueued = 1,
  kRunning = 2,
  kCompleted = 3,
  kInterrupted = 4,
  kFailed = 5,
};

enum class ApprovalKind : int {
  kUnspecified = 0,
  kCommandExecution = 1,
  kFileChange = 2,
  kUserInput = 3,
  kPermissions = 4,
  kMcpElicitation = 5,
};

// PENDING -> APPROVED | DENIED | EXPIRED (approvals.proto).
enum class ApprovalState : int {
  kUnspecified = 0,
  kPending = 1,
  kApproved = 2,
  kDenied = 3,
  kExpired = 4,
};

enum class Decision : int {
  kUnspecified = 0,
  kApprove = 1,
  kApproveForSession = 2,
  kDeny = 3,
  kAbort = 4,
  kApproveAndRemember = 5,
};

// Numerically identical to codex_manager.v1.EventType.
enum class EventType : int {
  kUnspecified = 0,
  kSessionStateChanged = 1,
  kTurnStateChanged = 2,
  kItemStarted = 3,
  kItemCompleted = 4,
  kAgentMessageDelta = 5,
  kCommandOutputDelta = 6,
  kReasoningDelta = 7,
  kApprovalRequested = 8,
  kApprovalResolved = 9,
  kTokenUsage = 10,
  kError = 11,
  kWarning = 12,
  kRaw = 13,
  kItemDelta = 14,
  kPlanUpdated = 15,
  kTurnDiffUpdated = 16,
  kThreadStatusChanged = 17,
  kModelRerouted = 18,
  kRateLimitsUpdated = 19,
  kContextCompacted = 20,
  kMcpServerStatus = 21,
  kSessionUpdated = 22,
  kHookRun = 23,
  kTerminalInput = 24,
  kSessionReverted = 25,
  kGoalUpdated = 26,
  kItemUpdated = 27,
  kCodexSettingsChanged = 28,
  kSkillsChanged = 29,
};

// Where a thread's goal stands (sessions.proto GoalStatus, numerically
// identical; Codex ThreadGoalStatus).
enum class GoalStatus : int {
  kUnspecified = 0,
  kActive = 1,
  kPaused = 2,
  kBlocked = 3,
  kUsageLimited = 4,
  kBudgetLimited = 5,
  kComplete = 6,
};

// A thread's goal (Codex ThreadGoal): what Codex keeps working toward,
// starting turns of its own while it is active.
struct SessionGoal {
  std::string objective;
  GoalStatus status = GoalStatus::kUnspecified;
  std::optional<int64_t> token_budget;
  int64_t tokens_used = 0;
  int64_t time_used_seconds = 0;
  absl::Time create_time;
  absl::Time update_time;
  friend bool operator==(const SessionGoal&, const SessionGoal&) = default;
};

// Roles of the trust boundary, lowest first; each includes the ones below
// (auth.proto Role, numerically identical).
enum class Role : int {
  kUnspecified = 0,
  kViewer = 1,
  kOperator = 2,
  kAdmin = 3,
};

absl::string_view SessionStateName(SessionState s);
// "viewer", "operator", "admin" ("none" for kUnspecified).
absl::string_view RoleName(Role r);
absl::string_view TurnStateName(TurnState s);
absl::string_view ApprovalStateName(ApprovalState s);
absl::string_view DecisionName(Decision d);

// What Codex reports it runs a thread with (Codex ThreadSettings;
// Session.codex_settings): the session's settings with what they leave to
// Codex's configuration filled in. Empty strings: not reported.
struct CodexSettings {
  std::string model;           // e.g. "gpt-5.5"
  std::string model_provider;  // the config's provider id, e.g. "openai"
  std::string effort;          // "" = the model's default
  // "untrusted", "on-request", "never", or "granular" (per-kind rules).
  std::string approval_policy;
  // "read-only", "workspace-write", "danger-full-access" or
  // "external-sandbox".
  std::string sandbox;
  std::string approvals_reviewer;  // who decides approvals: "user"
  // "plan" (Codex's Plan mode), "default"; "" = not said (default).
  std::string collaboration_mode;
  // "default" (standard speed), "priority" (Codex's Fast mode), ...
  std::string service_tier;
  bool operator==(const CodexSettings&) const = default;
};

struct Session {
  std::string session_id;
  std::string cwd;
  std::string model;
  std::string approval_policy;
  std::string sandbox;
  std::string title;
  SessionState state = SessionState::kStarting;
  std::string thread_id;
  std::string last_error;
  absl::Time create_time;
  absl::Time update_time;
  // The Codex version its runtime last reported ("0.169.0"); may be empty.
  std::string runtime_version;
  // Reasoning effort for its turns; empty: Codex's default.
  std::string effort;
  // The thread's goal; none when it has none (or none was reported yet).
  std::optional<SessionGoal> goal;
  // As Codex last reported them; all empty until a runtime first started.
  CodexSettings codex_settings;
  // Derived on read by the store, not written.
  int pending_approvals = 0;
  int64_t last_seq = 0;
  // Events up to this session_seq were deleted by retention
  // (--retain-archived-days); 0 when all are kept. Written only by
  // Store::PurgeArchivedEvents.
  int64_t purged_seq = 0;
  // Codex `developerInstructions` of its thread, as CreateSession gave
  // them (a fork: its source's); empty: none.
  std::string developer_instructions;
  // Codex `modelProvider` of its thread, as CreateSession gave it (a fork:
  // its source's); empty: the Codex configuration's default.
  std::string model_provider;
  // Codex `serviceTier` of its turns, e.g. "priority" (Fast mode) or
  // "default"; empty: the thread's own (UpdateSession).
  std::string service_tier;
  // The first 200 characters of its first prompt that is not empty
  // (Session.preview). Written by the store with that turn's row, not by
  // PutSession.
  std::string preview;
};

// How one turn runs (Codex `turn/start` overrides). Empty fields take the
// session's setting (or, where it has none, the thread's own). Kept in
// memory with a queued or running turn; not stored.
struct TurnSettings {
  std::string model;
  std::string effort;   // reasoning effort, e.g. "low", "medium", "high"
  std::string summary;  // reasoning summary: auto, concise, detailed, none
  std::string approval_policy;  // untrusted, on-request, never
  std::string sandbox;  // read-only, workspace-write, danger-full-access
  std::string service_tier;  // "default", "priority" (Fast mode), ...
  // Codex's collaboration mode: "plan", "default"; "" sends none (the
  // thread's stays).
  std::string collaboration_mode;
  // A JSON Schema (object, JSON text) the final message must follow; this
  // turn only.
  std::string output_schema_json;
  // Images for this turn only: absolute paths of files inside the
  // session's cwd, and data: URLs of uploaded bytes.
  std::vector<std::string> image_paths;
  std::vector<std::string> image_urls;
  // Set (a Codex ReviewTarget object): the turn is a code review, sent as
  // `review/start` with this target instead of `turn/start` (StartReview);
  // the other settings are not sent.
  nlohmann::json review_target;
  // Set: the turn is this shell command, run by Codex unsandboxed in the
  // session's cwd and recorded in its thread (`thread/shellCommand`, the
  // TUI's `!`; RunShellCommand); the other settings are not sent.
  std::string shell_command;
};

// UpdateSession: the fields to change (unset: unchanged).
struct SessionUpdate {
  std::optional<std::string> title;
  std::optional<std::string> model;
  std::optional<std::string> effort;
  std::optional<std::string> approval_policy;
  std::optional<std::string> sandbox;
  std::optional<std::string> service_tier;
};

// SetSessionGoal: what to change of the thread's goal (Codex
// `thread/goal/set`; unset: unchanged).
struct GoalChange {
  // Replaces the objective (Codex keeps the goal's usage and budget).
  std::optional<std::string> objective;
  // kUnspecified: active when an objective is given, else unchanged.
  GoalStatus status = GoalStatus::kUnspecified;
  std::optional<int64_t> token_budget;
};

struct Turn {
  std::string turn_id;
  std::string session_id;
  std::string prompt;
  TurnState state = TurnState::kQueued;
  std::string codex_turn_id;
  std::string error;
  absl::Time create_time;
  std::optional<absl::Time> start_time;
  std::optional<absl::Time> end_time;
  std::string final_message;
  // Set when RevertSession took the turn out of the conversation.
  std::optional<absl::Time> revert_time;
  // Codex started the turn itself (no turn/start of ours; e.g. to go on
  // toward the thread's goal): it has no prompt.
  bool started_by_codex = false;
  // Not stored (see TurnSettings).
  TurnSettings settings;
};

// What SessionManager::RevertSession did.
struct RevertResult {
  Session session;
  // The turns taken out of the conversation, oldest first (the one named
  // first).
  std::vector<std::string> reverted_turn_ids;
};

struct Approval {
  std::string approval_id;
  std::string session_id;
  std::string turn_id;
  ApprovalKind kind = ApprovalKind::kUnspecified;
  ApprovalState state = ApprovalState::kPending;
  std::string command;
  std::string cwd;
  std::string reason;
  std::string diff;
  std::string item_id;
  std::string params_json;
  std::string method;
  Decision decision = Decision::kUnspecified;
  absl::Time create_time;
  std::optional<absl::Time> resolve_time;
  // Idempotency key of the ResolveApproval call that decided it, and that
  // call's digest (Caller::request_digest; '' when decided by a server
  // before 2026-12-05).
  std::string resolve_request_id;
  std::string resolve_request_digest;
  // The event_id of its APPROVAL_REQUESTED event.
  int64_t request_event_id = 0;
  // When a sub-agent of the session's agent asked (Codex's multi-agent
  // tools): its thread id, and its path as Codex named it ("/root/helper";
  // '' while no subAgentActivity item had named it). Both '' when the
  // session's own agent asked.
  std::string sub_agent_thread_id;
  std::string sub_agent_path;
};

// One entry of the durable event log. `payload` is a JSON object whose shape
// depends on `type` (see docs/architecture.md, "Event payloads").
struct Event {
  int64_t event_id = 0;
  std::string session_id;
  int64_t session_seq = 0;
  EventType type = EventType::kUnspecified;
  absl::Time create_time;
  std::string turn_id;
  nlohmann::json payload = nlohmann::json::object();
};

// Who made a call, and which call: the authenticated principal plus what
// the audit log records of the request. Built by the API edge; the core
// copies it into the audit record of the change it makes.
struct Caller {
  std::string token_id;
  std::string token_name;
  Role role = Role::kUnspecified;
  // The peer address as gRPC names it, e.g. "ipv4:127.0.0.1:50312".
  std::string peer;
  // The call's x-request-id.
  std::string request_id;
  // Full gRPC method name.
  std::string method;
  // When the caller's token expires (unset: never); an event stream it
  // opened ends then (Guard::StreamSlot).
  std::optional<absl::Time> token_expire_time;
  // For a call with an idempotency key: what it asked, as a digest of its
  // method, token and request message (api/request_digest.h), which a
  // repeat of the key must match (core/idempotency.h). Empty otherwise.
  std::string request_digest;
};

// One row of the audit log: a mutation, or a refused call (auth.proto
// AuditEvent).
struct AuditRecord {
  int64_t audit_id = 0;  // assigned by the store
  absl::Time time;
  Caller caller;
  std::string resource_id;
  // Canonical status code (0 = OK) and message.
  int code = 0;
  std::string message;
};

// The audit record of a successful call by `caller` on `resource_id`.
AuditRecord AuditOk(const Caller& caller, absl::string_view resource_id,
                    absl::Time when);

// A bearer token as stored: the SHA-256 of its secret, never the secret.
struct TokenRecord {
  std::string token_id;
  std::string name;
  Role role = Role::kUnspecified;
  // Lowercase hex SHA-256 of the secret.
  std::string secret_sha256;
  absl::Time create_time;
  std::optional<absl::Time> expire_time;
  std::optional<absl::Time> last_used_time;
  std::optional<absl::Time> revoke_time;
  // Its secret was written to DATA_DIR/admin.token.
  bool bootstrap = false;
};

// The JSON form of an approval used in event payloads (keys are the proto
// field names; enums as numbers; times as Unix microseconds).
nlohmann::json ApprovalToJson(const Approval& approval);
Approval ApprovalFromJson(const nlohmann::json& json);

// The JSON form of a goal, in event payloads (GOAL_UPDATED's `goal`) and
// the store: keys are the proto field names, the status a number, times
// Unix microseconds (`create_us`, `update_us`), no `token_budget` when
// unset. GoalFromJson takes what GoalToJson wrote; nullopt for anything
// else (not an object, no objective).
nlohmann::json GoalToJson(const SessionGoal& goal);
std::optional<SessionGoal> GoalFromJson(const nlohmann::json& json);

// The JSON form of CodexSettings in the store: keys are the proto field
// names; FromJson reads what ToJson wrote, anything else as empty fields.
nlohmann::json CodexSettingsToJson(const CodexSettings& settings);
CodexSettings CodexSettingsFromJson(const nlohmann::json& json);

// A fresh random id: `prefix` followed by 20 lowercase hex characters.
std::string NewId(absl::string_view prefix);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_TYPES_H_
