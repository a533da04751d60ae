// What gRPC's text for a call that reached no server says went wrong, so
// each tool can tell people what to check (the CLI's hints, the proxy's
// "upstream unreachable" line). The strings matched are gRPC core's and
// OpenSSL's (gRPC 1.51, OpenSSL 3): one place to update when they change.
// The Python SDK matches the same texts (codex_manager/errors.py).
#ifndef CODEX_MANAGER_SERVER_COMMON_CONNECT_FAILURE_H_
#define CODEX_MANAGER_SERVER_COMMON_CONNECT_FAILURE_H_

#include "absl/strings/string_view.h"

namespace codex_manager {

enum class ConnectFailure {
  kHttp1,                 // an HTTP/1.1 server answered (the web proxy?)
  kNotTls,                // TLS sent, plaintext answered ("wrong version number")
  kUntrustedCertificate,  // "certificate verify failed"
  kClosed,                // taken and closed ("Socket closed"): TLS, to plaintext?
  kOther,                 // refused, unresolvable, timed out, …
};

// `message`: a gRPC status message ("failed to connect to all addresses;
// last error: …").
ConnectFailure ClassifyConnectFailure(absl::string_view message);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_CONNECT_FAILURE_H_
