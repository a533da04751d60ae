// stream_bench: what the server costs to read and deliver events from a
// large log (bench/README.md). It starts the server once to create its
// data dir, fills the database with --log-events events (one 12-event
// session, one --big-events session, the rest spread over filler
// sessions) with plain SQL (so any server version with the same tables can
// be measured: --server-bin), starts the server again on it, and measures
// with a C++ gRPC client:
//   - replaying the 12-event session (no_follow): p50/p99 ms;
//   - --replays concurrent replays of the big session: events/s delivered
//     and server CPU per delivered event (utime+stime from /proc, µs);
//   - GetSession from --unary-callers concurrent callers while those
//     replays run: p50/p99 ms;
// each with StreamEvents (one event per message) and StreamEventBatches
// (several), or the one --rpc names ("none": neither); then, with
// --backups N, N backups of that database (MaintenanceService.Backup, read
// whole): seconds, bytes and server CPU each, and GetSession's p50/p99 from
// one caller meanwhile, against the same caller's on the idle server.
//
//   build/bin/stream_bench --log-events 1000000 --big-events 100000
//       --replays 8 --dir /tmp      (one command line)
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "bench_support.h"
#include "codex_manager/v1/events.grpc.pb.h"
#include "codex_manager/v1/maintenance.grpc.pb.h"
#include "codex_manager/v1/sessions.grpc.pb.h"
#include "nlohmann/json.hpp"

namespace {

namespace v1 = codex_manager::v1;
using codex_manager::bench::CpuMicros;
using codex_manager::bench::Replay;
using codex_manager::bench::StartServer;
using Clock = std::chrono::steady_clock;

struct Flags {
  int64_t log_events = 1000000;
  int64_t big_events = 100000;
  int replays = 8;
  int small_replays = 2000;
  int unary_callers = 0;
  std::string dir = "/tmp";
  std::string server_bin;
  std::string rpc = "both";
  int backups = 0;
};

// GetSession of ses_small from one caller, again and again until `stop`:
// the latencies, in ms.
std::vector<double> GetSessionLoop(v1::SessionService::Stub& sessions,
                                   const std::string& token,
                                   const std::atomic<bool>& stop) {
  std::vector<double> ms;
  while (!stop.load()) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    v1::GetSessionRequest req;
    req.set_session_id("ses_small");
    v1::Session out;
    auto t0 = Clock::now();
    if (!sessions.GetSession(&ctx, req, &out).ok()) std::exit(1);
    ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms;
}

// One backup read whole; its size in bytes, -1 on an error (printed).
int64_t ReadBackup(v1::MaintenanceService::Stub& stub,
                   const std::string& token) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token);
  auto reader = stub.Backup(&ctx, v1::BackupRequest());
  v1::BackupChunk chunk;
  int64_t bytes = 0;
  while (reader->Read(&chunk)) bytes += chunk.data().size();
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    std::fprintf(stderr, "backup: %s\n", status.error_message().c_str());
    return -1;
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  CLI::App app{"Replay latency and fan-out cost of codex-manager-server"};
  app.add_option("--log-events", flags.log_events, "Events in the log");
  app.add_option("--big-events", flags.big_events, "Events of the big session");
  app.add_option("--replays", flags.replays, "Concurrent big replays");
  app.add_option("--small-replays", flags.small_replays,
                 "Replays of the 12-event session timed");
  app.add_option("--unary-callers", flags.unary_callers,
                 "Concurrent GetSession callers during the big replays (0: "
                 "none, so the replay figures are of replays alone)");
  app.add_option("--dir", flags.dir, "Where to make the data dir");
  app.add_option("--rpc", flags.rpc, "Which RPC replays")
      ->check(CLI::IsMember(
          {"StreamEvents", "StreamEventBatches", "both", "none"}));
  app.add_option("--backups", flags.backups,
                 "Backups of the database timed after the replays");
  app.add_option("--server-bin", flags.server_bin,
                 "codex-manager-server (default: beside this binary)");
  CLI11_PARSE(app, argc, argv);
  setvbuf(stdout, nullptr, _IOLBF, 0);
  if (flags.server_bin.empty()) {
    flags.server_bin = (std::filesystem::path(argv[0]).parent_path() /
                        "codex-manager-server")
                           .string();
  }
  auto start = Clock::now();
  const std::string data_dir = codex_manager::bench::FilledDataDir(
      flags.server_bin, flags.dir, "stream-bench", flags.big_events,
      flags.log_events - 12 - flags.big_events);
  std::printf("log of %lld events written in %.1f s\n",
              static_cast<long long>(flags.log_events),
              std::chrono::duration<double>(Clock::now() - start).count());
  codex_manager::bench::Process server = StartServer(flags.server_bin, data_dir);
  const pid_t pid = server.pid;
  const int port = server.port;
  const std::string token = codex_manager::bench::AdminToken(data_dir);
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::StreamService::NewStub(channel);

  for (const char* rpc : {"StreamEvents", "StreamEventBatches"}) {
    if (flags.rpc != "both" && flags.rpc != rpc) continue;
    const bool batches = std::string(rpc) == "StreamEventBatches";
    // 1. The small session, again and again.
    std::vector<double> ms;
    const double small_cpu0 = CpuMicros(pid);
    for (int i = 0; i < flags.small_replays; ++i) {
      auto t0 = Clock::now();
      if (Replay(*stub, token, "ses_small", batches) != 12) std::exit(1);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0)
                       .count());
    }
    const double small_cpu = CpuMicros(pid) - small_cpu0;
    std::sort(ms.begin(), ms.end());
    std::printf("%s: replay of a 12-event session (log of %lld): p50 %.2f ms, "
                "p99 %.2f ms, server CPU %.1f us a replay\n",
                rpc, static_cast<long long>(flags.log_events), ms[ms.size() / 2],
                ms[ms.size() * 99 / 100],
                small_cpu / static_cast<double>(flags.small_replays));

    // 2. Concurrent replays of the big session.
    const double cpu0 = CpuMicros(pid);
    auto t0 = Clock::now();
    std::vector<std::thread> threads;
    std::vector<int64_t> got(flags.replays);
    for (int i = 0; i < flags.replays; ++i) {
      threads.emplace_back([&, i] {
        auto own = v1::StreamService::NewStub(grpc::CreateCustomChannel(
            absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(),
            [i] {
              grpc::ChannelArguments args;
              args.SetInt("bench.channel", i);  // one connection per replay
              return args;
            }()));
        got[i] = Replay(*own, token, "ses_big", batches);
      });
    }
    // Meanwhile, unary reads from many callers (one channel, as a client
    // library would), until the replays end.
    std::atomic<bool> replays_done{false};
    std::mutex unary_mu;
    std::vector<double> unary_ms;
    std::vector<std::thread> callers;
    auto sessions = v1::SessionService::NewStub(channel);
    for (int i = 0; i < flags.unary_callers; ++i) {
      callers.emplace_back([&] {
        std::vector<double> mine =
            GetSessionLoop(*sessions, token, replays_done);
        std::lock_guard<std::mutex> lock(unary_mu);
        unary_ms.insert(unary_ms.end(), mine.begin(), mine.end());
      });
    }
    for (auto& t : threads) t.join();
    replays_done = true;
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = CpuMicros(pid) - cpu0;
    for (auto& t : callers) t.join();
    int64_t total = 0;
    for (int64_t n : got) total += n;
    std::printf("%s: %d concurrent replays of a %lld-event session: %.0f "
                "events/s delivered, %.2f µs server CPU per event\n",
                rpc, flags.replays, static_cast<long long>(flags.big_events),
                total / secs, cpu / static_cast<double>(total));
    std::sort(unary_ms.begin(), unary_ms.end());
    if (!unary_ms.empty()) {
      std::printf("GetSession from %d callers during those replays: %zu calls, "
                  "p50 %.2f ms, p99 %.2f ms (the replays' figures above include "
                  "this load)\n",
                  flags.unary_callers, unary_ms.size(),
                  unary_ms[unary_ms.size() / 2],
                  unary_ms[unary_ms.size() * 99 / 100]);
    }
  }

  if (flags.backups > 0) {
    auto sessions = v1::SessionService::NewStub(channel);
    auto maintenance = v1::MaintenanceService::NewStub(channel);
    std::atomic<bool> stop{false};
    auto idle_t0 = Clock::now();
    std::thread idle_caller([&] {
      std::this_thread::sleep_for(std::chrono::seconds(3));
      stop = true;
    });
    std::vector<double> idle = GetSessionLoop(*sessions, token, stop);
    idle_caller.join();
    const double idle_secs =
        std::chrono::duration<double>(Clock::now() - idle_t0).count();
    stop = false;
    std::vector<double> during;
    std::thread caller(
        [&] { during = GetSessionLoop(*sessions, token, stop); });
    for (int i = 0; i < flags.backups; ++i) {
      const double cpu0 = CpuMicros(pid);
      auto t0 = Clock::now();
      const int64_t bytes = ReadBackup(*maintenance, token);
      if (bytes < 0) {
        stop = true;
        caller.join();
        codex_manager::bench::Stop(server);
        std::filesystem::remove_all(data_dir);
        return 1;
      }
      const double secs =
          std::chrono::duration<double>(Clock::now() - t0).count();
      std::printf(
          "backup of a log of %lld events: %.2f s, %.1f MB (%.0f "
          "MB/s), server CPU %.2f s\n",
          static_cast<long long>(flags.log_events), secs, bytes / 1e6,
          bytes / 1e6 / secs, (CpuMicros(pid) - cpu0) / 1e6);
    }
    stop = true;
    caller.join();
    std::printf(
        "GetSession from one caller: idle (%.0f s) %zu calls, p50 "
        "%.2f ms, p99 %.2f ms; during the backups %zu calls, p50 "
        "%.2f ms, p99 %.2f ms\n",
        idle_secs, idle.size(), idle[idle.size() / 2],
        idle[idle.size() * 99 / 100], during.size(), during[during.size() / 2],
        during[during.size() * 99 / 100]);
  }

  codex_manager::bench::Stop(server);
  std::filesystem::remove_all(data_dir);
  return 0;
}
