// codex-manager-web: translates gRPC-Web (binary and base64 text) to gRPC for
// any method of the upstream server, and serves the browser UI. See
// docs/web.md.
// clang-format off
#include <utility>  // Boost 1.74 Asio uses std::exchange without it
// clang-format on
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/connect_failure.h"
#include "common/pem_files.h"
#include "nlohmann/json.hpp"
#include "common/crash_report.h"
#include "http_session.h"

namespace {

namespace net = boost::asio;

struct Flags {
  std::string listen = "127.0.0.1:8080";
  std::string upstream = "127.0.0.1:50051";
  std::string upstream_ca_file;
  std::string tls_cert;
  std::string tls_key;
  int header_timeout_ms = 10000;
  std::string static_dir;
  std::vector<std::string> public_hosts;
  std::vector<std::string> allowed_origins;
  bool insecure_plaintext_remote = false;
  bool secure_cookie = false;
  size_t max_connections = 1024;
  std::vector<std::string> frame_ancestors;
  int max_request_bytes = 16 << 20;
  int max_anonymous_request_bytes = 64 << 10;
  int max_response_bytes = 16 << 20;
  int threads = 2;
  int upstream_threads = 1;
};

// The whole of file `path` (given as `flag`), or nullopt after saying on
// stderr that it cannot be read.
std::optional<std::string> ReadFileOrSay(const char* flag,
                                         const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    std::fprintf(stderr, "%s %s: cannot read it\n", flag, path.c_str());
    return std::nullopt;
  }
  return text.str();
}

// Whether every check passed; says the first that did not on stderr.
bool AllOk(std::initializer_list<absl::Status> checks) {
  for (const absl::Status& check : checks) {
    if (!check.ok()) {
      std::fprintf(stderr, "%s\n", std::string(check.message()).c_str());
      return false;
    }
  }
  return true;
}

// One JSON log line; `msg` must need no JSON escaping.
void Log(const char* level, const char* msg) {
  std::fprintf(stderr, "{\"level\":\"%s\",\"msg\":\"%s\"}\n", level, msg);
  std::fflush(stderr);
}

// Says in the log, at most every 10 s, that calls cannot reach the
// upstream, with gRPC's reason and what to check (nginx logs "connect()
// failed … while connecting to upstream" per request): the browser shows
// the error, the operator reads it here.
class UpstreamTrouble {
 public:
  UpstreamTrouble(std::string upstream, bool tls)
      : upstream_(std::move(upstream)), tls_(tls) {}

  void Report(const std::string& error) {
    int unsaid = 0;
    {
      absl::MutexLock lock(&mu_);
      const absl::Time now = absl::Now();
      if (now - last_ < absl::Seconds(10)) {
        ++unsaid_;
        return;
      }
      last_ = now;
      unsaid = std::exchange(unsaid_, 0);
    }
    std::string hint;
    switch (codex_manager::ClassifyConnectFailure(error)) {
      case codex_manager::ConnectFailure::kHttp1:
        hint = "it answers HTTP/1.1, not gRPC: --upstream must name "
               "codex-manager-server's --listen, not a web server";
        break;
      case codex_manager::ConnectFailure::kNotTls:
        hint = "the server does not serve TLS: drop --upstream-ca-file";
        break;
      case codex_manager::ConnectFailure::kUntrustedCertificate:
        hint = "the server's certificate is not signed by a CA in "
               "--upstream-ca-file, or does not name the host in --upstream";
        break;
      case codex_manager::ConnectFailure::kClosed:
        if (!tls_) {
          hint = "the server closed the connection: if it serves TLS "
                 "(--tls-cert), pass --upstream-ca-file";
          break;
        }
        [[fallthrough]];
      case codex_manager::ConnectFailure::kOther:
        hint = "is codex-manager-server running there? --upstream names its "
               "--listen";
        break;
    }
    nlohmann::ordered_json line = {{"level", "warning"},
                           {"msg", "upstream unreachable"},
                           {"upstream", upstream_},
                           {"error", error},
                           {"hint", hint},
                           {"also_failed_since_last", unsaid}};
    std::fprintf(stderr, "%s\n",
                 line.dump(-1, ' ', false,
                           nlohmann::json::error_handler_t::replace)
                     .c_str());
    std::fflush(stderr);
  }

 private:
  const std::string upstream_;
  const bool tls_;
  absl::Mutex mu_;
  absl::Time last_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // Calls that failed so since the last line, not logged one by one.
  int unsaid_ ABSL_GUARDED_BY(mu_) = 0;
};

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" ||
         absl::StartsWith(host, "127.");
}

// TCP keepalive on a browser's connection: probed after kKeepaliveIdleS of
// silence, every kKeepaliveIntervalS, and closed by the kernel after
// kKeepaliveProbes unanswered probes. A browser that went away without a
// word (a phone that left the network, a laptop asleep) is then found
// within about 90 s: the read watching its stream fails (HttpSession::
// WatchForDisconnect), and the upstream call is cancelled, giving back
// its stream slot on the server. The server's HTTP/2 pings
// (--keepalive-interval) stop at this proxy, one hop away.
constexpr int kKeepaliveIdleS = 60;
constexpr int kKeepaliveIntervalS = 10;
constexpr int kKeepaliveProbes = 3;

void KeepAlive(net::ip::tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.set_option(net::socket_base::keep_alive(true), ignored);
  const int fd = socket.native_handle();
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &kKeepaliveIdleS,
             sizeof kKeepaliveIdleS);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &kKeepaliveIntervalS,
             sizeof kKeepaliveIntervalS);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &kKeepaliveProbes,
             sizeof kKeepaliveProbes);
}

// Accepts connections until the acceptor closes. The acceptor's executor is
// a strand, and every use of it (this loop, and the close at SIGTERM) runs
// there: Asio's I/O objects are not safe for concurrent use, and a close on
// one thread racing an async_accept on another crashed the proxy at stop.
// Each connection gets its own strand on `io`.
void Accept(net::io_context& io, net::ip::tcp::acceptor& acceptor,
            const codex_manager::web::ProxyConfig& config,
            size_t max_connections) {
  acceptor.async_accept(
      net::make_strand(io), [&io, &acceptor, &config, max_connections](
                                boost::system::error_code ec,
                                net::ip::tcp::socket socket) {
        if (!ec && codex_manager::web::HttpSession::OpenCount() >=
                       max_connections) {
          // At --max-connections: refuse at once.
          socket.close(ec);
          ec = net::error::connection_refused;
        }
        if (!ec) {
          socket.set_option(net::ip::tcp::no_delay(true), ec);
          KeepAlive(socket);
          std::make_shared<codex_manager::web::HttpSession>(std::move(socket),
                                                            &config)
              ->Run();
        }
        if (acceptor.is_open()) Accept(io, acceptor, config, max_connections);
      });
}

int Run(const Flags& flags) {
  const size_t colon = flags.listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(flags.listen.substr(colon + 1), &port)) {
    std::fprintf(stderr, "--listen: expected host:port, got %s\n",
                 flags.listen.c_str());
    return 2;
  }
  const std::string listen_host = flags.listen.substr(0, colon);
  if (flags.tls_cert.empty() != flags.tls_key.empty()) {
    std::fprintf(stderr, "--tls-cert and --tls-key go together\n");
    return 2;
  }
  // HTTPS: the certificate chain and key (PEM), TLS 1.2 and later.
  std::optional<net::ssl::context> tls;
  if (!flags.tls_cert.empty()) {
    const std::optional<std::string> cert =
        ReadFileOrSay("--tls-cert", flags.tls_cert);
    const std::optional<std::string> key =
        ReadFileOrSay("--tls-key", flags.tls_key);
    if (!cert || !key ||
        !AllOk({codex_manager::CheckPemCertificates("--tls-cert",
                                                    flags.tls_cert, *cert),
                codex_manager::CheckPemPrivateKey("--tls-key", flags.tls_key,
                                                  *key),
                codex_manager::CheckKeyPair("--tls-cert", flags.tls_cert,
                                            *cert, "--tls-key", flags.tls_key,
                                            *key)})) {
      return 2;
    }
    tls.emplace(net::ssl::context::tls_server);
    tls->set_options(net::ssl::context::default_workarounds |
                     net::ssl::context::no_sslv2 | net::ssl::context::no_sslv3 |
                     net::ssl::context::no_tlsv1 |
                     net::ssl::context::no_tlsv1_1 |
                     net::ssl::context::single_dh_use);
    boost::system::error_code tls_ec;
    tls->use_certificate_chain(net::buffer(*cert), tls_ec);
    if (tls_ec) {
      std::fprintf(stderr, "--tls-cert %s: %s\n", flags.tls_cert.c_str(),
                   tls_ec.message().c_str());
      return 2;
    }
    tls->use_private_key(net::buffer(*key), net::ssl::context::pem, tls_ec);
    if (tls_ec) {
      std::fprintf(stderr, "--tls-key %s: %s\n", flags.tls_key.c_str(),
                   tls_ec.message().c_str());
      return 2;
    }
  }
  // The exposure guard: plaintext HTTP carries the sign-in cookie and
  // every transcript, so only loopback, unless TLS is served here or by a
  // proxy in front.
  if (!tls && !IsLoopbackHost(listen_host)) {
    if (!flags.insecure_plaintext_remote) {
      std::fprintf(
          stderr,
          "--listen %s is reachable from other machines over plaintext HTTP, "
          "which would expose tokens and transcripts. Serve HTTPS with "
          "--tls-cert and --tls-key, or listen on 127.0.0.1 behind a TLS "
          "reverse proxy (Caddy, nginx), or, when that proxy runs on another "
          "host, pass --insecure-plaintext-remote and --public-host NAME "
          "(docs/security.md).\n",
          flags.listen.c_str());
      return 2;
    }
    Log("warning",
        "serving plaintext HTTP on a non-loopback address "
        "(--insecure-plaintext-remote): put a TLS proxy in front");
  }
  std::vector<std::string> origins;
  for (const std::string& origin : flags.allowed_origins) {
    const std::string o = absl::AsciiStrToLower(origin);
    if (o == "*" || !(absl::StartsWith(o, "http://") ||
                      absl::StartsWith(o, "https://"))) {
      std::fprintf(stderr,
                   "--allowed-origin: \"%s\" is not an origin: give "
                   "scheme://host[:port], one per flag (\"*\" is never "
                   "allowed: any web page could drive the agent)\n",
                   origin.c_str());
      return 2;
    }
    origins.push_back(o);
  }
  grpc::ChannelArguments args;
  // gRPC's own limits: a response over --max-response-bytes ends the call
  // with RESOURCE_EXHAUSTED; requests were checked against
  // --max-request-bytes before the call started.
  args.SetMaxReceiveMessageSize(flags.max_response_bytes);
  args.SetMaxSendMessageSize(flags.max_request_bytes);
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  if (!flags.upstream_ca_file.empty()) {
    const std::optional<std::string> pem =
        ReadFileOrSay("--upstream-ca-file", flags.upstream_ca_file);
    if (!pem || !AllOk({codex_manager::CheckPemCertificates(
                    "--upstream-ca-file", flags.upstream_ca_file, *pem)})) {
      return 2;
    }
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = *pem;
    credentials = grpc::SslCredentials(ssl);
  }
  auto channel = grpc::CreateCustomChannel(flags.upstream, credentials, args);
  grpc::GenericStub stub(channel);

  codex_manager::web::CallRegistry calls;
  // Declared after the stub and the registry: destroyed first, once every
  // call has ended (WaitIdle below).
  codex_manager::web::UpstreamPoller poller(flags.upstream_threads);
  codex_manager::web::ProxyConfig config;
  config.stub = &stub;
  config.calls = &calls;
  config.poller = &poller;
  UpstreamTrouble upstream_trouble(flags.upstream,
                                   !flags.upstream_ca_file.empty());
  config.upstream_unreachable = [&upstream_trouble](const std::string& error) {
    upstream_trouble.Report(error);
  };
  config.static_dir = flags.static_dir;
  config.allowed_origins = origins;
  config.tls = tls ? &*tls : nullptr;
  config.secure_cookie = flags.secure_cookie || tls.has_value();
  config.header_timeout = std::chrono::milliseconds(flags.header_timeout_ms);
  config.frame_ancestors = flags.frame_ancestors;
  config.max_request_bytes = static_cast<size_t>(flags.max_request_bytes);
  config.max_anonymous_request_bytes =
      static_cast<size_t>(flags.max_anonymous_request_bytes);

  net::io_context io(flags.threads);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(flags.listen.substr(0, colon), ec);
  if (ec) {
    std::fprintf(stderr, "--listen: %s\n", ec.message().c_str());
    return 2;
  }
  net::ip::tcp::acceptor acceptor(net::make_strand(io));
  const net::ip::tcp::endpoint endpoint(address,
                                        static_cast<unsigned short>(port));
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "cannot listen on %s: %s\n", flags.listen.c_str(),
                 ec.message().c_str());
    return 1;
  }
  // SIGTERM and SIGINT stop the proxy from here on, before it says it is
  // listening: a supervisor that signals right after that line gets a
  // graceful stop, not the default action.
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    net::dispatch(acceptor.get_executor(), [&] {
      boost::system::error_code ignored;
      acceptor.close(ignored);
      io.stop();
    });
  });
  // One JSON line, like the server's, with the port actually bound.
  std::fprintf(stderr,
               "{\"level\":\"info\",\"msg\":\"listening\",\"port\":%d,"
               "\"scheme\":\"%s\",\"upstream\":\"%s\"}\n",
               acceptor.local_endpoint().port(), tls ? "https" : "http",
               flags.upstream.c_str());
  std::fflush(stderr);
  // The Host values served: the loopback names and the listen address at
  // the bound port, and every --public-host.
  const int bound = acceptor.local_endpoint().port();
  std::vector<std::string> names = {"localhost", "127.0.0.1", "[::1]"};
  if (listen_host != "0.0.0.0" && listen_host != "::" &&
      listen_host != "[::]") {
    names.push_back(absl::AsciiStrToLower(listen_host));
  }
  for (const std::string& name : names) {
    config.allowed_hosts.push_back(absl::StrCat(name, ":", bound));
    if (bound == 80) config.allowed_hosts.push_back(name);
  }
  for (const std::string& host : flags.public_hosts) {
    const std::string h = absl::AsciiStrToLower(host);
    if (h.find(':') != std::string::npos && h.back() != ']') {
      config.allowed_hosts.push_back(h);  // with a port: exactly that
    } else {
      config.allowed_host_names.push_back(h);  // any port
    }
  }
  Accept(io, acceptor, config, flags.max_connections);
  std::vector<std::thread> threads;
  for (int i = 1; i < flags.threads; ++i)
    threads.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& t : threads) t.join();
  // Calls still in flight end on gRPC threads and release their HTTP
  // sessions there; those must be gone before the io_context their
  // sockets belong to is destroyed.
  calls.CancelAll();
  if (!calls.WaitIdle(absl::Seconds(5))) {
    std::fprintf(stderr,
                 "{\"level\":\"error\",\"msg\":\"upstream calls did not "
                 "end within 5s of shutdown\"}\n");
    std::fflush(stderr);
    std::_Exit(1);  // tearing down under live calls would touch freed state
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  codex_manager::InstallCrashReport(argv[0]);
  signal(SIGPIPE, SIG_IGN);
#ifdef NDEBUG
  // Debian's Abseil checks lock order on every absl::Mutex acquisition
  // (deadlock detection, a graph update per lock). Release builds skip
  // it; debug and sanitizer builds, which run the tests, keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  Flags flags;
  CLI::App app{
      "codex-manager-web: gRPC-Web (application/grpc-web[-text]) to gRPC "
      "proxy for Codex Manager, and the browser UI's web server."};
  app.add_option("--listen", flags.listen, "HTTP address, host:port")
      ->capture_default_str();
  app.add_option("--upstream", flags.upstream,
                 "codex-manager-server address, host:port")
      ->capture_default_str();
  app.add_option("--static-dir", flags.static_dir,
                 "Folder of the UI to serve (empty: none)");
  app.add_option("--upstream-ca-file", flags.upstream_ca_file,
                 "PEM CA bundle: connect to the upstream with TLS");
  app.add_option("--public-host", flags.public_hosts,
                 "Host name the UI is reached by besides loopback, e.g. "
                 "ops.example.com or ops.example.com:8443 (repeatable); "
                 "other Host headers get 421 (stops DNS rebinding)");
  app.add_option("--allowed-origin", flags.allowed_origins,
                 "Another origin allowed to call cross-origin, e.g. "
                 "https://ops.example.com (repeatable; never *)");
  app.add_option("--tls-cert", flags.tls_cert,
                 "PEM certificate chain: serve HTTPS (with --tls-key)");
  app.add_option("--tls-key", flags.tls_key, "PEM private key for --tls-cert");
  app.add_option("--header-timeout-ms", flags.header_timeout_ms,
                 "Time allowed for the TLS handshake and a request's header, "
                 "in milliseconds from its first byte (slowloris guard)")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
  app.add_flag("--insecure-plaintext-remote", flags.insecure_plaintext_remote,
               "Allow a non-loopback --listen over plaintext HTTP (only "
               "behind a TLS proxy)");
  app.add_flag("--secure-cookie", flags.secure_cookie,
               "Mark the sign-in cookie Secure (when a TLS proxy is in front; "
               "always on with --tls-cert)");
  app.add_option("--max-connections", flags.max_connections,
                 "Most browser connections open at once")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app.add_option("--frame-ancestor", flags.frame_ancestors,
                 "Origin allowed to embed the UI in a frame (repeatable)");
  auto* request_limit =
      app.add_option("--max-request-bytes", flags.max_request_bytes,
                     "Largest request message forwarded, in bytes (larger: "
                     "RESOURCE_EXHAUSTED)")
          ->check(CLI::Range(1, 1 << 30))
          ->capture_default_str();
  auto* response_limit =
      app.add_option("--max-response-bytes", flags.max_response_bytes,
                     "Largest response message forwarded, in bytes (larger: "
                     "RESOURCE_EXHAUSTED)")
          ->check(CLI::Range(1, 1 << 30))
          ->capture_default_str();
  app.add_option("--max-anonymous-request-bytes",
                 flags.max_anonymous_request_bytes,
                 "Largest request body of a call that carries no token (no "
                 "Authorization header, no sign-in cookie), in bytes; larger: "
                 "UNAUTHENTICATED before the body is read")
      ->check(CLI::Range(0, 1 << 30))
      ->capture_default_str();
  int max_message_bytes = 0;
  app.add_option("--max-message-bytes", max_message_bytes,
                 "Both limits at once (as --max-request-bytes and "
                 "--max-response-bytes)")
      ->check(CLI::Range(1, 1 << 30))
      ->excludes(request_limit)
      ->excludes(response_limit);
  app.add_option("--threads", flags.threads, "I/O threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--upstream-threads", flags.upstream_threads,
                 "Threads polling the upstream connection (gRPC completion "
                 "queue)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (max_message_bytes > 0) {
    flags.max_request_bytes = flags.max_response_bytes = max_message_bytes;
  }
  return Run(flags);
}
