// HttpSession: one browser connection to codex-manager-web (HTTP/1.1 on
// Boost.Beast). Before anything else, a request whose Host is not one of
// the proxy's own names (ProxyConfig::allowed_hosts) gets 421: that is what
// stops DNS rebinding. Then it answers
//   OPTIONS *                      CORS preflight for allowed origins
//   POST /auth/session             sign in: {"token": "cmt_…"} becomes an
//                                  HttpOnly, SameSite=Strict cookie
//   DELETE /auth/session           sign out: clears the cookie
//   POST <grpc-web content type>   forwarded to the upstream (grpc_web.h)
//   GET /healthz                   "ok"
//   GET /ui-config.json            {"parentOrigins": [--frame-ancestor …]}
//   GET anything else              a file of --static-dir (the UI), with a
//                                  strict Content-Security-Policy
//
// A forwarded call streams its response as chunked HTTP: the head when
// the upstream sends its initial metadata (so a client can tell
// "connected, waiting" from "still connecting"; it waits up to
// kHeadCoalesce for the first message or the status, so that a quick
// response goes out in one write and an error with no message stays
// trailers-only), then one chunk per
// gRPC-Web frame, flushed as it comes; the trailer frame last. Upstream
// messages are read ahead while less than kHighWaterBytes wait to be
// written, so a slow browser slows the upstream read (back-pressure) while
// a fast one is not held to one message per round trip. A trailers-only
// upstream response (an error before any header) stays trailers-only:
// status in the headers, empty body. POSTs of other content types get 415. A browser that goes away cancels the upstream call at once,
// even while the stream is idle; streams have no idle timeout.
//
// With ProxyConfig::tls the connection is HTTPS: the TLS handshake comes
// first (OpenSSL through Asio), then everything above is the same.
//
// Timeouts: the TLS handshake and a request's header must arrive within
// ProxyConfig::header_timeout of the request's first byte (stops slowloris
// clients that hold connections open by sending a header slowly); its body
// within 60 s. Connections are kept alive (HTTP/1.1 persistent connections,
// RFC 9112 section 9.3) unless the request says `Connection: close`: after
// a response ends, the next request is read on the same connection, and a
// connection with no request started closes after 60 s idle. Requests are answered one at a time;
// bytes a client pipelines while a stream runs are kept for the next
// request (up to kMaxPipelinedBytes, beyond which the connection closes).
//
// Thread safety: all session state lives on the connection's strand; gRPC
// callbacks post to it.
#ifndef CODEX_MANAGER_WEB_PROXY_HTTP_SESSION_H_
#define CODEX_MANAGER_WEB_PROXY_HTTP_SESSION_H_

// clang-format off
#include <utility>  // Boost 1.74 Asio uses std::exchange without it
// clang-format on
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "grpc_web.h"
#include "upstream_call.h"

namespace codex_manager::web {

// The sign-in cookie: its secret is turned into `authorization: Bearer …`
// for the upstream when a request carries no authorization of its own.
inline constexpr char kTokenCookie[] = "cm_token";

struct ProxyConfig {
  grpc::GenericStub* stub = nullptr;
  // Host header values accepted (exact, lowercase, with port); anything
  // else gets 421 Misdirected Request.
  std::vector<std::string> allowed_hosts;
  // Host names accepted with any port (--public-host without a port).
  std::vector<std::string> allowed_host_names;
  // Serve HTTPS with this context (certificate and key loaded); null
  // serves plaintext HTTP.
  boost::asio::ssl::context* tls = nullptr;
  // The sign-in cookie gets the Secure attribute (served over TLS, or
  // behind a TLS proxy).
  bool secure_cookie = false;
  // Time allowed for the TLS handshake and for a request's header, from
  // its first byte.
  std::chrono::milliseconds header_timeout{10000};
  // Every forwarded call is registered here (shutdown cancels and awaits).
  CallRegistry* calls = nullptr;
  // The completion queue forwarded calls run on.
  UpstreamPoller* poller = nullptr;
  // Folder served for GET; empty serves nothing but /healthz.
  std::string static_dir;
  // Origins allowed to call cross-origin (never "*"); the proxy's own
  // origins (http[s]:// + an allowed Host) are always allowed.
  std::vector<std::string> allowed_origins;
  // Origins allowed to embed the UI in a frame (CSP frame-ancestors).
  std::vector<std::string> frame_ancestors;
  // Largest request message forwarded, in bytes (--max-request-bytes);
  // a larger one gets RESOURCE_EXHAUSTED. Responses are capped by the
  // upstream channel (--max-response-bytes).
  size_t max_request_bytes = 16 << 20;
  // Largest request body, in bytes, of a call that carries no token (no
  // Authorization header, no sign-in cookie; health checks and the
  // sign-in aside: --max-anonymous-request-bytes). A larger one is refused
  // UNAUTHENTICATED from its header, its body never read whole, so nobody
  // without a token makes the proxy hold more than this.
  size_t max_anonymous_request_bytes = 64 << 10;
  // Called (from any thread) with gRPC's message when a call could not
  // reach the upstream at all ("failed to connect to all addresses; …");
  // may be empty.
  std::function<void(const std::string&)> upstream_unreachable;
};

class HttpSession : public std::enable_shared_from_this<HttpSession>,
                    public UpstreamSink {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, const ProxyConfig* config);
  ~HttpSession() override;
  // Connections open now (for --max-connections).
  static size_t OpenCount();
  void Run();

  // UpstreamSink (called on gRPC threads; post to the strand).
  void OnUpstreamHeaders(Metadata initial) override;
  void OnUpstreamMessage(const grpc::ByteBuffer& message,
                         Metadata initial) override;
  void OnUpstreamDone(const grpc::Status& status, Metadata initial,
                      Metadata trailing) override;
  bool CanTakeMore() override;

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  using PlainStream = boost::beast::tcp_stream;
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  // Calls f(stream) with the connection's stream, plain or TLS.
  template <class F>
  void WithStream(F&& f) {
    std::visit(std::forward<F>(f), stream_);
  }
  // The TCP layer under the stream (timeouts, the socket).
  boost::beast::tcp_stream& Tcp();

  // Waits for the first byte of the next request (idle timeout), then
  // reads its header (header timeout), then its body.
  void ReadRequest();
  void ReadHeader();
  void ReadBody();
  // The request body is over the limit: RESOURCE_EXHAUSTED (gRPC-Web) or
  // 413, then the connection closes (the rest of the body is unread).
  void RefuseTooLarge();
  // A call with no token and a body over max_anonymous_request_bytes:
  // UNAUTHENTICATED (gRPC-Web) or 401, then the connection closes.
  void RefuseNoToken();
  // Answers a request whose body is left unread: a gRPC-Web call gets
  // `code` and `message` (trailers-only), anything else `status`; then the
  // connection closes, drained.
  void RefuseUnread(grpc::StatusCode code, boost::beast::http::status status,
                    const std::string& message);
  // 400 Bad Request (431 for a header over the limit) for bytes that are
  // not an HTTP/1.1 request, then close.
  void RefuseMalformed(const boost::beast::error_code& ec);
  // With --tls-cert, a connection whose first bytes are no TLS handshake
  // (http:// to this port) gets a plain-text 400 saying to use https://.
  void RefusePlainHttp();
  // The most body bytes a request may have (twice --max-request-bytes).
  size_t BodyLimit() const;
  // Whether the request whose header `parser_` holds is a call that needs
  // a token (not a health check, not the sign-in) and carries none: no
  // Authorization header, no sign-in cookie.
  bool CarriesNoToken() const;
  void Handle();
  void Preflight();
  void Forward();
  void ServeStatic(const std::string& path);
  // Writes a whole response, then reads the next request (or closes).
  void SendSimple(
      boost::beast::http::status status, std::string content_type,
      std::string body,
      std::vector<std::pair<std::string, std::string>> headers = {});
  // CORS response headers for the request's Origin (empty when none).
  std::vector<std::pair<std::string, std::string>> CorsHeaders(
      const std::vector<std::string>& exposed) const;
  bool OriginAllowed() const;
  bool HostAllowed() const;
  void SignIn();
  void SignOut();
  void FinishTrailersOnly(const grpc::Status& status, const Metadata& initial,
                          const Metadata& trailing);
  // The head of a streamed (chunked) response, with `initial` metadata.
  std::string StreamHead(const Metadata& initial) const;
  // Queues the streamed response's head once (from the initial metadata
  // or the first message, whichever the strand sees first).
  void SendHeadOnce(const Metadata& initial);
  void QueueChunk(std::string bytes, size_t message_bytes);
  // Moves the frames gathered from gRPC threads into one HTTP chunk.
  void DrainInbox();
  void WriteNext();
  void WatchForDisconnect();
  // The forwarded call is over and its response written: read the next
  // request on this connection, or close it.
  void FinishCall();
  void Close();
  // Reads and drops what the client still sends (up to a limit, for at
  // most a few seconds) after the send side is shut, then closes: closing
  // with unread bytes would reset the connection and could lose the
  // response already written (RFC 9112 section 9.6, "lingering close").
  void Drain(size_t budget);

  std::variant<PlainStream, TlsStream> stream_;
  const ProxyConfig* config_;
  // Sends the head of a response whose initial metadata came with nothing
  // after it (see OnUpstreamHeaders); `call_` numbers forwarded calls so a
  // timer of an earlier call on this connection does nothing.
  boost::asio::steady_timer head_timer_;
  uint64_t call_ = 0;
  boost::beast::flat_buffer buffer_;
  std::optional<
      boost::beast::http::request_parser<boost::beast::http::string_body>>
      parser_;
  Request request_;

  // A forwarded call (reset by FinishCall for the next one).
  std::shared_ptr<UpstreamCall> upstream_;
  Encoding response_encoding_ = Encoding::kBinary;
  bool keep_alive_ = false;
  bool headers_sent_ = false;
  bool upstream_done_ = false;
  bool closed_ = false;
  // The request body was not read whole: Close drains before closing.
  bool drain_on_close_ = false;
  // The request carries no token (CarriesNoToken): its body may be no
  // larger than max_anonymous_request_bytes.
  bool no_token_ = false;
  // The disconnect watch (a 1-byte read) is outstanding; FinishCall cancels
  // it and `next_request_` has its handler read the next request.
  bool watching_ = false;
  bool next_request_ = false;
  // Serialized HTTP chunks (one per frame) and the message bytes each
  // carries: the first `in_flight_` are being written, the rest wait for
  // the next gather write.
  struct PendingChunk {
    std::string bytes;
    size_t message_bytes;
  };
  std::deque<PendingChunk> chunks_;
  size_t in_flight_ = 0;
  // Bytes received from upstream and not yet written to the browser
  // (updated from gRPC threads and the strand).
  std::atomic<size_t> unwritten_bytes_{0};
  // Messages read by gRPC threads wait here, framed (binary), until the
  // strand takes them all at once: one post, one HTTP chunk and one write
  // for however many came meanwhile, instead of one of each per message.
  absl::Mutex inbox_mu_;
  std::string inbox_ ABSL_GUARDED_BY(inbox_mu_);
  size_t inbox_message_bytes_ ABSL_GUARDED_BY(inbox_mu_) = 0;
  Metadata inbox_initial_ ABSL_GUARDED_BY(inbox_mu_);
  bool inbox_posted_ ABSL_GUARDED_BY(inbox_mu_) = false;
  char watch_byte_ = 0;
};

}  // namespace codex_manager::web

#endif  // CODEX_MANAGER_WEB_PROXY_HTTP_SESSION_H_
