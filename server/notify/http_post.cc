#include "notify/http_post.h"

#include <openssl/ssl.h>

#include <utility>  // Boost 1.74's awaitable uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <exception>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace codex_manager {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Headers = std::vector<std::pair<std::string, std::string>>;

// How long a TLS close_notify may take once the answer is in.
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(1);

// What stopped a step: "read: timed out after 10s", "connect: Connection
// refused".
absl::Status Failed(const char* step, const beast::error_code& ec,
                    absl::Duration timeout) {
  if (ec == beast::error::timeout) {
    return absl::UnavailableError(
        absl::StrCat(step, ": timed out after ", absl::FormatDuration(timeout)));
  }
  return absl::UnavailableError(absl::StrCat(step, ": ", ec.message()));
}

template <typename Stream>
asio::awaitable<absl::StatusOr<int>> Exchange(Stream& stream,
                                              const HttpUrl& url,
                                              const Headers& headers,
                                              const std::string& body,
                                              absl::Duration timeout) {
  http::request<http::string_body> request{http::verb::post, url.target, 11};
  request.set(http::field::host, url.host);
  request.set(http::field::user_agent, "codex-manager-server");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  beast::error_code ec;
  // One deadline for the request and the whole response.
  beast::get_lowest_layer(stream).expires_after(absl::ToChronoMilliseconds(timeout));
  co_await http::async_write(stream, request,
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Failed("write", ec, timeout);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  co_await http::async_read(stream, buffer, parser,
                            asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Failed("read", ec, timeout);
  co_return static_cast<int>(parser.get().result_int());
}

asio::awaitable<absl::StatusOr<int>> Post(asio::io_context& io,
                                          tcp::resolver::results_type endpoints,
                                          const HttpUrl& url,
                                          const Headers& headers,
                                          const std::string& body,
                                          const HttpPostOptions& options) {
  beast::error_code ec;
  if (!url.tls) {
    beast::tcp_stream stream(io);
    stream.expires_after(absl::ToChronoMilliseconds(options.connect_timeout));
    co_await stream.async_connect(endpoints,
                                  asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return Failed("connect", ec, options.connect_timeout);
    absl::StatusOr<int> status = co_await Exchange(
        stream, url, headers, body, options.answer_timeout);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return status;
  }
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths(ec);
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  // SNI, and the certificate must name the host.
  SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
  stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
  beast::get_lowest_layer(stream).expires_after(
      absl::ToChronoMilliseconds(options.connect_timeout));
  co_await beast::get_lowest_layer(stream).async_connect(
      endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Failed("connect", ec, options.connect_timeout);
  co_await stream.async_handshake(asio::ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Failed("TLS", ec, options.connect_timeout);
  absl::StatusOr<int> status = co_await Exchange(stream, url, headers, body,
                                                 options.answer_timeout);
  // close_notify; the peer may just close, which is not an error here.
  beast::get_lowest_layer(stream).expires_after(kTlsShutdownTimeout);
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  co_return status;
}

}  // namespace

// Registers a post's io_context with its canceller while it runs.
class HttpPostScope {
 public:
  HttpPostScope(HttpCanceller* canceller, asio::io_context* io)
      : canceller_(canceller) {
    if (canceller_ == nullptr) return;
    absl::MutexLock lock(&canceller_->mu_);
    cancelled_ = canceller_->cancelled_;
    if (!cancelled_) canceller_->running_ = io;
  }
  ~HttpPostScope() {
    if (canceller_ == nullptr) return;
    absl::MutexLock lock(&canceller_->mu_);
    canceller_->running_ = nullptr;
  }
  bool cancelled() const { return cancelled_; }

 private:
  HttpCanceller* const canceller_;
  bool cancelled_ = false;
};

void HttpCanceller::Cancel() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  if (running_ != nullptr) running_->stop();
}

absl::StatusOr<HttpUrl> ParseHttpUrl(const std::string& url,
                                     const std::string& flag) {
  HttpUrl out;
  std::string rest;
  if (absl::StartsWith(url, "https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (absl::StartsWith(url, "http://")) {
    rest = url.substr(7);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": \"", url, "\" is not an http:// or https:// URL"));
  }
  const size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.find('@') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": no user:password in the URL, please"));
  }
  const size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = out.tls ? "443" : "80";
  }
  if (out.host.size() >= 2 && out.host.front() == '[') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty() || out.port.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": \"", url, "\" has no host"));
  }
  return out;
}

absl::StatusOr<int> HttpPost(const HttpUrl& url, const Headers& headers,
                             const std::string& body,
                             const HttpPostOptions& options) {
  asio::io_context io;
  HttpPostScope scope(options.canceller, &io);
  if (scope.cancelled()) return absl::CancelledError("the server is stopping");
  tcp::resolver resolver(io);
  beast::error_code ec;
  tcp::resolver::results_type endpoints =
      resolver.resolve(url.host, url.port, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("resolve ", url.host, ": ", ec.message()));
  }
  std::optional<absl::StatusOr<int>> result;
  asio::co_spawn(
      io, Post(io, std::move(endpoints), url, headers, body, options),
      [&result](std::exception_ptr error, absl::StatusOr<int> status) {
        if (error != nullptr) {
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            status = absl::InternalError(absl::StrCat("HTTP POST: ", e.what()));
          } catch (...) {
            status = absl::InternalError("HTTP POST: an unknown exception");
          }
        }
        result = std::move(status);
      });
  io.run();  // until the post ends, or Cancel stops it
  if (!result) return absl::CancelledError("the server is stopping");
  return *std::move(result);
}

}  // namespace codex_manager
