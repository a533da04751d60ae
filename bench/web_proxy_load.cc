// web_proxy_load: the same load directly over gRPC, through
// codex-manager-web and through improbable-eng's grpcwebproxy, in one run,
// with a lean client (C++ gRPC direct; a raw HTTP/1.1 gRPC-Web client on
// Boost.Beast that counts frames without decoding them), so that the
// proxies, not the client, are what is measured (bench/README.md).
//
// It fills a data dir with plain SQL (one --events session and one small
// session), starts the real server on it, codex-manager-web in front of it
// and, with --grpcwebproxy-bin, grpcwebproxy too, then for each path:
//   - stream: --replays concurrent replays of the big session, one
//     connection each (events/s delivered), and one replay alone (best of
//     --runs);
//   - unary: --calls sequential GetSession calls on one connection
//     (p50/p99 ms);
//   - proxy CPU per streamed message and per unary call (utime+stime from
//     /proc, µs), and the server's CPU per streamed event.
// Then the ratios of codex-manager-web to grpcwebproxy and to direct gRPC.
//
//   build/bin/web_proxy_load --events 100000 --replays 4 --calls 2000
//       --grpcwebproxy-bin .cache/go-bin/grpcwebproxy-v0.15.0/grpcwebproxy
//   (one command line; bench/web_proxy_bench.sh installs grpcwebproxy)
// clang-format off
#include <utility>  // Boost 1.74 Asio uses std::exchange without it
// clang-format on
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "bench_support.h"
#include "codex_manager/v1/events.grpc.pb.h"
#include "codex_manager/v1/sessions.grpc.pb.h"

namespace {

namespace v1 = codex_manager::v1;
namespace bench = codex_manager::bench;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

struct Flags {
  int64_t events = 100000;
  int replays = 4;
  int runs = 3;
  int calls = 2000;
  std::string dir = "/tmp";
  std::string server_bin;
  std::string web_bin;
  std::string grpcwebproxy_bin;
};

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// One gRPC-Web request message: a data frame.
std::string Frame(const std::string& message) {
  std::string out(5, '\0');
  const uint32_t n = static_cast<uint32_t>(message.size());
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>(n >> (24 - 8 * i));
  return out + message;
}

// Counts the data frames of a gRPC-Web response body as it arrives, and
// keeps the trailer frame's text.
class FrameCounter {
 public:
  void Feed(const char* data, size_t n) {
    for (size_t i = 0; i < n;) {
      if (header_have_ < 5) {
        header_[header_have_++] = static_cast<unsigned char>(data[i++]);
        if (header_have_ == 5) {
          remaining_ = (size_t{header_[1]} << 24) | (size_t{header_[2]} << 16) |
                       (size_t{header_[3]} << 8) | size_t{header_[4]};
          trailer_ = (header_[0] & 0x80) != 0;
          if (!trailer_) ++messages_;
          if (remaining_ == 0) header_have_ = 0;
        }
        continue;
      }
      const size_t take = std::min(remaining_, n - i);
      if (trailer_) trailers_.append(data + i, take);
      i += take;
      remaining_ -= take;
      if (remaining_ == 0) header_have_ = 0;
    }
  }
  int64_t messages() const { return messages_; }
  const std::string& trailers() const { return trailers_; }

 private:
  std::array<unsigned char, 5> header_{};
  size_t header_have_ = 0;
  size_t remaining_ = 0;
  bool trailer_ = false;
  int64_t messages_ = 0;
  std::string trailers_;
};

// A keep-alive HTTP/1.1 connection making gRPC-Web calls.
class WebClient {
 public:
  WebClient(int port, std::string token)
      : socket_(io_), port_(port), token_(std::move(token)) {
    socket_.connect({net::ip::make_address("127.0.0.1"),
                     static_cast<unsigned short>(port)});
    socket_.set_option(net::ip::tcp::no_delay(true));
  }

  // Calls `method` with `request`; returns the response messages counted.
  // Exits on an error status.
  int64_t Call(const std::string& method,
               const google::protobuf::Message& request) {
    http::request<http::string_body> req{http::verb::post, method, 11};
    req.set(http::field::host, absl::StrCat("127.0.0.1:", port_));
    req.set(http::field::content_type, "application/grpc-web+proto");
    req.set("x-grpc-web", "1");
    req.set(http::field::authorization, "Bearer " + token_);
    req.body() = Frame(request.SerializeAsString());
    req.keep_alive(true);
    req.prepare_payload();
    http::write(socket_, req);
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    http::read_header(socket_, buffer_, parser);
    if (auto status = parser.get().find("grpc-status");
        status != parser.get().end() && status->value() != "0") {
      std::cerr << method << ": grpc-status " << status->value() << "\n";
      std::exit(1);
    }
    FrameCounter counter;
    std::array<char, 65536> chunk;
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      beast::error_code ec;
      http::read(socket_, buffer_, parser, ec);
      if (ec && ec != http::error::need_buffer) {
        std::cerr << method << ": " << ec.message() << "\n";
        std::exit(1);
      }
      counter.Feed(chunk.data(), chunk.size() - parser.get().body().size);
    }
    if (counter.trailers().rfind("grpc-status: 0", 0) != 0 &&
        parser.get().find("grpc-status") == parser.get().end()) {
      std::cerr << method << ": trailers " << counter.trailers() << "\n";
      std::exit(1);
    }
    return counter.messages();
  }

 private:
  net::io_context io_;
  net::ip::tcp::socket socket_;
  beast::flat_buffer buffer_;
  int port_;
  std::string token_;
};

// A path under test: direct gRPC (port of the server) or a proxy.
struct Path {
  std::string name;
  int port = 0;
  pid_t proxy_pid = 0;  // 0: direct
};

v1::StreamEventsRequest ReplayRequest(const std::string& session) {
  v1::StreamEventsRequest req;
  req.set_session_id(session);
  req.set_no_follow(true);
  return req;
}

int64_t ReplayDirect(int port, const std::string& token,
                     const std::string& session, int channel_id) {
  grpc::ChannelArguments args;
  args.SetInt("bench.channel", channel_id);  // a connection of its own
  auto stub = v1::StreamService::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(),
      args));
  return bench::Replay(*stub, token, session);
}

int64_t Replay(const Path& path, const std::string& token,
               const std::string& session, int channel_id) {
  if (path.proxy_pid == 0) {
    return ReplayDirect(path.port, token, session, channel_id);
  }
  WebClient client(path.port, token);
  return client.Call("/codex_manager.v1.StreamService/StreamEvents",
                     ReplayRequest(session));
}

struct Figures {
  double replay_events_per_s = 0;    // one replay alone, best of runs
  double parallel_events_per_s = 0;  // --replays at once
  double proxy_us_per_message = 0;
  double server_us_per_event = 0;
  double unary_p50_ms = 0;
  double unary_p99_ms = 0;
  double proxy_us_per_call = 0;
};

Figures Measure(const Path& path, const Flags& flags, const std::string& token,
                pid_t server_pid) {
  Figures f;
  Replay(path, token, "ses_big", 0);  // warm up
  const double proxy0 = path.proxy_pid ? bench::CpuMicros(path.proxy_pid) : 0;
  const double server0 = bench::CpuMicros(server_pid);
  int64_t carried = 0;
  double best = 1e9;
  for (int i = 0; i < flags.runs; ++i) {
    auto t0 = Clock::now();
    const int64_t n = Replay(path, token, "ses_big", 1);
    best = std::min(best, Seconds(t0));
    carried += n;
    f.replay_events_per_s = n / best;
  }
  std::vector<int64_t> got(flags.replays);
  std::vector<std::thread> threads;
  auto t0 = Clock::now();
  for (int i = 0; i < flags.replays; ++i) {
    threads.emplace_back(
        [&, i] { got[i] = Replay(path, token, "ses_big", 10 + i); });
  }
  for (auto& t : threads) t.join();
  const double secs = Seconds(t0);
  int64_t parallel = 0;
  for (int64_t n : got) parallel += n;
  carried += parallel;
  f.parallel_events_per_s = parallel / secs;
  if (path.proxy_pid) {
    f.proxy_us_per_message =
        (bench::CpuMicros(path.proxy_pid) - proxy0) / carried;
  }
  f.server_us_per_event = (bench::CpuMicros(server_pid) - server0) / carried;

  // Unary: sequential GetSession calls on one connection.
  v1::GetSessionRequest get;
  get.set_session_id("ses_small");
  std::vector<double> ms;
  std::optional<WebClient> web;
  std::unique_ptr<v1::SessionService::Stub> stub;
  if (path.proxy_pid) {
    web.emplace(path.port, token);
  } else {
    stub = v1::SessionService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", path.port),
                            grpc::InsecureChannelCredentials()));
  }
  auto call = [&] {
    if (web) {
      web->Call("/codex_manager.v1.SessionService/GetSession", get);
      return;
    }
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    v1::Session out;
    if (!stub->GetSession(&ctx, get, &out).ok()) std::exit(1);
  };
  for (int i = 0; i < 100; ++i) call();  // warm up
  const double proxy1 = path.proxy_pid ? bench::CpuMicros(path.proxy_pid) : 0;
  for (int i = 0; i < flags.calls; ++i) {
    auto c0 = Clock::now();
    call();
    ms.push_back(Seconds(c0) * 1000);
  }
  if (path.proxy_pid) {
    f.proxy_us_per_call =
        (bench::CpuMicros(path.proxy_pid) - proxy1) / flags.calls;
  }
  std::sort(ms.begin(), ms.end());
  f.unary_p50_ms = ms[ms.size() / 2];
  f.unary_p99_ms = ms[ms.size() * 99 / 100];
  return f;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// grpcwebproxy prints no port: it gets a free one and is waited for.
bench::Process StartGrpcwebproxy(const std::string& bin, int upstream) {
  const int port = FreePort();
  bench::Process p;
  p.pid = fork();
  if (p.pid == 0) {
    const std::string backend = absl::StrCat("--backend_addr=127.0.0.1:", upstream);
    const std::string listen = absl::StrCat("--server_http_debug_port=", port);
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execl(bin.c_str(), bin.c_str(), backend.c_str(), "--run_tls_server=false",
          "--server_bind_address=127.0.0.1", listen.c_str(),
          "--allow_all_origins", "--backend_max_call_recv_msg_size=16777216",
          "--server_http_max_write_timeout=10m",
          "--server_http_max_read_timeout=10m", nullptr);
    _exit(127);
  }
  for (int i = 0; i < 200; ++i) {
    net::io_context io;
    net::ip::tcp::socket s(io);
    beast::error_code ec;
    s.connect({net::ip::make_address("127.0.0.1"),
               static_cast<unsigned short>(port)},
              ec);
    if (!ec) {
      p.port = port;
      return p;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::cerr << "grpcwebproxy did not start\n";
  std::exit(1);
}

void Print(const Path& path, const Figures& f) {
  std::printf(
      "%-18s stream: %8.0f events/s alone, %8.0f events/s with %s; unary "
      "p50 %.3f ms, p99 %.3f ms; proxy CPU %.2f us/message, %.1f us/call; "
      "server CPU %.2f us/event\n",
      path.name.c_str(), f.replay_events_per_s, f.parallel_events_per_s,
      "replays at once", f.unary_p50_ms, f.unary_p99_ms,
      f.proxy_us_per_message, f.proxy_us_per_call, f.server_us_per_event);
}

void PrintRatios(const char* against, const Figures& ours,
                 const Figures& other, bool cpu) {
  std::printf(
      "codex-manager-web / %s: stream alone %.2fx, stream parallel %.2fx, "
      "unary p50 %.2fx, unary p99 %.2fx",
      against, ours.replay_events_per_s / other.replay_events_per_s,
      ours.parallel_events_per_s / other.parallel_events_per_s,
      ours.unary_p50_ms / other.unary_p50_ms,
      ours.unary_p99_ms / other.unary_p99_ms);
  if (cpu) {
    std::printf(", proxy CPU per message %.2fx, per call %.2fx",
                ours.proxy_us_per_message / other.proxy_us_per_message,
                ours.proxy_us_per_call / other.proxy_us_per_call);
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  CLI::App app{
      "Direct gRPC, codex-manager-web and grpcwebproxy under the same load"};
  app.add_option("--events", flags.events, "Events of the replayed session");
  app.add_option("--replays", flags.replays, "Concurrent replays");
  app.add_option("--runs", flags.runs, "Single replays timed (best kept)");
  app.add_option("--calls", flags.calls, "Sequential GetSession calls");
  app.add_option("--dir", flags.dir, "Where to make the data dir");
  app.add_option("--server-bin", flags.server_bin,
                 "codex-manager-server (default: beside this binary)");
  app.add_option("--web-bin", flags.web_bin,
                 "codex-manager-web (default: beside this binary)");
  app.add_option("--grpcwebproxy-bin", flags.grpcwebproxy_bin,
                 "improbable-eng grpcwebproxy (empty: not measured)");
  CLI11_PARSE(app, argc, argv);
  setvbuf(stdout, nullptr, _IOLBF, 0);
  const auto here = std::filesystem::path(argv[0]).parent_path();
  if (flags.server_bin.empty()) {
    flags.server_bin = (here / "codex-manager-server").string();
  }
  if (flags.web_bin.empty()) flags.web_bin = (here / "codex-manager-web").string();

  const std::string data_dir = bench::FilledDataDir(
      flags.server_bin, flags.dir, "web-proxy-load", flags.events, 0);
  bench::Process server = bench::StartServer(flags.server_bin, data_dir);
  const std::string token = bench::AdminToken(data_dir);
  bench::Process web = bench::StartListening(
      {flags.web_bin, "--listen", "127.0.0.1:0", "--upstream",
       absl::StrCat("127.0.0.1:", server.port)});
  std::vector<Path> paths = {{"direct gRPC", server.port, 0},
                             {"codex-manager-web", web.port, web.pid}};
  std::optional<bench::Process> peer;
  if (!flags.grpcwebproxy_bin.empty()) {
    peer.emplace(StartGrpcwebproxy(flags.grpcwebproxy_bin, server.port));
    paths.push_back({"grpcwebproxy", peer->port, peer->pid});
  }
  std::printf("%lld-event session, %d replays at once, %d GetSession calls\n",
              static_cast<long long>(flags.events), flags.replays, flags.calls);
  std::vector<Figures> figures;
  for (const Path& path : paths) {
    figures.push_back(Measure(path, flags, token, server.pid));
    Print(path, figures.back());
  }
  PrintRatios("direct gRPC", figures[1], figures[0], false);
  if (peer) PrintRatios("grpcwebproxy", figures[1], figures[2], true);

  if (peer) {
    kill(peer->pid, SIGTERM);
    waitpid(peer->pid, nullptr, 0);
  }
  bench::Stop(web);
  bench::Stop(server);
  std::filesystem::remove_all(data_dir);
  return 0;
}
