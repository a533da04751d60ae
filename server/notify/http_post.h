// One HTTP(S) POST with Boost.Beast: what the notifier sends webhooks and
// ntfy pushes with. It blocks its caller, but every step after the name
// lookup has a deadline (Beast's timeouts, which only its asynchronous
// operations honour, so it runs them on a private io_context): a receiver
// that accepts and never answers costs at most the connect and answer
// timeouts. HTTPS verifies the server's certificate against the system's CA
// store (and the host name).
#ifndef CODEX_MANAGER_SERVER_NOTIFY_HTTP_POST_H_
#define CODEX_MANAGER_SERVER_NOTIFY_HTTP_POST_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

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

// Ends the HttpPost in flight, and every later one, from another thread
// (the server stopping): they return CANCELLED at once. Cancel is final.
class HttpCanceller {
 public:
  void Cancel();

 private:
  friend class HttpPostScope;
  absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  boost::asio::io_context* running_ ABSL_GUARDED_BY(mu_) = nullptr;
};

struct HttpPostOptions {
  // From the name lookup's end to the connection (and TLS handshake).
  absl::Duration connect_timeout = absl::Seconds(10);
  // From sending the request to the whole response.
  absl::Duration answer_timeout = absl::Seconds(10);
  HttpCanceller* canceller = nullptr;  // may be null
};

// POSTs `body` with `headers`; returns the HTTP status code, UNAVAILABLE
// saying why no answer came ("connect: timed out after 10s", "read: …"),
// or CANCELLED. The name lookup is the system resolver's (getaddrinfo,
// bounded by its own timeouts; nothing for an IP address).
absl::StatusOr<int> HttpPost(
    const HttpUrl& url,
    const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& body, const HttpPostOptions& options = {});

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_NOTIFY_HTTP_POST_H_
