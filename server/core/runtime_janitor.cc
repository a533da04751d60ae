#include "core/runtime_janitor.h"

#include <vector>

#include "common/thread_name.h"

namespace codex_manager {

RuntimeJanitor::RuntimeJanitor()
    : thread_([this] {
        SetThreadName("cm-janitor");
        Loop();
      }) {}

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
  absl::MutexLock lock(&mu_);
  for (;;) {
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !queue_.empty() || closing_;
    };
    mu_.Await(absl::Condition(&ready));
    if (queue_.empty()) return;  // closing with nothing left
    std::vector<std::pair<std::unique_ptr<Runtime>, bool>> batch;
    while (!queue_.empty()) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    stopping_ += static_cast<int>(batch.size());
    mu_.Unlock();
    std::vector<std::thread> threads;
    for (auto& [runtime, force] : batch) {
      threads.emplace_back([&runtime = runtime, force = force] {
        SetThreadName("cm-runtime-stop");
        runtime->Stop(force);
        runtime.reset();
      });
    }
    for (std::thread& t : threads) t.join();
    mu_.Lock();
    stopping_ -= static_cast<int>(batch.size());
  }
}

}  // namespace codex_manager
