// Translation between the Codex app-server protocol (JSON-RPC methods of the
// pinned @openai/codex release; `codex app-server generate-json-schema`)
// and Codex Manager's events and approvals. Pure functions, no I/O.
#ifndef CODEX_MANAGER_SERVER_CORE_CODEX_PROTOCOL_H_
#define CODEX_MANAGER_SERVER_CORE_CODEX_PROTOCOL_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/types.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

// A Codex notification as an event of ours.
struct MappedNotification {
  EventType type = EventType::kRaw;
  // Codex's turn id when the notification names one (params.turnId or
  // params.turn.id); the core translates it to its own turn id.
  std::string codex_turn_id;
  nlohmann::json payload = nlohmann::json::object();
};

// Maps any notification: known methods to typed events (payload shapes in
// docs/architecture.md), everything else to kRaw {method, params}.
MappedNotification MapNotification(const std::string& method,
                                   const nlohmann::json& params);

// The approval kind of a Codex server request method, or nullopt when the
// method is not one a person decides (e.g. `item/tool/call`).
std::optional<ApprovalKind> ApprovalKindOf(const std::string& method);

// Builds a PENDING approval (no ids or times) from a server request whose
// method ApprovalKindOf accepts. `codex_turn_id` receives params.turnId.
Approval ApprovalFromRequest(const std::string& method,
                             const nlohmann::json& params,
                             std::string* codex_turn_id);

// The decisions Codex offers for `approval`, in its order: the request's
// `availableDecisions` when it sent them (entries we cannot express, e.g.
// `applyNetworkPolicyAmendment`, are left out), else the kind's defaults.
std::vector<Decision> OfferedDecisions(const Approval& approval);

// The command prefix an APPROVE_AND_REMEMBER allows from then on: from the
// offered `acceptWithExecpolicyAmendment`, else `proposedExecpolicyAmendment`
// (legacy: `proposed_execpolicy_amendment`); empty when none.
std::vector<std::string> ExecpolicyAmendmentOf(const Approval& approval);

// What an MCP elicitation asks (`mcpServer/elicitation/request` params).
struct Elicitation {
  std::string server_name;
  std::string mode;  // "form", "url", "openai/userVerification", …
  std::string url;   // "url" mode
  nlohmann::json requested_schema = nlohmann::json::object();  // form modes
};
Elicitation ElicitationOf(const Approval& approval);

// A question of an `item/tool/requestUserInput`
// (ToolRequestUserInputQuestion).
struct UserInputQuestion {
  std::string id;
  std::string header;
  std::string question;
  // Label, then description; options without a label are left out.
  std::vector<std::pair<std::string, std::string>> options;
  bool is_other = false;  // any text answers it, not only a label
  bool is_secret = false;
};
// The questions of a USER_INPUT approval's params (ToolRequestUserInputParams
// `questions`), in order: those with an id, the first of an id asked
// twice; none for other kinds or params that list none.
std::vector<UserInputQuestion> UserInputQuestionsOf(const Approval& approval);

// The files a FILE_CHANGE approval's change writes or deletes, from its
// `diff` (DiffOfFileChange's "+++ bPATH" headers, and the "--- aPATH" of a
// deletion or of a move's old path, listed before its new one), in order,
// each once, the first kMaxChangedFiles; PATH as Codex gave it (absolute).
// Empty for other kinds or an unknown diff.
inline constexpr size_t kMaxChangedFiles = 1000;
std::vector<std::string> ChangedFilesOf(const Approval& approval);

// What a PERMISSIONS approval asks to be granted (Codex
// PermissionsRequestApprovalParams `permissions`, a RequestPermissionProfile),
// a line each, in the request's order, each once: "network access", then
// "read PLACE", "write PLACE" or "deny PLACE" for each file-system entry
// (and the legacy `read` / `write` lists). PLACE is a path, a glob pattern,
// or one of Codex's special places in words ("the whole file system",
// "the minimal system files", "the project roots", "the project roots'
// SUBPATH", "$TMPDIR", "/tmp"). Entries of an unknown shape are left out
// (params_json keeps them); each line is valid UTF-8 of at most
// kMaxPermissionLineBytes (SafeText, "…" ending a cut one); past
// kMaxPermissionLines lines, one more says how many were left out ("and N
// more"). Empty for other kinds.
inline constexpr size_t kMaxPermissionLines = 100;
inline constexpr size_t kMaxPermissionLineBytes = 1024;
std::vector<std::string> RequestedPermissionsOf(const Approval& approval);

// The JSON-RPC result that answers an approval request with `decision`, one
// of OfferedDecisions (the caller checks):
// - commands and file changes: {"decision": "accept" | "acceptForSession" |
//   {"acceptWithExecpolicyAmendment": {...}} | "decline" | "cancel"}; the
//   legacy methods' ReviewDecision ("approved", "approved_for_session",
//   {"approved_execpolicy_amendment": {...}}, "denied", "abort");
// - USER_INPUT: `{"answers": {id: {"answers": [text]}}}` (none on ABORT,
//   whose answers are not checked beyond their sizes);
// - PERMISSIONS: the requested permissions on approve, none otherwise;
// - MCP_ELICITATION: {"action": "accept", "content": {...}} from `answers`
//   typed by the requested schema, or "decline" / "cancel".
// INVALID_ARGUMENT "answers[NAME]: …" when an elicitation answer does not
// fit its schema or a required one is missing; when a USER_INPUT answer
// names no question of the request, or is not one of the options of a
// question that offers options and no other answer (`isOther`); when an
// answer is longer than kMaxAnswerBytes or its name than
// kMaxAnswerNameBytes; "answers: …" when the kind takes no answers.
inline constexpr size_t kMaxAnswerBytes = 64 * 1024;
inline constexpr size_t kMaxAnswerNameBytes = 256;
absl::StatusOr<nlohmann::json> ApprovalResult(
    const Approval& approval, Decision decision,
    const std::map<std::string, std::string>& answers);

// The unified diff of a `fileChange` item's `changes` (empty if none).
std::string DiffOfFileChange(const nlohmann::json& item);

// The Codex version in `initialize`'s userAgent ("codex-manager/0.169.0
// (Debian 12; x86_64) …" -> "0.169.0"): the text after the first '/' up to
// a space, kept when it is at most 32 characters of digits, letters, '.',
// '-' and '+'; else "".
std::string RuntimeVersionOf(const std::string& user_agent);

// The turn state of a Codex `turn/completed` status string.
TurnState TurnStateOfCodexStatus(const std::string& status);

// Longest goal objective kept or sent, in bytes (SetSessionGoalRequest).
inline constexpr size_t kMaxGoalObjectiveBytes = 4000;

// A Codex ThreadGoal (`thread/goal/updated` params.goal, the result of
// `thread/goal/set` and `thread/goal/get`); nullopt when it is not one (not
// an object, no objective string). The objective is made valid UTF-8 and
// cut at kMaxGoalObjectiveBytes; Codex's times are Unix seconds; an
// unknown status reads as kUnspecified.
std::optional<SessionGoal> GoalOfCodex(const nlohmann::json& goal);

// CodexSettings from what Codex says of a thread's settings: the answer to
// `thread/start` / `thread/resume` (model, modelProvider, reasoningEffort,
// approvalPolicy, approvalsReviewer, sandbox, serviceTier) or a ThreadSettings
// (`thread/settings/updated` params.threadSettings: effort and
// sandboxPolicy instead). A SandboxPolicy's type becomes our sandbox name
// (readOnly → "read-only"), a granular approval policy "granular"; values
// of the wrong type are left empty, strings are made valid UTF-8 and cut
// at 200 bytes (SafeText: "…" marks a cut).
CodexSettings CodexSettingsOf(const nlohmann::json& settings);

// The approvals reviewer every thread is opened with (Codex
// ApprovalsReviewer): a person. A runtime whose thread reports another is
// stopped (docs/security.md).
inline constexpr char kApprovalsReviewer[] = "user";

// Codex's ThreadGoalStatus for `status` ("active", "paused", "blocked",
// "usageLimited", "budgetLimited", "complete"); "" for kUnspecified.
std::string CodexGoalStatus(GoalStatus status);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_CODEX_PROTOCOL_H_
