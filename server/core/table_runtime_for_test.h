// TableRuntime: an in-process Runtime for tests of the core's one-off
// Codex calls (CodexCatalog, CodexLogins). It answers each Call from a
// table of answers per method, records what it was asked, and can fail to
// start; a test speaks as Codex through the listener it records.
#ifndef CODEX_MANAGER_SERVER_CORE_TABLE_RUNTIME_FOR_TEST_H_
#define CODEX_MANAGER_SERVER_CORE_TABLE_RUNTIME_FOR_TEST_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "core/runtime.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

// A one-off runtime that answers from a table, or fails to start.
class TableRuntime : public Runtime {
 public:
  using json = nlohmann::json;
  struct Shared {
    absl::Mutex mu;
    std::map<std::string, std::vector<absl::StatusOr<json>>> answers;
    std::vector<std::string> calls;
    int started = 0;
    int stopped = 0;
    std::string fail_start;
    absl::Notification* hold = nullptr;  // Start waits for it
    // The last runtime started, and whom it reports to (a test speaks
    // for Codex through it: OnNotification).
    Runtime* runtime = nullptr;
    RuntimeListener* listener = nullptr;
  };
  TableRuntime(RuntimeConfig config, RuntimeListener* listener, Shared* shared)
      : config_(std::move(config)), listener_(listener), shared_(shared) {}
  void Start() override {
    EXPECT_FALSE(config_.open_thread);
    std::string fail;
    absl::Notification* hold;
    {
      absl::MutexLock lock(&shared_->mu);
      ++shared_->started;
      shared_->listener = listener_;
      shared_->runtime = this;
      fail = shared_->fail_start;
      hold = shared_->hold;
    }
    if (hold != nullptr) hold->WaitForNotification();
    if (!fail.empty()) {
      listener_->OnExit(this, fail);
    } else {
      listener_->OnReady(this, "", "0.169.0", nlohmann::json::object());
    }
  }
  void Call(const std::string& method, json params,
            std::function<void(absl::StatusOr<json>)> done) override {
    absl::StatusOr<json> answer = absl::FailedPreconditionError("unknown");
    {
      absl::MutexLock lock(&shared_->mu);
      shared_->calls.push_back(method + " " + params.dump());
      auto& queue = shared_->answers[method];
      if (!queue.empty()) {
        answer = queue.front();
        queue.erase(queue.begin());
      }
    }
    done(std::move(answer));
  }
  void StartTurn(const std::string&, const std::string&,
                 const TurnSettings&) override {}
  void Interrupt(const std::string&) override {}
  void Steer(const std::string&, const std::string&,
             std::function<void(absl::Status)>) override {}
  void CallThread(const std::string&, json,
                  std::function<void(absl::StatusOr<json>)>) override {}
  void Respond(const json&, const json&) override {}
  void RespondError(const json&, int, const std::string&) override {}
  void Stop(bool) override {
    absl::MutexLock lock(&shared_->mu);
    ++shared_->stopped;
    if (shared_->runtime == this) {
      shared_->runtime = nullptr;
      shared_->listener = nullptr;
    }
  }

 private:
  RuntimeConfig config_;
  RuntimeListener* listener_;
  Shared* shared_;
};

class TableFactory : public RuntimeFactory {
 public:
  std::unique_ptr<Runtime> Create(const RuntimeConfig& config,
                                  RuntimeListener* listener) override {
    return std::make_unique<TableRuntime>(config, listener, &shared);
  }
  TableRuntime::Shared shared;
};

// Runs `call(done)` and waits for its result.
template <typename T, typename Fn>
absl::StatusOr<T> Wait(Fn call) {
  absl::Notification finished;
  absl::StatusOr<T> out = absl::UnknownError("not called");
  call([&](absl::StatusOr<T> result) {
    out = std::move(result);
    finished.Notify();
  });
  finished.WaitForNotification();
  return out;
}

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_TABLE_RUNTIME_FOR_TEST_H_
