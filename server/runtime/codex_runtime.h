// CodexRuntime: a Runtime backed by one `codex app-server` child process,
// driven over JSON-RPC on its stdio (protocol of the pinned @openai/codex).
//
// Start(): launch the child (own process group, clean environment, the
// session's cwd), `initialize`, `initialized`, then `thread/start` or
// `thread/resume`. The child's stderr is kept (last lines) for error
// messages. When the child exits or stops answering, the listener hears
// OnExit with the reason within about a second.
//
// Thread safety: methods are safe from any thread; listener calls come from
// the runtime's threads, one at a time.
#ifndef CODEX_MANAGER_SERVER_RUNTIME_CODEX_RUNTIME_H_
#define CODEX_MANAGER_SERVER_RUNTIME_CODEX_RUNTIME_H_

#include <sys/types.h>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/runtime.h"
#include "runtime/json_rpc.h"
#include "runtime/process.h"

namespace codex_manager {

struct CodexRuntimeOptions {
  // The Codex executable: the npm `codex` wrapper or the native binary.
  std::string codex_bin = "codex";
  // Passed to the child as CODEX_HOME when non-empty.
  std::string codex_home;
  // Extra variables the child inherits from the server's environment (for
  // example OPENAI_API_KEY); everything else is left out.
  std::vector<std::string> pass_env;
  // Most time for `initialize` and `thread/start`/`thread/resume` each.
  absl::Duration start_timeout = absl::Seconds(30);
  // Most time for `turn/start` to be answered.
  absl::Duration request_timeout = absl::Seconds(30);
  // Graceful stop: time between SIGTERM and SIGKILL.
  absl::Duration stop_grace = absl::Seconds(5);
  // Longest stdout line accepted (--max-runtime-line-bytes), in bytes.
  size_t max_line_bytes = 64 << 20;
  // Bad stdout lines in a row after which the session fails.
  int64_t max_bad_lines_in_a_row = 100;
  // Codex's umask, and so that of the commands it runs and the files it
  // writes in a project: the one the server was started with. Unset, Codex
  // gets the server's own (077), which would leave every file the agent
  // writes readable by its owner alone.
  std::optional<mode_t> umask;
};

class CodexRuntime : public Runtime {
 public:
  CodexRuntime(RuntimeConfig config, RuntimeListener* listener,
               ProcessLauncher* launcher, const CodexRuntimeOptions& options);
  ~CodexRuntime() override;

  void Start() override;
  void StartTurn(const std::string& turn_id, const std::string& prompt,
                 const TurnSettings& settings) override;
  void Interrupt(const std::string& codex_turn_id) override;
  void Steer(const std::string& codex_turn_id, const std::string& prompt,
             std::function<void(absl::Status)> done) override;
  void Call(const std::string& method, nlohmann::json params,
            std::function<void(absl::StatusOr<nlohmann::json>)> done) override;
  void CallThread(
      const std::string& method, nlohmann::json params,
      std::function<void(absl::StatusOr<nlohmann::json>)> done) override;
  void Respond(const nlohmann::json& request_id,
               const nlohmann::json& result) override;
  void RespondError(const nlohmann::json& request_id, int code,
                    const std::string& message) override;
  void Stop(bool force) override;

  // The child's environment for `options` (exposed for tests).
  static std::map<std::string, std::string> ChildEnvironment(
      const CodexRuntimeOptions& options);

 private:
  void Supervise();
  void OpenThread();
  // Sends `method` (thread/start or thread/resume) with `params`; its
  // answer makes the runtime ready or ends it. A thread/resume Codex has
  // no rollout for becomes a thread/start when the config allows
  // (RuntimeConfig::new_thread_if_unsaved).
  void CallOpenThread(const std::string& method, nlohmann::json params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnClosed(const std::string& reason);
  // Sends `turn/start` for our turn `turn_id` with every setting.
  void SendTurnStart(const std::string& turn_id, const std::string& prompt,
                     const TurnSettings& settings)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The answer to `turn/start` or `review/start` for our turn `turn_id`.
  void OnTurnStartAnswer(const std::string& turn_id, const char* method,
                         absl::StatusOr<nlohmann::json> result);
  // A shell command's turn is accepted when Codex starts it.
  void OnTurnStarted(const nlohmann::json& params);
  // Reports OnExit once, unless a stop was asked for.
  void ReportExit(const std::string& reason);
  std::string StderrTail();

  const RuntimeConfig config_;
  RuntimeListener* const listener_;
  ProcessLauncher* const launcher_;
  const CodexRuntimeOptions options_;

  absl::Mutex mu_;
  std::unique_ptr<Process> process_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<JsonRpcConnection> rpc_ ABSL_GUARDED_BY(mu_);
  std::string thread_id_ ABSL_GUARDED_BY(mu_);
  // From initialize's userAgent (RuntimeVersionOf).
  std::string runtime_version_ ABSL_GUARDED_BY(mu_);
  // The thread's own settings (thread/start or thread/resume's answer:
  // model, reasoningEffort, approvalPolicy, sandbox, serviceTier), sent with
  // every turn that does not override them, so an override never sticks.
  nlohmann::json baseline_ ABSL_GUARDED_BY(mu_) = nlohmann::json::object();
  // A turn overrode the reasoning summary: later ones send "auto".
  bool summary_overridden_ ABSL_GUARDED_BY(mu_) = false;
  // A turn of this thread was sent a service tier: the next one without
  // its own, on a thread that reported none, is sent "default" (standard
  // speed), since Codex keeps a turn's tier for the turns after it.
  bool service_tier_sent_ ABSL_GUARDED_BY(mu_) = false;
  // A turn of this thread was sent a reasoning effort (StartTurn says why
  // that matters).
  bool effort_sent_ ABSL_GUARDED_BY(mu_) = false;
  // Each model's default effort (`model/list`'s defaultReasoningEffort; ""
  // for a model it does not list), once StartTurn asked for it.
  std::map<std::string, std::string> default_efforts_ ABSL_GUARDED_BY(mu_);
  // Our turn whose `thread/shellCommand` was sent: Codex answers it with
  // no turn, and names the turn in the `turn/started` that follows.
  std::string shell_turn_id_ ABSL_GUARDED_BY(mu_);
  bool stop_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool exit_reported_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<std::string> stderr_tail_ ABSL_GUARDED_BY(mu_);
  // Set when the supervisor has read the child's stderr to its end.
  absl::Notification stderr_drained_;

  std::thread supervisor_;
};

class CodexRuntimeFactory : public RuntimeFactory {
 public:
  CodexRuntimeFactory(ProcessLauncher* launcher, CodexRuntimeOptions options)
      : launcher_(launcher), options_(std::move(options)) {}
  std::unique_ptr<Runtime> Create(const RuntimeConfig& config,
                                  RuntimeListener* listener) override {
    return std::make_unique<CodexRuntime>(config, listener, launcher_,
                                          options_);
  }

 private:
  ProcessLauncher* const launcher_;
  const CodexRuntimeOptions options_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_RUNTIME_CODEX_RUNTIME_H_
