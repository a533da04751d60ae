#include "core/locked_call.h"

#include <memory>
#include <optional>
#include <utility>

namespace codex_manager {
namespace {

// An answer that came before CallThread returned.
struct EarlyAnswer {
  absl::Mutex mu;
  bool returned ABSL_GUARDED_BY(mu) = false;
  std::optional<absl::StatusOr<nlohmann::json>> answer ABSL_GUARDED_BY(mu);
};

}  // namespace

void CallThreadLocked(
    Runtime& runtime, absl::Mutex& mu, const std::string& method,
    nlohmann::json params,
    std::function<void(absl::StatusOr<nlohmann::json>)> finish) {
  auto early = std::make_shared<EarlyAnswer>();
  runtime.CallThread(
      method, std::move(params),
      [early, &mu, finish](absl::StatusOr<nlohmann::json> answer) {
        {
          absl::MutexLock lock(&early->mu);
          if (!early->returned) {
            early->answer = std::move(answer);
            return;
          }
        }
        absl::MutexLock lock(&mu);
        finish(std::move(answer));
      });
  std::optional<absl::StatusOr<nlohmann::json>> answered;
  {
    absl::MutexLock lock(&early->mu);
    early->returned = true;
    answered = std::move(early->answer);
  }
  if (answered.has_value()) finish(std::move(*answered));
}

}  // namespace codex_manager
