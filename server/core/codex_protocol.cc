#include "core/codex_protocol.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/compaction_text.h"
#include "common/json_access.h"
#include "common/json_depth.h"
#include "common/status_macros.h"
#include "common/utf8.h"

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

// Notifications stored with their params as they are.
const EventType* ParamsEventOf(const std::string& method) {
  static const auto* kTypes = new std::map<std::string, EventType>{
      {"turn/plan/updated", EventType::kPlanUpdated},
      {"turn/diff/updated", EventType::kTurnDiffUpdated},
      {"thread/status/changed", EventType::kThreadStatusChanged},
      {"model/rerouted", EventType::kModelRerouted},
      {"account/rateLimits/updated", EventType::kRateLimitsUpdated},
      {"mcpServer/startupStatus/updated", EventType::kMcpServerStatus},
      {"hook/started", EventType::kHookRun},
      {"hook/completed", EventType::kHookRun},
      {"item/commandExecution/terminalInteraction", EventType::kTerminalInput},
  };
  auto it = kTypes->find(method);
  return it == kTypes->end() ? nullptr : &it->second;
}

// An agentMessage Codex says to hide or block (`moderation.display.mode`,
// codex 0.171+) has its text replaced here, so no client shows it.
void ApplyModeration(json& item) {
  if (Str(item, "type") != "agentMessage") return;
  const json& display = Member(Member(item, "moderation"), "display");
  const std::string mode = Str(display, "mode");
  if (mode == "hide") {
    const std::string kind = Str(Member(display, "replacement"), "kind");
    item["text"] = kind == "wellbeingPromptHelpline"
                       ? "[Codex replaced this reply. If you are going "
                         "through a hard time, please reach out to a "
                         "helpline or someone you trust.]"
                       : "[Codex hid this reply.]";
  } else if (mode == "block") {
    const std::string kind = Str(Member(display, "reason"), "kind");
    item["text"] = absl::StrCat("[Codex blocked this reply",
                                kind.empty() ? "" : absl::StrCat(" (", kind, ")"),
                                ".]");
  }
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
    ApplyModeration(m.payload["item"]);
  } else if (method == "item/fileChange/patchUpdated") {
    // The fileChange item as item/started will give it, but with the
    // patch so far.
    m.type = EventType::kItemUpdated;
    m.payload = {{"item",
                  {{"type", "fileChange"},
                   {"id", Str(params, "itemId")},
                   {"status", "inProgress"},
                   {"changes", ArrayMember(params, "changes")}}}};
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
      m.payload["will_retry"] = true;
    }
    // A plain kind ("usageLimitExceeded") or an object carrying data.
    const json& info = Member(err, "codexErrorInfo");
    if (info.is_string()) {
      m.payload["codex_error_info"] = info;
    } else if (info.is_object()) {
      m.payload["codex_error_info"] =
          info.dump(-1, ' ', false, json::error_handler_t::replace);
    }
  } else if (const EventType* type = ParamsEventOf(method)) {
    // Stored as Codex sent the params; the API reads them (convert.cc).
    m.type = *type;
    m.payload = params.is_object() ? params : json::object();
  } else if (method == "skills/changed") {
    // A signal: its params say nothing (Codex 0.171 sends {}).
    m.type = EventType::kSkillsChanged;
    m.payload = json::object();
    m.codex_turn_id.clear();
  } else if (method == "thread/compacted") {
    m.type = EventType::kContextCompacted;
    m.payload = {{"message", kContextCompactedText},
                 {"details", ""}};
  } else if (method == "warning" || method == "guardianWarning" ||
             method == "configWarning" || method == "deprecationNotice") {
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
  if (method == "mcpServer/elicitation/request") {
    return ApprovalKind::kMcpElicitation;
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
  if (a.kind == ApprovalKind::kMcpElicitation) {
    // Its message (a user verification: its description).
    a.reason = Str(params, "message");
    if (a.reason.empty()) a.reason = Str(params, "description");
  }
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

namespace {

bool IsLegacy(const Approval& a) {
  return a.method == "execCommandApproval" || a.method == "applyPatchApproval";
}

json ParamsOf(const Approval& a) {
  json params = json::parse(a.params_json, nullptr, false);
  return params.is_object() ? params : json::object();
}

std::vector<std::string> Strings(const json& array) {
  std::vector<std::string> out;
  if (!array.is_array()) return out;
  for (const json& item : array) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

// One entry of `availableDecisions` as ours (kUnspecified: not expressible).
Decision DecisionOfOffer(const json& offer) {
  if (offer.is_string()) {
    const std::string& v = offer.get_ref<const std::string&>();
    if (v == "accept") return Decision::kApprove;
    if (v == "acceptForSession") return Decision::kApproveForSession;
    if (v == "decline") return Decision::kDeny;
    if (v == "cancel") return Decision::kAbort;
  } else if (offer.is_object() &&
             offer.contains("acceptWithExecpolicyAmendment")) {
    return Decision::kApproveAndRemember;
  }
  return Decision::kUnspecified;
}

// An elicitation answer as the JSON type its property asks for.
absl::StatusOr<json> TypedAnswer(const std::string& name,
                                 const std::string& text,
                                 const json& property) {
  const std::string type = Str(property, "type");
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("answers[", name, "]: ", why, ", got \"", text, "\""));
  };
  if (type == "boolean") {
    if (text == "true" || text == "yes") return json(true);
    if (text == "false" || text == "no") return json(false);
    return bad("expected true or false");
  }
  if (type == "integer" || type == "number") {
    json n = json::parse(text, nullptr, false);
    if (!n.is_number() || (type == "integer" && !n.is_number_integer())) {
      return bad(absl::StrCat("expected ", type == "integer" ? "an integer"
                                                             : "a number"));
    }
    return n;
  }
  if (type == "array") {
    // A list of values (an MCP form's multi-select), not lists of lists.
    json a = JsonNestsDeeperThan(text, 1) ? json()
                                          : json::parse(text, nullptr, false);
    if (a.is_array()) return a;
    json out = json::array();
    for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
      out.push_back(std::string(absl::StripAsciiWhitespace(part)));
    }
    return out;
  }
  // A string from a fixed set (`enum`, or `oneOf` of `const`s).
  std::vector<std::string> allowed = Strings(Member(property, "enum"));
  for (const json& option : ArrayMember(property, "oneOf")) {
    if (Member(option, "const").is_string()) {
      allowed.push_back(Member(option, "const").get<std::string>());
    }
  }
  if (!allowed.empty() &&
      std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
    return bad(absl::StrCat("expected one of ", absl::StrJoin(allowed, ", ")));
  }
  return json(text);
}

absl::StatusOr<json> ElicitationContent(
    const Approval& approval,
    const std::map<std::string, std::string>& answers) {
  const json schema = ElicitationOf(approval).requested_schema;
  const json& properties = ObjectMember(schema, "properties");
  json content = json::object();
  for (const auto& [name, text] : answers) {
    if (!properties.contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("answers[", name, "]: the form has no such field"));
    }
    ASSIGN_OR_RETURN(content[name], TypedAnswer(name, text, properties[name]));
  }
  for (const std::string& required : Strings(Member(schema, "required"))) {
    if (!content.contains(required)) {
      return absl::InvalidArgumentError(
          absl::StrCat("answers[", required, "]: required by the form"));
    }
  }
  return content;
}

// The answers to an `item/tool/requestUserInput` (ToolRequestUserInputParams
// asks `questions`; ToolRequestUserInputResponse answers
// `{id: {"answers": [text]}}`): each by one of the request's question ids,
// and one of a question's option labels when it offers options and no
// "other" answer (`isOther`). An empty text is no answer to that question.
absl::StatusOr<json> UserInputAnswers(
    const Approval& approval,
    const std::map<std::string, std::string>& answers) {
  const std::vector<UserInputQuestion> questions =
      UserInputQuestionsOf(approval);
  std::map<std::string, const UserInputQuestion*> by_id;
  for (const UserInputQuestion& q : questions) by_id.emplace(q.id, &q);
  json out = json::object();
  for (const auto& [id, text] : answers) {
    auto found = by_id.find(id);
    if (found == by_id.end()) {
      std::vector<std::string> ids;
      for (const UserInputQuestion& q : questions) ids.push_back(q.id);
      return absl::InvalidArgumentError(absl::StrCat(
          "answers[", id, "]: the request asks no such question (it asks ",
          ids.empty() ? "none" : absl::StrJoin(ids, ", "), ")"));
    }
    const UserInputQuestion* question = found->second;
    std::vector<std::string> labels;
    for (const auto& [label, description] : question->options) {
      labels.push_back(label);
    }
    // The text is not quoted back: the question may be a secret one.
    if (!text.empty() && !labels.empty() && !question->is_other &&
        std::find(labels.begin(), labels.end(), text) == labels.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "answers[", id, "]: expected one of ", absl::StrJoin(labels, ", "),
          " (the question takes no other answer)"));
    }
    out[id] = {{"answers", json::array({text})}};
  }
  return out;
}

}  // namespace

std::vector<Decision> OfferedDecisions(const Approval& approval) {
  switch (approval.kind) {
    case ApprovalKind::kUserInput:
      return {Decision::kApprove, Decision::kAbort};
    case ApprovalKind::kPermissions:
      return {Decision::kApprove, Decision::kApproveForSession,
              Decision::kDeny, Decision::kAbort};
    case ApprovalKind::kMcpElicitation:
      if (ElicitationOf(approval).mode == "openai/userVerification") {
        // A device proof we cannot produce: only no.
        return {Decision::kDeny, Decision::kAbort};
      }
      return {Decision::kApprove, Decision::kDeny, Decision::kAbort};
    case ApprovalKind::kCommandExecution:
    case ApprovalKind::kFileChange:
    case ApprovalKind::kUnspecified:
      break;
  }
  const json params = ParamsOf(approval);
  const json& offered = Member(params, "availableDecisions");
  std::vector<Decision> out;
  if (offered.is_array()) {
    for (const json& offer : offered) {
      const Decision d = DecisionOfOffer(offer);
      if (d != Decision::kUnspecified &&
          std::find(out.begin(), out.end(), d) == out.end()) {
        out.push_back(d);
      }
    }
    if (!out.empty()) return out;
  }
  out = {Decision::kApprove, Decision::kApproveForSession};
  if (approval.kind == ApprovalKind::kCommandExecution &&
      !ExecpolicyAmendmentOf(approval).empty()) {
    out.push_back(Decision::kApproveAndRemember);
  }
  out.push_back(Decision::kDeny);
  out.push_back(Decision::kAbort);
  return out;
}

std::vector<std::string> ExecpolicyAmendmentOf(const Approval& approval) {
  if (approval.kind != ApprovalKind::kCommandExecution) return {};
  const json params = ParamsOf(approval);
  for (const json& offer : ArrayMember(params, "availableDecisions")) {
    if (DecisionOfOffer(offer) == Decision::kApproveAndRemember) {
      std::vector<std::string> words = Strings(
          Member(Member(offer, "acceptWithExecpolicyAmendment"),
                 "execpolicy_amendment"));
      if (!words.empty()) return words;
    }
  }
  std::vector<std::string> words =
      Strings(Member(params, "proposedExecpolicyAmendment"));
  if (words.empty()) {
    words = Strings(Member(params, "proposed_execpolicy_amendment"));
  }
  return words;
}

Elicitation ElicitationOf(const Approval& approval) {
  Elicitation e;
  if (approval.kind != ApprovalKind::kMcpElicitation) return e;
  const json params = ParamsOf(approval);
  e.server_name = Str(params, "serverName");
  e.mode = Str(params, "mode");
  e.url = Str(params, "url");
  e.requested_schema = ObjectMember(params, "requestedSchema");
  return e;
}

std::vector<UserInputQuestion> UserInputQuestionsOf(const Approval& approval) {
  std::vector<UserInputQuestion> out;
  if (approval.kind != ApprovalKind::kUserInput) return out;
  const json params = ParamsOf(approval);
  std::set<std::string> ids;  // a runtime may list very many
  for (const json& q : ArrayMember(params, "questions")) {
    UserInputQuestion question;
    question.id = Str(q, "id");
    if (question.id.empty() || !ids.insert(question.id).second) continue;
    question.header = Str(q, "header");
    question.question = Str(q, "question");
    for (const json& option : ArrayMember(q, "options")) {
      if (!Str(option, "label").empty()) {
        question.options.emplace_back(Str(option, "label"),
                                      Str(option, "description"));
      }
    }
    question.is_other = BoolMember(q, "isOther");
    question.is_secret = BoolMember(q, "isSecret");
    out.push_back(std::move(question));
  }
  return out;
}

namespace {

// A FileSystemPath (path, glob pattern or special place) in words; "" for
// an unknown shape.
std::string PlaceOf(const json& path) {
  const std::string type = Str(path, "type");
  if (type == "path") return Str(path, "path");
  if (type == "glob_pattern") return Str(path, "pattern");
  if (type != "special") return "";
  const json& value = ObjectMember(path, "value");
  const std::string kind = Str(value, "kind");
  if (kind == "root") return "the whole file system";
  if (kind == "minimal") return "the minimal system files";
  if (kind == "tmpdir") return "$TMPDIR";
  if (kind == "slash_tmp") return "/tmp";
  if (kind == "unknown") return Str(value, "path");
  if (kind == "project_roots") {
    const std::string subpath = Str(value, "subpath");
    return subpath.empty() ? "the project roots"
                           : absl::StrCat("the project roots' ", subpath);
  }
  return "";
}

// The line counts of a unified diff's hunk header "@@ -L[,OLD] +L[,NEW] @@"
// (a count left out is 1); none (0) when it is not one.
void HunkCounts(absl::string_view header, int64_t* old_count,
                int64_t* new_count) {
  *old_count = *new_count = 0;
  std::vector<absl::string_view> words = absl::StrSplit(header, ' ');
  if (words.size() < 4 || words[0] != "@@" || words[3] != "@@") return;
  auto count = [](absl::string_view range, char sign, int64_t* out) {
    if (!absl::ConsumePrefix(&range, absl::string_view(&sign, 1))) return false;
    const size_t comma = range.find(',');
    if (comma == absl::string_view::npos) {
      *out = 1;
      return true;
    }
    return absl::SimpleAtoi(range.substr(comma + 1), out) && *out >= 0 &&
           *out <= 100000000;
  };
  if (!count(words[1], '-', old_count) || !count(words[2], '+', new_count)) {
    *old_count = *new_count = 0;
  }
}

}  // namespace

std::vector<std::string> ChangedFilesOf(const Approval& approval) {
  std::vector<std::string> files;
  if (approval.kind != ApprovalKind::kFileChange) return files;
  std::set<absl::string_view> seen;  // views into approval.diff
  auto add = [&](absl::string_view path) {
    if (!path.empty() && files.size() < kMaxChangedFiles &&
        seen.insert(path).second) {
      files.emplace_back(path);
    }
  };
  // A header is a "--- " line and the "+++ " line right after it, outside
  // a hunk: the lines a hunk's "@@ -L,OLD +L,NEW @@" counts are skipped,
  // so changed lines that look like headers are not taken for them. (An
  // added or deleted file's lines all start with "+" or all with "-".)
  absl::string_view before;
  int64_t old_left = 0, new_left = 0;
  for (absl::string_view line : absl::StrSplit(approval.diff, '\n')) {
    if (old_left > 0 || new_left > 0) {
      const char c = line.empty() ? ' ' : line[0];
      if (c != '+' && c != '\\') --old_left;
      if (c != '-' && c != '\\') --new_left;
      before = "";
      continue;
    }
    if (absl::StartsWith(line, "@@ ")) {
      HunkCounts(line, &old_left, &new_left);
      before = "";
      continue;
    }
    absl::string_view old_path = before;
    absl::string_view new_path = line;
    if (absl::ConsumePrefix(&old_path, "--- ")) {
      if (new_path == "+++ /dev/null") {
        if (absl::ConsumePrefix(&old_path, "a")) add(old_path);
      } else if (absl::ConsumePrefix(&new_path, "+++ b")) {
        // A move ("--- aOLD" over "+++ bNEW") deletes OLD as it writes NEW.
        if (absl::ConsumePrefix(&old_path, "a") && old_path != new_path) {
          add(old_path);
        }
        add(new_path);
      }
    }
    before = line;
  }
  return files;
}

std::vector<std::string> RequestedPermissionsOf(const Approval& approval) {
  std::vector<std::string> lines;
  if (approval.kind != ApprovalKind::kPermissions) return lines;
  const json params = ParamsOf(approval);
  const json& permissions = ObjectMember(params, "permissions");
  std::set<std::string> seen;
  size_t more = 0;
  auto add = [&](absl::string_view access, absl::string_view place) {
    if (place.empty()) return;
    std::string line =
        SafeText(access.empty() ? place : absl::StrCat(access, " ", place),
                 kMaxPermissionLineBytes - 3);  // "…" is 3 bytes
    if (!seen.insert(line).second) return;
    if (lines.size() < kMaxPermissionLines) {
      lines.push_back(std::move(line));
    } else {
      ++more;
    }
  };
  if (BoolMember(ObjectMember(permissions, "network"), "enabled")) {
    add("", "network access");
  }
  const json& file_system = ObjectMember(permissions, "fileSystem");
  for (const json& entry : ArrayMember(file_system, "entries")) {
    const std::string access = Str(entry, "access");
    if (access == "read" || access == "write" || access == "deny") {
      add(access, PlaceOf(ObjectMember(entry, "path")));
    }
  }
  for (const char* access : {"read", "write"}) {
    for (const json& path : ArrayMember(file_system, access)) {
      if (path.is_string()) add(access, path.get_ref<const std::string&>());
    }
  }
  if (more > 0) lines.push_back(absl::StrCat("and ", more, " more"));
  return lines;
}

absl::StatusOr<json> ApprovalResult(
    const Approval& approval, Decision decision,
    const std::map<std::string, std::string>& answers) {
  const bool takes_answers = approval.kind == ApprovalKind::kUserInput ||
                             approval.kind == ApprovalKind::kMcpElicitation;
  for (const auto& [name, text] : answers) {
    if (!takes_answers) {
      return absl::InvalidArgumentError(
          "answers: only a USER_INPUT or MCP_ELICITATION approval takes "
          "answers");
    }
    if (name.size() > kMaxAnswerNameBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("answers: a name is at most ", kMaxAnswerNameBytes,
                       " bytes, got ", name.size()));
    }
    if (text.size() > kMaxAnswerBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("answers[", name, "]: at most ", kMaxAnswerBytes,
                       " bytes, got ", text.size()));
    }
  }
  const bool grant = decision == Decision::kApprove ||
                     decision == Decision::kApproveForSession ||
                     decision == Decision::kApproveAndRemember;
  switch (approval.kind) {
    case ApprovalKind::kUserInput: {
      // Giving up sends no answers, so checks none.
      if (decision == Decision::kAbort) {
        return json{{"answers", json::object()}};
      }
      ASSIGN_OR_RETURN(json out, UserInputAnswers(approval, answers));
      return json{{"answers", std::move(out)}};
    }
    case ApprovalKind::kPermissions: {
      // The permissions granted: those requested on approve, none else.
      json granted = json::object();
      if (grant) granted = ObjectMember(ParamsOf(approval), "permissions");
      json result = {{"permissions", granted}};
      if (decision == Decision::kApproveForSession) result["scope"] = "session";
      return result;
    }
    case ApprovalKind::kMcpElicitation: {
      if (decision == Decision::kApprove) {
        ASSIGN_OR_RETURN(json content, ElicitationContent(approval, answers));
        json result = {{"action", "accept"}};
        // A form answers with its content; a URL or yes/no with none.
        if (!ObjectMember(ElicitationOf(approval).requested_schema,
                          "properties")
                 .empty()) {
          result["content"] = std::move(content);
        } else {
          result["content"] = nullptr;
        }
        return result;
      }
      return json{{"action", decision == Decision::kDeny ? "decline" : "cancel"},
                  {"content", nullptr}};
    }
    case ApprovalKind::kCommandExecution:
    case ApprovalKind::kFileChange:
    case ApprovalKind::kUnspecified:
      break;
  }
  const json amendment = ExecpolicyAmendmentOf(approval);
  if (IsLegacy(approval)) {  // ReviewDecision
    switch (decision) {
      case Decision::kApprove:
        return json{{"decision", "approved"}};
      case Decision::kApproveForSession:
        return json{{"decision", "approved_for_session"}};
      case Decision::kApproveAndRemember:
        return json{{"decision",
                     {{"approved_execpolicy_amendment",
                       {{"proposed_execpolicy_amendment", amendment}}}}}};
      case Decision::kAbort:
        return json{{"decision", "abort"}};
      case Decision::kDeny:
      case Decision::kUnspecified:
        break;
    }
    return json{{"decision", "denied"}};
  }
  switch (decision) {
    case Decision::kApprove:
      return json{{"decision", "accept"}};
    case Decision::kApproveForSession:
      return json{{"decision", "acceptForSession"}};
    case Decision::kApproveAndRemember:
      return json{{"decision",
                   {{"acceptWithExecpolicyAmendment",
                     {{"execpolicy_amendment", amendment}}}}}};
    case Decision::kAbort:
      return json{{"decision", "cancel"}};
    case Decision::kDeny:
    case Decision::kUnspecified:
      break;
  }
  return json{{"decision", "decline"}};
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

std::string RuntimeVersionOf(const std::string& user_agent) {
  const size_t slash = user_agent.find('/');
  if (slash == std::string::npos) return "";
  std::string version = user_agent.substr(slash + 1);
  version = version.substr(0, version.find(' '));
  if (version.empty() || version.size() > 32) return "";
  for (char c : version) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                    (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '+';
    if (!ok) return "";
  }
  return version;
}

TurnState TurnStateOfCodexStatus(const std::string& status) {
  if (status == "completed") return TurnState::kCompleted;
  if (status == "interrupted") return TurnState::kInterrupted;
  return TurnState::kFailed;
}

namespace {

constexpr std::pair<GoalStatus, const char*> kGoalStatuses[] = {
    {GoalStatus::kActive, "active"},
    {GoalStatus::kPaused, "paused"},
    {GoalStatus::kBlocked, "blocked"},
    {GoalStatus::kUsageLimited, "usageLimited"},
    {GoalStatus::kBudgetLimited, "budgetLimited"},
    {GoalStatus::kComplete, "complete"},
};

}  // namespace

std::string CodexGoalStatus(GoalStatus status) {
  for (const auto& [ours, codex] : kGoalStatuses) {
    if (ours == status) return codex;
  }
  return "";
}

CodexSettings CodexSettingsOf(const json& settings) {
  auto text = [&](std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
      const json& value = Member(settings, key);
      if (value.is_string()) return SafeText(value.get<std::string>(), 200);
    }
    return std::string();
  };
  CodexSettings s;
  s.model = text({"model"});
  s.model_provider = text({"modelProvider"});
  s.effort = text({"reasoningEffort", "effort"});
  s.service_tier = text({"serviceTier"});
  s.approval_policy = text({"approvalPolicy"});
  if (Member(settings, "approvalPolicy").is_object()) {
    s.approval_policy = "granular";
  }
  s.approvals_reviewer = text({"approvalsReviewer"});
  const std::string mode =
      StringMember(Member(settings, "collaborationMode"), "mode");
  if (mode == "plan" || mode == "default") s.collaboration_mode = mode;
  const json& sandbox = Member(settings, "sandbox").is_object()
                            ? Member(settings, "sandbox")
                            : Member(settings, "sandboxPolicy");
  const std::string type = StringMember(sandbox, "type");
  if (type == "readOnly") {
    s.sandbox = "read-only";
  } else if (type == "workspaceWrite") {
    s.sandbox = "workspace-write";
  } else if (type == "dangerFullAccess") {
    s.sandbox = "danger-full-access";
  } else if (type == "externalSandbox") {
    s.sandbox = "external-sandbox";
  }
  return s;
}

std::optional<SessionGoal> GoalOfCodex(const json& goal) {
  const json& objective = Member(goal, "objective");
  if (!objective.is_string()) return std::nullopt;
  SessionGoal g;
  g.objective = SafeText(objective.get<std::string>(), kMaxGoalObjectiveBytes);
  const std::string status = StringMember(goal, "status");
  for (const auto& [ours, codex] : kGoalStatuses) {
    if (status == codex) g.status = ours;
  }
  if (Member(goal, "tokenBudget").is_number()) {
    g.token_budget = IntMember(goal, "tokenBudget");
  }
  g.tokens_used = IntMember(goal, "tokensUsed");
  g.time_used_seconds = IntMember(goal, "timeUsedSeconds");
  // Unix seconds; out of absl::Time's sane range reads as the epoch.
  auto seconds = [&](const char* key) {
    const int64_t s = IntMember(goal, key);
    return s > 0 && s < (int64_t{1} << 40) ? absl::FromUnixSeconds(s)
                                          : absl::UnixEpoch();
  };
  g.create_time = seconds("createdAt");
  g.update_time = seconds("updatedAt");
  return g;
}

}  // namespace codex_manager
