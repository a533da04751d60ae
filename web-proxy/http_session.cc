#include "http_session.h"

#include <array>
#include <optional>
#include <sstream>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "static_files.h"

namespace codex_manager::web {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

// A kept-alive connection may wait this long for its next request.
constexpr auto kIdleTimeout = std::chrono::seconds(60);
// A request's body (at most 2 * --max-request-bytes) must arrive in this.
constexpr auto kBodyReadTimeout = std::chrono::seconds(60);
// Bytes asked for per read while waiting for a request's first byte.
constexpr size_t kFirstReadBytes = 4096;
// Read ahead of the browser until this much waits to be written.
constexpr size_t kHighWaterBytes = 256 * 1024;
// How long a response head whose initial metadata has come waits for the
// first message or the status before it is sent alone.
constexpr auto kHeadCoalesce = std::chrono::milliseconds(10);
// A refused request body is read and dropped for at most this long, and
// this much, before the connection closes (lingering close).
constexpr auto kDrainTimeout = std::chrono::seconds(2);
constexpr size_t kDrainBytes = 4 << 20;
// Bytes of the next request(s) a client may send while a stream runs.
constexpr size_t kMaxPipelinedBytes = 64 * 1024;
// The largest request line and header fields taken, in bytes: nginx's
// default (large_client_header_buffers 4 8k). A browser sends every cookie
// of the host (of every port on localhost), so Beast's 8 KiB is too few.
constexpr uint32_t kHeaderLimitBytes = 32 * 1024;

// Whether `ec`, from reading a request, says its bytes are not HTTP/1.1
// as RFC 9112 has it (a bad line, field or chunk, a header over the
// limit, Content-Length with Transfer-Encoding), rather than that the
// connection ended or timed out.
bool IsMalformedRequest(const beast::error_code& ec) {
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) {
    return false;
  }
  return ec != http::error::end_of_stream &&
         ec != http::error::partial_message &&
         ec != http::error::short_read && ec != http::error::stale_parser &&
         ec != http::error::body_limit;
}

// `s` as a JSON string literal.
std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      absl::StrAppend(&out, "\\u00", absl::Hex(c, absl::kZeroPad2));
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

// One HTTP/1.1 chunk.
std::string Chunk(absl::string_view data) {
  return absl::StrCat(absl::Hex(data.size()), "\r\n", data, "\r\n");
}

std::atomic<size_t> open_sessions{0};

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or empty.
std::string CookieValue(absl::string_view header, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::StartsWith(part, name) && part.size() > name.size() &&
        part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
  }
  return "";
}

// A token secret may go into a cookie and a header: "cmt_" + base64url.
bool IsTokenShaped(absl::string_view token) {
  if (!absl::StartsWith(token, "cmt_") || token.size() > 200) return false;
  for (char c : token) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket socket, const ProxyConfig* config)
    : stream_(config->tls
                  ? decltype(stream_)(std::in_place_type<TlsStream>,
                                      std::move(socket), *config->tls)
                  : decltype(stream_)(std::in_place_type<PlainStream>,
                                      std::move(socket))),
      config_(config),
      head_timer_(Tcp().get_executor()) {
  ++open_sessions;
}

HttpSession::~HttpSession() { --open_sessions; }

size_t HttpSession::OpenCount() { return open_sessions.load(); }

beast::tcp_stream& HttpSession::Tcp() {
  return std::visit(
      [](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
      stream_);
}

void HttpSession::Run() {
  net::dispatch(Tcp().get_executor(), [self = shared_from_this()] {
    TlsStream* tls = std::get_if<TlsStream>(&self->stream_);
    if (tls == nullptr) return self->ReadRequest();
    self->Tcp().expires_after(self->config_->header_timeout);
    // The first bytes say whether this is a TLS handshake at all: a
    // browser sent to http:// on this port gets told, not a reset.
    beast::async_detect_ssl(
        self->Tcp(), self->buffer_,
        [self, tls](beast::error_code ec, bool handshake) {
          if (ec) return self->Close();
          if (!handshake) return self->RefusePlainHttp();
          tls->async_handshake(net::ssl::stream_base::server,
                               self->buffer_.data(),
                               [self](beast::error_code ec, size_t used) {
                                 if (ec) return self->Close();
                                 self->buffer_.consume(used);
                                 self->ReadRequest();
                               });
        });
  });
}

void HttpSession::RefusePlainHttp() {
  // As nginx and Go's net/http answer it: plain text, in the clear.
  auto res = std::make_shared<http::response<http::string_body>>(
      http::status::bad_request, 11);
  res->set(http::field::server, "codex-manager-web");
  res->set(http::field::content_type, "text/plain; charset=utf-8");
  res->keep_alive(false);
  res->body() =
      "this address serves HTTPS: open it with https:// instead of "
      "http://\n";
  res->prepare_payload();
  drain_on_close_ = true;
  http::async_write(Tcp(), *res,
                    [self = shared_from_this(), res](beast::error_code,
                                                     size_t) {
                      self->Close();
                    });
}

void HttpSession::ReadRequest() {
  parser_.emplace();
  no_token_ = false;
  parser_->header_limit(kHeaderLimitBytes);
  parser_->body_limit(BodyLimit());
  if (buffer_.size() > 0) return ReadHeader();  // pipelined bytes are here
  // Idle until the request's first byte; the header timeout starts then.
  Tcp().expires_after(kIdleTimeout);
  WithStream([&](auto& s) {
    s.async_read_some(buffer_.prepare(kFirstReadBytes),
                      [self = shared_from_this()](beast::error_code ec,
                                                  size_t n) {
                        if (ec) return self->Close();
                        self->buffer_.commit(n);
                        self->ReadHeader();
                      });
  });
}

void HttpSession::ReadHeader() {
  Tcp().expires_after(config_->header_timeout);
  WithStream([&](auto& s) {
    http::async_read_header(
        s, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          // A Content-Length over the limit fails here, before the body.
          if (ec == http::error::body_limit) return self->RefuseTooLarge();
          if (IsMalformedRequest(ec)) return self->RefuseMalformed(ec);
          if (ec) return self->Close();
          if (self->CarriesNoToken()) {
            // Without a token nobody makes the proxy hold a large body:
            // one announced over the limit is refused from its header, a
            // chunked one once it grows past it.
            self->no_token_ = true;
            const size_t limit = self->config_->max_anonymous_request_bytes;
            const auto length = self->parser_->content_length();
            if (length && *length > limit) return self->RefuseNoToken();
            self->parser_->body_limit(limit);
          }
          self->ReadBody();
        });
  });
}

void HttpSession::ReadBody() {
  Tcp().expires_after(kBodyReadTimeout);
  WithStream([&](auto& s) {
    http::async_read(s, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec == http::error::body_limit) {
                         return self->no_token_ ? self->RefuseNoToken()
                                                : self->RefuseTooLarge();
                       }
                       if (IsMalformedRequest(ec)) {
                         return self->RefuseMalformed(ec);
                       }
                       if (ec) return self->Close();
                       self->request_ = self->parser_->release();
                       self->Handle();
                     });
  });
}

bool HttpSession::CarriesNoToken() const {
  const Request& header = parser_->get();
  if (header.method() != http::verb::post) return false;
  const std::string target(header.target());
  const std::string path = target.substr(0, target.find('?'));
  // Health checks need no token (the server's method rules); the sign-in's
  // body is the token.
  if (path == "/auth/session" ||
      absl::StartsWith(path, "/grpc.health.v1.Health/")) {
    return false;
  }
  for (const auto& field : header.base()) {
    if (absl::EqualsIgnoreCase(
            absl::string_view(field.name_string().data(),
                              field.name_string().size()),
            "authorization") &&
        !field.value().empty()) {
      return false;
    }
  }
  return !IsTokenShaped(
      CookieValue(std::string(header[http::field::cookie]), kTokenCookie));
}

size_t HttpSession::BodyLimit() const {
  // Room for one message at the limit in base64 (text mode), with slack
  // for a few small frames; the frame decoder enforces the limit itself.
  return config_->max_request_bytes * 2 + 1024;
}

void HttpSession::RefuseTooLarge() {
  RefuseUnread(grpc::StatusCode::RESOURCE_EXHAUSTED,
               http::status::payload_too_large,
               absl::StrCat("request body exceeds the limit of ", BodyLimit(),
                            " bytes (--max-request-bytes)"));
}

void HttpSession::RefuseNoToken() {
  // The server's words for a call without a token, and the proxy's limit.
  RefuseUnread(
      grpc::StatusCode::UNAUTHENTICATED, http::status::unauthorized,
      absl::StrCat("missing or invalid token: send metadata \"authorization: "
                   "Bearer <token>\" (see docs/security.md); a call without "
                   "one may carry at most ",
                   config_->max_anonymous_request_bytes,
                   " bytes (--max-anonymous-request-bytes)"));
}

void HttpSession::RefuseUnread(grpc::StatusCode code, http::status status,
                               const std::string& message) {
  request_ = parser_->release();  // the header, for the reply's shape
  request_.keep_alive(false);
  keep_alive_ = false;
  drain_on_close_ = true;
  const auto encoding =
      ParseContentType(std::string(request_[http::field::content_type]));
  if (request_.method() != http::verb::post || !encoding || !HostAllowed()) {
    return SendSimple(status, "text/plain; charset=utf-8", message + "\n");
  }
  response_encoding_ =
      ResponseEncoding(*encoding, std::string(request_[http::field::accept]));
  FinishTrailersOnly(grpc::Status(code, message), {}, {});
}

void HttpSession::RefuseMalformed(const beast::error_code& ec) {
  // What was read may be no request at all: the reply is HTTP/1.1, says
  // what was wrong, and closes; the rest the client sends is drained so
  // it reads the reply rather than a reset.
  request_ = {};
  request_.version(11);
  request_.keep_alive(false);
  keep_alive_ = false;
  drain_on_close_ = true;
  if (ec == http::error::header_limit) {
    return SendSimple(
        http::status::request_header_fields_too_large,
        "text/plain; charset=utf-8",
        absl::StrCat("request header exceeds the limit of ",
                     kHeaderLimitBytes, " bytes\n"));
  }
  SendSimple(http::status::bad_request, "text/plain; charset=utf-8",
             absl::StrCat("bad request: ", ec.message(), "\n"));
}

bool HttpSession::HostAllowed() const {
  const std::string host =
      absl::AsciiStrToLower(std::string(request_[http::field::host]));
  for (const std::string& allowed : config_->allowed_hosts) {
    if (host == allowed) return true;
  }
  // A name without a port: the part before ":<digits>".
  std::string name = host;
  if (size_t colon = host.rfind(':');
      colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    name = host.substr(0, colon);
  }
  for (const std::string& allowed : config_->allowed_host_names) {
    if (name == allowed) return true;
  }
  return false;
}

void HttpSession::Handle() {
  const std::string target(request_.target());
  const std::string path = target.substr(0, target.find('?'));
  // First: a name we do not serve under is a DNS-rebinding attempt or a
  // misrouted request; nothing else is looked at.
  if (!HostAllowed()) {
    return SendSimple(http::status::misdirected_request,
                      "text/plain; charset=utf-8",
                      "misdirected request: this Host is not served here "
                      "(codex-manager-web --public-host)\n");
  }
  if (request_.method() == http::verb::options) return Preflight();
  if (path == "/auth/session") {
    if (request_.method() == http::verb::post) return SignIn();
    if (request_.method() == http::verb::delete_) return SignOut();
  }
  if (request_.method() == http::verb::post) {
    if (ParseContentType(std::string(request_[http::field::content_type]))) {
      return Forward();
    }
    // gRPC over HTTP/2 spec: a content type the server does not handle
    // gets 415 Unsupported Media Type.
    return SendSimple(http::status::unsupported_media_type,
                      "text/plain; charset=utf-8",
                      "unsupported content type: send application/grpc-web "
                      "or application/grpc-web-text (+proto)\n");
  }
  // HEAD is GET without the body (RFC 9110 9.3.2), as health checks send it.
  if (request_.method() == http::verb::get ||
      request_.method() == http::verb::head) {
    if (path == "/healthz") {
      return SendSimple(http::status::ok, "text/plain; charset=utf-8", "ok\n");
    }
    if (path == "/ui-config.json") {
      // What the UI's iframe bridge may talk to (docs/web.md).
      std::string origins;
      for (const std::string& o : config_->frame_ancestors) {
        absl::StrAppend(&origins, origins.empty() ? "" : ",", JsonString(o));
      }
      return SendSimple(http::status::ok, "application/json",
                        absl::StrCat("{\"parentOrigins\":[", origins, "]}"),
                        {{"cache-control", "no-cache"}});
    }
    return ServeStatic(path);
  }
  SendSimple(http::status::method_not_allowed, "text/plain; charset=utf-8",
             "method not allowed\n",
             {{"allow", "GET, HEAD, POST, DELETE, OPTIONS"}});
}

bool HttpSession::OriginAllowed() const {
  const auto origin = request_.find(http::field::origin);
  if (origin == request_.end()) return true;  // not a cross-origin request
  const std::string value = absl::AsciiStrToLower(std::string(origin->value()));
  // The Host was checked against the allow-list first, so this is one of
  // the proxy's own origins, never one an attacker named.
  const std::string host =
      absl::AsciiStrToLower(std::string(request_[http::field::host]));
  if (value == "http://" + host || value == "https://" + host) return true;
  for (const std::string& allowed : config_->allowed_origins) {
    if (allowed == value) return true;
  }
  return false;
}

void HttpSession::SignIn() {
  if (request_.find(http::field::origin) == request_.end() ||
      !OriginAllowed()) {
    return SendSimple(http::status::forbidden, "text/plain; charset=utf-8",
                      "origin not allowed\n");
  }
  const nlohmann::json body =
      nlohmann::json::parse(request_.body(), nullptr, /*allow_exceptions=*/false);
  std::string token;
  if (body.is_object() && body.contains("token") && body["token"].is_string()) {
    token = body["token"].get<std::string>();
  }
  if (!IsTokenShaped(token)) {
    return SendSimple(http::status::bad_request, "application/json",
                      "{\"error\":\"token: expected a cmt_… token\"}");
  }
  SendSimple(http::status::no_content, "", "",
             {{"set-cookie",
               absl::StrCat(kTokenCookie, "=", token,
                            "; Path=/; HttpOnly; SameSite=Strict",
                            config_->secure_cookie ? "; Secure" : "")},
              {"cache-control", "no-store"}});
}

void HttpSession::SignOut() {
  if (!OriginAllowed()) {
    return SendSimple(http::status::forbidden, "text/plain; charset=utf-8",
                      "origin not allowed\n");
  }
  SendSimple(http::status::no_content, "", "",
             {{"set-cookie",
               absl::StrCat(kTokenCookie,
                            "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
                            config_->secure_cookie ? "; Secure" : "")},
              {"cache-control", "no-store"}});
}

std::vector<std::pair<std::string, std::string>> HttpSession::CorsHeaders(
    const std::vector<std::string>& exposed) const {
  std::vector<std::pair<std::string, std::string>> out;
  const auto origin = request_.find(http::field::origin);
  if (origin == request_.end() || !OriginAllowed()) return out;
  out.emplace_back("access-control-allow-origin", std::string(origin->value()));
  out.emplace_back("vary", "Origin");
  std::vector<std::string> names = {"grpc-status", "grpc-message",
                                    "grpc-status-details-bin"};
  names.insert(names.end(), exposed.begin(), exposed.end());
  out.emplace_back("access-control-expose-headers", absl::StrJoin(names, ", "));
  return out;
}

void HttpSession::Preflight() {
  if (request_.find(http::field::origin) == request_.end() ||
      !OriginAllowed()) {
    return SendSimple(http::status::forbidden, "text/plain; charset=utf-8",
                      "origin not allowed\n");
  }
  auto headers = CorsHeaders({});
  headers.emplace_back("access-control-allow-methods", "POST, OPTIONS");
  const std::string asked(
      request_[http::field::access_control_request_headers]);
  headers.emplace_back("access-control-allow-headers",
                       asked.empty() ? "content-type, x-grpc-web, "
                                       "x-user-agent, grpc-timeout"
                                     : asked);
  headers.emplace_back("access-control-max-age", "86400");
  SendSimple(http::status::no_content, "", "", std::move(headers));
}

void HttpSession::ServeStatic(const std::string& path) {
  std::optional<StaticFile> file;
  if (!config_->static_dir.empty()) {
    file = ReadStaticFile(
        config_->static_dir, path,
        AcceptsGzip(std::string(request_[http::field::accept_encoding])));
  }
  if (!file) {
    return SendSimple(http::status::not_found, "text/plain; charset=utf-8",
                      "not found\n");
  }
  const std::string ancestors =
      config_->frame_ancestors.empty()
          ? "'none'"
          : absl::StrJoin(config_->frame_ancestors, " ");
  std::vector<std::pair<std::string, std::string>> headers = {
      {"content-security-policy",
       absl::StrCat("default-src 'self'; script-src 'self'; style-src "
                    "'self'; img-src 'self' data:; connect-src 'self'; "
                    "font-src 'self'; object-src 'none'; base-uri 'none'; "
                    "form-action 'self'; frame-ancestors ",
                    ancestors)},
      {"x-content-type-options", "nosniff"},
      {"referrer-policy", "no-referrer"},
      // Revalidated on every load (a new UI is seen at once); unchanged,
      // that costs a 304 with no body.
      {"cache-control", "no-cache"},
      {"etag", file->etag},
      {"vary", "Accept-Encoding"}};
  if (NoneMatch(std::string(request_[http::field::if_none_match]),
                file->etag)) {
    return SendSimple(http::status::not_modified, "", "", std::move(headers));
  }
  if (file->gzip) headers.emplace_back("content-encoding", "gzip");
  SendSimple(http::status::ok, file->content_type, std::move(file->body),
             std::move(headers));
}

void HttpSession::SendSimple(
    http::status status, std::string content_type, std::string body,
    std::vector<std::pair<std::string, std::string>> headers) {
  auto res = std::make_shared<http::response<http::string_body>>(
      status, request_.version());
  res->set(http::field::server, "codex-manager-web");
  if (!content_type.empty()) res->set(http::field::content_type, content_type);
  for (const auto& [k, v] : headers) res->set(k, v);
  res->keep_alive(request_.keep_alive());
  res->body() = std::move(body);
  res->prepare_payload();
  if (request_.method() == http::verb::head) {
    // The GET's Content-Length, no body.
    res->body().clear();
  }
  WithStream([&](auto& s) {
    http::async_write(
        s, *res,
        [self = shared_from_this(), res](beast::error_code ec, size_t) {
          if (ec || !res->keep_alive()) return self->Close();
          self->ReadRequest();
        });
  });
}

void HttpSession::Forward() {
  if (!OriginAllowed()) {
    return SendSimple(http::status::forbidden, "text/plain; charset=utf-8",
                      "origin not allowed\n");
  }
  const Encoding encoding =
      *ParseContentType(std::string(request_[http::field::content_type]));
  keep_alive_ = request_.keep_alive();
  response_encoding_ =
      ResponseEncoding(encoding, std::string(request_[http::field::accept]));

  // The request body: frames, base64 in text mode.
  std::string bytes;
  absl::Status status;
  if (encoding == Encoding::kText) {
    Base64StreamDecoder decoder;
    status = decoder.Feed(request_.body(), &bytes);
    if (status.ok() && !decoder.AtBoundary()) {
      status = absl::InvalidArgumentError("base64 body ends mid-quad");
    }
  } else {
    bytes = std::move(request_.body());
  }
  FrameDecoder frames;
  frames.max_frame_bytes = config_->max_request_bytes;
  std::vector<Frame> decoded;
  if (status.ok()) status = frames.Feed(bytes, &decoded);
  if (status.ok() && !frames.AtBoundary()) {
    status = absl::InvalidArgumentError("request body ends mid-frame");
  }
  if (!status.ok()) {
    // absl and gRPC number their status codes alike.
    return FinishTrailersOnly(
        grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                     std::string(status.message())),
        {}, {});
  }
  if (absl::Status encoding_ok = CheckRequestEncoding(
          std::string(request_["grpc-encoding"]));
      !encoding_ok.ok()) {
    return FinishTrailersOnly(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                                           std::string(encoding_ok.message())),
                              {}, {});
  }
  std::vector<std::string> messages;
  for (Frame& f : decoded) {
    if (f.flags & kCompressedFlag) {
      // A compressed message under identity encoding is a protocol error
      // (gRPC over HTTP/2 spec: INTERNAL).
      return FinishTrailersOnly(
          grpc::Status(grpc::StatusCode::INTERNAL,
                       "compressed-flag message without a grpc-encoding"),
          {}, {});
    }
    if (f.flags == kDataFrame) messages.push_back(std::move(f.payload));
  }

  auto context = std::make_unique<grpc::ClientContext>();
  bool has_authorization = false;
  std::string forwarded_for;
  for (const auto& field : request_) {
    const std::string name = absl::AsciiStrToLower(absl::string_view(
        field.name_string().data(), field.name_string().size()));
    const std::string value(field.value());
    if (name == "grpc-timeout") {
      absl::StatusOr<absl::Duration> timeout = ParseGrpcTimeout(value);
      if (!timeout.ok()) {
        return FinishTrailersOnly(
            grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                         std::string(timeout.status().message())),
            {}, {});
      }
      context->set_deadline(
          absl::ToChronoTime(absl::Now() + UpstreamTimeout(*timeout)));
      continue;
    }
    if (name == "authorization") {
      if (value.empty()) continue;
      has_authorization = true;
    }
    if (name == "x-forwarded-for") {
      absl::StrAppend(&forwarded_for, forwarded_for.empty() ? "" : ", ", value);
      continue;
    }
    if (!IsForwardedHeader(name)) continue;
    std::optional<std::string> metadata = MetadataValue(name, value);
    if (metadata) context->AddMetadata(name, *metadata);
  }
  boost::system::error_code ec;
  const net::ip::tcp::endpoint remote = Tcp().socket().remote_endpoint(ec);
  if (!ec) {
    context->AddMetadata(
        "x-forwarded-for",
        ForwardedFor(forwarded_for, remote.address().to_string()));
  }
  // The browser UI's sign-in cookie becomes the bearer token upstream; the
  // cookie itself is never forwarded.
  if (!has_authorization) {
    const std::string token =
        CookieValue(std::string(request_[http::field::cookie]), kTokenCookie);
    if (IsTokenShaped(token)) {
      context->AddMetadata("authorization", "Bearer " + token);
    }
  }
  const std::string target(request_.target());
  const std::string method = target.substr(0, target.find('?'));

  Tcp().expires_never();  // long streams are never cut
  upstream_ = UpstreamCall::Start(config_->stub, config_->poller,
                                  config_->calls, method,
                                  std::move(context), std::move(messages),
                                  shared_from_this());
  WatchForDisconnect();
}

void HttpSession::WatchForDisconnect() {
  // Clients send nothing while a response streams, so a read that fails
  // means the browser went away: cancel upstream at once. A byte that
  // arrives belongs to a pipelined next request and is kept for it.
  watching_ = true;
  WithStream([&](auto& s) {
    s.async_read_some(
      net::buffer(&watch_byte_, 1),
      [self = shared_from_this()](beast::error_code ec, size_t n) {
        self->watching_ = false;
        if (self->closed_) return;
        if (!ec && n == 1) {
          self->buffer_.commit(net::buffer_copy(
              self->buffer_.prepare(1), net::buffer(&self->watch_byte_, 1)));
          if (self->buffer_.size() > kMaxPipelinedBytes) {
            if (self->upstream_ && !self->upstream_done_)
              self->upstream_->Cancel();
            return self->Close();
          }
        }
        if (self->next_request_) {  // FinishCall cancelled the watch
          self->next_request_ = false;
          return self->ReadRequest();
        }
        if (self->upstream_done_) return;  // FinishCall will read or close
        if (ec) {
          if (self->upstream_) self->upstream_->Cancel();
          return self->Close();
        }
        self->WatchForDisconnect();
      });
  });
}

void HttpSession::FinishCall() {
  if (closed_) return;
  if (!keep_alive_) return Close();
  // Every chunk is written by now; Forward sets the rest anew.
  upstream_.reset();
  ++call_;
  head_timer_.cancel();
  headers_sent_ = false;
  upstream_done_ = false;
  if (!watching_) return ReadRequest();
  next_request_ = true;
  beast::error_code ec;
  Tcp().socket().cancel(ec);  // the watch's handler reads the request
}

bool HttpSession::CanTakeMore() {
  return unwritten_bytes_.load() < kHighWaterBytes;
}

void HttpSession::OnUpstreamMessage(const grpc::ByteBuffer& message,
                                    Metadata initial) {
  const size_t size = message.Length();
  unwritten_bytes_ += size;
  std::vector<grpc::Slice> slices;
  message.Dump(&slices).IgnoreError();  // fails only on a null buffer
  bool post = false;
  {
    absl::MutexLock lock(&inbox_mu_);
    // The frame, built in place: flag, big-endian length, the bytes.
    inbox_.push_back(static_cast<char>(kDataFrame));
    for (int shift = 24; shift >= 0; shift -= 8) {
      inbox_.push_back(static_cast<char>((size >> shift) & 0xff));
    }
    for (const grpc::Slice& slice : slices) {
      inbox_.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
    inbox_message_bytes_ += size;
    if (!initial.empty()) inbox_initial_ = std::move(initial);
    post = !inbox_posted_;
    inbox_posted_ = true;
  }
  if (post) {
    net::post(Tcp().get_executor(),
              [self = shared_from_this()] { self->DrainInbox(); });
  }
}

void HttpSession::DrainInbox() {
  std::string frames;
  size_t message_bytes = 0;
  Metadata initial;
  {
    absl::MutexLock lock(&inbox_mu_);
    frames.swap(inbox_);
    message_bytes = std::exchange(inbox_message_bytes_, 0);
    initial.swap(inbox_initial_);
    inbox_posted_ = false;
  }
  if (closed_ || frames.empty()) return;
  SendHeadOnce(initial);
  if (response_encoding_ == Encoding::kText) frames = Base64Encode(frames);
  // One HTTP chunk for all of them, written without copying the frames.
  QueueChunk(absl::StrCat(absl::Hex(frames.size()), "\r\n"), 0);
  QueueChunk(std::move(frames), message_bytes);
  QueueChunk("\r\n", 0);
}

void HttpSession::OnUpstreamHeaders(Metadata initial) {
  net::post(Tcp().get_executor(), [self = shared_from_this(),
                                     initial = std::move(initial)]() mutable {
    if (self->closed_ || self->upstream_done_ || self->headers_sent_) return;
    // A unary response's message and status follow at once, and an error
    // may still be trailers-only: wait a moment for them before sending the
    // head alone (a stream that waits for its first message gets it then).
    self->head_timer_.expires_after(kHeadCoalesce);
    self->head_timer_.async_wait(
        [self, call = self->call_, initial = std::move(initial)](
            beast::error_code ec) {
          if (ec || call != self->call_ || self->closed_ ||
              self->upstream_done_) {
            return;
          }
          self->SendHeadOnce(initial);
        });
  });
}

void HttpSession::SendHeadOnce(const Metadata& initial) {
  if (headers_sent_) return;
  headers_sent_ = true;
  QueueChunk(StreamHead(initial), 0);
}

std::string HttpSession::StreamHead(const Metadata& initial) const {
  http::response<http::empty_body> res(http::status::ok, request_.version());
  res.set(http::field::server, "codex-manager-web");
  res.set(http::field::content_type, ContentType(response_encoding_));
  res.set("grpc-accept-encoding", "identity");
  std::vector<std::string> exposed;
  for (const auto& [k, v] : initial) {
    if (!IsForwardedResponseHeader(k)) continue;
    res.insert(k, HeaderValue(k, v));
    exposed.push_back(k);
  }
  for (const auto& [k, v] : CorsHeaders(exposed)) res.set(k, v);
  res.set(http::field::cache_control, "no-cache");
  res.keep_alive(keep_alive_);
  res.chunked(true);
  std::ostringstream head;
  head << res.base();
  return head.str();
}

void HttpSession::OnUpstreamDone(const grpc::Status& status, Metadata initial,
                                 Metadata trailing) {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      config_->upstream_unreachable &&
      absl::StartsWith(status.error_message(), "failed to connect")) {
    config_->upstream_unreachable(status.error_message());
  }
  net::post(Tcp().get_executor(), [self = shared_from_this(), status,
                                     initial = std::move(initial),
                                     trailing = std::move(trailing)]() {
    self->DrainInbox();  // messages still waiting go before the status
    self->upstream_done_ = true;
    if (self->closed_) return;
    if (!self->headers_sent_) {
      return self->FinishTrailersOnly(status, initial, trailing);
    }
    // Trailer lines are header lines in both modes ("-bin" values base64);
    // text mode then base64s the whole frame.
    Metadata block;
    for (const auto& [k, v] : trailing) {
      if (IsForwardedResponseHeader(k)) block.emplace_back(k, HeaderValue(k, v));
    }
    std::string frame = EncodeFrame(
        kTrailerFrame,
        TrailerBlock(status.error_code(), status.error_message(), block));
    if (self->response_encoding_ == Encoding::kText) {
      frame = Base64Encode(frame);
    }
    self->QueueChunk(Chunk(frame), 0);
    self->QueueChunk("0\r\n\r\n", 0);
  });
}

void HttpSession::FinishTrailersOnly(const grpc::Status& status,
                                     const Metadata& initial,
                                     const Metadata& trailing) {
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> exposed;
  headers.emplace_back("grpc-accept-encoding", "identity");
  for (const Metadata* md : {&initial, &trailing}) {
    for (const auto& [k, v] : *md) {
      if (!IsForwardedResponseHeader(k)) continue;
      headers.emplace_back(k, HeaderValue(k, v));
      exposed.push_back(k);
    }
  }
  headers.emplace_back("grpc-status", std::to_string(status.error_code()));
  if (!status.error_message().empty()) {
    headers.emplace_back("grpc-message", PercentEncode(status.error_message()));
  }
  for (auto& h : CorsHeaders(exposed)) headers.push_back(std::move(h));
  upstream_done_ = true;
  headers_sent_ = true;
  auto res = std::make_shared<http::response<http::string_body>>(
      http::status::ok, request_.version());
  res->set(http::field::server, "codex-manager-web");
  res->set(http::field::content_type, ContentType(response_encoding_));
  for (const auto& [k, v] : headers) res->insert(k, v);
  res->keep_alive(keep_alive_);
  res->prepare_payload();
  WithStream([&](auto& s) {
    http::async_write(
        s, *res,
        [self = shared_from_this(), res](beast::error_code ec, size_t) {
          if (ec) return self->Close();
          self->FinishCall();
        });
  });
}

void HttpSession::QueueChunk(std::string bytes, size_t message_bytes) {
  chunks_.push_back({std::move(bytes), message_bytes});
  if (in_flight_ == 0) WriteNext();
}

void HttpSession::WriteNext() {
  if (closed_) return;
  if (chunks_.empty()) {
    if (upstream_done_) FinishCall();  // the last chunk is out
    return;
  }
  // Everything queued, in one gather write.
  in_flight_ = chunks_.size();
  std::vector<net::const_buffer> buffers;
  buffers.reserve(in_flight_);
  for (const PendingChunk& chunk : chunks_) {
    buffers.push_back(net::buffer(chunk.bytes));
  }
  WithStream([&](auto& s) {
    net::async_write(s, buffers,
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (ec) {
                       if (self->upstream_) self->upstream_->Cancel();
                       return self->Close();
                     }
                     for (; self->in_flight_ > 0; --self->in_flight_) {
                       self->unwritten_bytes_ -=
                           self->chunks_.front().message_bytes;
                       self->chunks_.pop_front();
                     }
                     if (self->upstream_ && !self->upstream_done_)
                       self->upstream_->Resume();
                     self->WriteNext();
                   });
  });
}

void HttpSession::Close() {
  if (closed_) return;
  closed_ = true;
  beast::error_code ec;
  if (drain_on_close_) {
    Tcp().socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    Tcp().expires_after(kDrainTimeout);
    return Drain(kDrainBytes);
  }
  Tcp().socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  Tcp().socket().close(ec);
}

void HttpSession::Drain(size_t budget) {
  auto scratch = std::make_shared<std::array<char, 16384>>();
  Tcp().async_read_some(
      net::buffer(*scratch),
      [self = shared_from_this(), scratch, budget](beast::error_code ec,
                                                   size_t n) {
        if (!ec && n < budget) return self->Drain(budget - n);
        beast::error_code ignored;
        self->Tcp().socket().close(ignored);
      });
}

}  // namespace codex_manager::web
