#include "common/connect_failure.h"

#include "absl/strings/match.h"

namespace codex_manager {

ConnectFailure ClassifyConnectFailure(absl::string_view message) {
  if (absl::StrContains(message, "http1.x server")) return ConnectFailure::kHttp1;
  if (absl::StrContains(message, "wrong version number")) {
    return ConnectFailure::kNotTls;
  }
  if (absl::StrContains(message, "certificate verify failed")) {
    return ConnectFailure::kUntrustedCertificate;
  }
  if (absl::StrContains(message, "Socket closed")) return ConnectFailure::kClosed;
  return ConnectFailure::kOther;
}

}  // namespace codex_manager
