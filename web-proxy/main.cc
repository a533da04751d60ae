// codex-manager-web: translates gRPC-Web (binary and base64 text) to gRPC for
// any method of the upstream server, and serves the browser UI. See
// docs/web.md.
// clang-format off
#include <utility>  // Boost 1.74 Asio uses std::exchange without it
// clang-format on
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <boost/asio.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "http_session.h"

namespace {

namespace net = boost::asio;

struct Flags {
  std::string listen = "127.0.0.1:8080";
  std::string upstream = "127.0.0.1:50051";
  std::string static_dir;
  std::vector<std::string> allowed_origins;
  std::vector<std::string> frame_ancestors;
  int max_message_bytes = 16 << 20;
  int threads = 2;
};

void Accept(net::ip::tcp::acceptor& acceptor,
            const codex_manager::web::ProxyConfig& config) {
  acceptor.async_accept(net::make_strand(acceptor.get_executor()),
                        [&acceptor, &config](boost::system::error_code ec,
                                             net::ip::tcp::socket socket) {
                          if (!ec) {
                            socket.set_option(net::ip::tcp::no_delay(true), ec);
                            std::make_shared<codex_manager::web::HttpSession>(
                                std::move(socket), &config)
                                ->Run();
                          }
                          if (acceptor.is_open()) Accept(acceptor, config);
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
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(flags.max_message_bytes);
  args.SetMaxSendMessageSize(flags.max_message_bytes);
  auto channel = grpc::CreateCustomChannel(
      flags.upstream, grpc::InsecureChannelCredentials(), args);
  grpc::GenericStub stub(channel);

  codex_manager::web::CallRegistry calls;
  codex_manager::web::ProxyConfig config;
  config.stub = &stub;
  config.calls = &calls;
  config.static_dir = flags.static_dir;
  config.allowed_origins = flags.allowed_origins;
  config.frame_ancestors = flags.frame_ancestors;
  config.max_message_bytes = static_cast<size_t>(flags.max_message_bytes);

  net::io_context io(flags.threads);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(flags.listen.substr(0, colon), ec);
  if (ec) {
    std::fprintf(stderr, "--listen: %s\n", ec.message().c_str());
    return 2;
  }
  net::ip::tcp::acceptor acceptor(io);
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
  // One JSON line, like the server's, with the port actually bound.
  std::fprintf(stderr,
               "{\"level\":\"info\",\"msg\":\"listening\",\"port\":%d,"
               "\"upstream\":\"%s\"}\n",
               acceptor.local_endpoint().port(), flags.upstream.c_str());
  std::fflush(stderr);
  Accept(acceptor, config);

  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    acceptor.close();
    io.stop();
  });
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
  signal(SIGPIPE, SIG_IGN);
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
  app.add_option("--allowed-origin", flags.allowed_origins,
                 "Origin allowed to call cross-origin, e.g. "
                 "https://ops.example.com (repeatable; * for any)");
  app.add_option("--frame-ancestor", flags.frame_ancestors,
                 "Origin allowed to embed the UI in a frame (repeatable)");
  app.add_option("--max-message-bytes", flags.max_message_bytes,
                 "Largest message forwarded either way, in bytes")
      ->capture_default_str();
  app.add_option("--threads", flags.threads, "I/O threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return Run(flags);
}
