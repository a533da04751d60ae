#include "core/one_off_runtime.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace codex_manager {

using json = nlohmann::json;

OneOffRuntime::OneOffRuntime(RuntimeFactory* runtimes, const std::string& cwd,
                             NotificationHandler on_notification)
    : on_notification_(std::move(on_notification)) {
  RuntimeConfig config;
  config.session_id = "codex-call";
  config.cwd = cwd;
  config.open_thread = false;
  runtime_ = runtimes->Create(config, this);
}

OneOffRuntime::~OneOffRuntime() { runtime_->Stop(/*force=*/false); }

absl::Status OneOffRuntime::Start() {
  runtime_->Start();
  absl::MutexLock lock(&mu_);
  auto settled = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return ready_ || !exit_.empty();
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&settled), kWaitLimit) ||
      !exit_.empty()) {
    return absl::UnavailableError(
        absl::StrCat("Codex could not be started: ",
                     exit_.empty() ? "it did not answer initialize" : exit_));
  }
  return absl::OkStatus();
}

absl::StatusOr<json> OneOffRuntime::Request(const std::string& method,
                                            json params) {
  // Shared: the answer may come after a wait that gave up.
  struct Answer {
    absl::Mutex mu;
    std::optional<absl::StatusOr<json>> result ABSL_GUARDED_BY(mu);
  };
  auto answer = std::make_shared<Answer>();
  runtime_->Call(method, std::move(params),
                 [answer](absl::StatusOr<json> result) {
                   absl::MutexLock lock(&answer->mu);
                   answer->result = std::move(result);
                 });
  absl::MutexLock lock(&answer->mu);
  auto answered = [&answer]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(answer->mu) {
    return answer->result.has_value();
  };
  if (!answer->mu.AwaitWithTimeout(absl::Condition(&answered), kWaitLimit)) {
    return absl::UnavailableError(
        absl::StrCat("Codex did not answer ", method));
  }
  return std::move(*answer->result);
}

std::string OneOffRuntime::ExitReason() {
  absl::MutexLock lock(&mu_);
  return exit_;
}

void OneOffRuntime::OnReady(Runtime*, const std::string&, const std::string&,
                            const json&) {
  absl::MutexLock lock(&mu_);
  ready_ = true;
}

void OneOffRuntime::OnExit(Runtime*, const std::string& reason) {
  absl::MutexLock lock(&mu_);
  exit_ = reason.empty() ? "it exited" : reason;
}

void OneOffRuntime::OnServerRequest(Runtime* runtime, const json& request_id,
                                    const std::string& method, const json&) {
  runtime->RespondError(
      request_id, -32601,
      absl::StrCat("codex-manager answers no ", method, " outside a session"));
}

void OneOffRuntime::OnNotification(Runtime*, const std::string& method,
                                   const json& params) {
  if (on_notification_) on_notification_(method, params);
}

void OneOffRuntime::OnBadOutput(Runtime*, const std::string& problem, bool) {
  Log(LogLevel::kWarning, "codex call: unusable line", {{"problem", problem}});
}

}  // namespace codex_manager
