// Whether Codex's Linux sandbox can work here, checked once at start:
// Codex confines the commands it runs with bubblewrap (`bwrap`, from PATH,
// else a copy it bundles, with a warning in every session), which needs
// unprivileged user namespaces. The check runs
//   bwrap --ro-bind / / --unshare-user --unshare-net --die-with-parent /bin/true
// with the environment Codex gets, and says what it found.
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
};

SandboxCheck CheckCodexSandbox(ProcessLauncher* launcher,
                               const std::map<std::string, std::string>& env);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_RUNTIME_SANDBOX_CHECK_H_
