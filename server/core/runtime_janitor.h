// RuntimeJanitor: stops runtimes off the caller's thread. Stopping one can
// take its whole grace period (a child that ignores SIGTERM), and a
// runtime reports its exit to its listener, which takes the session
// manager's mutex; so runtimes are handed over here under that mutex and
// stopped on the janitor's threads, all queued runtimes in parallel so a
// hung one delays no other.
//
// Thread safety: safe from any thread; holds no lock while a runtime stops.
#ifndef CODEX_MANAGER_SERVER_CORE_RUNTIME_JANITOR_H_
#define CODEX_MANAGER_SERVER_CORE_RUNTIME_JANITOR_H_

#include <deque>
#include <memory>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/runtime.h"

namespace codex_manager {

class RuntimeJanitor {
 public:
  RuntimeJanitor();
  // Stops what is still queued, then joins.
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
  int stopping_ ABSL_GUARDED_BY(mu_) = 0;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_RUNTIME_JANITOR_H_
