// OneOffRuntime: a Codex runtime that opens no thread (RuntimeConfig
// .open_thread false), for requests that belong to no session: started for
// a call (or a sign-in), stopped when the object goes. CodexCatalog and
// CodexLogins make their requests through it.
//
// Thread safety: Start and Request block and are called from one thread of
// the owner's; the listener side runs on the runtime's threads.
#ifndef CODEX_MANAGER_SERVER_CORE_ONE_OFF_RUNTIME_H_
#define CODEX_MANAGER_SERVER_CORE_ONE_OFF_RUNTIME_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/runtime.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

class OneOffRuntime : public RuntimeListener {
 public:
  // Sees every notification Codex sends (on a runtime thread; it must not
  // block). May be empty.
  using NotificationHandler = std::function<void(const std::string& method,
                                                 const nlohmann::json& params)>;

  // Bounds every wait on the runtime; the runtime's own start and request
  // timeouts (30 s each by default) normally end it first.
  static constexpr absl::Duration kWaitLimit = absl::Minutes(2);

  OneOffRuntime(RuntimeFactory* runtimes, const std::string& cwd,
                NotificationHandler on_notification = nullptr);
  // Stops the runtime (gracefully) and waits for its processes.
  ~OneOffRuntime() override;
  OneOffRuntime(const OneOffRuntime&) = delete;
  OneOffRuntime& operator=(const OneOffRuntime&) = delete;

  // Starts the runtime; UNAVAILABLE with the reason when it did not.
  absl::Status Start();
  // Codex's result of `method`: FAILED_PRECONDITION with Codex's message
  // when it answered an error, UNAVAILABLE when it is gone or did not
  // answer within kWaitLimit.
  absl::StatusOr<nlohmann::json> Request(const std::string& method,
                                         nlohmann::json params);
  // Why the runtime is gone ("" while it runs).
  std::string ExitReason();

  void OnReady(Runtime*, const std::string&, const std::string&,
               const nlohmann::json&) override;
  void OnExit(Runtime*, const std::string& reason) override;
  // Refused: outside a session nobody is there to answer Codex.
  void OnServerRequest(Runtime* runtime, const nlohmann::json& request_id,
                       const std::string& method,
                       const nlohmann::json&) override;
  void OnTurnAccepted(Runtime*, const std::string&,
                      const std::string&) override {}
  void OnTurnRejected(Runtime*, const std::string&,
                      const std::string&) override {}
  void OnNotification(Runtime*, const std::string& method,
                      const nlohmann::json& params) override;
  void OnBadOutput(Runtime*, const std::string& problem, bool) override;

 private:
  const NotificationHandler on_notification_;
  std::unique_ptr<Runtime> runtime_;
  absl::Mutex mu_;
  bool ready_ ABSL_GUARDED_BY(mu_) = false;
  std::string exit_ ABSL_GUARDED_BY(mu_);
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_ONE_OFF_RUNTIME_H_
