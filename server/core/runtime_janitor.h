// RuntimeJanitor: stops runtimes off the caller's thread. Stopping one can
// take its whole grace period (a child that ignores SIGTERM), and a
// runtime reports its exit to its listener, which takes the session
// manager's mutex; so runtimes are handed over here under that mutex and
// each is stopped on a thread of its own, started as soon as it is
// queued, so a hung one delays no other, whenever either was queued.
//
// Thread safety: safe from any thread; holds no lock while a runtime stops.
#ifndef CODEX_MANAGER_SERVER_CORE_RUNTIME_JANITOR_H_
#define CODEX_MANAGER_SERVER_CORE_RUNTIME_JANITOR_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/runtime.h"

namespace codex_manager {

class RuntimeJanitor {
 public:
  RuntimeJanitor();
  // Waits for every queued runtime to be stopped, then joins.
  ~RuntimeJanitor();
  RuntimeJanitor(const RuntimeJanitor&) = delete;
  RuntimeJanitor& operator=(const RuntimeJanitor&) = delete;

  // Queues `runtime` to be stopped (Runtime::Stop(force)) and destroyed.
  void Stop(std::unique_ptr<Runtime> runtime, bool force);
  // Returns once every runtime queued so far is stopped and destroyed.
  void WaitIdle();

 private:
  void Loop();

  absl::Mutex mu_;
  std::deque<std::pair<std::unique_ptr<Runtime>, bool>> queue_
      ABSL_GUARDED_BY(mu_);
  // Runtimes handed to a stopping thread and not yet destroyed.
  int stopping_ ABSL_GUARDED_BY(mu_) = 0;
  // Stopping threads that have finished, for the loop to join.
  std::vector<uint64_t> finished_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_RUNTIME_JANITOR_H_
