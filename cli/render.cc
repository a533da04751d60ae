#include "render.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "api/sub_agents.h"
#include "common/compaction_text.h"
#include "common/duration_text.h"
#include "nlohmann/json.hpp"
#include "questions.h"

namespace codex_manager::cli {
namespace {

// An ERROR's codex_error_info says the model provider refused Codex's
// credentials: Codex's "unauthorized", or an HTTP 401 on the request or
// its stream (Codex 0.171: {"httpConnectionFailed":{"httpStatusCode":401}}).
bool CredentialsRefused(const std::string& info) {
  if (info == "unauthorized") return true;
  const nlohmann::json parsed =
      nlohmann::json::parse(info, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return false;
  for (const auto& [kind, detail] : parsed.items()) {
    if (detail.is_object() && detail.contains("httpStatusCode") &&
        detail["httpStatusCode"] == 401) {
      return true;
    }
  }
  return false;
}

std::string Strip(const std::string& name, const std::string& prefix) {
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

// Indents every line of `text` with `indent` + "| ".
void PrintBlock(std::ostream& out, const std::string& text,
                const std::string& indent = "  ") {
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out << indent << "| " << text.substr(start, nl - start) << "\n";
    start = nl + 1;
  }
}

// "HH:MM:SS" of `t` in local time; `day` receives "YYYY-MM-DD".
std::string ClockTime(const google::protobuf::Timestamp& t, std::string* day) {
  std::time_t seconds = static_cast<std::time_t>(t.seconds());
  std::tm local{};
  localtime_r(&seconds, &local);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &local);
  *day = buffer;
  std::strftime(buffer, sizeof buffer, "%H:%M:%S", &local);
  return buffer;
}

// "model=gpt-5 effort=(default)": each setting SESSION_UPDATED changed,
// with its new value ("(default)": Codex's).
std::string SettingsChanged(const v1::SessionUpdated& u) {
  const std::pair<const char*, const std::string*> values[] = {
      {"title", &u.title()},
      {"model", &u.model()},
      {"effort", &u.effort()},
      {"approval_policy", &u.approval_policy()},
      {"sandbox", &u.sandbox()},
      {"service_tier", &u.service_tier()}};
  std::vector<std::string> parts;
  for (const std::string& field : u.changed_fields()) {
    for (const auto& [name, value] : values) {
      if (field == name) {
        parts.push_back(field + "=" + (value->empty() ? "(default)" : *value));
      }
    }
  }
  return absl::StrJoin(parts, " ");
}

// The first file a patch writes: the path of its first whole "+++ b/PATH"
// line (the headers of Item.diff, server/core/codex_protocol.cc), "b/"
// cut; "" when none is whole yet. A deletion ("+++ /dev/null") writes
// none.
std::string FirstWrittenPath(const std::string& diff) {
  for (size_t at = 0, end; (end = diff.find('\n', at)) != std::string::npos;
       at = end + 1) {
    absl::string_view line(diff.data() + at, end - at);
    if (absl::ConsumePrefix(&line, "+++ b/")) return std::string(line);
  }
  return "";
}

// An imageGeneration item's line: where the image was saved, else why
// none was (Item.error), else its status.
std::string ImageGenerationText(const v1::Item& item) {
  if (!item.text().empty()) return "generated image: " + item.text();
  if (!item.error().empty()) return "image not generated: " + item.error();
  return "image generation " + item.status();
}

// The files a change touches (Approval.changed_files, absolute), relative
// to the folder they share, so a short column names them: "notes.txt",
// "src/a.cc, README.md"; whole when they share only "/".
std::vector<std::string> RelativeToShared(std::vector<std::string> files) {
  if (files.empty()) return files;
  // The folder every one is in ("/p/" of "/p/a" and "/p/src/b").
  size_t shared = files[0].rfind('/') + 1;
  for (const std::string& file : files) {
    shared = std::min(shared, file.size());
    size_t same = 0;
    while (same < shared && file[same] == files[0][same]) ++same;
    shared = files[0].rfind('/', same == 0 ? 0 : same - 1) + 1;
  }
  if (shared > 1) {
    for (std::string& file : files) file.erase(0, shared);
  }
  return files;
}

}  // namespace

void PrintMore(const std::string& next_page_token) {
  if (!next_page_token.empty()) {
    std::printf("(more: --page-token %s)\n", next_page_token.c_str());
  }
}

size_t Columns(const std::string& s) {
  // Every byte but UTF-8's continuation bytes (10xxxxxx) starts one.
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string Trim(const std::string& s, size_t width) {
  if (Columns(s) <= width) return s;
  if (width == 0) return "";
  // The first width - 1 code points, then the mark.
  size_t end = 0;
  for (size_t kept = 0; end < s.size(); ++end) {
    if ((static_cast<unsigned char>(s[end]) & 0xC0) != 0x80 &&
        kept++ == width - 1) {
      break;
    }
  }
  return s.substr(0, end) + "~";
}

std::string Cell(const std::string& s, size_t width) {
  std::string cell = Trim(s, width);
  cell.append(width - std::min(width, Columns(cell)), ' ');
  return cell;
}

std::string OneLine(const std::string& text) {
  std::string out;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    const bool space = u <= 0x20 || u == 0x7F;
    if (!space) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string SessionStateName(v1::SessionState state) {
  return Strip(v1::SessionState_Name(state), "SESSION_STATE_");
}
const std::vector<std::string>& SessionStateFlagValues() {
  static const auto* names = [] {
    auto* out = new std::vector<std::string>;
    const auto* type = v1::SessionState_descriptor();
    for (int i = 0; i < type->value_count(); ++i) {
      const auto state =
          static_cast<v1::SessionState>(type->value(i)->number());
      if (state == v1::SESSION_STATE_UNSPECIFIED) continue;
      out->push_back(absl::AsciiStrToLower(SessionStateName(state)));
    }
    return out;
  }();
  return *names;
}
std::string TurnStateName(v1::TurnState state) {
  return Strip(v1::TurnState_Name(state), "TURN_STATE_");
}
std::string GoalStatusName(v1::GoalStatus status) {
  return Strip(v1::GoalStatus_Name(status), "GOAL_STATUS_");
}
std::string GoalSummary(const v1::SessionGoal& goal) {
  std::string usage = std::to_string(goal.tokens_used());
  if (goal.has_token_budget()) {
    usage += " of " + std::to_string(goal.token_budget());
  }
  return goal.objective() + " [" + GoalStatusName(goal.status()) + ", " +
         usage + " tokens, " + std::to_string(goal.time_used_seconds()) + " s]";
}
std::string CodexSettingsSummary(const v1::CodexSettings& c) {
  return c.model() + " (" + c.model_provider() + "), effort " +
         (c.effort().empty() ? "default" : c.effort()) + ", " +
         c.approval_policy() + ", " + c.sandbox() +
         (c.collaboration_mode() == "plan" ? ", plan mode" : "") +
         (c.service_tier().empty() || c.service_tier() == "default"
              ? ""
              : ", service tier " + c.service_tier());
}
std::string ApprovalStateName(v1::ApprovalState state) {
  return Strip(v1::ApprovalState_Name(state), "APPROVAL_STATE_");
}
std::string DecisionName(v1::Decision decision) {
  return Strip(v1::Decision_Name(decision), "DECISION_");
}

void PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  std::cout << out << "\n";
  std::cout.flush();
}

void PrintSession(const v1::Session& s) {
  std::printf("session_id:        %s\n", s.session_id().c_str());
  std::printf("state:             %s\n", SessionStateName(s.state()).c_str());
  std::printf("title:             %s\n", s.title().c_str());
  if (!s.preview().empty()) {
    // The start of its first prompt, on one line.
    std::printf("preview:           %s\n", OneLine(s.preview()).c_str());
  }
  std::printf("cwd:               %s\n", s.cwd().c_str());
  std::printf("model:             %s\n", s.model().c_str());
  if (!s.model_provider().empty()) {
    std::printf("model_provider:    %s\n", s.model_provider().c_str());
  }
  std::printf("approval_policy:   %s\n", s.approval_policy().c_str());
  std::printf("sandbox:           %s\n", s.sandbox().c_str());
  if (!s.effort().empty()) {
    std::printf("effort:            %s\n", s.effort().c_str());
  }
  if (!s.service_tier().empty()) {
    std::printf("service_tier:      %s\n", s.service_tier().c_str());
  }
  if (!s.developer_instructions().empty()) {
    // Lines after the first under it, in the value column.
    std::printf("instructions:      %s\n",
                absl::StrReplaceAll(s.developer_instructions(),
                                    {{"\n", "\n                   "}})
                    .c_str());
  }
  if (s.has_codex_settings()) {
    // What Codex runs with: the settings above, its defaults filled in.
    std::printf("codex_settings:    %s\n",
                CodexSettingsSummary(s.codex_settings()).c_str());
  }
  std::printf("thread_id:         %s\n", s.thread_id().c_str());
  std::printf("runtime_version:   %s\n", s.runtime_version().c_str());
  std::printf("pending_approvals: %d\n", s.pending_approvals());
  std::printf("last_seq:          %lld\n",
              static_cast<long long>(s.last_seq()));
  if (s.purged_seq() > 0) {
    // Retention deleted the events through it (--retain-archived-days).
    std::printf("purged_seq:        %lld\n",
                static_cast<long long>(s.purged_seq()));
  }
  if (s.has_goal()) {
    std::printf("goal:              %s\n", GoalSummary(s.goal()).c_str());
  }
  if (!s.last_error().empty()) {
    std::printf("last_error:        %s\n", s.last_error().c_str());
  }
}

void PrintGoal(const v1::Session& s) {
  if (!s.has_goal()) {
    std::printf("session %s has no goal\n", s.session_id().c_str());
    return;
  }
  const v1::SessionGoal& g = s.goal();
  std::printf("objective: %s\n", g.objective().c_str());
  std::printf("status:    %s\n", GoalStatusName(g.status()).c_str());
  std::printf("tokens:    %lld", static_cast<long long>(g.tokens_used()));
  if (g.has_token_budget()) {
    std::printf(" of %lld", static_cast<long long>(g.token_budget()));
  }
  std::printf("\ntime:      %lld s\n",
              static_cast<long long>(g.time_used_seconds()));
}

void PrintSessionTable(const v1::ListSessionsResponse& list, bool filtered) {
  if (list.sessions().empty() && list.next_page_token().empty()) {
    std::printf(filtered ? "No sessions match.\n"
                         : "No sessions. Create one: codex-manager session "
                           "create --cwd DIR\n");
    return;
  }
  std::printf("%-24s  %-9s  %7s  %-24s  %s\n", "SESSION", "STATE", "PENDING",
              "TITLE", "CWD");
  for (const v1::Session& s : list.sessions()) {
    // Untitled: the start of its first prompt, as Codex's lists show a
    // thread.
    std::printf("%-24s  %-9s  %7d  %s  %s\n", s.session_id().c_str(),
                SessionStateName(s.state()).c_str(), s.pending_approvals(),
                Cell(OneLine(s.title().empty() ? s.preview() : s.title()), 24)
                    .c_str(),
                OneLine(s.cwd()).c_str());
  }
  PrintMore(list.next_page_token());
}

const v1::Model* SessionDefault(const v1::ListModelsResponse& list) {
  const v1::Model* codex_default = nullptr;
  for (const v1::Model& m : list.models()) {
    if (m.configured()) return &m;
    if (m.is_default() && codex_default == nullptr) codex_default = &m;
  }
  return codex_default;
}

void PrintModelTable(const v1::ListModelsResponse& list) {
  std::printf("%-24s  %-8s  %-26s  %-10s  %s\n", "MODEL", "DEFAULT",
              "EFFORTS", "TIERS", "DESCRIPTION");
  // DEFAULT: the model a session that names none runs.
  const v1::Model* usual = SessionDefault(list);
  for (const v1::Model& m : list.models()) {
    std::string efforts;
    for (const std::string& e : m.supported_efforts()) {
      if (!efforts.empty()) efforts += ",";
      efforts += e == m.default_effort() ? "*" + e : e;
    }
    // Its service tiers ("*": the one it uses when none is asked for).
    std::string tiers;
    for (const v1::ServiceTier& t : m.service_tiers()) {
      if (!tiers.empty()) tiers += ",";
      tiers += t.id() == m.default_service_tier() ? "*" + t.id() : t.id();
    }
    std::printf("%-24s  %-8s  %-26s  %-10s  %s\n", m.model().c_str(),
                &m == usual ? "yes" : "", Trim(efforts, 26).c_str(),
                Trim(tiers, 10).c_str(),
                Trim(OneLine(m.description()), 60).c_str());
  }
}

void PrintModelProviderTable(const v1::ListModelProvidersResponse& list) {
  std::printf("%-24s  %-8s  %s\n", "PROVIDER", "DEFAULT", "NAME");
  for (const v1::ModelProvider& p : list.providers()) {
    std::printf("%-24s  %-8s  %s\n", p.id().c_str(),
                p.is_default() ? "yes" : "", OneLine(p.name()).c_str());
  }
}

void PrintAccount(const v1::Account& a) {
  std::printf("account:  %s\n",
              a.type().empty() ? "(not signed in)" : a.type().c_str());
  if (!a.email().empty()) std::printf("email:    %s\n", a.email().c_str());
  if (!a.plan_type().empty())
    std::printf("plan:     %s\n", a.plan_type().c_str());
  std::printf("needs OpenAI sign-in: %s\n",
              a.requires_openai_auth() ? "yes" : "no");
  if (a.type().empty() && a.requires_openai_auth()) {
    std::printf("sign in with: codex-manager codex login\n");
  }
  if (a.has_rate_limits()) {
    for (const auto& [name, w] :
         {std::pair{"primary", &a.rate_limits().primary()},
          std::pair{"secondary", &a.rate_limits().secondary()}}) {
      std::printf("limit %-9s %d%% used of %lld min\n", name, w->used_percent(),
                  static_cast<long long>(w->window_minutes()));
    }
  } else {
    std::printf("rate limits: unknown (%s)\n", a.rate_limits_error().c_str());
  }
}

void PrintCodexThreadTable(const v1::ListCodexThreadsResponse& list) {
  if (list.threads().empty()) {
    std::printf("No Codex threads under the server's CODEX_HOME.\n");
    return;
  }
  std::printf("%-36s  %-9s  %-24s  %-30s  %s\n", "THREAD", "SOURCE", "SESSION",
              "PREVIEW", "CWD");
  for (const v1::CodexThread& t : list.threads()) {
    std::printf("%-36s  %-9s  %-24s  %s  %s\n", t.thread_id().c_str(),
                t.source().c_str(),
                t.session_id().empty() ? "-" : t.session_id().c_str(),
                Cell(OneLine(t.name().empty() ? t.preview() : t.name()), 30)
                    .c_str(),
                OneLine(t.cwd()).c_str());
  }
  PrintMore(list.next_page_token());
}

namespace {

// What a hook runs: its command, or its MCP server's tool.
std::string HookHandler(const v1::CodexHook& h) {
  if (!h.command().empty()) return h.command();
  if (!h.mcp_tool().empty()) {
    return "MCP tool " + h.mcp_server() + "/" + h.mcp_tool();
  }
  return h.handler_type();
}

void PrintHook(const v1::CodexHook& h) {
  const std::string trust = h.enabled() ? h.trust_status() : "off";
  std::printf("%-9s  %-17s  %s\n", trust.c_str(), h.event_name().c_str(),
              HookHandler(h).c_str());
  std::printf("%-9s  key %s\n", "", h.key().c_str());
}

}  // namespace

void PrintCodexHooks(const v1::ListCodexHooksResponse& list) {
  if (list.hooks().empty() && list.errors().empty()) {
    std::printf("No hooks in the server's Codex config.\n");
  }
  bool skipped = false;
  for (const v1::CodexHook& h : list.hooks()) {
    PrintHook(h);
    skipped = skipped || h.skipped();
  }
  for (const v1::CodexHookError& e : list.errors()) {
    std::printf("not loaded: %s: %s\n", e.path().c_str(), e.message().c_str());
  }
  for (const std::string& w : list.warnings()) {
    std::printf("warning: %s\n", w.c_str());
  }
  if (skipped) {
    std::printf(
        "Codex skips untrusted and modified hooks. Review them, then: "
        "codex-manager codex hooks trust KEY... (or --all-untrusted)\n");
  }
}

void PrintTrustedHooks(const v1::TrustCodexHooksRequest& request,
                       const v1::TrustCodexHooksResponse& after) {
  for (const v1::CodexHook& h : after.hooks()) {
    for (const v1::HookTrust& t : request.hooks()) {
      if (t.key() == h.key()) PrintHook(h);
    }
  }
}

void PrintFileMatches(const v1::SearchFilesResponse& response) {
  for (const v1::FileMatch& match : response.files()) {
    std::printf("%s%s\n", match.path().c_str(), match.directory() ? "/" : "");
  }
}

void PrintSkills(const v1::ListSkillsResponse& list) {
  if (list.skills().empty() && list.errors().empty()) {
    std::printf("No skills for this session's folder.\n");
  }
  if (!list.skills().empty()) {
    size_t width = 4;
    for (const v1::Skill& s : list.skills()) {
      width = std::max(width,
                       std::min<size_t>(Columns(OneLine(s.name())) + 1, 32));
    }
    std::printf("%-*s  %-6s  %s\n", static_cast<int>(width), "NAME", "SCOPE",
                "DESCRIPTION");
    for (const v1::Skill& s : list.skills()) {
      // The name as a prompt mentions it.
      const std::string name = Cell("$" + OneLine(s.name()), width);
      std::string about =
          OneLine(s.short_description().empty() ? s.description()
                                                : s.short_description());
      if (!s.enabled()) about = "(disabled) " + about;
      std::printf("%s  %-6s  %s\n", name.c_str(),
                  Trim(OneLine(s.scope()), 6).c_str(), Trim(about, 72).c_str());
    }
  }
  for (const v1::SkillError& e : list.errors()) {
    std::printf("not loaded: %s: %s\n", OneLine(e.path()).c_str(),
                OneLine(e.message()).c_str());
  }
}

void PrintMcpServers(const v1::ListMcpServersResponse& list) {
  if (list.servers().empty()) {
    std::printf("No MCP servers in the server's Codex config.\n");
  }
  for (const v1::McpServer& s : list.servers()) {
    std::string line = OneLine(s.name());
    if (!s.connection().empty()) line += "  " + OneLine(s.connection());
    if (!s.title().empty()) {
      line += "  (" + OneLine(s.title()) +
              (s.version().empty() ? "" : " " + OneLine(s.version())) + ")";
    }
    if (!s.http_origin().empty()) line += "  " + OneLine(s.http_origin());
    if (s.auth_status() != "unsupported" && !s.auth_status().empty()) {
      line += "  sign-in: " + OneLine(s.auth_status());
    }
    std::printf("%s\n", line.c_str());
    if (!s.error().empty()) {
      std::printf("  error: %s\n", OneLine(s.error()).c_str());
    }
    for (const v1::McpTool& t : s.tools()) {
      const std::string about =
          OneLine(t.description().empty() ? t.title() : t.description());
      std::printf("  %s%s%s\n", OneLine(t.name()).c_str(),
                  about.empty() ? "" : "  ", Trim(about, 72).c_str());
    }
  }
}

void PrintBackgroundTerminals(const v1::ListBackgroundTerminalsResponse& list) {
  if (list.terminals().empty()) {
    std::printf("No background terminals run in this session.\n");
    return;
  }
  std::printf("%-10s  %-7s  %-6s  %-9s  %s\n", "PROCESS", "PID", "CPU",
              "MEMORY", "COMMAND");
  for (const v1::BackgroundTerminal& t : list.terminals()) {
    const std::string pid = t.has_os_pid() ? std::to_string(t.os_pid()) : "-";
    const std::string cpu =
        t.has_cpu_percent() ? absl::StrFormat("%.0f%%", t.cpu_percent()) : "-";
    const std::string memory =
        t.has_rss_kib() ? absl::StrFormat("%.1f MiB", t.rss_kib() / 1024.0)
                        : "-";
    // One row each, however many lines the command has.
    const std::string command = Trim(OneLine(t.command()), 100);
    std::printf("%-10s  %-7s  %-6s  %-9s  %s\n", t.process_id().c_str(),
                pid.c_str(), cpu.c_str(), memory.c_str(), command.c_str());
  }
}

void PrintTurn(const v1::Turn& t) {
  std::printf("turn_id:  %s\nstate:    %s\nprompt:   %s\n", t.turn_id().c_str(),
              TurnStateName(t.state()).c_str(),
              t.started_by_codex() ? "(none: Codex started the turn itself)"
                                   : t.prompt().c_str());
  if (!t.error().empty()) std::printf("error:    %s\n", t.error().c_str());
  if (!t.final_message().empty()) {
    std::printf("final:    %s\n", t.final_message().c_str());
  }
  if (t.has_revert_time()) {
    std::printf(
        "reverted: %s (no longer in the conversation)\n",
        google::protobuf::util::TimeUtil::ToString(t.revert_time()).c_str());
  }
}

void PrintTurnTable(const v1::ListTurnsResponse& list) {
  if (list.turns().empty()) {
    std::printf(
        "No turns yet. Send a prompt: codex-manager turn start "
        "SESSION PROMPT\n");
    return;
  }
  // A reverted turn is no longer in the conversation (RevertSession).
  auto state = [](const v1::Turn& t) {
    return TurnStateName(t.state()) +
           (t.has_revert_time() ? " (reverted)" : "");
  };
  int width = 11;
  for (const v1::Turn& t : list.turns()) {
    width = std::max(width, static_cast<int>(state(t).size()));
  }
  std::printf("%-25s  %-*s  %s\n", "TURN", width, "STATE", "PROMPT");
  for (const v1::Turn& t : list.turns()) {
    std::printf("%-25s  %-*s  %s\n", t.turn_id().c_str(), width,
                state(t).c_str(),
                t.started_by_codex() ? "(started by Codex)"
                                     : Trim(OneLine(t.prompt()), 60).c_str());
  }
  PrintMore(list.next_page_token());
}

void PrintApprovalTable(const v1::ListApprovalsResponse& list) {
  if (list.approvals().empty()) {
    std::printf("No approvals waiting.\n");
    return;
  }
  std::printf("%-24s  %-24s  %-8s  %s\n", "APPROVAL", "SESSION", "STATE",
              "WHAT");
  for (const v1::Approval& a : list.approvals()) {
    std::string what = !a.command().empty() ? a.command() : a.method();
    if (a.kind() == v1::APPROVAL_KIND_MCP_ELICITATION) {
      what = a.mcp_server_name() + ": " + a.reason();
    }
    if (a.changed_files_size() > 0) {
      what = "Codex wants to change: " +
             absl::StrJoin(RelativeToShared({a.changed_files().begin(),
                                             a.changed_files().end()}),
                           ", ");
    }
    if (a.requested_permissions_size() > 0) {
      what =
          "Codex asks for: " + absl::StrJoin(a.requested_permissions(), ", ");
    }
    if (a.kind() == v1::APPROVAL_KIND_USER_INPUT) {
      const std::vector<Question> questions = QuestionsOf(a);
      if (!questions.empty()) {
        what = "Codex asks: " + (questions[0].text.empty() ? questions[0].header
                                                           : questions[0].text);
        if (questions.size() > 1) {
          what += absl::StrFormat(" (+%d more)", questions.size() - 1);
        }
      }
    }
    // A sub-agent's ask is named as its transcript lines are.
    if (a.has_sub_agent()) {
      what = "[" + SubAgentName(a.sub_agent()) + "] " + what;
    }
    std::printf("%-24s  %-24s  %-8s  %s\n", a.approval_id().c_str(),
                a.session_id().c_str(), ApprovalStateName(a.state()).c_str(),
                Trim(OneLine(what), 60).c_str());
  }
}

void PrintApprovalRequest(const v1::Approval& a) {
  std::cerr << "\n";
  PrintApprovalRequest(std::cerr, a, "", "  ");
}

void PrintApprovalRequest(std::ostream& out, const v1::Approval& a,
                          const std::string& head, const std::string& indent) {
  switch (a.kind()) {
    case v1::APPROVAL_KIND_COMMAND_EXECUTION:
      out << head << "? approval " << a.approval_id()
          << " — Codex wants to run:\n"
          << indent << "  " << a.command() << "\n";
      if (!a.cwd().empty()) out << indent << "in " << a.cwd() << "\n";
      break;
    case v1::APPROVAL_KIND_FILE_CHANGE:
      out << head << "? approval " << a.approval_id()
          << " — Codex wants to change files:\n";
      PrintBlock(out, a.diff(), indent);
      break;
    case v1::APPROVAL_KIND_PERMISSIONS:
      if (a.requested_permissions_size() == 0) {  // a shape we do not know
        out << head << "? approval " << a.approval_id() << " — " << a.method()
            << "\n";
        PrintBlock(out, a.params_json(), indent);
        break;
      }
      out << head << "? approval " << a.approval_id()
          << " — Codex asks for permissions:\n";
      for (const std::string& line : a.requested_permissions()) {
        out << indent << "  " << line << "\n";
      }
      if (!a.cwd().empty()) out << indent << "in " << a.cwd() << "\n";
      break;
    case v1::APPROVAL_KIND_MCP_ELICITATION:
    case v1::APPROVAL_KIND_USER_INPUT: {
      const std::vector<Question> questions = QuestionsOf(a);
      const bool form = a.kind() == v1::APPROVAL_KIND_MCP_ELICITATION;
      if (!form && questions.empty()) {
        out << head << "? approval " << a.approval_id() << " — " << a.method()
            << "\n";
        PrintBlock(out, a.params_json(), indent);
        break;
      }
      out << head << "? approval " << a.approval_id() << " — "
          << (form ? "MCP server " + a.mcp_server_name() + " asks:"
                   : std::string("Codex asks:"))
          << "\n";
      if (form) out << indent << "  " << a.reason() << "\n";
      if (!a.elicitation_url().empty()) {
        out << indent << "open: " << a.elicitation_url() << "\n";
      }
      std::vector<std::string> how;
      for (const Question& q : questions) {
        std::vector<std::string> about;
        if (!q.header.empty()) about.push_back(q.header);
        if (q.required) about.push_back("required");
        if (q.secret) about.push_back("secret");
        out << indent << "  " << q.id
            << (about.empty() ? "" : " (" + absl::StrJoin(about, ", ") + ")")
            << (q.text.empty() ? "" : ": " + q.text) << "\n";
        for (const auto& [label, description] : q.options) {
          out << indent << "    " << label
              << (description.empty() ? "" : " — " + description) << "\n";
        }
        if (!q.options.empty() && q.other) {
          out << indent << "    or another answer\n";
        }
        // A secret stays off the command line (and out of ps and history).
        how.push_back(q.secret ? "--stdin " + q.id : q.id + "=…");
      }
      if (!how.empty()) {
        out << indent << "answer: codex-manager approval answer "
            << a.approval_id() << " " << absl::StrJoin(how, " ") << "\n";
      }
      break;
    }
    default:
      out << head << "? approval " << a.approval_id() << " — " << a.method()
          << "\n";
      PrintBlock(out, a.params_json(), indent);
  }
  if (!a.reason().empty() && a.kind() != v1::APPROVAL_KIND_MCP_ELICITATION) {
    out << indent << "reason: " << a.reason() << "\n";
  }
  if (a.execpolicy_amendment_size() > 0) {
    out << indent << "remember allows commands starting with: "
        << absl::StrJoin(a.execpolicy_amendment(), " ") << "\n";
  }
  if (a.available_decisions_size() > 0) {
    std::vector<std::string> names;
    for (int d : a.available_decisions()) {
      names.push_back(DecisionName(static_cast<v1::Decision>(d)));
    }
    out << indent << "Codex offers: " << absl::StrJoin(names, ", ") << "\n";
  }
}

bool Offers(const v1::Approval& approval, v1::Decision decision) {
  for (int d : approval.available_decisions()) {
    if (d == decision) return true;
  }
  return approval.available_decisions_size() == 0;  // an older server
}

std::string DecideCommand(const v1::Approval& approval) {
  std::string verbs = "approve";
  if (Offers(approval, v1::DECISION_DENY)) {
    verbs = "approve|deny";
  } else if (Offers(approval, v1::DECISION_ABORT)) {
    verbs = "approve|deny --abort";
  }
  return absl::StrCat("codex-manager approval ", verbs, " ",
                      approval.approval_id());
}

EventPrinter::EventPrinter(Mode mode)
    : mode_(mode),
      side_(mode == Mode::kLive ? std::cerr : std::cout),
      indent_(mode == Mode::kTranscript ? std::string(10, ' ')
                                        : std::string("  ")) {}

// Whether `text` ends a line (a message ending in "\n" needs no other).
static bool EndsLine(const std::string& text) {
  return !text.empty() && text.back() == '\n';
}

void EventPrinter::EndLine() {
  if (mid_line_) {
    std::cout << "\n";
    std::cout.flush();
    mid_line_ = false;
  }
}

namespace {

// "[helper] " on a sub-agent's lines, which say whose they are; "" else.
std::string SubAgentTag(const v1::Event& e) {
  return e.has_sub_agent() ? "[" + SubAgentName(e.sub_agent()) + "] " : "";
}

}  // namespace

std::string EventPrinter::Head(const v1::Event& e) {
  pending_indent_ = false;
  const std::string who = SubAgentTag(e);
  if (mode_ != Mode::kTranscript) return who;
  std::string day;
  std::string time = ClockTime(e.create_time(), &day);
  if (day != day_) {
    side_ << "── " << day << " ──\n";
    day_ = day;
  }
  return time + "  " + who;
}

void EventPrinter::Stream(std::ostream& out, const std::string& text) {
  if (mode_ != Mode::kTranscript) {
    out << text;
    return;
  }
  // Continuation lines line up under the text after the time.
  for (char c : text) {
    if (pending_indent_) out << indent_;
    pending_indent_ = false;
    out << c;
    if (c == '\n') pending_indent_ = true;
  }
}

void EventPrinter::PrintReplayLine(const v1::Event& e) {
  std::string type = Strip(v1::EventType_Name(e.type()), "EVENT_TYPE_");
  std::string detail;
  switch (e.payload_case()) {
    case v1::Event::kSessionStateChanged:
      detail = SessionStateName(e.session_state_changed().state());
      if (!e.session_state_changed().error().empty()) {
        detail += " (" + e.session_state_changed().error() + ")";
      }
      break;
    case v1::Event::kTurnStateChanged:
      detail = e.turn_state_changed().turn_id() + " " +
               TurnStateName(e.turn_state_changed().state());
      if (e.turn_state_changed().started_by_codex()) {
        detail += " (started by Codex)";
      }
      break;
    case v1::Event::kItem:
      detail = e.item().item_type() + " " +
               Trim(!e.item().command().empty() ? e.item().command()
                    : !e.item().tool().empty()
                        ? e.item().mcp_server() + "/" + e.item().tool()
                        : e.item().text(),
                    60);
      break;
    case v1::Event::kDelta:
      detail = Trim(e.delta().text(), 60);
      break;
    case v1::Event::kApprovalRequested:
      detail = e.approval_requested().approval().approval_id() + " " +
               Trim(e.approval_requested().approval().command(), 50);
      break;
    case v1::Event::kApprovalResolved:
      detail = e.approval_resolved().approval_id() + " " +
               ApprovalStateName(e.approval_resolved().state());
      break;
    case v1::Event::kTokenUsage:
      detail = std::to_string(e.token_usage().total_tokens()) + " tokens";
      break;
    case v1::Event::kNotice:
      detail = e.notice().message();
      break;
    case v1::Event::kRaw:
      detail = e.raw().method();
      break;
    case v1::Event::kPlan:
      detail = std::to_string(e.plan().steps_size()) + " steps";
      break;
    case v1::Event::kTurnDiff:
      detail = std::to_string(e.turn_diff().diff().size()) + " bytes";
      break;
    case v1::Event::kThreadStatus:
      detail = e.thread_status().status();
      break;
    case v1::Event::kModelRerouted:
      detail = e.model_rerouted().from_model() + " -> " +
               e.model_rerouted().to_model();
      break;
    case v1::Event::kRateLimits:
      detail =
          std::to_string(e.rate_limits().primary().used_percent()) + "% used";
      break;
    case v1::Event::kMcpServerStatus:
      detail =
          e.mcp_server_status().name() + " " + e.mcp_server_status().status();
      break;
    case v1::Event::kSessionUpdated:
      detail = SettingsChanged(e.session_updated());
      break;
    case v1::Event::kCodexSettings:
      detail = CodexSettingsSummary(e.codex_settings());
      break;
    case v1::Event::kSessionReverted:
      detail = std::to_string(e.session_reverted().reverted_turn_ids_size()) +
               " turns from " + e.session_reverted().before_turn_id();
      break;
    case v1::Event::kGoalUpdated:
      detail = e.goal_updated().has_goal()
                   ? Trim(GoalSummary(e.goal_updated().goal()), 70)
                   : "cleared";
      break;
    case v1::Event::kTerminalInput:
      detail = e.terminal_input().process_id() + ": " +
               Trim(e.terminal_input().stdin(), 50);
      break;
    case v1::Event::kHookRun:
      detail = e.hook_run().event_name() + " " + e.hook_run().status();
      if (e.hook_run().entries_size() > 0) {
        detail += ": " + Trim(e.hook_run().entries(0).text(), 50);
      }
      break;
    default:
      break;
  }
  detail = SubAgentTag(e) + detail;
  for (char& c : detail) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::printf("%6lld  %-22s %s%s\n", static_cast<long long>(e.session_seq()),
              type.c_str(), detail.c_str(),
              e.redelivered() ? "  (pending, redelivered)" : "");
  std::fflush(stdout);
}

void EventPrinter::Missing(int64_t from, int64_t to) {
  if (mode_ == Mode::kRaw) return;
  EndLine();
  side_ << "── events " << from << "–" << to
        << " of this session are missing: the server was restored from a "
           "backup taken before them ──\n";
}

void EventPrinter::Purged(int64_t through) {
  if (mode_ == Mode::kRaw) return;
  EndLine();
  side_ << "── events 1–" << through
        << " of this session were deleted: it was archived longer ago than "
           "the server keeps events (--retain-archived-days) ──\n";
}

void EventPrinter::Print(const v1::Event& e) {
  if (mode_ == Mode::kRaw) {
    PrintReplayLine(e);
    return;
  }
  const bool transcript = mode_ == Mode::kTranscript;
  // What a person said besides the prompts (a steer): live too, as it may
  // come from another client. A transcript also says the input of a turn
  // that began before its first event; live, that is the prompt.
  const TurnInputs::Said said = inputs_.Add(e);
  if (said == TurnInputs::Said::kSteer ||
      (said == TurnInputs::Said::kUnplaced && transcript)) {
    EndLine();
    side_ << Head(e)
          << (said == TurnInputs::Said::kSteer ? "you (steering " : "you (")
          << e.turn_id() << "): ";
    Stream(side_, e.item().text());
    side_ << "\n";
    pending_indent_ = false;
    return;
  }
  switch (e.type()) {
    case v1::EVENT_TYPE_AGENT_MESSAGE_DELTA:
      // A sub-agent's text is said whole, once it completed: stdout is
      // the session's agent's answer.
      if (e.has_sub_agent()) break;
      if (!streamed_.contains(e.delta().item_id())) {
        EndLine();
        if (transcript) std::cout << Head(e) << "codex: ";
        streamed_.insert(e.delta().item_id());
      }
      Stream(std::cout, e.delta().text());
      std::cout.flush();
      if (!e.delta().text().empty()) mid_line_ = !EndsLine(e.delta().text());
      break;
    case v1::EVENT_TYPE_COMMAND_OUTPUT_DELTA:
      if (shell_items_.contains(e.delta().item_id())) {
        streamed_.insert(e.delta().item_id());
        std::cout << e.delta().text();
        std::cout.flush();
        break;
      }
      EndLine();
      if (!streamed_.contains(e.delta().item_id())) pending_indent_ = true;
      streamed_.insert(e.delta().item_id());
      Stream(side_, e.delta().text());
      break;
    case v1::EVENT_TYPE_ITEM_UPDATED: {
      // The model is still writing the patch: "~ writing notes.txt ...",
      // once, when the first file it writes is known.
      const v1::Item& item = e.item();
      if (item.item_type() != "fileChange" ||
          writing_.contains(item.item_id())) {
        break;
      }
      const std::string path = FirstWrittenPath(item.diff());
      if (path.empty()) break;
      writing_.insert(item.item_id());
      EndLine();
      side_ << Head(e) << "~ writing " << Trim(path, 200) << " ...\n";
      break;
    }
    case v1::EVENT_TYPE_ITEM_STARTED:
      if (e.item().item_type() == "commandExecution") {
        EndLine();
        side_ << Head(e) << "$ " << e.item().command() << "\n";
        if (mode_ == Mode::kLive && e.item().command_source() == "userShell" &&
            !e.has_sub_agent()) {
          shell_items_.insert(e.item().item_id());
        }
      } else if (e.item().item_type() == "mcpToolCall") {
        EndLine();
        side_ << Head(e) << "tool " << e.item().mcp_server() << "/"
              << e.item().tool();
        if (!e.item().arguments().empty() && e.item().arguments() != "{}") {
          side_ << " " << Trim(e.item().arguments(), 200);
        }
        side_ << "\n";
      }
      break;
    case v1::EVENT_TYPE_ITEM_COMPLETED: {
      const v1::Item& item = e.item();
      if (item.item_type() == "agentMessage" && e.has_sub_agent()) {
        EndLine();
        side_ << Head(e) << "codex: ";
        Stream(side_, item.text());
        if (!EndsLine(item.text())) side_ << "\n";
        pending_indent_ = false;
      } else if (const std::string activity = SubAgentActivityText(item);
                 !activity.empty()) {
        EndLine();
        side_ << Head(e) << activity << "\n";
      } else if (item.item_type() == "contextCompaction") {
        // How Codex 0.171 says it compacted (CONTEXT_COMPACTED: older ones).
        EndLine();
        side_ << Head(e) << kContextCompactedText << "\n";
      } else if (item.item_type() == "agentMessage") {
        const bool moderated =
            item.moderation() == "hide" || item.moderation() == "block";
        if (!streamed_.contains(item.item_id())) {
          EndLine();
          if (transcript) std::cout << Head(e) << "codex: ";
          Stream(std::cout, item.text());
        } else if (moderated) {
          // What streamed is what Codex says not to show: say so.
          EndLine();
          std::cout << item.text();
        }
        mid_line_ = !EndsLine(item.text());
        EndLine();
      } else if (item.item_type() == "commandExecution") {
        EndLine();
        const std::string& output = item.aggregated_output();
        if (shell_items_.contains(item.item_id())) {
          if (!streamed_.contains(item.item_id())) std::cout << output;
          std::cout.flush();
        } else if (!streamed_.contains(item.item_id())) {
          if (transcript) {
            pending_indent_ = true;
            Stream(side_, output);
          } else {
            PrintBlock(side_, output);
          }
        }
        if (transcript && !output.empty() && output.back() != '\n') {
          side_ << "\n";
        }
        pending_indent_ = false;
        side_ << indent_ << "[" << item.status();
        if (item.has_exit_code()) side_ << ", exit " << item.exit_code();
        side_ << "]\n";
      } else if (item.item_type() == "fileChange") {
        EndLine();
        side_ << Head(e) << "~ file change [" << item.status() << "]\n";
        PrintBlock(side_, item.diff(), indent_);
      } else if (item.item_type() == "mcpToolCall") {
        EndLine();
        if (!item.tool_output().empty()) {
          PrintBlock(side_, item.tool_output(), indent_);
        }
        side_ << indent_ << "[" << item.status();
        if (item.has_duration_ms())
          side_ << ", " << item.duration_ms() << " ms";
        if (!item.error().empty()) side_ << ": " << item.error();
        side_ << "]\n";
      } else if (item.item_type() == "plan") {
        // Plan mode's proposed plan (Markdown): what the turn was for, so
        // on stdout with the answer.
        EndLine();
        side_ << Head(e) << "proposed plan:\n";
        side_.flush();
        Stream(std::cout, item.text());
        mid_line_ = !EndsLine(item.text());
        EndLine();
      } else if (item.item_type() == "webSearch") {
        EndLine();
        side_ << Head(e) << "searched the web: " << item.text() << "\n";
      } else if (item.item_type() == "imageView") {
        EndLine();
        side_ << Head(e) << "viewed image: " << item.text() << "\n";
      } else if (item.item_type() == "imageGeneration") {
        EndLine();
        side_ << Head(e) << ImageGenerationText(item) << "\n";
      } else if (item.item_type() == "sleep") {
        EndLine();
        side_ << Head(e) << "waited " << DurationText(item.duration_ms())
              << "\n";
      } else if (item.item_type() == "hookPrompt") {
        EndLine();
        side_ << Head(e) << "hook prompt: ";
        Stream(side_, item.text());
        side_ << "\n";
        pending_indent_ = false;
      } else if (item.item_type() == "enteredReviewMode") {
        EndLine();
        side_ << Head(e) << "reviewing: " << item.text() << "\n";
      } else if (item.item_type() == "exitedReviewMode") {
        // Codex says the findings again as the agent message that follows:
        // that one is printed as the answer.
        EndLine();
        side_ << Head(e) << "review finished\n";
      }
      break;
    }
    case v1::EVENT_TYPE_APPROVAL_REQUESTED:
      EndLine();
      if (!transcript) side_ << "\n";
      PrintApprovalRequest(side_, e.approval_requested().approval(), Head(e),
                           indent_);
      // Questions say how to answer them instead.
      if (!transcript && decide_hint_ &&
          QuestionsOf(e.approval_requested().approval()).empty()) {
        side_ << "  decide with: "
              << DecideCommand(e.approval_requested().approval()) << "\n";
      }
      break;
    case v1::EVENT_TYPE_APPROVAL_RESOLVED:
      EndLine();
      side_ << Head(e) << (transcript ? "" : "  ") << "approval "
            << e.approval_resolved().approval_id() << ": "
            << ApprovalStateName(e.approval_resolved().state()) << "\n";
      break;
    case v1::EVENT_TYPE_TURN_STATE_CHANGED: {
      const auto& t = e.turn_state_changed();
      if (t.state() == v1::TURN_STATE_QUEUED) {
        // Only a transcript shows the prompt: live, you just typed it.
        // Queued behind a running turn, it says so (and later where it
        // starts): what follows is still the running turn's.
        if (transcript) {
          EndLine();
          const bool behind = !running_turn_.empty();
          if (behind) queued_behind_.insert(t.turn_id());
          side_ << Head(e) << "you (" << t.turn_id()
                << (behind ? ", queued" : "") << "): ";
          Stream(side_, t.prompt());
          side_ << "\n";
        }
        break;
      }
      if (t.state() == v1::TURN_STATE_RUNNING) {
        running_turn_ = t.turn_id();
        if (transcript && queued_behind_.erase(t.turn_id()) > 0) {
          EndLine();
          side_ << Head(e) << "turn " << t.turn_id()
                << " started (the prompt queued above)\n";
        }
        // A turn no one typed: Codex went on by itself (toward a goal).
        if (t.started_by_codex()) {
          EndLine();
          side_ << Head(e) << "codex (" << t.turn_id()
                << "): went on by itself\n";
        }
        break;
      }
      if (running_turn_ == t.turn_id()) running_turn_.clear();
      queued_behind_.erase(t.turn_id());
      EndLine();
      side_ << Head(e) << "turn " << t.turn_id() << " "
            << TurnStateName(t.state());
      if (!t.error().empty()) side_ << ": " << t.error();
      side_ << "\n";
      break;
    }
    case v1::EVENT_TYPE_ERROR:
      EndLine();
      side_ << Head(e) << "error: " << e.notice().message() << "\n";
      if (CredentialsRefused(e.notice().codex_error_info())) {
        side_ << "hint: the model provider refused Codex's credentials; an "
                 "admin signs the server's Codex in with `codex-manager codex "
                 "login`\n";
      }
      break;
    case v1::EVENT_TYPE_WARNING:
      if (transcript) {
        EndLine();
        side_ << Head(e) << "warning: " << e.notice().message() << "\n";
      }
      break;
    case v1::EVENT_TYPE_PLAN_UPDATED: {
      EndLine();
      side_ << Head(e) << "plan:";
      if (!e.plan().explanation().empty()) {
        side_ << " " << e.plan().explanation();
      }
      side_ << "\n";
      for (const v1::PlanStep& step : e.plan().steps()) {
        const char* box = step.status() == "completed"    ? "[x] "
                          : step.status() == "inProgress" ? "[>] "
                                                          : "[ ] ";
        side_ << indent_ << box << step.step() << "\n";
      }
      break;
    }
    case v1::EVENT_TYPE_MODEL_REROUTED:
      EndLine();
      side_ << Head(e) << "model rerouted: " << e.model_rerouted().from_model()
            << " -> " << e.model_rerouted().to_model() << " ("
            << e.model_rerouted().reason() << ")\n";
      break;
    case v1::EVENT_TYPE_CONTEXT_COMPACTED:
      EndLine();
      side_ << Head(e) << e.notice().message() << "\n";
      break;
    case v1::EVENT_TYPE_MCP_SERVER_STATUS:
      if (e.mcp_server_status().status() == "failed") {
        EndLine();
        side_ << Head(e) << "MCP server " << e.mcp_server_status().name()
              << " failed to start: " << e.mcp_server_status().error() << "\n";
      }
      break;
    case v1::EVENT_TYPE_SESSION_UPDATED:
      EndLine();
      side_ << Head(e) << "settings: " << SettingsChanged(e.session_updated())
            << "\n";
      break;
    case v1::EVENT_TYPE_CODEX_SETTINGS_CHANGED: {
      std::string said = CodexSettingsSummary(e.codex_settings());
      if (said == settings_said_) break;
      EndLine();
      side_ << Head(e) << "codex settings: " << said << "\n";
      settings_said_ = std::move(said);
      break;
    }
    case v1::EVENT_TYPE_SESSION_REVERTED:
      EndLine();
      side_ << Head(e) << "reverted "
            << e.session_reverted().reverted_turn_ids_size() << " turns, from "
            << e.session_reverted().before_turn_id() << "\n";
      break;
    case v1::EVENT_TYPE_GOAL_UPDATED: {
      const v1::GoalUpdated& u = e.goal_updated();
      std::string said = u.has_goal() ? u.goal().objective() + "\n" +
                                            GoalStatusName(u.goal().status())
                                      : "";
      if (said == goal_said_) break;
      goal_said_ = std::move(said);
      EndLine();
      side_ << Head(e)
            << (u.has_goal() ? "goal: " + GoalSummary(u.goal())
                             : std::string("goal cleared"))
            << "\n";
      break;
    }
    case v1::EVENT_TYPE_HOOK_RUN: {
      // A run's start only when its hook says what it does (its status
      // line, as Codex's own UI shows it); its end always.
      const v1::HookRun& run = e.hook_run();
      const bool running = run.status() == "running";
      if (running && run.status_message().empty()) break;
      EndLine();
      side_ << Head(e) << "hook " << run.event_name() << " "
            << (running ? run.status_message() + "..." : run.status());
      if (run.has_duration_ms()) side_ << " (" << run.duration_ms() << " ms)";
      side_ << "\n";
      if (running) break;
      for (const v1::HookOutputEntry& entry : run.entries()) {
        side_ << indent_ << entry.kind() << ": ";
        Stream(side_, entry.text());
        side_ << "\n";
        pending_indent_ = false;
      }
      break;
    }
    case v1::EVENT_TYPE_TERMINAL_INPUT: {
      // As typed: the command's echo, if any, comes as its output.
      EndLine();
      side_ << Head(e) << "typed into background terminal "
            << e.terminal_input().process_id() << ": ";
      Stream(side_,
             std::string(absl::StripSuffix(e.terminal_input().stdin(), "\n")));
      side_ << "\n";
      pending_indent_ = false;
      break;
    }
    case v1::EVENT_TYPE_SESSION_STATE_CHANGED:
      if (!e.session_state_changed().error().empty()) {
        EndLine();
        side_ << Head(e) << "session "
              << SessionStateName(e.session_state_changed().state()) << ": "
              << e.session_state_changed().error() << "\n";
      }
      break;
    default:
      break;
  }
}

}  // namespace codex_manager::cli
