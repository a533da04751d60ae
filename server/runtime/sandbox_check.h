// Whether Codex's Linux sandbox can work here, checked once at start:
// Codex confines the commands it runs with bubblewrap (`bwrap`, from PATH,
// else a copy it bundles, with a warning in every session), which needs
// unprivileged user namespaces. The check runs
//   bwrap --ro-bind / / --unshare-user --unshare-net --die-with-parent /bin/true
// with the environment Codex gets, and says what it found.
//
// It also checks where Codex's home is. Codex (0.171, crate codex-arg0) puts
// its sandbox helper on PATH as a symlink named `codex-linux-sandbox` under
// CODEX_HOME/tmp, and refuses to when CODEX_HOME lies under the temporary
// directory (TMPDIR, else /tmp): it prints "Refusing to create helper
// binaries under temporary dir" and goes on. Every sandboxed command then
// fails with `bwrap: execvp codex-linux-sandbox: No such file or
// directory`, and Codex may retry an approved one outside the sandbox.
#ifndef CODEX_MANAGER_SERVER_RUNTIME_SANDBOX_CHECK_H_
#define CODEX_MANAGER_SERVER_RUNTIME_SANDBOX_CHECK_H_

#include <map>
#include <string>

#include "runtime/process.h"

namespace codex_manager {

struct SandboxCheck {
  bool bubblewrap_on_path = false;
  // bwrap ran a command in new user and network namespaces.
  bool functional = false;
  // What to do about it, when not functional (empty otherwise).
  std::string reason;
  // What each session's clients should be told, because Codex tells them
  // nothing (it says so only on its stderr): set when CODEX_HOME lies under
  // the temporary directory (CodexHomeUnderTempDir); empty otherwise.
  std::string session_warning;
};

// The CODEX_HOME a Codex child with environment `env` uses (CODEX_HOME,
// else HOME/.codex) when it lies under the temporary directory Codex sees
// (TMPDIR, else /tmp), compared path component by path component and also
// with symlinks resolved; empty when it does not, or when neither CODEX_HOME
// nor HOME is set.
std::string CodexHomeUnderTempDir(
    const std::map<std::string, std::string>& env);

SandboxCheck CheckCodexSandbox(ProcessLauncher* launcher,
                               const std::map<std::string, std::string>& env);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_RUNTIME_SANDBOX_CHECK_H_
