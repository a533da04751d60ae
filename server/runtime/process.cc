#include "runtime/process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace codex_manager {
namespace {

class PosixProcess : public Process {
 public:
  PosixProcess(pid_t pid, int in, int out, int err)
      : pid_(pid), stdin_(in), stdout_(out), stderr_(err) {}
  ~PosixProcess() override {
    KillGroupAndReap();
    CloseStdin();
    if (stdout_ >= 0) close(stdout_);
    if (stderr_ >= 0) close(stderr_);
  }

  pid_t pid() const override { return pid_; }
  int stdin_fd() const override { return stdin_; }
  int stdout_fd() const override { return stdout_; }
  int stderr_fd() const override { return stderr_; }

  void CloseStdin() override {
    absl::MutexLock lock(&mu_);
    if (stdin_ >= 0) close(stdin_);
    stdin_ = -1;
  }

  void SignalGroup(int signal) override {
    absl::MutexLock lock(&mu_);
    // Until reaped, the leader's pid (== pgid) cannot be reused, so the
    // group id is safe to signal.
    if (!reaped_) kill(-pid_, signal);
  }

  bool WaitExited(absl::Duration timeout) override {
    const absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        if (reaped_) return true;
      }
      siginfo_t info{};
      if (waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == pid_) {
        return true;
      }
      if (absl::Now() >= deadline) return false;
      absl::SleepFor(absl::Milliseconds(5));
    }
  }

  int KillGroupAndReap() override {
    absl::MutexLock lock(&mu_);
    if (reaped_) return status_;
    kill(-pid_, SIGKILL);  // leftovers of the group, and the leader
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    status_ = status;
    return status_;
  }

 private:
  const pid_t pid_;
  absl::Mutex mu_;
  int stdin_ ABSL_GUARDED_BY(mu_);
  const int stdout_;
  const int stderr_;
  bool reaped_ ABSL_GUARDED_BY(mu_) = false;
  int status_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

std::string ResolveProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  if (path == nullptr) return name;
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return name;
}

absl::StatusOr<std::unique_ptr<Process>> PosixProcessLauncher::Launch(
    const LaunchSpec& spec) {
  if (spec.argv.empty()) return absl::InvalidArgumentError("argv: empty");
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls.
  const std::string program = ResolveProgram(spec.argv[0]);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : spec.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (const std::string& a : spec.argv)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  int in[2], out[2], err[2], exec_err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
      pipe2(err, O_CLOEXEC) != 0 || pipe2(exec_err, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1], exec_err[0],
                   exec_err[1]}) {
      close(fd);
    }
    return absl::InternalError(absl::StrCat("fork: ", strerror(e)));
  }
  if (pid == 0) {
    // Child. Own process group, so signals reach everything Codex starts.
    setpgid(0, 0);
    // Die with the server even if it is SIGKILLed.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    // Nothing else of the server's crosses exec: not its listening socket
    // (which would keep the port answering after the server dies) nor the
    // database. Most fds are O_CLOEXEC already; this covers any that are not.
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    // Default signal dispositions and an empty mask for the new program.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    if (spec.umask) umask(*spec.umask);
    // Report {stage, errno}: stage 1 = chdir, 2 = exec.
    int report[2] = {1, 0};
    if (spec.cwd.empty() || chdir(spec.cwd.c_str()) == 0) {
      report[0] = 2;
      execve(program.c_str(), argv.data(), envp.data());
    }
    report[1] = errno;
    ssize_t ignored = write(exec_err[1], report, sizeof report);
    (void)ignored;
    _exit(127);
  }
  // Parent.
  setpgid(pid, pid);  // also here, so the group exists before we signal it
  close(in[0]);
  close(out[1]);
  close(err[1]);
  close(exec_err[1]);
  int report[2] = {0, 0};
  ssize_t n;
  while ((n = read(exec_err[0], report, sizeof report)) < 0 && errno == EINTR) {
  }
  const int child_errno = report[1];
  close(exec_err[0]);
  auto process = std::make_unique<PosixProcess>(pid, in[1], out[0], err[0]);
  if (n > 0) {
    process->KillGroupAndReap();
    std::string what =
        report[0] == 1
            ? absl::StrCat("cannot enter directory ", spec.cwd, ": ",
                           strerror(child_errno))
            : absl::StrCat("cannot run ", program, ": ", strerror(child_errno));
    if (child_errno == ENOENT || child_errno == EACCES ||
        child_errno == ENOTDIR) {
      return absl::NotFoundError(what);
    }
    return absl::InternalError(what);
  }
  return process;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) {
    return absl::StrCat("exited with status ", WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    return absl::StrCat("killed by signal ", WTERMSIG(status), " (",
                        strsignal(WTERMSIG(status)), ")");
  }
  return absl::StrCat("ended with wait status ", status);
}

}  // namespace codex_manager
