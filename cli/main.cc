// codex-manager: the command-line client of Codex Manager.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "client.h"
#include "commands.h"
#include "completion.h"
#include "render.h"
#include "signals.h"
#include "terminal.h"
#include "terminal_text.h"

namespace codex_manager::cli {
namespace {

constexpr const char* kFooter = R"(Exit codes:
  0  success; with --follow / run: the turn COMPLETED
  1  the turn FAILED, was INTERRUPTED or an approval in it was denied;
     or another error (e.g. FAILED_PRECONDITION)
  2  usage error (bad flags or arguments, INVALID_ARGUMENT)
  3  server unreachable or overloaded (UNAVAILABLE, DEADLINE_EXCEEDED)
  4  not found (NOT_FOUND)
  5  not signed in or not allowed (UNAUTHENTICATED, PERMISSION_DENIED)
  130  Ctrl-C (with --follow / run: the turn was interrupted, or left)

Environment:
  CODEX_MANAGER_ADDR        default for --addr
  CODEX_MANAGER_TOKEN       the token (else --token-file,
                            CODEX_MANAGER_TOKEN_FILE, and on a loopback
                            address the server's default admin.token)
  CODEX_MANAGER_CA_FILE     default for --ca-file (TLS))";

// Examples for a command's help page, as gh's help pages show them.
const std::map<std::string, std::string>& Examples() {
  static const auto* examples = new std::map<std::string, std::string>{
      {"session create",
       "  $ codex-manager session create --cwd . --title \"fix the tests\"\n"
       "  $ S=$(codex-manager session create --cwd ~/src/app "
       "--approval-policy untrusted)"},
      {"session list",
       "  $ codex-manager session list\n"
       "  $ codex-manager session list --all --json | jq -r "
       "'.sessions[].sessionId'"},
      {"session stop", "  $ codex-manager session stop $S --force"},
      {"session resume", "  $ codex-manager session resume $S"},
      {"turn start",
       "  $ codex-manager turn start $S \"run the tests\" --follow\n"
       "  $ git diff | codex-manager turn start $S - --follow "
       "--on-approval deny"},
      {"turn interrupt", "  $ codex-manager turn interrupt $S"},
      {"session compact", "  $ codex-manager session compact $S"},
      {"session terminals", "  $ codex-manager session terminals $S"},
      {"session files",
       "  $ codex-manager session files $S sessman\n"
       "  $ vim \"$(codex-manager session files $S sessman | head -1)\""},
      {"session skills",
       "  $ codex-manager session skills $S\n"
       "  $ codex-manager turn start $S '$repo-helper tidy the notes' "
       "--follow"},
      {"session goal",
       "  $ codex-manager session goal $S \"make every test pass\" "
       "--budget 200000\n"
       "  $ codex-manager session goal $S --pause\n"
       "  $ codex-manager session goal $S --clear"},
      {"session terminate",
       "  $ codex-manager session terminate $S 95110\n"
       "  $ codex-manager session terminate $S --all"},
      {"session update",
       "  $ codex-manager session update $S --model gpt-5.1-codex --effort "
       "high"},
      {"turn review",
       "  $ codex-manager turn review $S --uncommitted --follow\n"
       "  $ codex-manager turn review $S --base main"},
      {"session import",
       "  $ codex-manager codex threads\n"
       "  $ codex-manager session import 019a0b1c-2d3e-7f40-8a5b-6c7d8e9f0a1b"},
      {"session fork",
       "  $ F=$(codex-manager session fork $S --title \"try B\")\n"
       "  $ T=$(codex-manager turn list $S --json | jq -r "
       "'.turns[-1].turnId')\n"
       "  $ F=$(codex-manager session fork $S --before $T)"},
      {"session revert",
       "  $ T=$(codex-manager turn list $S --json | jq -r "
       "'.turns[-1].turnId')\n"
       "  $ codex-manager session revert $S --before $T"},
      {"codex models",
       "  $ codex-manager codex models --json | jq -r '.models[].model'"},
      {"codex threads", "  $ codex-manager codex threads --cwd \"$PWD\""},
      {"codex hooks", "  $ codex-manager codex hooks --cwd \"$PWD\""},
      {"codex hooks trust",
       "  $ codex-manager codex hooks\n"
       "  $ codex-manager codex hooks trust --all-untrusted"},
      {"turn shell",
       "  $ codex-manager turn shell $S \"git status --short\" --follow"},
      {"turn steer",
       "  $ codex-manager turn steer $S \"use the existing helper instead\""},
      {"turn list", "  $ codex-manager turn list $S --json"},
      {"approval list", "  $ codex-manager approval list --session $S"},
      {"approval approve",
       "  $ codex-manager approval approve apr_0123456789abcdef0123 "
       "--for-session"},
      {"approval deny",
       "  $ codex-manager approval deny apr_0123456789abcdef0123 --abort"},
      {"approval answer",
       "  $ codex-manager approval answer apr_0123456789abcdef0123 "
       "lang=Python\n"
       "  $ codex-manager approval answer apr_0123456789abcdef0123 "
       "--stdin key < key.txt"},
      {"events",
       "  $ codex-manager events $S                  # the transcript\n"
       "  $ codex-manager events $S --follow\n"
       "  $ codex-manager events $S --json > transcript.jsonl\n"
       "  $ codex-manager events $S --raw --after 120"},
      {"export",
       "  $ codex-manager export $S --format markdown -o session.md\n"
       "  $ codex-manager export $S > events.jsonl"},
      {"run",
       "  $ codex-manager run --cwd . \"why does the build fail?\"\n"
       "  $ codex-manager run --cwd . \"fix it\" --on-approval approve > "
       "answer.txt"},
      {"token create",
       "  $ codex-manager token create --name phone --role operator --ttl 30d "
       "--link http://127.0.0.1:8080/"},
      {"audit list", "  $ codex-manager audit list --since 24h"},
      {"backup",
       "  $ codex-manager backup codex-manager-$(date +%F).db\n"
       "  $ codex-manager backup - | gzip > backup.db.gz"},
      {"completion",
       "  $ source <(codex-manager completion bash)     # in ~/.bashrc\n"
       "  $ codex-manager completion zsh > \"${fpath[1]}/_codex-manager\"\n"
       "  $ codex-manager completion fish > "
       "~/.config/fish/completions/codex-manager.fish"},
  };
  return *examples;
}

void AddSessionFlags(CLI::App* cmd, SessionFlags* flags, bool cwd_required) {
  auto* cwd = cmd->add_option(
      "--cwd", flags->cwd,
      "Project folder on the server's machine; a relative path is taken "
      "from this shell's folder");
  if (cwd_required) cwd->required();
  cmd->add_option("--model", flags->model, "Model name for Codex");
  cmd->add_option("--model-provider", flags->model_provider,
                  "Model provider of the Codex config (see `codex "
                  "providers`); default: the config's");
  cmd->add_option("--approval-policy", flags->approval_policy,
                  "untrusted, on-request or never");
  cmd->add_option("--sandbox", flags->sandbox,
                  "read-only, workspace-write or danger-full-access");
  cmd->add_option("--title", flags->title, "Title for people");
  cmd->add_option("--effort", flags->effort,
                  "Reasoning effort of its turns (low, medium, high, …: "
                  "the model's, see `codex models`); default: Codex's");
  cmd->add_option("--service-tier", flags->service_tier,
                  "Service tier of its turns: priority (Codex's Fast mode) "
                  "or default (standard speed); default: the thread's own");
  auto* told = cmd->add_option(
      "--instructions", flags->instructions,
      "Instructions for the agent in this session, beside AGENTS.md "
      "(Codex's developer instructions; at most 4096 bytes)");
  cmd->add_option("--instructions-file", flags->instructions_file,
                  "A file whose text is --instructions")
      ->check(CLI::ExistingFile)
      ->excludes(told);
  cmd->add_option("--request-id", flags->request_id,
                  "Idempotency key: a retry with the same key returns the "
                  "first result");
}

ApprovalMode ParseMode(const std::string& mode) {
  if (mode == "ask") return ApprovalMode::kAsk;
  if (mode == "approve") return ApprovalMode::kApprove;
  if (mode == "deny") return ApprovalMode::kDeny;
  return ApprovalMode::kWait;
}

// The default port of codex-manager-server.
constexpr const char* kDefaultPort = "50051";

// `addr` as gRPC dials it: "host:port", "[v6]:port", or "unix:PATH". A
// host without a port gets the default port; anything else that is not
// host:port is a usage error (nullopt, with the reason in *error).
std::optional<std::string> NormalizeAddress(const std::string& addr,
                                            std::string* error) {
  if (addr.rfind("unix:", 0) == 0) return addr;
  std::string host = addr, port;
  if (!addr.empty() && addr.front() == '[') {  // [v6] or [v6]:port
    const size_t close = addr.find(']');
    if (close == std::string::npos) {
      *error = "unclosed '[' in an IPv6 address";
      return std::nullopt;
    }
    host = addr.substr(0, close + 1);
    if (close + 1 < addr.size()) {
      if (addr[close + 1] != ':') {
        *error = "expected :PORT after the ']'";
        return std::nullopt;
      }
      port = addr.substr(close + 2);
    }
  } else if (const size_t colon = addr.rfind(':');
             colon != std::string::npos) {
    if (addr.find(':') != colon) {
      *error = "an IPv6 address goes in brackets: [::1]:50051";
      return std::nullopt;
    }
    host = addr.substr(0, colon);
    port = addr.substr(colon + 1);
  } else {
    port = kDefaultPort;
  }
  if (host.empty() || host.find_first_of(" /") != std::string::npos) {
    *error = "expected HOST:PORT, e.g. 127.0.0.1:50051";
    return std::nullopt;
  }
  int number = 0;
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos ||
      (number = std::stoi(port)) < 1 || number > 65535) {
    *error = "the port must be a number from 1 to 65535";
    return std::nullopt;
  }
  return host + ":" + port;
}

// A relative --cwd ("." included) from this shell's folder, normalized;
// an absolute one as given (the server checks it).
std::string AbsoluteCwd(const std::string& cwd) {
  if (cwd.empty() || cwd.front() == '/') return cwd;
  std::error_code ec;
  std::filesystem::path path = std::filesystem::absolute(cwd, ec);
  if (ec) return cwd;
  path = path.lexically_normal();
  std::string out = path.string();
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// Edit distance (insertions, deletions, substitutions) between a and b.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// When the words on the line name an unknown command where one is
// expected, says so with the closest known names (as git and gh do), or
// when a command that needs a subcommand got none (`missing`), lists them;
// then returns true.
bool SuggestCommand(const CLI::App& app, int argc, char** argv,
                    bool missing) {
  const CLI::App* cmd = &app;
  std::string path = "codex-manager";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--") return false;
    if (!word.empty() && word[0] == '-') {
      if (word.find('=') == std::string::npos && TakesValue(cmd, word)) ++i;
      continue;
    }
    const auto subcommands = Commands(cmd);
    if (subcommands.empty()) return false;  // a positional argument
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : subcommands) {
      if (sub->get_name() == word) next = sub;
    }
    if (next != nullptr) {
      cmd = next;
      path += " " + word;
      continue;
    }
    std::vector<std::string> close;
    for (const CLI::App* sub : subcommands) {
      const std::string& name = sub->get_name();
      if (EditDistance(word, name) <= 2 || name.rfind(word, 0) == 0) {
        close.push_back(name);
      }
    }
    std::cerr << "error: unknown command \"" << word << "\" for \"" << path
              << "\"\n";
    if (!close.empty()) {
      std::cerr << "\nDid you mean this?\n";
      for (const std::string& name : close) std::cerr << "\t" << name << "\n";
    }
    std::cerr << "\nRun '" << path << " --help' for its commands.\n";
    return true;
  }
  const auto subcommands = Commands(cmd);
  if (!missing || subcommands.empty()) return false;
  std::cerr << "error: \"" << path << "\" needs a command:";
  for (const CLI::App* sub : subcommands) std::cerr << " " << sub->get_name();
  std::cerr << "\n\nRun '" << path << " --help' for what each does.\n";
  return true;
}

// "-" reads the prompt from standard input.
std::string ReadPrompt(const std::string& prompt) {
  if (prompt != "-") return prompt;
  return std::string(std::istreambuf_iterator<char>(std::cin), {});
}

int Main(int argc, char** argv) {
  ShowTerminalTextOnly();
  RouteLibraryLogs();
  CLI::App app{
      "codex-manager: drive Codex sessions on a Codex Manager server."};
  app.footer(kFooter);
  app.require_subcommand(1);
  app.set_version_flag("--version", "codex-manager " CODEX_MANAGER_VERSION);
  // Global flags may come anywhere on the line: a subcommand passes what
  // it does not know to its parent (`session list --json`).
  app.fallthrough();
  Options options;
  const char* env_addr = std::getenv("CODEX_MANAGER_ADDR");
  options.addr = env_addr && *env_addr ? env_addr : "127.0.0.1:50051";
  int timeout_ms = 10000;
  app.add_option("--addr", options.addr,
                 "Server address, host:port (a host alone: port 50051)")
      ->capture_default_str();
  app.add_flag(
      "--json", options.json,
      "Print results as the proto JSON mapping; streams as JSON Lines");
  app.add_option("--timeout-ms", timeout_ms,
                 "Deadline of each call, in milliseconds (not streams); 0: "
                 "none")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--token", options.token,
                 "Bearer token (prefer --token-file or CODEX_MANAGER_TOKEN: "
                 "arguments are visible to other local users)");
  app.add_option("--token-file", options.token_file,
                 "File whose first line is the token");
  const char* env_ca = std::getenv("CODEX_MANAGER_CA_FILE");
  if (env_ca != nullptr) options.ca_file = env_ca;
  app.add_option("--ca-file", options.ca_file,
                 "PEM CA bundle: connect with TLS and verify the server");
  app.add_option("--cert-file", options.cert_file,
                 "PEM client certificate for mTLS (with --key-file)");
  app.add_option("--key-file", options.key_file,
                 "PEM private key of --cert-file");

  int code = kExitOk;
  std::unique_ptr<Client> client;
  auto connect = [&]() -> Client& {
    options.timeout = std::chrono::milliseconds(timeout_ms);
    std::string address_error;
    std::optional<std::string> address =
        NormalizeAddress(options.addr, &address_error);
    if (!address) {
      std::cerr << "error: --addr \"" << options.addr
                << "\": " << address_error << "\n";
      std::exit(kExitUsage);
    }
    options.addr = *address;
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
        ChannelCredentials(options);
    absl::StatusOr<std::string> token =
        credentials.ok() ? ResolveToken(options)
                         : absl::StatusOr<std::string>(credentials.status());
    if (!token.ok()) {
      std::cerr << "error: " << token.status().message() << "\n";
      std::exit(kExitUsage);
    }
    client = std::make_unique<Client>(options, *credentials, *token);
    return *client;
  };

  // health
  app.add_subcommand("health", "Check that the server is serving")
      ->callback([&] { code = Health(connect()); });

  // session …
  auto* session =
      app.add_subcommand("session", "Create, list and control sessions");
  session->require_subcommand(1);
  SessionFlags create_flags;
  auto* create = session->add_subcommand(
      "create", "Create a session; prints its id (its object with --json)");
  AddSessionFlags(create, &create_flags, /*cwd_required=*/true);
  create->callback([&] {
    create_flags.cwd = AbsoluteCwd(create_flags.cwd);
    code = SessionCreate(connect(), create_flags);
  });

  bool list_all = false;
  int page_size = 0;
  std::string page_token;
  std::string search, list_cwd;
  std::vector<std::string> list_states;
  auto* list = session->add_subcommand("list", "List sessions, newest first");
  list->add_flag("--all", list_all, "Include archived sessions");
  list->add_option(
      "--search", search,
      "Only sessions whose title, folder or a prompt holds TEXT (any case)");
  list->add_option("--cwd", list_cwd,
                   "Only sessions in DIR or below it; relative: from this "
                   "shell's folder");
  list->add_option("--state", list_states,
                   "Only sessions in this state (repeat for several)")
      ->check(CLI::IsMember(SessionStateFlagValues(), CLI::ignore_case));
  list->add_option("--page-size", page_size, "Sessions per page (at most 1000; 0: the server's default, 100)");
  list->add_option("--page-token", page_token, "Token of the next page");
  list->callback([&] {
    v1::ListSessionsRequest request;
    request.set_include_archived(list_all);
    request.set_search(search);
    request.set_cwd(AbsoluteCwd(list_cwd));
    for (const std::string& name : list_states) {
      v1::SessionState state = v1::SESSION_STATE_UNSPECIFIED;
      v1::SessionState_Parse("SESSION_STATE_" + absl::AsciiStrToUpper(name),
                             &state);
      request.add_states(state);
    }
    request.set_page_size(page_size);
    request.set_page_token(page_token);
    code = SessionList(connect(), request);
  });

  std::string session_id;
  auto* show = session->add_subcommand("show", "Show one session");
  show->add_option("SESSION", session_id, "Session id")->required();
  show->callback([&] { code = SessionShow(connect(), session_id); });

  bool force = false;
  auto* stop =
      session->add_subcommand("stop", "Stop the session's runtime (resumable)");
  stop->add_option("SESSION", session_id, "Session id")->required();
  stop->add_flag("--force", force, "SIGKILL the runtime at once");
  stop->callback([&] { code = SessionStop(connect(), session_id, force); });

  auto* resume = session->add_subcommand(
      "resume", "Relaunch the runtime on the same Codex thread");
  resume->add_option("SESSION", session_id, "Session id")->required();
  resume->callback([&] { code = SessionResume(connect(), session_id); });

  auto* archive = session->add_subcommand(
      "archive", "Archive a session: stopped, left out of lists, no prompts");
  archive->add_option("SESSION", session_id, "Session id")->required();
  archive->callback([&] { code = SessionArchive(connect(), session_id); });
  auto* unarchive = session->add_subcommand(
      "unarchive", "Undo archive: the session is STOPPED, and resumable");
  unarchive->add_option("SESSION", session_id, "Session id")->required();
  unarchive->callback(
      [&] { code = SessionUnarchive(connect(), session_id); });
  auto* update = session->add_subcommand(
      "update", "Change a session's title, model, effort, policies or service "
                "tier for its later turns");
  v1::UpdateSessionRequest update_request;
  std::string up_title, up_model, up_effort, up_policy, up_sandbox, up_tier;
  update->add_option("SESSION", session_id, "Session id")->required();
  update->add_option("--title", up_title, "New title");
  update->add_option("--model", up_model, "Model (\"\": Codex's default)");
  update->add_option("--effort", up_effort,
                     "Reasoning effort (low, medium, high, …; \"\": default)");
  update->add_option("--approval-policy", up_policy, "Approval policy")
      ->check(CLI::IsMember({"untrusted", "on-request", "never"}));
  update->add_option("--sandbox", up_sandbox, "Sandbox")
      ->check(CLI::IsMember({"read-only", "workspace-write", "danger-full-access"}));
  update->add_option("--service-tier", up_tier,
                     "Service tier: priority (Codex's Fast mode), default "
                     "(standard speed), or \"\": the thread's own (see "
                     "`codex models`)");
  update->callback([&] {
    update_request.set_session_id(session_id);
    // Only what was given changes.
    if (update->count("--title")) update_request.set_title(up_title);
    if (update->count("--model")) update_request.set_model(up_model);
    if (update->count("--effort")) update_request.set_effort(up_effort);
    if (update->count("--approval-policy")) {
      update_request.set_approval_policy(up_policy);
    }
    if (update->count("--sandbox")) update_request.set_sandbox(up_sandbox);
    if (update->count("--service-tier")) {
      update_request.set_service_tier(up_tier);
    }
    code = SessionUpdate(connect(), update_request);
  });
  auto* compact = session->add_subcommand(
      "compact", "Have Codex summarize the conversation to free context");
  compact->add_option("SESSION", session_id, "Session id")->required();
  compact->callback([&] {
    v1::CompactSessionRequest request;
    request.set_session_id(session_id);
    code = SessionCompact(connect(), request);
  });
  v1::SetSessionGoalRequest goal_request;
  std::string goal_status;
  int64_t goal_budget = 0;
  bool goal_clear = false;
  auto* goal = session->add_subcommand(
      "goal",
      "Show or set the goal Codex works toward by itself, turn after turn, "
      "until it is complete");
  goal->add_option("SESSION", *goal_request.mutable_session_id(), "Session id")
      ->required();
  auto* objective = goal->add_option(
      "OBJECTIVE", "A new goal (replaces the current one; - reads stdin)");
  auto* status_opt =
      goal->add_option("--status", goal_status, "Set its status")
          ->check(CLI::IsMember({"active", "paused", "blocked", "complete"}));
  bool goal_pause = false;
  bool goal_resume = false;
  auto* pause_opt =
      goal->add_flag("--pause", goal_pause, "Same as --status paused")
          ->excludes(status_opt);
  auto* resume_opt =
      goal->add_flag("--resume", goal_resume, "Same as --status active")
          ->excludes(status_opt)
          ->excludes(pause_opt);
  auto* budget = goal->add_option("--budget", goal_budget,
                                  "Most tokens its turns may use")
                     ->check(CLI::PositiveNumber);
  goal->add_flag("--clear", goal_clear, "Remove the goal")
      ->excludes(objective)
      ->excludes(status_opt)
      ->excludes(pause_opt)
      ->excludes(resume_opt)
      ->excludes(budget);
  goal->callback([&] {
    if (objective->count() > 0) {
      goal_request.set_objective(ReadPrompt(objective->as<std::string>()));
    }
    if (goal_pause) goal_status = "paused";
    if (goal_resume) goal_status = "active";
    if (!goal_status.empty()) {
      std::string name = "GOAL_STATUS_" + goal_status;
      std::transform(name.begin(), name.end(), name.begin(), ::toupper);
      v1::GoalStatus status = v1::GOAL_STATUS_UNSPECIFIED;
      v1::GoalStatus_Parse(name, &status);
      goal_request.set_status(status);
    }
    if (budget->count() > 0) goal_request.set_token_budget(goal_budget);
    code = SessionGoal(connect(), goal_request, goal_clear);
  });
  v1::SearchFilesRequest files_request;
  auto* files = session->add_subcommand(
      "files",
      "Find files in the session's folder by name, as Codex's @ picker does "
      "(paths relative to the folder, best first)");
  files
      ->add_option("SESSION", *files_request.mutable_session_id(), "Session id")
      ->required();
  files
      ->add_option("QUERY", *files_request.mutable_query(),
                   "Letters of the path, in order, e.g. sessman")
      ->required();
  int files_limit = 0;
  files->add_option("--limit", files_limit,
                    "At most this many (1-100; default 20)");
  files->callback([&] {
    files_request.set_max_results(files_limit);
    code = SessionFiles(connect(), files_request);
  });
  v1::ListSkillsRequest skills_request;
  auto* skills = session->add_subcommand(
      "skills",
      "List the skills Codex offers in the session's folder; a prompt uses "
      "one by naming it, $NAME");
  skills
      ->add_option("SESSION", *skills_request.mutable_session_id(),
                   "Session id")
      ->required();
  skills->add_flag(
      "--reload", [&](int64_t) { skills_request.set_force_reload(true); },
      "Have Codex read the skill folders again (after adding one)");
  std::vector<std::string> enable_skills, disable_skills;
  skills->add_option(
      "--enable", enable_skills,
      "Enable this skill (its name or SKILL.md path) for the "
      "server's sessions started or resumed from now on (admin)");
  skills->add_option("--disable", disable_skills,
                     "Disable this skill for the server's sessions started or "
                     "resumed from now on (admin): Codex no longer offers it");
  skills->callback([&] {
    code =
        SessionSkills(connect(), skills_request, enable_skills, disable_skills);
  });
  auto* mcp = session->add_subcommand(
      "mcp",
      "List the MCP servers of Codex's config, the session's connection to "
      "each and the tools each offers");
  mcp->add_option("SESSION", session_id, "Session id")->required();
  mcp->callback([&] { code = SessionMcpServers(connect(), session_id); });
  auto* terminals = session->add_subcommand(
      "terminals",
      "List the processes the agent left running in the background "
      "(a dev server, a watcher)");
  terminals->add_option("SESSION", session_id, "Session id")->required();
  terminals->callback([&] { code = SessionTerminals(connect(), session_id); });
  std::vector<std::string> process_ids;
  bool terminate_all = false;
  auto* terminate = session->add_subcommand(
      "terminate", "End background terminals of a session (its turns go on)");
  terminate->add_option("SESSION", session_id, "Session id")->required();
  terminate->add_option("PROCESS", process_ids,
                        "Process ids, from `session terminals`");
  terminate->add_flag("--all", terminate_all, "End every one");
  terminate->callback([&] {
    code = SessionTerminate(connect(), session_id, process_ids, terminate_all);
  });
  v1::ImportThreadRequest import_request;
  auto* import = session->add_subcommand(
      "import",
      "Make a session of a stored Codex thread (see `codex threads`), with "
      "its history");
  import->add_option("THREAD", *import_request.mutable_thread_id(),
                     "Codex thread id")
      ->required();
  import->add_option("--title", *import_request.mutable_title(), "Title");
  import->add_option("--request-id", *import_request.mutable_request_id(),
                     "Idempotency key");
  import->callback([&] { code = SessionImport(connect(), import_request); });
  v1::ForkSessionRequest fork_request;
  auto* fork = session->add_subcommand(
      "fork", "A new session on a copy of this one's Codex thread");
  fork->add_option("SESSION", *fork_request.mutable_session_id(), "Session id")
      ->required();
  fork->add_option("--title", *fork_request.mutable_title(),
                   "Title (default: Fork of …)");
  fork->add_option("--request-id", *fork_request.mutable_request_id(),
                   "Idempotency key");
  auto* through = fork->add_option(
      "--through", *fork_request.mutable_through_turn_id(),
      "The fork's history ends with this turn (an ended one); later turns "
      "are left out");
  fork->add_option("--before", *fork_request.mutable_before_turn_id(),
                   "The fork's history ends just before this turn (edit and "
                   "retry a prompt)")
      ->excludes(through);
  fork->callback([&] { code = SessionFork(connect(), fork_request); });
  v1::RevertSessionRequest revert_request;
  auto* revert = session->add_subcommand(
      "revert",
      "Undo turns in place: this turn and every later one leave the "
      "conversation (files they changed stay changed)");
  revert->add_option("SESSION", *revert_request.mutable_session_id(),
                     "Session id")
      ->required();
  revert->add_option("--before", *revert_request.mutable_before_turn_id(),
                     "The first turn to take out")
      ->required();
  revert->callback([&] { code = SessionRevert(connect(), revert_request); });
  // turn …
  auto* turn = app.add_subcommand("turn", "Send prompts and control turns");
  turn->require_subcommand(1);
  std::string prompt, request_id, turn_id, on_approval = "wait";
  bool follow = false, detach = false;
  auto* start = turn->add_subcommand(
      "start", "Queue a prompt; prints the turn id, or follows it");
  start->add_option("SESSION", session_id, "Session id")->required();
  start->add_option("PROMPT", prompt, "The prompt; - reads standard input")
      ->required();
  start->add_flag("--follow", follow,
                  "Stream the turn until it ends; exit code says how");
  // This turn's settings (the session's otherwise; `session update`).
  std::string turn_model, turn_effort, turn_summary, turn_schema_file,
      turn_policy, turn_sandbox, turn_tier;
  bool turn_plan = false;
  std::vector<std::string> turn_images;
  start->add_option("--model", turn_model, "Model for this turn only")
      ->group("Turn settings");
  start->add_option("--effort", turn_effort,
                    "Reasoning effort for this turn (low, medium, high, …)")
      ->group("Turn settings");
  start->add_option("--summary", turn_summary, "Reasoning summary for this turn")
      ->check(CLI::IsMember({"auto", "concise", "detailed", "none"}))
      ->group("Turn settings");
  start->add_option("--output-schema", turn_schema_file,
                    "A JSON Schema file the final message must follow")
      ->check(CLI::ExistingFile)
      ->group("Turn settings");
  start->add_option("--image", turn_images,
                    "An image for this turn (repeatable; a file inside the "
                    "session's folder)")
      ->group("Turn settings");
  start->add_option("--approval-policy", turn_policy,
                    "Approval policy for this turn")
      ->check(CLI::IsMember({"untrusted", "on-request", "never"}))
      ->group("Turn settings");
  start->add_option("--sandbox", turn_sandbox, "Sandbox for this turn")
      ->check(CLI::IsMember({"read-only", "workspace-write", "danger-full-access"}))
      ->group("Turn settings");
  start->add_option("--service-tier", turn_tier,
                    "Service tier for this turn: priority (Codex's Fast "
                    "mode) or default (standard speed)")
      ->group("Turn settings");
  start
      ->add_flag("--plan", turn_plan,
                 "Codex's Plan mode for this turn: the agent explores, asks, "
                 "changes nothing and proposes a plan")
      ->group("Turn settings");
  start->add_option("--request-id", request_id, "Idempotency key");
  start->add_flag("--detach", detach,
                  "With --follow: Ctrl-C leaves the turn running (default: "
                  "the first Ctrl-C interrupts it, a second detaches)");
  start
      ->add_option("--on-approval", on_approval,
                   "With --follow: wait (for a decision from elsewhere), "
                   "ask, approve or deny")
      ->check(CLI::IsMember({"wait", "ask", "approve", "deny"}))
      ->capture_default_str();
  start->callback([&] {
    if (start->count("--on-approval") > 0 && !follow) {
      // Nothing would be there to act on the approval.
      std::cerr << "error: --on-approval acts while following the turn: add "
                   "--follow (or decide later with codex-manager approval)\n";
      code = kExitUsage;
      return;
    }
    v1::StartTurnRequest request;
    request.set_session_id(session_id);
    request.set_prompt(ReadPrompt(prompt));
    request.set_request_id(request_id);
    request.set_model(turn_model);
    request.set_effort(turn_effort);
    request.set_reasoning_summary(turn_summary);
    request.set_approval_policy(turn_policy);
    request.set_sandbox(turn_sandbox);
    request.set_service_tier(turn_tier);
    if (turn_plan) request.set_collaboration_mode("plan");
    if (!turn_schema_file.empty()) {
      std::ifstream in(turn_schema_file);
      request.set_output_schema_json(std::string(
          std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
    }
    for (const std::string& image : turn_images) {
      // Relative to where the command runs, as a shell user expects.
      std::error_code ec;
      const auto absolute = std::filesystem::absolute(image, ec);
      request.add_image_paths(ec ? image : absolute.string());
    }
    code = TurnStart(connect(), request, follow, ParseMode(on_approval), detach);
  });

  auto* turns = turn->add_subcommand("list", "List a session's turns");
  turns->add_option("SESSION", session_id, "Session id")->required();
  turns->add_option("--page-size", page_size, "Turns per page (at most 1000; 0: the server's default, 100)");
  turns->add_option("--page-token", page_token, "Token of the next page");
  turns->callback(
      [&] { code = TurnList(connect(), session_id, page_size, page_token); });

  auto* turn_show = turn->add_subcommand("show", "Show one turn");
  turn_show->add_option("TURN", turn_id, "Turn id")->required();
  turn_show->callback([&] { code = TurnShow(connect(), turn_id); });

  auto* interrupt = turn->add_subcommand(
      "interrupt", "Interrupt the running turn (or drop a queued one)");
  interrupt->add_option("SESSION", session_id, "Session id")->required();
  interrupt->add_option("--turn", turn_id,
                        "A specific turn (default: running)");
  interrupt->callback(
      [&] { code = TurnInterrupt(connect(), session_id, turn_id); });

  auto* steer = turn->add_subcommand(
      "steer",
      "Add to the running turn without ending it (Codex turn/steer); "
      "`turn start` queues a prompt for after it instead");
  steer->add_option("SESSION", session_id, "Session id")->required();
  steer->add_option("PROMPT", prompt, "What to add; - reads standard input")
      ->required();
  steer->add_option("--turn", turn_id, "A specific turn (default: running)");
  steer->callback([&] {
    code = TurnSteer(connect(), session_id, turn_id, ReadPrompt(prompt));
  });

  v1::StartReviewRequest review_request;
  std::string review_commit, review_base, review_instructions;
  bool review_uncommitted = false;
  auto* review = turn->add_subcommand(
      "review",
      "Queue a code review (Codex review/start); prints the turn id, or "
      "follows it");
  review->add_option("SESSION", *review_request.mutable_session_id(),
                     "Session id")
      ->required();
  auto* review_target = review->add_option_group(
      "target", "What to review (one of them)");
  review_target->add_flag("--uncommitted", review_uncommitted,
                          "Staged, unstaged and untracked changes");
  review_target->add_option("--base", review_base,
                            "Changes against this base branch");
  review_target->add_option("--commit", review_commit, "One commit (its sha)");
  review_target->add_option("--instructions", review_instructions,
                            "Free-form review instructions; - reads standard "
                            "input");
  review_target->require_option(1);
  review->add_option("--commit-title",
                     *review_request.mutable_target()->mutable_commit_title(),
                     "With --commit: a label for it");
  review->add_option("--request-id", *review_request.mutable_request_id(),
                     "Idempotency key");
  review->add_flag("--follow", follow, "Stream the review until it ends");
  review->add_flag("--detach", detach, "As turn start's");
  review
      ->add_option("--on-approval", on_approval,
                   "With --follow: wait, ask, approve or deny")
      ->check(CLI::IsMember({"wait", "ask", "approve", "deny"}))
      ->capture_default_str();
  review->callback([&] {
    v1::ReviewTarget* target = review_request.mutable_target();
    // By what was given, so an empty value gets the server's error.
    if (review_uncommitted) {
      target->set_uncommitted_changes(true);
    } else if (review->count("--base") > 0) {
      target->set_base_branch(review_base);
    } else if (review->count("--commit") > 0) {
      target->set_commit(review_commit);
    } else {
      target->set_custom_instructions(ReadPrompt(review_instructions));
    }
    code = TurnReview(connect(), review_request, follow, ParseMode(on_approval),
                      detach);
  });

  v1::RunShellCommandRequest shell_request;
  std::string shell_command;
  auto* shell_turn = turn->add_subcommand(
      "shell",
      "Queue a shell command as a turn, as ! does in Codex's TUI (Codex "
      "thread/shellCommand): run unsandboxed in the session's folder, seen by "
      "the agent from the next turn on (role: admin, and the server's "
      "--max-sandbox danger-full-access); prints the turn id, or follows it");
  shell_turn->add_option("SESSION", *shell_request.mutable_session_id(),
                         "Session id")
      ->required();
  shell_turn->add_option("COMMAND", shell_command,
                         "Command line for the shell (pipes and quoting "
                         "kept); - reads standard input")
      ->required();
  shell_turn->add_option("--request-id", *shell_request.mutable_request_id(),
                         "Idempotency key");
  shell_turn->add_flag(
      "--follow", follow,
      "Stream it until it ends: the command's output on stdout");
  shell_turn->add_flag("--detach", detach, "As turn start's");
  shell_turn->callback([&] {
    shell_request.set_command(ReadPrompt(shell_command));
    code = TurnShell(connect(), shell_request, follow, detach);
  });

  // codex …
  auto* codex = app.add_subcommand(
      "codex",
      "What the server's Codex knows: models, account, stored threads; "
      "its sign-in");
  codex->require_subcommand(1);
  bool models_all = false;
  std::string models_provider;
  auto* models = codex->add_subcommand("models", "List the models (model/list)");
  models->add_flag("--all", models_all, "Include hidden models");
  models->add_option("--model-provider", models_provider,
                     "The models of this provider (see `codex providers`)");
  models->callback(
      [&] { code = CodexModels(connect(), models_all, models_provider); });
  auto* providers = codex->add_subcommand(
      "providers",
      "List the model providers a session can use (modelProvider/list)");
  providers->callback([&] { code = CodexModelProviders(connect()); });
  auto* account = codex->add_subcommand(
      "account", "Show the account and its rate limits (role: operator)");
  account->callback([&] { code = CodexAccount(connect()); });
  CodexLoginFlags login_flags;
  auto* login = codex->add_subcommand(
      "login",
      "Sign the server's Codex in (role: admin): ChatGPT's device code, "
      "typed on any device, or --with-api-key");
  login->add_flag("--with-api-key", login_flags.with_api_key,
                  "Read an OpenAI API key from standard input");
  login->add_flag("--no-wait", login_flags.no_wait,
                  "Print the page and the code and return; poll with --status");
  login->add_option("--status", login_flags.status_id,
                    "Show the login with this id");
  login->add_option("--cancel", login_flags.cancel_id,
                    "Cancel the pending login with this id");
  login->callback([&] { code = CodexLogin(connect(), login_flags); });
  auto* logout = codex->add_subcommand(
      "logout", "Sign the server's Codex out (role: admin)");
  logout->callback([&] { code = CodexLogout(connect()); });
  v1::ListCodexThreadsRequest threads_request;
  auto* threads = codex->add_subcommand(
      "threads",
      "List the Codex threads under the server's CODEX_HOME (role: operator)");
  threads->add_option("--cwd", *threads_request.mutable_cwd(),
                      "Only threads of this directory (absolute)");
  threads->add_option("--search", *threads_request.mutable_search(),
                      "Only titles containing this");
  int threads_page_size = 0;
  threads->add_option("--page-size", threads_page_size,
                      "Threads per page (at most 100; 0: 25)");
  threads->add_option("--page-token", *threads_request.mutable_page_token(),
                      "Token of the next page");
  threads->callback([&] {
    threads_request.set_page_size(threads_page_size);
    code = CodexThreads(connect(), threads_request);
  });
  std::string hooks_cwd;
  auto* hooks = codex->add_subcommand(
      "hooks",
      "List the hooks of the server's Codex config and whether Codex trusts "
      "them (role: admin)");
  hooks->add_option("--cwd", hooks_cwd,
                    "Also this project's .codex/ hooks (absolute)");
  std::vector<std::string> trust_keys;
  bool trust_all = false;
  auto* trust = hooks->add_subcommand(
      "trust",
      "Trust hooks as Codex's /hooks review does, so sessions started or "
      "resumed afterwards run them "
      "(role: admin): each one's hash as listed now");
  trust->add_option("keys", trust_keys, "Keys of the hooks (from `codex hooks`)");
  trust->add_flag("--all-untrusted", trust_all,
                  "Every enabled hook Codex skips now");
  trust->add_option("--cwd", hooks_cwd,
                    "Also this project's .codex/ hooks (absolute)");
  hooks->callback([&] {
    if (hooks->get_subcommands().empty()) code = CodexHooks(connect(), hooks_cwd);
  });
  trust->callback([&] {
    code = CodexHooksTrust(connect(), hooks_cwd, trust_keys, trust_all);
  });

  bool features_removed = false;
  auto* features = codex->add_subcommand(
      "features",
      "List Codex's feature flags and whether each is on "
      "(experimentalFeature/list)");
  features->add_flag("--include-removed", features_removed,
                     "Also the flags Codex lists as removed");
  features->callback([&] {
    if (features->get_subcommands().empty()) {
      code = CodexFeatures(connect(), features_removed);
    }
  });
  std::string feature_name;
  for (const auto& [verb, setting, help] :
       {std::tuple{"enable", v1::CODEX_FEATURE_SETTING_ENABLED,
                   "Turn a feature on for sessions started or resumed from "
                   "now on: [features] NAME = true in the server's Codex "
                   "config.toml (role: admin)"},
        std::tuple{"disable", v1::CODEX_FEATURE_SETTING_DISABLED,
                   "Turn a feature off: [features] NAME = false (role: admin)"},
        std::tuple{"reset", v1::CODEX_FEATURE_SETTING_DEFAULT,
                   "Back to Codex's default: the line removed "
                   "(role: admin)"}}) {
    auto* set = features->add_subcommand(verb, help);
    set->add_option("NAME", feature_name, "The feature (from `codex features`)")
        ->required();
    set->callback([&, setting = setting] {
      code = CodexFeatureSet(connect(), feature_name, setting);
    });
  }

  // approval …
  auto* approval = app.add_subcommand("approval", "List and decide approvals");
  approval->require_subcommand(1);
  bool approvals_all = false;
  auto* approvals = approval->add_subcommand(
      "list", "List pending approvals (all with --all)");
  approvals->add_option("--session", session_id, "Only this session");
  approvals->add_flag("--all", approvals_all, "Include decided and expired");
  approvals->callback(
      [&] { code = ApprovalList(connect(), session_id, approvals_all); });

  std::string approval_id;
  bool for_session = false, remember = false, abort = false;
  auto* approve = approval->add_subcommand("approve", "Approve a request");
  approve->add_option("APPROVAL", approval_id, "Approval id")->required();
  auto* for_session_flag = approve->add_flag(
      "--for-session", for_session,
      "Also approve the same request for the rest of the session");
  approve
      ->add_flag("--remember", remember,
                 "Also allow commands starting the same way from now on "
                 "(Codex's execpolicy amendment; only when Codex offers it)")
      ->excludes(for_session_flag);
  approve->add_option("--request-id", request_id, "Idempotency key");
  approve->callback([&] {
    code = ApprovalResolve(connect(), approval_id,
                           remember      ? v1::DECISION_APPROVE_AND_REMEMBER
                           : for_session ? v1::DECISION_APPROVE_FOR_SESSION
                                         : v1::DECISION_APPROVE,
                           {}, request_id);
  });

  auto* deny = approval->add_subcommand(
      "deny", "Deny a request (the turn goes on without it)");
  deny->add_option("APPROVAL", approval_id, "Approval id")->required();
  deny->add_flag("--abort", abort, "Also interrupt the turn");
  deny->add_option("--request-id", request_id, "Idempotency key");
  deny->callback([&] {
    code = ApprovalResolve(connect(), approval_id,
                           abort ? v1::DECISION_ABORT : v1::DECISION_DENY, {},
                           request_id);
  });

  std::vector<std::string> answer_pairs;
  auto* answer = approval->add_subcommand(
      "answer",
      "Answer a user-input request (QUESTION_ID=TEXT ...) or fill an MCP "
      "server's form (FIELD=VALUE ...)");
  answer->add_option("APPROVAL", approval_id, "Approval id")->required();
  answer->add_option("ANSWERS", answer_pairs, "QUESTION_ID=TEXT or FIELD=VALUE");
  std::vector<std::string> stdin_names;
  answer
      ->add_option("--stdin", stdin_names,
                   "Read the answer to NAME from a line of standard input "
                   "(a secret stays off the command line); repeat for "
                   "more, one line each in order")
      ->type_name("NAME");
  answer->callback([&] {
    std::map<std::string, std::string> answers;
    for (const std::string& name : stdin_names) {
      std::string line;
      if (!ReadLine(isatty(STDIN_FILENO) ? name + ": " : "", /*secret=*/true,
                    &line)) {
        std::cerr << "error: no line on standard input for --stdin " << name
                  << "\n";
        code = kExitUsage;
        return;
      }
      answers[name] = line;
    }
    for (const std::string& pair : answer_pairs) {
      size_t eq = pair.find('=');
      if (eq == std::string::npos) {
        std::cerr << "error: answer \"" << pair
                  << "\" is not QUESTION_ID=TEXT\n";
        code = kExitUsage;
        return;
      }
      answers[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    code = ApprovalResolve(connect(), approval_id, v1::DECISION_APPROVE,
                           answers, "");
  });

  // events
  EventsFlags events_flags;
  auto* events = app.add_subcommand(
      "events",
      "A session's transcript: prompts, replies, commands with their output, "
      "approvals, each with its time (--raw: the event log)");
  events->add_option("SESSION", session_id, "Session id")->required();
  events->add_option("--after", events_flags.after_seq,
                     "Only events after this session_seq");
  events->add_option("--turn", events_flags.turn_id,
                     "Only this turn; stops at its end, exiting with its "
                     "code");
  events->add_flag("--follow", events_flags.follow,
                   "Keep following live events");
  events->add_flag("--raw", events_flags.raw,
                   "One line per event (session_seq, type, detail), protocol "
                   "notifications included");
  events->callback(
      [&] { code = Events(connect(), session_id, events_flags); });

  // export
  std::string export_format = "jsonl", export_path;
  auto* export_cmd = app.add_subcommand(
      "export",
      "Write a session's transcript: its events as JSONL, or a Markdown "
      "conversation");
  export_cmd->add_option("SESSION", session_id, "Session id")->required();
  export_cmd
      ->add_option("--format", export_format,
                   "jsonl (the events, as `events --json` prints them) or "
                   "markdown")
      ->capture_default_str()
      ->check(CLI::IsMember({"jsonl", "markdown"}));
  export_cmd->add_option("-o,--output", export_path,
                         "File to write (written whole or not at all); "
                         "default: standard output");
  export_cmd->callback([&] {
    code = Export(connect(), session_id, export_format, export_path);
  });

  // run
  SessionFlags run_flags;
  std::string run_prompt;
  std::string run_mode = isatty(STDIN_FILENO) ? "ask" : "wait";
  auto* run = app.add_subcommand(
      "run", "Create a session, send PROMPT and follow the turn to its end");
  AddSessionFlags(run, &run_flags, /*cwd_required=*/true);
  run->add_option("PROMPT", run_prompt, "The prompt; - reads standard input")
      ->required();
  run->add_option("--on-approval", run_mode,
                  "ask (default on a terminal), wait (default otherwise), "
                  "approve or deny")
      ->check(CLI::IsMember({"wait", "ask", "approve", "deny"}));
  run->add_flag("--detach", detach,
                "Ctrl-C leaves the turn running (default: the first Ctrl-C "
                "interrupts it, a second detaches)");
  bool run_plan = false;
  run->add_flag("--plan", run_plan,
                "Codex's Plan mode: the agent explores, asks, changes nothing "
                "and proposes a plan (printed on stdout)");
  run->callback([&] {
    run_flags.cwd = AbsoluteCwd(run_flags.cwd);
    code = Run(connect(), run_flags, ReadPrompt(run_prompt),
               ParseMode(run_mode), detach, run_plan);
  });

  // token …
  auto* token = app.add_subcommand("token", "Create, list and revoke tokens "
                                            "(admin)");
  token->require_subcommand(1);
  std::string token_name, token_role, token_ttl = "0", token_link, token_id;
  auto* token_create = token->add_subcommand(
      "create", "Create a token; prints its secret once");
  token_create->add_option("--name", token_name, "Who or what holds it")
      ->required();
  token_create->add_option("--role", token_role, "viewer, operator or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "operator", "admin"}));
  token_create
      ->add_option("--ttl", token_ttl,
                   "Lifetime: 30d, 12h, 90m; 0 never expires")
      ->capture_default_str();
  token_create->add_option("--link", token_link,
                           "Print UI_URL#token=SECRET, a sign-in link for the "
                           "browser UI (the fragment never reaches a server)");
  token_create->callback([&] {
    code = TokenCreate(connect(), token_name, token_role, token_ttl,
                       token_link);
  });
  bool tokens_all = false;
  auto* token_list = token->add_subcommand("list", "List tokens (never "
                                                   "secrets)");
  token_list->add_flag("--all", tokens_all, "Include revoked tokens");
  token_list->add_option("--page-size", page_size, "Tokens per page");
  token_list->add_option("--page-token", page_token, "Token of the next page");
  token_list->callback(
      [&] { code = TokenList(connect(), tokens_all, page_size, page_token); });
  auto* token_revoke = token->add_subcommand(
      "revoke", "Revoke a token (refused from its next call on)");
  token_revoke->add_option("TOKEN_ID", token_id, "Token id (tok_…)")
      ->required();
  token_revoke->callback([&] { code = TokenRevoke(connect(), token_id); });

  app.add_subcommand("whoami", "Show the token this CLI uses and its role")
      ->callback([&] { code = WhoAmI(connect()); });

  // audit …
  auto* audit = app.add_subcommand("audit", "Read the audit log (admin)");
  audit->require_subcommand(1);
  AuditFilter audit_filter;
  auto* audit_list = audit->add_subcommand(
      "list", "Changes and refused calls, newest first");
  audit_list->add_option("--token-id", audit_filter.token_id,
                         "Only calls made with this token");
  audit_list->add_option("--method", audit_filter.method,
                         "Only this full method, e.g. "
                         "/codex_manager.v1.SessionService/CreateSession");
  audit_list->add_option("--since", audit_filter.since,
                         "Only the last DURATION, e.g. 24h or 7d");
  audit_list->add_option("--page-size", page_size, "Records per page");
  audit_list->add_option("--page-token", page_token, "Token of the next page");
  audit_list->callback([&] {
    code = AuditList(connect(), audit_filter, page_size, page_token);
  });

  // backup
  std::string backup_path;
  auto* backup = app.add_subcommand(
      "backup",
      "Copy the server's database (sessions, transcripts, approvals, tokens, "
      "audit log) into FILE (admin)");
  backup
      ->add_option("FILE", backup_path,
                   "File to write, 0600, whole or not at all (- : standard "
                   "output); restore: docs/operations.md")
      ->required();
  backup->callback([&] { code = Backup(connect(), backup_path); });

  // completion
  std::string shell;
  auto* completion = app.add_subcommand(
      "completion",
      "Print the shell completion script for bash, zsh or fish (commands, "
      "flags, and ids, models and efforts from the server)");
  completion->add_option("SHELL", shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->callback([&] { std::cout << CompletionScript(shell); });

  // What the completion scripts call: the candidates for the last word.
  if (argc >= 2 && std::string(argv[1]) == kCompleteCommand) {
    std::vector<std::string> words(argv + 2, argv + argc);
    if (words.empty()) words.push_back("");
    Options line = options;
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      const std::map<std::string, std::string*> globals = {
          {"--addr", &line.addr},         {"--token", &line.token},
          {"--token-file", &line.token_file}, {"--ca-file", &line.ca_file},
          {"--cert-file", &line.cert_file},   {"--key-file", &line.key_file}};
      const std::string& word = words[i];
      const size_t eq = word.find('=');
      auto it = globals.find(word.substr(0, eq));
      if (it == globals.end()) continue;
      if (eq != std::string::npos) {
        *it->second = word.substr(eq + 1);
      } else if (i + 2 < words.size()) {
        *it->second = words[++i];
      }
    }
    // Completion must be quick and quiet: a short deadline, no errors.
    line.timeout = std::chrono::milliseconds(1500);
    std::unique_ptr<Client> server;
    std::string ignored;
    if (auto address = NormalizeAddress(line.addr, &ignored)) {
      line.addr = *address;
      auto credentials = ChannelCredentials(line);
      auto token = credentials.ok() ? ResolveToken(line)
                                    : absl::StatusOr<std::string>(
                                          credentials.status());
      if (token.ok()) server = std::make_unique<Client>(line, *credentials, *token);
    }
    IdLister ids = server ? ServerIds(*server)
                          : IdLister([](IdKind, const LineContext&) {
                              return std::vector<Candidate>{};
                            });
    for (const Candidate& c : Complete(app, words, ids)) {
      std::cout << c.value;
      if (!c.description.empty()) std::cout << "\t" << c.description;
      std::cout << "\n";
    }
    return kExitOk;
  }

  // The exit codes and environment once, in the main help; a command's
  // help points there.
  std::function<void(CLI::App*, const std::string&)> short_footer =
      [&](CLI::App* cmd, const std::string& path) {
        for (CLI::App* sub : cmd->get_subcommands({})) {
          const std::string name =
              path.empty() ? sub->get_name() : path + " " + sub->get_name();
          auto example = Examples().find(name);
          sub->footer(
              (example == Examples().end()
                   ? std::string()
                   : "Examples:\n" + example->second + "\n\n") +
              "Global flags, anywhere on the line: --addr HOST:PORT, --json, "
              "--timeout-ms N, --token T, --token-file F, --ca-file CA, "
              "--cert-file C, --key-file K\nExit codes and environment: "
              "codex-manager --help");
          short_footer(sub, name);
        }
      };
  short_footer(&app, "");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (SuggestCommand(app, argc, argv, e.get_name() == "RequiredError")) {
      return kExitUsage;
    }
    app.exit(e);
    return kExitUsage;
  }
  return code;
}

}  // namespace
}  // namespace codex_manager::cli

int main(int argc, char** argv) {
  codex_manager::cli::StartSignalThread();  // before any other thread
  return codex_manager::cli::Main(argc, argv);
}
