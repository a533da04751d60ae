#include "runtime/sandbox_check.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/utf8.h"

namespace codex_manager {
namespace {

namespace fs = std::filesystem;

// `path` lexically normalized, without a trailing slash (but "/" stays).
std::string Normal(const fs::path& path) {
  std::string out = path.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// Whether `path` is `dir` or lies below it, component by component (as
// Rust's Path::starts_with, which Codex uses).
bool IsWithin(const std::string& path, const std::string& dir) {
  if (dir == "/") return !path.empty() && path.front() == '/';
  return path == dir ||
         (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
          path[dir.size()] == '/');
}

std::string Resolved(const fs::path& path) {
  std::error_code error;
  fs::path resolved = fs::weakly_canonical(path, error);
  return error ? Normal(path) : Normal(resolved);
}

// Whether bwrap can make a sandbox with `env`.
SandboxCheck CheckBubblewrap(ProcessLauncher* launcher,
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

}  // namespace

std::string CodexHomeUnderTempDir(
    const std::map<std::string, std::string>& env) {
  fs::path home;
  if (auto it = env.find("CODEX_HOME"); it != env.end() && !it->second.empty()) {
    home = it->second;
  } else if (auto h = env.find("HOME"); h != env.end() && !h->second.empty()) {
    home = fs::path(h->second) / ".codex";
  } else {
    return "";
  }
  fs::path temp = "/tmp";
  if (auto it = env.find("TMPDIR"); it != env.end() && !it->second.empty()) {
    temp = it->second;
  }
  if (!home.is_absolute() || !temp.is_absolute()) return "";
  if (IsWithin(Normal(home), Normal(temp)) ||
      IsWithin(Resolved(home), Resolved(temp))) {
    return home.string();
  }
  return "";
}

SandboxCheck CheckCodexSandbox(ProcessLauncher* launcher,
                               const std::map<std::string, std::string>& env) {
  SandboxCheck out = CheckBubblewrap(launcher, env);
  const std::string home = CodexHomeUnderTempDir(env);
  if (home.empty()) return out;
  out.functional = false;
  out.session_warning =
      "Codex's sandbox cannot start on this server: its Codex home "
      "(--codex-home) is under the temporary directory, where Codex puts no "
      "sandbox helper on PATH. Each command Codex runs in its sandbox fails, "
      "and an approved one may be run outside the sandbox. The operator can "
      "move --codex-home (docs/operations.md, \"Codex children\").";
  absl::StrAppend(
      &out.reason, out.reason.empty() ? "" : "; ", "CODEX_HOME ",
      SafeText(home, 300),
      " is under the temporary directory (TMPDIR, else /tmp), where Codex "
      "does not put its sandbox helper (codex-linux-sandbox) on PATH: each "
      "sandboxed command fails (bwrap: execvp codex-linux-sandbox) and Codex "
      "may retry an approved one outside the sandbox; set --codex-home to a "
      "directory outside it");
  return out;
}

}  // namespace codex_manager
