#include "auth/admission.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace codex_manager {
namespace {

// realpath(3), or nullopt when the path does not resolve.
std::optional<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

bool IsInside(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path == root || absl::StartsWith(path, absl::StrCat(root, "/"));
}

}  // namespace

int SandboxRank(const std::string& sandbox) {
  if (sandbox.empty()) return 0;
  if (sandbox == "read-only") return 1;
  if (sandbox == "workspace-write") return 2;
  if (sandbox == "danger-full-access") return 3;
  return -1;
}

absl::StatusOr<Admission> Admission::Create(AdmissionOptions options) {
  if (SandboxRank(options.max_sandbox) <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max-sandbox: \"", options.max_sandbox,
        "\" is not one of read-only, workspace-write, danger-full-access"));
  }
  for (std::string& root : options.allowed_roots) {
    std::optional<std::string> real = RealPath(root);
    struct stat st;
    if (!real || stat(real->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--allowed-root: \"", root, "\" is not an existing directory"));
    }
    root = *real;
  }
  return Admission(std::move(options));
}

absl::StatusOr<std::string> Admission::AdmitCwd(const std::string& cwd) const {
  if (cwd.empty()) return absl::InvalidArgumentError("cwd: required");
  if (cwd[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("cwd: \"", cwd, "\" is not an absolute path"));
  }
  std::optional<std::string> real = RealPath(cwd);
  struct stat st;
  if (!real || stat(real->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cwd: \"", cwd, "\" does not exist or is not a directory"));
  }
  if (options_.allowed_roots.empty()) return *real;
  for (const std::string& root : options_.allowed_roots) {
    if (IsInside(*real, root)) return *real;
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "cwd: \"", cwd, "\"",
      *real == cwd ? "" : absl::StrCat(" (resolves to \"", *real, "\")"),
      " is outside the allowed roots (--allowed-root): ",
      absl::StrJoin(options_.allowed_roots, ", ")));
}

absl::Status Admission::AdmitStored(const Session& session,
                                    std::optional<Role> runner,
                                    std::string_view turn_sandbox) const {
  absl::StatusOr<std::string> cwd = AdmitCwd(session.cwd);
  if (absl::IsInvalidArgument(cwd.status())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "session ", session.session_id, ": its ", cwd.status().message()));
  }
  if (!cwd.ok()) {
    return absl::Status(cwd.status().code(),
                        absl::StrCat("session ", session.session_id, ": its ",
                                     cwd.status().message()));
  }
  if (!runner) return absl::OkStatus();
  // The ceiling as the server runs now; the role rule for whoever drives
  // the agent now, not only for whoever set the sandbox.
  if (absl::Status s = AdmitSandbox(session.sandbox, Role::kAdmin); !s.ok()) {
    return absl::PermissionDeniedError(
        absl::StrCat("session ", session.session_id, ": its ", s.message()));
  }
  // The turn's, else the session's, else what Codex reported running the
  // thread with (its configuration's default).
  std::string_view sandbox = turn_sandbox;
  if (sandbox.empty()) sandbox = session.sandbox;
  if (sandbox.empty()) sandbox = session.codex_settings.sandbox;
  if (sandbox == "danger-full-access" && *runner < Role::kAdmin) {
    return absl::PermissionDeniedError(absl::StrCat(
        "session ", session.session_id,
        ": its sandbox \"danger-full-access\" needs role admin to run the "
        "agent (a turn may ask for a narrower sandbox)"));
  }
  return absl::OkStatus();
}

absl::Status Admission::AdmitSandbox(const std::string& sandbox,
                                     Role role) const {
  const int rank = SandboxRank(sandbox);
  if (rank < 0) return absl::OkStatus();  // the core names the bad value
  if (rank > SandboxRank(options_.max_sandbox)) {
    return absl::PermissionDeniedError(
        absl::StrCat("sandbox: \"", sandbox, "\" exceeds this server's limit "
                     "(--max-sandbox ", options_.max_sandbox, ")"));
  }
  if (sandbox == "danger-full-access" && role < Role::kAdmin) {
    return absl::PermissionDeniedError(
        "sandbox: \"danger-full-access\" needs role admin");
  }
  return absl::OkStatus();
}

}  // namespace codex_manager
