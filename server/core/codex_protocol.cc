#include "core/codex_protocol.h"

#include "absl/strings/str_cat.h"
#include "common/json_access.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

// Every read of a runtime's params goes through common/json_access.h:
// a member of the wrong type reads as empty, never throws.
std::string Str(const json& obj, const char* key) {
  return StringMember(obj, key);
}

std::string TurnIdOf(const json& params) {
  std::string id = Str(params, "turnId");
  if (id.empty()) id = Str(Member(params, "turn"), "id");
  return id;
}

json DeltaPayload(const std::string& method, const json& params) {
  return {{"item_id", Str(params, "itemId")},
          {"text", Str(params, "delta")},
          {"method", method}};
}

}  // namespace

MappedNotification MapNotification(const std::string& method,
                                   const json& params) {
  MappedNotification m;
  m.codex_turn_id = TurnIdOf(params);
  if (method == "item/started" || method == "item/completed") {
    m.type = method == "item/started" ? EventType::kItemStarted
                                      : EventType::kItemCompleted;
    m.payload = {{"item", ObjectMember(params, "item")}};
  } else if (method == "item/agentMessage/delta") {
    m.type = EventType::kAgentMessageDelta;
    m.payload = DeltaPayload(method, params);
  } else if (method == "item/commandExecution/outputDelta") {
    m.type = EventType::kCommandOutputDelta;
    m.payload = DeltaPayload(method, params);
  } else if (method == "item/reasoning/summaryTextDelta" ||
             method == "item/reasoning/textDelta") {
    m.type = EventType::kReasoningDelta;
    m.payload = DeltaPayload(method, params);
  } else if (method == "item/fileChange/outputDelta" ||
             method == "item/plan/delta") {
    m.type = EventType::kItemDelta;
    m.payload = DeltaPayload(method, params);
  } else if (method == "thread/tokenUsage/updated") {
    m.type = EventType::kTokenUsage;
    m.payload = ObjectMember(params, "tokenUsage");
  } else if (method == "error") {
    m.type = EventType::kError;
    const json& err = Member(params, "error");
    m.payload = {{"message", Str(err, "message")},
                 {"details", Str(err, "additionalDetails")}};
    if (BoolMember(params, "willRetry")) {
      m.payload["details"] = absl::StrCat(
          m.payload["details"].get<std::string>(), " (will retry)");
    }
  } else if (method == "warning" || method == "configWarning" ||
             method == "deprecationNotice") {
    m.type = EventType::kWarning;
    std::string message = Str(params, "message");
    if (message.empty()) message = Str(params, "summary");
    m.payload = {{"message", message}, {"details", Str(params, "details")}};
  } else {
    m.type = EventType::kRaw;
    m.payload = {{"method", method}, {"params", params}};
  }
  return m;
}

std::optional<ApprovalKind> ApprovalKindOf(const std::string& method) {
  if (method == "item/commandExecution/requestApproval" ||
      method == "execCommandApproval") {
    return ApprovalKind::kCommandExecution;
  }
  if (method == "item/fileChange/requestApproval" ||
      method == "applyPatchApproval") {
    return ApprovalKind::kFileChange;
  }
  if (method == "item/tool/requestUserInput") return ApprovalKind::kUserInput;
  if (method == "item/permissions/requestApproval") {
    return ApprovalKind::kPermissions;
  }
  return std::nullopt;
}

Approval ApprovalFromRequest(const std::string& method, const json& params,
                             std::string* codex_turn_id) {
  Approval a;
  a.kind = ApprovalKindOf(method).value_or(ApprovalKind::kUnspecified);
  a.state = ApprovalState::kPending;
  a.method = method;
  a.item_id = Str(params, "itemId");
  a.reason = Str(params, "reason");
  a.cwd = Str(params, "cwd");
  a.command = Str(params, "command");
  if (const json& argv = Member(params, "command");
      a.command.empty() && argv.is_array()) {
    // Legacy `execCommandApproval` sends argv.
    for (const json& arg : argv) {
      if (!a.command.empty()) a.command += ' ';
      if (arg.is_string()) a.command += arg.get<std::string>();
    }
  }
  a.params_json = params.dump(-1, ' ', false, json::error_handler_t::replace);
  *codex_turn_id = TurnIdOf(params);
  return a;
}

json ApprovalResult(const Approval& approval, Decision decision,
                    const std::map<std::string, std::string>& answers) {
  const ApprovalKind kind = approval.kind;
  if (kind == ApprovalKind::kUserInput) {
    json out = json::object();
    for (const auto& [id, text] : answers) {
      out[id] = {{"answers", json::array({text})}};
    }
    return {{"answers", out}};
  }
  if (kind == ApprovalKind::kPermissions) {
    // Answered with the permissions granted: those requested on approve,
    // none on deny.
    const bool grant = decision == Decision::kApprove ||
                       decision == Decision::kApproveForSession;
    json requested = json::object();
    if (grant) {
      json params = json::parse(approval.params_json, nullptr, false);
      requested = ObjectMember(params, "permissions");
    }
    json result = {{"permissions", requested}};
    if (decision == Decision::kApproveForSession) result["scope"] = "session";
    return result;
  }
  const char* value = "decline";
  switch (decision) {
    case Decision::kApprove:
      value = "accept";
      break;
    case Decision::kApproveForSession:
      value = "acceptForSession";
      break;
    case Decision::kDeny:
      value = "decline";
      break;
    case Decision::kAbort:
      value = "cancel";
      break;
    case Decision::kUnspecified:
      break;
  }
  return {{"decision", value}};
}

namespace {

// Every line of `text` with `prefix` in front ("+" for added files).
std::string PrefixLines(const std::string& text, char prefix) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(prefix);
    out.append(text, start, nl - start);
    out.push_back('\n');
    start = nl + 1;
  }
  return out;
}

// "/path" for "a/path"-style headers, whether `path` is absolute or not.
std::string Rooted(const std::string& path) {
  return !path.empty() && path[0] == '/' ? path : "/" + path;
}

}  // namespace

std::string DiffOfFileChange(const json& item) {
  const json& changes = Member(item, "changes");
  if (!changes.is_array()) return "";
  std::string out;
  for (const json& change : changes) {
    const std::string path = Rooted(Str(change, "path"));
    const json& kind = Member(change, "kind");
    const std::string type = kind.is_object()   ? Str(kind, "type")
                             : kind.is_string() ? kind.get<std::string>()
                                                : "";
    const std::string diff = Str(change, "diff");
    if (type == "add") {
      // Codex gives an added file's content; show it as a diff.
      absl::StrAppend(&out, "--- /dev/null\n+++ b", path, "\n",
                      PrefixLines(diff, '+'));
    } else if (type == "delete") {
      absl::StrAppend(&out, "--- a", path, "\n+++ /dev/null\n",
                      PrefixLines(diff, '-'));
    } else {
      // An update: Codex gives unified hunks.
      const std::string moved = Str(kind, "move_path");
      absl::StrAppend(&out, "--- a", path, "\n+++ b",
                      moved.empty() ? path : Rooted(moved), "\n", diff);
      if (!out.empty() && out.back() != '\n') out.push_back('\n');
    }
  }
  return out;
}

TurnState TurnStateOfCodexStatus(const std::string& status) {
  if (status == "completed") return TurnState::kCompleted;
  if (status == "interrupted") return TurnState::kInterrupted;
  return TurnState::kFailed;
}

}  // namespace codex_manager
