#include "notify/http_post.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace codex_manager {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kTimeout = std::chrono::seconds(10);

template <typename Stream>
absl::StatusOr<int> Exchange(Stream& stream, const HttpUrl& url,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::string& body) {
  http::request<http::string_body> request{http::verb::post, url.target, 11};
  request.set(http::field::host, url.host);
  request.set(http::field::user_agent, "codex-manager-server");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(kTimeout);
  http::write(stream, request, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("write: ", ec.message()));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  http::read(stream, buffer, parser, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("read: ", ec.message()));
  return static_cast<int>(parser.get().result_int());
}

}  // namespace

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

absl::StatusOr<int> HttpPost(
    const HttpUrl& url,
    const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& body) {
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec;
  auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("resolve ", url.host, ": ", ec.message()));
  if (!url.tls) {
    beast::tcp_stream stream(io);
    stream.expires_after(kTimeout);
    stream.connect(endpoints, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("connect: ", ec.message()));
    absl::StatusOr<int> status = Exchange(stream, url, headers, body);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return status;
  }
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths(ec);
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  // SNI, and the certificate must name the host.
  SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
  stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
  beast::get_lowest_layer(stream).expires_after(kTimeout);
  beast::get_lowest_layer(stream).connect(endpoints, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("connect: ", ec.message()));
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("TLS: ", ec.message()));
  absl::StatusOr<int> status = Exchange(stream, url, headers, body);
  stream.shutdown(ec);  // the peer may just close: not an error here
  return status;
}

}  // namespace codex_manager
