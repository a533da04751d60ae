// Ctrl-C for the CLI. SIGINT is blocked in every thread from the start of
// main and taken by one thread with sigwait, so that a command following a
// turn can act on it (interrupt the turn, then detach on a second Ctrl-C)
// while gRPC's threads never see it. Without a handler, Ctrl-C ends the
// CLI at once with exit code 130 (128 + SIGINT), as a shell expects.
#ifndef CODEX_MANAGER_CLI_SIGNALS_H_
#define CODEX_MANAGER_CLI_SIGNALS_H_

#include <functional>

namespace codex_manager::cli {

// Call first in main, before any thread starts.
void StartSignalThread();

// While alive, Ctrl-C number n (1, 2, …) calls `handler(n)` on the signal
// thread instead of ending the CLI. The destructor waits for a handler
// that is running.
class InterruptScope {
 public:
  explicit InterruptScope(std::function<void(int count)> handler);
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

// Flushes standard output and error and ends the process with `code`
// without running destructors (safe from the signal thread).
[[noreturn]] void ExitNow(int code);

}  // namespace codex_manager::cli

#endif  // CODEX_MANAGER_CLI_SIGNALS_H_
