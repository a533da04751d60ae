// WorkerPool: a fixed set of threads running queued tasks in FIFO order.
// The server runs RPC handler bodies on one (api/serve.h), so a handler
// that blocks (a store read, a wait for the writer's commit) holds one of
// these threads and never one of gRPC's callback threads, which must stay
// free to deliver stream writes.
//
// Thread safety: safe from any thread. The destructor runs what is queued,
// then joins.
#ifndef CODEX_MANAGER_SERVER_COMMON_WORKER_POOL_H_
#define CODEX_MANAGER_SERVER_COMMON_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace codex_manager {

class WorkerPool {
 public:
  // `threads` at least 1, each named `name` (SetThreadName).
  WorkerPool(int threads, std::string name);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; it runs on one of the pool's threads.
  void Run(std::function<void()> task);
  // Tasks queued and not started yet.
  size_t Queued();

 private:
  void Loop();

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_WORKER_POOL_H_
