#include "core/runtime_janitor.h"

#include <map>

#include "common/thread_name.h"

namespace codex_manager {

RuntimeJanitor::RuntimeJanitor()
    : thread_(NamedThread("cm-janitor", [this] { Loop(); })) {}

RuntimeJanitor::~RuntimeJanitor() {
  {
    absl::MutexLock lock(&mu_);
    closing_ = true;
  }
  thread_.join();
}

void RuntimeJanitor::Stop(std::unique_ptr<Runtime> runtime, bool force) {
  absl::MutexLock lock(&mu_);
  queue_.emplace_back(std::move(runtime), force);
}

void RuntimeJanitor::WaitIdle() {
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return queue_.empty() && stopping_ == 0;
  };
  mu_.Await(absl::Condition(&idle));
}

void RuntimeJanitor::Loop() {
  // Only this thread touches `running`; a stopping thread reports its end
  // through finished_, under mu_, after the loop has filed it here.
  std::map<uint64_t, std::thread> running;
  uint64_t next_id = 0;
  absl::MutexLock lock(&mu_);
  for (;;) {
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !queue_.empty() || !finished_.empty() ||
             (closing_ && stopping_ == 0);
    };
    mu_.Await(absl::Condition(&ready));
    while (!queue_.empty()) {
      auto [runtime, force] = std::move(queue_.front());
      queue_.pop_front();
      ++stopping_;
      const uint64_t id = next_id++;
      auto stop = [this, id, force = force,
                   runtime = std::move(runtime)]() mutable {
        runtime->Stop(force);
        runtime.reset();
        absl::MutexLock done(&mu_);
        --stopping_;
        finished_.push_back(id);
      };
      running.emplace(id, NamedThread("cm-runtime-stop", std::move(stop)));
    }
    std::vector<std::thread> ended;
    for (uint64_t id : finished_) {
      auto it = running.find(id);
      ended.push_back(std::move(it->second));
      running.erase(it);
    }
    finished_.clear();
    if (!ended.empty()) {
      // Each has only its return left; join outside the lock it last took.
      mu_.Unlock();
      for (std::thread& t : ended) t.join();
      mu_.Lock();
    }
    if (closing_ && queue_.empty() && stopping_ == 0 && finished_.empty()) {
      return;
    }
  }
}

}  // namespace codex_manager
