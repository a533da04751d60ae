#include "runtime/sandbox_check.h"

#include <unistd.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/utf8.h"

namespace codex_manager {

SandboxCheck CheckCodexSandbox(ProcessLauncher* launcher,
                               const std::map<std::string, std::string>& env) {
  SandboxCheck out;
  LaunchSpec spec;
  spec.argv = {"bwrap", "--ro-bind", "/", "/", "--unshare-user",
               "--unshare-net", "--die-with-parent", "/bin/true"};
  spec.env = env;
  spec.cwd.assign(1, '/');  // (= "/" trips a GCC 12 -Wrestrict false positive)
  absl::StatusOr<std::unique_ptr<Process>> process = launcher->Launch(spec);
  if (!process.ok()) {
    if (absl::IsNotFound(process.status())) {
      absl::StrAppend(&out.reason,
                      "bubblewrap (bwrap) is not on PATH: Codex uses the copy "
                      "it bundles and warns in every session; install "
                      "bubblewrap (Debian: apt-get install bubblewrap)");
    } else {
      absl::StrAppend(&out.reason, process.status().message());
    }
    return out;
  }
  out.bubblewrap_on_path = true;
  (*process)->CloseStdin();
  const bool exited = (*process)->WaitExited(absl::Seconds(5));
  std::string stderr_text;
  char buffer[512];
  ssize_t n = 0;
  if (exited) {
    while ((n = read((*process)->stderr_fd(), buffer, sizeof buffer)) > 0 &&
           stderr_text.size() < 2048) {
      stderr_text.append(buffer, static_cast<size_t>(n));
    }
  }
  const int status = (*process)->KillGroupAndReap();
  if (exited && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    out.functional = true;
    return out;
  }
  out.reason = absl::StrCat(
      "bwrap cannot make a sandbox here (",
      exited ? DescribeWaitStatus(status) : "no answer in 5 s",
      stderr_text.empty() ? "" : ": ",
      SafeText(absl::StripTrailingAsciiWhitespace(stderr_text), 300),
      "); Codex's commands may run unconfined or fail. Unprivileged user "
      "namespaces must be allowed (sysctl kernel.unprivileged_userns_clone, "
      "or the container's seccomp/AppArmor profile)");
  return out;
}

}  // namespace codex_manager
