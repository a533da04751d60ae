#include "core/types.h"

#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/json_access.h"

namespace codex_manager {

absl::string_view SessionStateName(SessionState s) {
  switch (s) {
    case SessionState::kStarting:
      return "STARTING";
    case SessionState::kIdle:
      return "IDLE";
    case SessionState::kBusy:
      return "BUSY";
    case SessionState::kStopped:
      return "STOPPED";
    case SessionState::kFailed:
      return "FAILED";
    case SessionState::kArchived:
      return "ARCHIVED";
    case SessionState::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

absl::string_view RoleName(Role r) {
  switch (r) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
    case Role::kUnspecified:
      break;
  }
  return "none";
}

AuditRecord AuditOk(const Caller& caller, absl::string_view resource_id,
                    absl::Time when) {
  AuditRecord r;
  r.time = when;
  r.caller = caller;
  r.resource_id = std::string(resource_id);
  return r;
}

absl::string_view TurnStateName(TurnState s) {
  switch (s) {
    case TurnState::kQueued:
      return "QUEUED";
    case TurnState::kRunning:
      return "RUNNING";
    case TurnState::kCompleted:
      return "COMPLETED";
    case TurnState::kInterrupted:
      return "INTERRUPTED";
    case TurnState::kFailed:
      return "FAILED";
    case TurnState::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

absl::string_view ApprovalStateName(ApprovalState s) {
  switch (s) {
    case ApprovalState::kPending:
      return "PENDING";
    case ApprovalState::kApproved:
      return "APPROVED";
    case ApprovalState::kDenied:
      return "DENIED";
    case ApprovalState::kExpired:
      return "EXPIRED";
    case ApprovalState::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

absl::string_view DecisionName(Decision d) {
  switch (d) {
    case Decision::kApprove:
      return "APPROVE";
    case Decision::kApproveForSession:
      return "APPROVE_FOR_SESSION";
    case Decision::kDeny:
      return "DENY";
    case Decision::kAbort:
      return "ABORT";
    case Decision::kApproveAndRemember:
      return "APPROVE_AND_REMEMBER";
    case Decision::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

nlohmann::json ApprovalToJson(const Approval& a) {
  nlohmann::json j = {
      {"approval_id", a.approval_id},
      {"session_id", a.session_id},
      {"turn_id", a.turn_id},
      {"kind", static_cast<int>(a.kind)},
      {"state", static_cast<int>(a.state)},
      {"command", a.command},
      {"cwd", a.cwd},
      {"reason", a.reason},
      {"diff", a.diff},
      {"item_id", a.item_id},
      {"params_json", a.params_json},
      {"method", a.method},
      {"decision", static_cast<int>(a.decision)},
      {"create_us", absl::ToUnixMicros(a.create_time)},
  };
  if (a.resolve_time) j["resolve_us"] = absl::ToUnixMicros(*a.resolve_time);
  if (!a.sub_agent_thread_id.empty()) {
    j["sub_agent_thread_id"] = a.sub_agent_thread_id;
    j["sub_agent_path"] = a.sub_agent_path;
  }
  return j;
}

Approval ApprovalFromJson(const nlohmann::json& j) {
  Approval a;
  if (!j.is_object()) return a;
  a.approval_id = j.value("approval_id", "");
  a.session_id = j.value("session_id", "");
  a.turn_id = j.value("turn_id", "");
  a.kind = static_cast<ApprovalKind>(j.value("kind", 0));
  a.state = static_cast<ApprovalState>(j.value("state", 0));
  a.command = j.value("command", "");
  a.cwd = j.value("cwd", "");
  a.reason = j.value("reason", "");
  a.diff = j.value("diff", "");
  a.item_id = j.value("item_id", "");
  a.params_json = j.value("params_json", "");
  a.method = j.value("method", "");
  a.decision = static_cast<Decision>(j.value("decision", 0));
  a.create_time = absl::FromUnixMicros(j.value("create_us", int64_t{0}));
  if (j.contains("resolve_us")) {
    a.resolve_time = absl::FromUnixMicros(j.value("resolve_us", int64_t{0}));
  }
  a.sub_agent_thread_id = j.value("sub_agent_thread_id", "");
  a.sub_agent_path = j.value("sub_agent_path", "");
  return a;
}

namespace {

// CodexSettings' fields by their JSON (proto) names.
constexpr std::pair<const char*, std::string CodexSettings::*>
    kCodexSettingsFields[] = {
        {"model", &CodexSettings::model},
        {"model_provider", &CodexSettings::model_provider},
        {"effort", &CodexSettings::effort},
        {"approval_policy", &CodexSettings::approval_policy},
        {"sandbox", &CodexSettings::sandbox},
        {"approvals_reviewer", &CodexSettings::approvals_reviewer},
        {"collaboration_mode", &CodexSettings::collaboration_mode},
        {"service_tier", &CodexSettings::service_tier},
};

}  // namespace

nlohmann::json CodexSettingsToJson(const CodexSettings& settings) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, field] : kCodexSettingsFields) {
    if (!(settings.*field).empty()) j[name] = settings.*field;
  }
  return j;
}

CodexSettings CodexSettingsFromJson(const nlohmann::json& j) {
  CodexSettings settings;
  for (const auto& [name, field] : kCodexSettingsFields) {
    settings.*field = StringMember(j, name);
  }
  return settings;
}

nlohmann::json GoalToJson(const SessionGoal& g) {
  nlohmann::json j = {
      {"objective", g.objective},
      {"status", static_cast<int>(g.status)},
      {"tokens_used", g.tokens_used},
      {"time_used_seconds", g.time_used_seconds},
      {"create_us", absl::ToUnixMicros(g.create_time)},
      {"update_us", absl::ToUnixMicros(g.update_time)},
  };
  if (g.token_budget) j["token_budget"] = *g.token_budget;
  return j;
}

std::optional<SessionGoal> GoalFromJson(const nlohmann::json& j) {
  const nlohmann::json& objective = Member(j, "objective");
  if (!objective.is_string()) return std::nullopt;
  SessionGoal g;
  g.objective = objective.get<std::string>();
  const int64_t status = IntMember(j, "status");
  g.status = status >= 0 && status <= static_cast<int>(GoalStatus::kComplete)
                 ? static_cast<GoalStatus>(status)
                 : GoalStatus::kUnspecified;
  if (Member(j, "token_budget").is_number_integer()) {
    g.token_budget = IntMember(j, "token_budget");
  }
  g.tokens_used = IntMember(j, "tokens_used");
  g.time_used_seconds = IntMember(j, "time_used_seconds");
  g.create_time = absl::FromUnixMicros(IntMember(j, "create_us"));
  g.update_time = absl::FromUnixMicros(IntMember(j, "update_us"));
  return g;
}

std::string NewId(absl::string_view prefix) {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local absl::BitGen gen;
  std::string id(prefix);
  for (int i = 0; i < 20; ++i) id.push_back(kHex[absl::Uniform(gen, 0, 16)]);
  return id;
}

}  // namespace codex_manager
