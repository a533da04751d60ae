// A Runtime for unit tests of the parts that only hold or stop runtimes
// (SessionRegistry, RuntimeJanitor): it runs nothing, and Stop calls
// `on_stop` (may block, to stand for a child that takes its grace period).
#ifndef CODEX_MANAGER_SERVER_CORE_INERT_RUNTIME_FOR_TEST_H_
#define CODEX_MANAGER_SERVER_CORE_INERT_RUNTIME_FOR_TEST_H_

#include <functional>
#include <string>
#include <utility>

#include "core/runtime.h"

namespace codex_manager {

class InertRuntime : public Runtime {
 public:
  explicit InertRuntime(std::function<void(bool force)> on_stop = nullptr)
      : on_stop_(std::move(on_stop)) {}
  void Start() override {}
  void StartTurn(const std::string&, const std::string&,
                 const TurnSettings&) override {}
  void Interrupt(const std::string&) override {}
  void Steer(const std::string&, const std::string&,
             std::function<void(absl::Status)> done) override {
    done(absl::UnavailableError("inert"));
  }
  void Call(const std::string&, nlohmann::json,
            std::function<void(absl::StatusOr<nlohmann::json>)> done) override {
    done(absl::UnavailableError("inert"));
  }
  void CallThread(
      const std::string&, nlohmann::json,
      std::function<void(absl::StatusOr<nlohmann::json>)> done) override {
    done(absl::UnavailableError("inert"));
  }
  void Respond(const nlohmann::json&, const nlohmann::json&) override {}
  void RespondError(const nlohmann::json&, int, const std::string&) override {}
  void Stop(bool force) override {
    if (on_stop_) on_stop_(force);
  }

 private:
  std::function<void(bool force)> on_stop_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_INERT_RUNTIME_FOR_TEST_H_
