// SetThreadName: names the calling thread, as `top -H`, `ps -L`, `perf`
// and gdb show it (Linux's /proc/self/task/TID/comm). Each long-lived
// thread of the server names itself "cm-…" (docs/operations.md lists
// them), so a profile or a stuck thread is told apart from gRPC's own
// threads at a glance.
#ifndef CODEX_MANAGER_SERVER_COMMON_THREAD_NAME_H_
#define CODEX_MANAGER_SERVER_COMMON_THREAD_NAME_H_

#include <string>
#include <thread>
#include <utility>

#include "absl/strings/string_view.h"

namespace codex_manager {

// The kernel keeps at most this many bytes of a name; the rest is cut.
inline constexpr size_t kMaxThreadNameBytes = 15;

// Best effort: a name the kernel refuses leaves the thread as it was.
void SetThreadName(absl::string_view name);

// The calling thread's name, as the kernel has it ("" when unknown).
std::string ThreadName();

// A thread that names itself `name` (SetThreadName), then runs `fn`.
template <typename Fn>
std::thread NamedThread(std::string name, Fn fn) {
  return std::thread([name = std::move(name), fn = std::move(fn)]() mutable {
    SetThreadName(name);
    fn();
  });
}

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_THREAD_NAME_H_
