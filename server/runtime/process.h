// Child processes: the seam through which the server launches `codex
// app-server`. Each child runs in its own process group (so a stop reaches
// every process Codex started), with exactly the environment given, and is
// always reaped (no zombies).
//
// Thread safety: a Process may be signalled from any thread; WaitExited and
// Reap are called by one owner thread at a time.
#ifndef CODEX_MANAGER_SERVER_RUNTIME_PROCESS_H_
#define CODEX_MANAGER_SERVER_RUNTIME_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace codex_manager {

struct LaunchSpec {
  // argv[0] is looked up on the server's PATH when it has no slash.
  std::vector<std::string> argv;
  // The child's whole environment; nothing else is inherited.
  std::map<std::string, std::string> env;
  // Working directory of the child.
  std::string cwd;
  // The child's file mode creation mask (umask(2)); unset, it keeps the
  // server's (077).
  std::optional<mode_t> umask;
};

class Process {
 public:
  virtual ~Process() = default;
  virtual pid_t pid() const = 0;
  // Pipes to the child's stdin (write) and from its stdout and stderr
  // (read). Owned by the Process; -1 once closed.
  virtual int stdin_fd() const = 0;
  virtual int stdout_fd() const = 0;
  virtual int stderr_fd() const = 0;
  virtual void CloseStdin() = 0;
  // Sends `signal` to the child's whole process group (no-op once reaped).
  virtual void SignalGroup(int signal) = 0;
  // Waits up to `timeout` for the child to exit, without reaping it.
  // True once it has exited.
  virtual bool WaitExited(absl::Duration timeout) = 0;
  // SIGKILLs what is left of the process group, then reaps the child
  // (blocking until it is gone). Returns its wait status; idempotent.
  virtual int KillGroupAndReap() = 0;
};

class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  // Starts the child. NOT_FOUND when argv[0] cannot be found or run,
  // INTERNAL for other failures (pipe, fork).
  virtual absl::StatusOr<std::unique_ptr<Process>> Launch(
      const LaunchSpec& spec) = 0;
};

// fork/exec launcher for POSIX systems.
class PosixProcessLauncher : public ProcessLauncher {
 public:
  absl::StatusOr<std::unique_ptr<Process>> Launch(
      const LaunchSpec& spec) override;
};

// `name` as a launch finds it: a name without a slash looked up on the
// server's PATH (the first executable match), anything else unchanged
// (also when nothing on PATH matches).
std::string ResolveProgram(const std::string& name);

// "exited with status 1", "killed by signal 9 (Killed)".
std::string DescribeWaitStatus(int wait_status);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_RUNTIME_PROCESS_H_
