// libFuzzer target: one line from a Codex child, through everything the
// server does with it before it becomes an event — JsonRpcConnection's
// parse (size and depth limits), the Codex protocol mapping (notifications,
// approval requests and their answers, file-change diffs), the parsers of
// one-off call answers (model/list, thread/read and thread/fork, with a
// thread's history as the events an import stores), the hooks/list answer
// (the hooks Codex skips), the thread/backgroundTerminals/list,
// fuzzyFileSearch, skills/list, mcpServerStatus/list and
// experimentalFeature/list answers, a thread
// goal and the payload cap. Nothing may crash, hang or read out of bounds, and
// every string it produces must be valid UTF-8 (the seed corpus:
// fuzz/corpus/json_rpc, recorded from the pinned Codex by
// fuzz/record_codex_corpus.py).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/json_access.h"
#include "common/utf8.h"
#include "core/background_terminals.h"
#include "core/codex_catalog.h"
#include "core/codex_features.h"
#include "core/codex_hooks.h"
#include "core/codex_protocol.h"
#include "core/event_log.h"
#include "core/file_search.h"
#include "core/mcp_servers.h"
#include "core/skills.h"
#include "runtime/json_rpc.h"

namespace {

using codex_manager::Approval;
using codex_manager::Decision;
using json = nlohmann::json;

// Aborts (a finding) when `text` is not valid UTF-8.
void RequireUtf8(const std::string& text) {
  if (codex_manager::ToValidUtf8(text) != text) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view line(reinterpret_cast<const char*>(data), size);
  RequireUtf8(codex_manager::SafeText(line, 500));
  absl::StatusOr<json> message =
      codex_manager::JsonRpcConnection::ParseMessage(line, 128);
  if (!message.ok()) {
    RequireUtf8(std::string(message.status().message()));
    return 0;
  }
  const std::string method = codex_manager::StringMember(*message, "method");
  const json& params = codex_manager::Member(*message, "params");
  codex_manager::MappedNotification m =
      codex_manager::MapNotification(method, params);
  RequireUtf8(m.payload.dump());  // throws on invalid UTF-8 without a handler
  if (codex_manager::ApprovalKindOf(method)) {
    std::string codex_turn_id;
    Approval a =
        codex_manager::ApprovalFromRequest(method, params, &codex_turn_id);
    // Every decision Codex offers, with answers that fit and ones that do
    // not: a result or a clean error, never a throw.
    // A question's answers go by its id and may have to be one of its
    // option labels: answer every question the request asks, and one it
    // does not.
    std::vector<std::string> keys = {"q"};
    for (const json& q : codex_manager::ArrayMember(params, "questions")) {
      keys.push_back(codex_manager::StringMember(q, "id"));
      for (const json& o : codex_manager::ArrayMember(q, "options")) {
        keys.push_back(codex_manager::StringMember(o, "label"));
      }
    }
    for (Decision d : codex_manager::OfferedDecisions(a)) {
      for (const char* answer : {"answer", "12", "true", "[1,2]"}) {
        std::map<std::string, std::string> answers;
        for (const std::string& key : keys) answers[key] = answer;
        for (const auto& one :
             {std::map<std::string, std::string>{{"q", answer}}, answers}) {
          absl::StatusOr<json> result =
              codex_manager::ApprovalResult(a, d, one);
          if (result.ok()) {
            (void)result->dump(-1, ' ', false, json::error_handler_t::replace);
          } else {
            RequireUtf8(std::string(result.status().message()));
          }
        }
      }
    }
    for (const std::string& word : codex_manager::ExecpolicyAmendmentOf(a)) {
      (void)word;
    }
    (void)codex_manager::ElicitationOf(a).requested_schema.dump(
        -1, ' ', false, json::error_handler_t::replace);
    // What a permissions request asks, in words: bounded, valid UTF-8.
    const std::vector<std::string> permissions =
        codex_manager::RequestedPermissionsOf(a);
    if (permissions.size() > codex_manager::kMaxPermissionLines + 1) abort();
    for (const std::string& line : permissions) {
      if (line.size() > codex_manager::kMaxPermissionLineBytes) abort();
      RequireUtf8(line);
    }
  }
  RequireUtf8(codex_manager::RuntimeVersionOf(
      codex_manager::StringMember(codex_manager::Member(*message, "result"),
                                  "userAgent")));
  // A change's diff, and the files read back from its headers.
  Approval change;
  change.kind = codex_manager::ApprovalKind::kFileChange;
  change.diff = codex_manager::DiffOfFileChange(
      codex_manager::ObjectMember(params, "item"));
  RequireUtf8(change.diff);
  for (const std::string& file : codex_manager::ChangedFilesOf(change)) {
    RequireUtf8(file);
  }
  // As an answer to a one-off call (CodexCatalog).
  const json& result = codex_manager::Member(*message, "result");
  for (const codex_manager::CodexModel& model : codex_manager::ModelsOf(result)) {
    RequireUtf8(model.model + model.display_name + model.default_effort);
  }
  // As the answer to config/read: only compared with model names.
  (void)codex_manager::ConfiguredModelOf(result, "mock");
  const codex_manager::CodexThread thread =
      codex_manager::ThreadOf(codex_manager::Member(result, "thread"));
  for (const codex_manager::HistoryTurn& turn : thread.history) {
    RequireUtf8(turn.prompt + turn.final_message + turn.error);
    for (const json& item : turn.items) {
      RequireUtf8(codex_manager::MapNotification(
                      "item/completed",
                      {{"item", item}, {"turnId", turn.codex_turn_id}})
                      .payload.dump());
    }
  }
  // As the answer to hooks/list (codex_hooks.h).
  if (std::optional<codex_manager::SkippedHooks> skipped =
          codex_manager::SkippedHooksOf(result)) {
    RequireUtf8(skipped->message + skipped->details);
  }
  // As the answer to thread/backgroundTerminals/list.
  for (const codex_manager::BackgroundTerminal& t :
       codex_manager::BackgroundTerminalsOf(result)) {
    RequireUtf8(t.process_id + t.item_id + t.command + t.cwd);
    if (t.cpu_percent && !(*t.cpu_percent >= 0)) std::abort();
  }
  // As the answer to fuzzyFileSearch: paths kept whole or left out,
  // indices inside them, ascending, each once.
  for (const codex_manager::FileMatch& match :
       codex_manager::FileMatchesOf(result, codex_manager::kMaxFileMatches)) {
    if (match.path.empty() ||
        match.path.size() > codex_manager::kMaxFilePathBytes ||
        match.file_name.size() > codex_manager::kMaxFilePathBytes) {
      std::abort();
    }
    RequireUtf8(match.path + match.file_name);
    for (size_t i = 0; i < match.indices.size(); ++i) {
      if (match.indices[i] >= match.path.size() ||
          (i > 0 && match.indices[i] <= match.indices[i - 1])) {
        std::abort();
      }
    }
  }
  // As the answer to skills/list: names and paths whole, the rest cut.
  const codex_manager::SkillList skills = codex_manager::SkillsOf(result);
  if (skills.skills.size() > codex_manager::kMaxListedSkills ||
      skills.errors.size() > codex_manager::kMaxListedSkillErrors) {
    std::abort();
  }
  for (const codex_manager::Skill& skill : skills.skills) {
    if (skill.name.empty() ||
        skill.name.size() > codex_manager::kMaxSkillNameBytes ||
        skill.path.size() > codex_manager::kMaxSkillPathBytes ||
        skill.description.size() > codex_manager::kMaxSkillTextBytes + 3) {
      std::abort();
    }
    RequireUtf8(skill.name + skill.description + skill.short_description +
                skill.display_name + skill.path + skill.scope);
  }
  for (const codex_manager::SkillError& error : skills.errors) {
    RequireUtf8(error.path + error.message);
  }
  // As the answer to mcpServerStatus/list: bounded, valid UTF-8.
  const std::vector<codex_manager::McpServer> servers =
      codex_manager::McpServersOf(result);
  if (servers.size() > codex_manager::kMaxListedMcpServers) std::abort();
  size_t tools = 0;
  for (const codex_manager::McpServer& server : servers) {
    tools += server.tools.size();
    if (server.name.empty() || tools > codex_manager::kMaxListedMcpTools) {
      std::abort();
    }
    RequireUtf8(server.name + server.connection + server.auth_status +
                server.title + server.version + server.error +
                server.http_origin);
    for (const codex_manager::McpTool& tool : server.tools) {
      RequireUtf8(tool.name + tool.title + tool.description);
    }
  }
  // As the answer to experimentalFeature/list: names whole and settable,
  // the rest cut, bounded even over many pages.
  std::vector<codex_manager::CodexFeature> features;
  for (int page = 0; page < 3; ++page) {
    codex_manager::AppendFeatures(result, features);
  }
  if (features.size() > codex_manager::kMaxListedFeatures) std::abort();
  for (const codex_manager::CodexFeature& f : features) {
    if (!codex_manager::IsFeatureName(f.name) ||
        f.description.size() > codex_manager::kMaxFeatureTextBytes + 3) {
      std::abort();
    }
    RequireUtf8(f.stage + f.display_name + f.description + f.announcement);
    (void)codex_manager::FeatureEdit(f.name, std::nullopt).dump();
  }
  // As a thread goal: `thread/goal/updated` params.goal, or the answer to
  // thread/goal/set and thread/goal/get; our JSON form of it reads back.
  for (const json* goal_json : {&codex_manager::Member(params, "goal"),
                                &codex_manager::Member(result, "goal")}) {
    if (std::optional<codex_manager::SessionGoal> goal =
            codex_manager::GoalOfCodex(*goal_json)) {
      RequireUtf8(goal->objective);
      if (goal->objective.size() > codex_manager::kMaxGoalObjectiveBytes + 3 ||
          codex_manager::GoalFromJson(codex_manager::GoalToJson(*goal)) != goal) {
        std::abort();
      }
    }
  }
  // A thread's settings: from a thread/start answer or a
  // thread/settings/updated; valid UTF-8, cut, and read back from the store.
  for (const json* settings_json :
       {&result, &codex_manager::Member(params, "threadSettings")}) {
    const codex_manager::CodexSettings settings =
        codex_manager::CodexSettingsOf(*settings_json);
    for (const std::string* text :
         {&settings.model, &settings.model_provider, &settings.effort,
          &settings.approval_policy, &settings.sandbox,
          &settings.approvals_reviewer}) {
      RequireUtf8(*text);
      if (text->size() > 200 + 3) std::abort();
    }
    if (codex_manager::CodexSettingsFromJson(
            codex_manager::CodexSettingsToJson(settings)) != settings) {
      std::abort();
    }
  }
  json capped = m.payload;
  codex_manager::CapPayload(capped, 256);
  if (capped.dump().size() > 256 + 64 && capped.size() > 1) std::abort();
  return 0;
}
