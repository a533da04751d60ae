// One HTTP(S) POST, blocking, with Boost.Beast: what the notifier sends
// webhooks and ntfy pushes with. HTTPS verifies the server's certificate
// against the system's CA store (and the host name); at most 10 s for the
// connection, 10 s for the answer.
#ifndef CODEX_MANAGER_SERVER_NOTIFY_HTTP_POST_H_
#define CODEX_MANAGER_SERVER_NOTIFY_HTTP_POST_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace codex_manager {

struct HttpUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;  // path and query, "/" at least
};

// Parses "http://host[:port]/path" or "https://…"; INVALID_ARGUMENT naming
// `flag` otherwise.
absl::StatusOr<HttpUrl> ParseHttpUrl(const std::string& url,
                                     const std::string& flag);

// POSTs `body` with `headers`; returns the HTTP status code, or
// UNAVAILABLE saying why no answer came.
absl::StatusOr<int> HttpPost(
    const HttpUrl& url,
    const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& body);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_NOTIFY_HTTP_POST_H_
