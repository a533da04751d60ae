// Admission: what an authenticated caller may ask for, beyond its role
// (Kubernetes' authn -> authz -> admission). Checked at the API edge before
// the core sees a request.
//
// - A session's cwd is resolved with realpath and must lie inside one of the
//   --allowed-root folders (a symlink out of a root is refused).
// - A session's sandbox may not exceed --max-sandbox, and
//   "danger-full-access" needs the admin role even under the ceiling.
//
// Thread safety: immutable after construction; safe from any thread.
#ifndef CODEX_MANAGER_SERVER_AUTH_ADMISSION_H_
#define CODEX_MANAGER_SERVER_AUTH_ADMISSION_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/types.h"

namespace codex_manager {

struct AdmissionOptions {
  // Resolved (realpath) folders sessions may work in; empty = anywhere.
  std::vector<std::string> allowed_roots;
  // "read-only", "workspace-write" or "danger-full-access".
  std::string max_sandbox = "workspace-write";
};

class Admission {
 public:
  // INVALID_ARGUMENT naming the flag when a root does not resolve or
  // max_sandbox is unknown.
  static absl::StatusOr<Admission> Create(AdmissionOptions options);

  // The resolved cwd to store, or: INVALID_ARGUMENT ("cwd") when missing,
  // relative, absent or not a directory; PERMISSION_DENIED naming the cwd
  // when it resolves outside every allowed root.
  absl::StatusOr<std::string> AdmitCwd(const std::string& cwd) const;

  // OK, or PERMISSION_DENIED naming the sandbox and the limit.
  absl::Status AdmitSandbox(const std::string& sandbox, Role role) const;

  // A stored session admitted again as Codex is to work in its folder
  // again (ResumeSession, StartTurn and the like, which start its runtime
  // when it is stopped; SearchFiles and the like, which start a one-off
  // one): the flags may have narrowed since it was created. Its cwd must
  // still resolve inside an allowed root (PERMISSION_DENIED naming the
  // session, its cwd and the roots; FAILED_PRECONDITION when the folder is
  // gone). With a `runner`, the caller Codex is to run the agent for, its
  // sandbox must not exceed --max-sandbox (PERMISSION_DENIED naming both),
  // and the sandbox the agent runs in (`turn_sandbox`, a turn's override;
  // else the session's; else the one Codex reported running its thread
  // with) may be danger-full-access only for an admin
  // (PERMISSION_DENIED naming the session and the role): whoever set it,
  // an operator's prompt would run commands unsandboxed.
  absl::Status AdmitStored(const Session& session, std::optional<Role> runner,
                           std::string_view turn_sandbox = {}) const;

  const std::vector<std::string>& allowed_roots() const {
    return options_.allowed_roots;
  }

 private:
  explicit Admission(AdmissionOptions options) : options_(std::move(options)) {}
  AdmissionOptions options_;
};

// The rank of a sandbox mode: read-only 1 < workspace-write 2 <
// danger-full-access 3; 0 for the empty string (Codex's default), -1 for an
// unknown value.
int SandboxRank(const std::string& sandbox);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_AUTH_ADMISSION_H_
