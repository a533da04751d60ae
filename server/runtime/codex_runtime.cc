#include "runtime/codex_runtime.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_access.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "common/utf8.h"
#include "core/codex_protocol.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

constexpr size_t kStderrTailLines = 20;
// Longest stderr line kept, in bytes (cut on a character boundary).
constexpr size_t kStderrLineBytes = 500;

// Variables a Codex child always gets from the server when set.
constexpr const char* kBaseEnv[] = {"PATH",    "HOME",  "USER",
                                    "LOGNAME", "LANG",  "LC_ALL",
                                    "TMPDIR",  "SHELL", "TZ"};

}  // namespace

CodexRuntime::CodexRuntime(RuntimeConfig config, RuntimeListener* listener,
                           ProcessLauncher* launcher,
                           const CodexRuntimeOptions& options)
    : config_(std::move(config)),
      listener_(listener),
      launcher_(launcher),
      options_(options) {}

CodexRuntime::~CodexRuntime() { Stop(/*force=*/true); }

std::map<std::string, std::string> CodexRuntime::ChildEnvironment(
    const CodexRuntimeOptions& options) {
  std::map<std::string, std::string> env;
  auto copy = [&env](const std::string& name) {
    if (const char* v = std::getenv(name.c_str())) env[name] = v;
  };
  for (const char* name : kBaseEnv) copy(name);
  for (const std::string& name : options.pass_env) copy(name);
  if (!options.codex_home.empty()) env["CODEX_HOME"] = options.codex_home;
  return env;
}

void CodexRuntime::Start() {
  // The child is forked on this long-lived thread: PR_SET_PDEATHSIG fires
  // when the forking *thread* ends, so it must outlive the child.
  supervisor_ = NamedThread("cm-runtime", [this] { Supervise(); });
}

void CodexRuntime::Supervise() {
  LaunchSpec spec;
  spec.argv = {options_.codex_bin, "app-server"};
  spec.env = ChildEnvironment(options_);
  spec.cwd = config_.cwd;
  spec.umask = options_.umask;
  absl::StatusOr<std::unique_ptr<Process>> launched = launcher_->Launch(spec);
  if (!launched.ok()) {
    std::string reason = std::string(launched.status().message());
    if (absl::IsNotFound(launched.status())) {
      reason = absl::StrCat("codex binary not found: ", reason,
                            " (set --codex-bin)");
    }
    ReportExit(reason);
    return;
  }
  int stderr_fd;
  {
    absl::MutexLock lock(&mu_);
    process_ = std::move(*launched);
    stderr_fd = process_->stderr_fd();
    if (stop_requested_) return;
    JsonRpcConnection::Handler handler;
    handler.on_notification = [this](const std::string& method,
                                     const json& params) {
      if (method == "turn/started") OnTurnStarted(params);
      listener_->OnNotification(this, method, params);
    };
    handler.on_request = [this](const json& id, const std::string& method,
                                const json& params) {
      listener_->OnServerRequest(this, id, method, params);
    };
    handler.on_closed = [this](const std::string& reason) { OnClosed(reason); };
    handler.on_bad_line = [this](const std::string& problem,
                                 int64_t in_a_row) {
      const bool fatal = in_a_row >= options_.max_bad_lines_in_a_row;
      if (fatal) {
        absl::MutexLock lock(&mu_);
        if (rpc_ != nullptr) rpc_->Shutdown();  // read nothing more
      }
      listener_->OnBadOutput(
          this,
          fatal ? absl::StrCat("codex app-server wrote ", in_a_row,
                               " unusable lines in a row; the last: ", problem)
                : absl::StrCat("codex app-server wrote an unusable line: ",
                               problem),
          fatal);
    };
    JsonRpcConnection::Options rpc_options;
    rpc_options.max_line_bytes = options_.max_line_bytes;
    rpc_ = std::make_unique<JsonRpcConnection>(
        process_->stdout_fd(), process_->stdin_fd(), std::move(handler),
        rpc_options);
    rpc_->Start();
    Log(LogLevel::kInfo, "runtime started",
        {{"session_id", config_.session_id},
         {"pid", process_->pid()},
         {"codex_bin", options_.codex_bin}});
    rpc_->Call(
        "initialize",
        {{"clientInfo",
          {{"name", "codex-manager"},
           {"title", "Codex Manager"},
           {"version", "0.1.0"}}},
         // Background terminals (thread/backgroundTerminals/*) are
         // experimental in Codex 0.171.
         {"capabilities", {{"experimentalApi", true}}}},
        options_.start_timeout, [this](absl::StatusOr<json> result) {
          // The connection closed: OnClosed says why (exit status, stderr).
          if (absl::IsUnavailable(result.status())) return;
          if (!result.ok()) {
            ReportExit(absl::StrCat("codex app-server initialize failed: ",
                                    result.status().message()));
            return;
          }
          {
            absl::MutexLock lock(&mu_);
            runtime_version_ =
                RuntimeVersionOf(StringMember(*result, "userAgent"));
          }
          OpenThread();
        });
  }
  // Keep the last stderr lines for error messages, until EOF.
  std::string partial;
  char buf[4096];
  for (;;) {
    // Poll, so a grandchild that keeps the pipe open cannot hold a stop.
    pollfd pfd{stderr_fd, POLLIN, 0};
    int ready = poll(&pfd, 1, 200);
    if (ready == 0 || (ready < 0 && errno == EINTR)) {
      absl::MutexLock lock(&mu_);
      if (stop_requested_ || exit_reported_) break;
      continue;
    }
    if (ready < 0) break;
    ssize_t n = read(stderr_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial.append(buf, n);
    size_t nl;
    while ((nl = partial.find('\n')) != std::string::npos) {
      std::string line = partial.substr(0, nl);
      partial.erase(0, nl + 1);
      if (line.empty()) continue;
      // Valid UTF-8 from here on: it reaches logs, errors and clients.
      line = SafeText(line, kStderrLineBytes);
      Log(LogLevel::kDebug, "runtime stderr",
          {{"session_id", config_.session_id}, {"line", line}});
      absl::MutexLock lock(&mu_);
      stderr_tail_.push_back(std::move(line));
      if (stderr_tail_.size() > kStderrTailLines) stderr_tail_.pop_front();
    }
    if (partial.size() > 64 * 1024) partial.clear();
  }
  stderr_drained_.Notify();
}

void CodexRuntime::OpenThread() {
  if (!config_.open_thread) {
    std::string version;
    {
      absl::MutexLock lock(&mu_);
      if (rpc_ == nullptr) return;
      rpc_->Notify("initialized", nullptr);
      version = runtime_version_;
    }
    listener_->OnReady(this, "", version, json::object());
    return;
  }
  json params = {{"cwd", config_.cwd}};
  if (!config_.model.empty()) params["model"] = config_.model;
  if (!config_.approval_policy.empty()) {
    params["approvalPolicy"] = config_.approval_policy;
  }
  if (!config_.sandbox.empty()) params["sandbox"] = config_.sandbox;
  if (!config_.developer_instructions.empty()) {
    params["developerInstructions"] = config_.developer_instructions;
  }
  if (!config_.model_provider.empty()) {
    params["modelProvider"] = config_.model_provider;
  }
  // Approval requests go to people, through us, whatever the Codex config
  // says: with `approvals_reviewer = "auto_review"` Codex has a model
  // decide sandbox escalations instead (item/autoApprovalReview/*), and
  // none reaches a client (seen with 0.171 under on-request).
  params["approvalsReviewer"] = kApprovalsReviewer;
  const bool resume = !config_.thread_id.empty();
  if (resume) {
    params["threadId"] = config_.thread_id;
    params["excludeTurns"] = true;
  }
  absl::MutexLock lock(&mu_);
  if (rpc_ == nullptr) return;
  rpc_->Notify("initialized", nullptr);
  CallOpenThread(resume ? "thread/resume" : "thread/start", std::move(params));
}

void CodexRuntime::CallOpenThread(const std::string& method, json params) {
  const bool may_start_instead =
      method == "thread/resume" && config_.new_thread_if_unsaved;
  json start_params;
  if (may_start_instead) {
    start_params = params;
    start_params.erase("threadId");
    start_params.erase("excludeTurns");
  }
  rpc_->Call(method, std::move(params), options_.start_timeout,
             [this, method, start_params = std::move(start_params)](
                 absl::StatusOr<json> result) mutable {
               if (absl::IsUnavailable(result.status())) return;  // OnClosed
               if (!result.ok() && !start_params.is_null() &&
                   absl::StrContains(result.status().message(),
                                     "no rollout found")) {
                 absl::MutexLock lock(&mu_);
                 if (rpc_ == nullptr) return;
                 CallOpenThread("thread/start", std::move(start_params));
                 return;
               }
               std::string thread_id;
               json baseline = json::object();
               std::string reviewer;
               if (result.ok()) {
                 thread_id = StringMember(Member(*result, "thread"), "id");
                 // Absent in releases before approvals reviewers.
                 reviewer = StringMember(*result, "approvalsReviewer");
                 for (const char* key :
                      {"model", "reasoningEffort", "approvalPolicy", "sandbox",
                       "serviceTier"}) {
                   const json& value = Member(*result, key);
                   if (!value.is_null()) baseline[key] = value;
                 }
               }
               if (thread_id.empty()) {
                 ReportExit(absl::StrCat(
                     "codex app-server ", method, " failed: ",
                     result.ok() ? "no thread id in the answer"
                                 : std::string(result.status().message())));
                 return;
               }
               if (!reviewer.empty() && reviewer != kApprovalsReviewer) {
                 // Fail closed: its approvals would not reach a person.
                 ReportExit(absl::StrCat(
                     "codex app-server ", method,
                     " answered approvals reviewer \"", SafeText(reviewer, 64),
                     "\", not \"", kApprovalsReviewer,
                     "\": its approval requests would not reach a person; "
                     "refusing to run it"));
                 return;
               }
               std::string version;
               {
                 absl::MutexLock lock(&mu_);
                 thread_id_ = thread_id;
                 baseline_ = std::move(baseline);
                 version = runtime_version_;
               }
               listener_->OnReady(this, thread_id, version, *result);
             });
}

namespace {

// The `sandboxPolicy` of a sandbox mode (our names are Codex's CLI ones).
json SandboxPolicyOf(const std::string& mode) {
  if (mode == "read-only") return {{"type", "readOnly"}};
  if (mode == "danger-full-access") return {{"type", "dangerFullAccess"}};
  return {{"type", "workspaceWrite"}};
}

}  // namespace

void CodexRuntime::StartTurn(const std::string& turn_id,
                             const std::string& prompt,
                             const TurnSettings& settings) {
  absl::MutexLock lock(&mu_);
  if (rpc_ == nullptr) return;  // OnExit follows
  if (!settings.shell_command.empty()) {
    shell_turn_id_ = turn_id;
    rpc_->Call("thread/shellCommand",
               {{"threadId", thread_id_}, {"command", settings.shell_command}},
               options_.request_timeout,
               [this, turn_id](absl::StatusOr<json> result) {
                 if (result.ok()) return;  // its turn/started accepts it
                 {
                   absl::MutexLock lock(&mu_);
                   if (shell_turn_id_ != turn_id) return;  // already started
                   shell_turn_id_.clear();
                 }
                 OnTurnStartAnswer(turn_id, "thread/shellCommand",
                                   std::move(result));
               });
    return;
  }
  if (settings.review_target.is_object()) {
    // Inline on the thread: Codex answers with the review's turn, as
    // turn/start does.
    rpc_->Call("review/start",
               {{"threadId", thread_id_}, {"target", settings.review_target}},
               options_.request_timeout,
               [this, turn_id](absl::StatusOr<json> result) {
                 OnTurnStartAnswer(turn_id, "review/start", std::move(result));
               });
    return;
  }
  // Codex keeps a turn's effort for the turns after it, and a thread that
  // reported none at start (the model's default) cannot be sent "none":
  // once a turn was sent an effort, one that asks for none is sent the
  // model's default effort, as `model/list` says it (asked once a model).
  if (settings.effort.empty() && effort_sent_ &&
      !Member(baseline_, "reasoningEffort").is_string()) {
    const std::string model =
        !settings.model.empty() ? settings.model
                                : StringMember(baseline_, "model");
    if (auto known = default_efforts_.find(model);
        known != default_efforts_.end()) {
      TurnSettings with_default = settings;
      with_default.effort = known->second;
      SendTurnStart(turn_id, prompt, with_default);
      return;
    }
    rpc_->Call("model/list", {{"includeHidden", true}},
               options_.request_timeout,
               [this, turn_id, prompt, settings = TurnSettings(settings),
                model](absl::StatusOr<json> models) mutable {
                 // Not listed (or no answer): none, as before.
                 const json listed = models.ok() ? *std::move(models) : json();
                 for (const json& m : ArrayMember(listed, "data")) {
                   if (StringMember(m, "model") == model ||
                       StringMember(m, "id") == model) {
                     settings.effort =
                         StringMember(m, "defaultReasoningEffort");
                   }
                 }
                 absl::MutexLock lock(&mu_);
                 if (!listed.is_null()) {
                   default_efforts_[model] = settings.effort;
                 }
                 if (rpc_ == nullptr) return;  // OnExit follows
                 SendTurnStart(turn_id, prompt, settings);
               });
    return;
  }
  SendTurnStart(turn_id, prompt, settings);
}

void CodexRuntime::SendTurnStart(const std::string& turn_id,
                                 const std::string& prompt,
                                 const TurnSettings& settings) {
  json input = json::array({{{"type", "text"},
                             {"text", prompt},
                             {"text_elements", json::array()}}});
  for (const std::string& path : settings.image_paths) {
    input.push_back({{"type", "localImage"}, {"path", path}});
  }
  for (const std::string& url : settings.image_urls) {
    input.push_back({{"type", "image"}, {"url", url}});
  }
  json params = {{"threadId", thread_id_}, {"input", std::move(input)}};
  // Every setting, every turn: Codex keeps a turn's overrides for the
  // turns after it, and ours are for one turn (or the session).
  auto set = [&](const char* key, const std::string& value, json fallback) {
    if (!value.empty()) {
      params[key] = value;
    } else if (!fallback.is_null()) {
      params[key] = std::move(fallback);
    }
  };
  set("model", settings.model, Member(baseline_, "model"));
  set("effort", settings.effort, Member(baseline_, "reasoningEffort"));
  if (params.contains("effort")) effort_sent_ = true;
  set("serviceTier", settings.service_tier, Member(baseline_, "serviceTier"));
  if (params.contains("serviceTier")) {
    service_tier_sent_ = true;
  } else if (service_tier_sent_) {
    params["serviceTier"] = "default";
  }
  set("approvalPolicy", settings.approval_policy,
      Member(baseline_, "approvalPolicy"));
  if (!settings.sandbox.empty()) {
    params["sandboxPolicy"] = SandboxPolicyOf(settings.sandbox);
  } else if (const json& s = Member(baseline_, "sandbox"); s.is_object()) {
    params["sandboxPolicy"] = s;
  }
  if (!settings.summary.empty()) {
    params["summary"] = settings.summary;
    summary_overridden_ = true;
  } else if (summary_overridden_) {
    params["summary"] = "auto";
  }
  if (!settings.collaboration_mode.empty()) {
    // Codex wants the mode's model (it takes precedence over the turn's);
    // null developer instructions: the mode's own.
    params["collaborationMode"] = {
        {"mode", settings.collaboration_mode},
        {"settings",
         {{"model", params.value("model", json(""))},
          {"reasoning_effort", params.value("effort", json())},
          {"developer_instructions", nullptr}}}};
  }
  if (!settings.output_schema_json.empty()) {
    json schema = json::parse(settings.output_schema_json, nullptr, false);
    if (schema.is_object()) params["outputSchema"] = std::move(schema);
  }
  rpc_->Call("turn/start", std::move(params), options_.request_timeout,
             [this, turn_id](absl::StatusOr<json> result) {
               OnTurnStartAnswer(turn_id, "turn/start", std::move(result));
             });
}

void CodexRuntime::OnTurnStarted(const json& params) {
  std::string turn_id;
  {
    absl::MutexLock lock(&mu_);
    if (shell_turn_id_.empty()) return;
    turn_id = std::move(shell_turn_id_);
    shell_turn_id_.clear();
  }
  const std::string codex_turn_id =
      StringMember(Member(params, "turn"), "id");
  if (codex_turn_id.empty()) {
    listener_->OnTurnRejected(
        this, turn_id, "thread/shellCommand: turn/started named no turn");
    return;
  }
  listener_->OnTurnAccepted(this, turn_id, codex_turn_id);
}

void CodexRuntime::OnTurnStartAnswer(const std::string& turn_id,
                                     const char* method,
                                     absl::StatusOr<json> result) {
  if (absl::IsDeadlineExceeded(result.status())) {
    // Hung: Codex may yet start the turn, and nobody would follow it. End
    // the runtime; the turn fails with it and the session stays resumable.
    ReportExit(absl::StrCat("codex app-server did not answer ", method,
                            " within ",
                            absl::FormatDuration(options_.request_timeout),
                            "; it was stopped"));
    return;
  }
  std::string codex_turn_id;
  if (result.ok()) {
    codex_turn_id = StringMember(Member(*result, "turn"), "id");
  }
  if (codex_turn_id.empty()) {
    listener_->OnTurnRejected(
        this, turn_id,
        absl::StrCat(method, ": ",
                     result.ok() ? "no turn id in the answer"
                                 : result.status().message()));
    return;
  }
  listener_->OnTurnAccepted(this, turn_id, codex_turn_id);
}

void CodexRuntime::Interrupt(const std::string& codex_turn_id) {
  absl::MutexLock lock(&mu_);
  if (rpc_ == nullptr) return;
  rpc_->Call("turn/interrupt",
             {{"threadId", thread_id_}, {"turnId", codex_turn_id}},
             options_.request_timeout, [](absl::StatusOr<json> result) {
               if (!result.ok()) {
                 Log(LogLevel::kWarning, "turn/interrupt failed",
                     {{"error", result.status().ToString()}});
               }
             });
}

void CodexRuntime::Steer(const std::string& codex_turn_id,
                         const std::string& prompt,
                         std::function<void(absl::Status)> done) {
  absl::MutexLock lock(&mu_);
  if (rpc_ == nullptr) {
    done(absl::UnavailableError("the session's Codex is not running"));
    return;
  }
  json params = {{"threadId", thread_id_},
                 {"expectedTurnId", codex_turn_id},
                 {"input", json::array({{{"type", "text"},
                                         {"text", prompt},
                                         {"text_elements", json::array()}}})}};
  rpc_->Call("turn/steer", std::move(params), options_.request_timeout,
             [done = std::move(done)](absl::StatusOr<json> result) {
               if (result.ok()) {
                 done(absl::OkStatus());
               } else if (absl::IsUnavailable(result.status()) ||
                          absl::IsDeadlineExceeded(result.status())) {
                 done(absl::UnavailableError(absl::StrCat(
                     "Codex did not take the steer: ",
                     result.status().message())));
               } else {
                 done(absl::FailedPreconditionError(absl::StrCat(
                     "Codex refused turn/steer: ",
                     result.status().message())));
               }
             });
}

void CodexRuntime::Call(const std::string& method, json params,
                        std::function<void(absl::StatusOr<json>)> done) {
  absl::MutexLock lock(&mu_);
  if (rpc_ == nullptr) {
    done(absl::UnavailableError("Codex is not running"));
    return;
  }
  rpc_->Call(method, std::move(params), options_.request_timeout,
             [method, done = std::move(done)](absl::StatusOr<json> result) {
               if (result.ok()) {
                 done(std::move(result));
               } else if (absl::IsUnavailable(result.status()) ||
                          absl::IsDeadlineExceeded(result.status())) {
                 done(absl::UnavailableError(absl::StrCat(
                     "Codex did not answer ", method, ": ",
                     result.status().message())));
               } else {
                 done(absl::FailedPreconditionError(absl::StrCat(
                     "Codex refused ", method, ": ",
                     result.status().message())));
               }
             });
}

void CodexRuntime::CallThread(
    const std::string& method, json params,
    std::function<void(absl::StatusOr<json>)> done) {
  if (!params.is_object()) params = json::object();
  {
    absl::MutexLock lock(&mu_);
    params["threadId"] = thread_id_;
  }
  Call(method, std::move(params), std::move(done));
}

void CodexRuntime::Respond(const json& request_id, const json& result) {
  absl::MutexLock lock(&mu_);
  if (rpc_ != nullptr) rpc_->Respond(request_id, result);
}

void CodexRuntime::RespondError(const json& request_id, int code,
                                const std::string& message) {
  absl::MutexLock lock(&mu_);
  if (rpc_ != nullptr) rpc_->RespondError(request_id, code, message);
}

std::string CodexRuntime::StderrTail() {
  absl::MutexLock lock(&mu_);
  // The last line that says something is usually the cause.
  for (auto it = stderr_tail_.rbegin(); it != stderr_tail_.rend(); ++it) {
    if (it->find_first_not_of(" \t") != std::string::npos) return *it;
  }
  return "";
}

void CodexRuntime::OnClosed(const std::string& reason) {
  // stdout closed: the child is exiting (or closed it and hangs).
  Process* process;
  {
    absl::MutexLock lock(&mu_);
    process = process_.get();
  }
  if (process == nullptr) return;
  if (!process->WaitExited(absl::Seconds(1))) {
    Log(LogLevel::kWarning, "runtime closed stdout but did not exit; killing",
        {{"session_id", config_.session_id}});
  }
  const int status = process->KillGroupAndReap();
  // The child's last words on stderr usually say why; let the supervisor
  // read them to the end first (bounded: a grandchild may hold the pipe).
  stderr_drained_.WaitForNotificationWithTimeout(absl::Milliseconds(500));
  std::string why =
      absl::StrCat("codex app-server ", DescribeWaitStatus(status));
  std::string tail = StderrTail();
  if (!tail.empty()) absl::StrAppend(&why, ": ", tail);
  ReportExit(why);
}

void CodexRuntime::ReportExit(const std::string& reason) {
  {
    absl::MutexLock lock(&mu_);
    if (stop_requested_ || exit_reported_) return;
    exit_reported_ = true;
    // A hung child (e.g. no answer to initialize) is ended here; its
    // stdout EOF then finds exit_reported_ set.
    if (process_ != nullptr) process_->SignalGroup(SIGKILL);
  }
  Log(LogLevel::kWarning, "runtime exited",
      {{"session_id", config_.session_id}, {"reason", reason}});
  listener_->OnExit(this, reason);
}

void CodexRuntime::Stop(bool force) {
  Process* process;
  {
    absl::MutexLock lock(&mu_);
    if (stop_requested_ && process_ == nullptr && !supervisor_.joinable()) {
      return;
    }
    stop_requested_ = true;
    process = process_.get();
    if (rpc_ != nullptr) rpc_->Shutdown();
  }
  if (process != nullptr) {
    if (!force) {
      process->SignalGroup(SIGTERM);
      if (!process->WaitExited(options_.stop_grace)) {
        Log(LogLevel::kWarning, "runtime ignored SIGTERM; killing",
            {{"session_id", config_.session_id}});
      }
    }
    process->KillGroupAndReap();
  }
  if (supervisor_.joinable()) supervisor_.join();
  std::unique_ptr<JsonRpcConnection> rpc;
  std::unique_ptr<Process> owned;
  {
    absl::MutexLock lock(&mu_);
    rpc = std::move(rpc_);
    owned = std::move(process_);
  }
  rpc.reset();  // joins the reader and writer
  owned.reset();
}

}  // namespace codex_manager
