// load_client: puts the load of many clients on a running
// codex-manager-server for a benchmark that measures something else
// meanwhile (bench/live_latency_bench.py). A lean C++ client, so the load
// is the server's, not the client's:
//   --catch-up N        N streams from cursor 0 (no_follow) of
//                       --catch-up-session, or of every session, all
//                       started at once, each read to its end;
//   --follow ID...      --followers-per-session streams following each
//                       session from now on, for --seconds;
//   --unary-callers N   N threads calling GetSession(--unary-session) in a
//                       loop for --seconds (one channel, as a client
//                       library would), latency p50/p99.
// Streams call --rpc (StreamEventBatches, as this project's clients do, or
// StreamEvents) on gRPC's callback API (no thread per stream). Prints one
// JSON object when done. With --start-on-stdin it first connects its
// channels, prints "ready" and waits for a line on stdin, so a bench can
// start it early and put only the load itself (not a process start and
// eight connections) where it measures.
//
//   build/bin/load_client --addr 127.0.0.1:PORT --token TOKEN --seconds 10
//       --catch-up 2000      (one command line)
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/synchronization/notification.h"
#include "codex_manager/v1/events.grpc.pb.h"
#include "codex_manager/v1/sessions.grpc.pb.h"
#include "nlohmann/json.hpp"

namespace {

namespace v1 = codex_manager::v1;
using Clock = std::chrono::steady_clock;

// One event stream read to its end (or cancelled), counting events.
class Stream {
 public:
  virtual ~Stream() = default;
  virtual void Cancel() = 0;
  virtual void Wait() = 0;
  virtual const grpc::Status& status() const = 0;
};

// A StreamEvents (Message = Event) or StreamEventBatches (EventBatch) call.
template <typename Message>
class Reader final : public Stream, public grpc::ClientReadReactor<Message> {
 public:
  Reader(v1::StreamService::Stub* stub, const std::string& token,
         const v1::StreamEventsRequest& request, std::atomic<int64_t>* events,
         std::atomic<int>* open)
      : events_(events), open_(open) {
    context_.AddMetadata("authorization", "Bearer " + token);
    if constexpr (std::is_same_v<Message, v1::EventBatch>) {
      stub->async()->StreamEventBatches(&context_, &request, this);
    } else {
      stub->async()->StreamEvents(&context_, &request, this);
    }
    this->StartRead(&message_);
    this->StartCall();
  }
  void Cancel() override { context_.TryCancel(); }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    int64_t n = 1;
    if constexpr (std::is_same_v<Message, v1::EventBatch>) {
      n = message_.events_size();
    }
    events_->fetch_add(n, std::memory_order_relaxed);
    this->StartRead(&message_);
  }
  void OnDone(const grpc::Status& status) override {
    status_ = status;
    open_->fetch_sub(1);
    done_.Notify();
  }
  void Wait() override { done_.WaitForNotification(); }
  const grpc::Status& status() const override { return status_; }

 private:
  grpc::ClientContext context_;
  Message message_;
  std::atomic<int64_t>* events_;
  std::atomic<int>* open_;
  grpc::Status status_;
  absl::Notification done_;
};

std::unique_ptr<Stream> OpenStream(bool batches, v1::StreamService::Stub* stub,
                                   const std::string& token,
                                   const v1::StreamEventsRequest& request,
                                   std::atomic<int64_t>* events,
                                   std::atomic<int>* open) {
  if (batches) {
    return std::make_unique<Reader<v1::EventBatch>>(stub, token, request,
                                                    events, open);
  }
  return std::make_unique<Reader<v1::Event>>(stub, token, request, events,
                                             open);
}

double Percentile(std::vector<double>& v, int p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, v.size() * p / 100)];
}

}  // namespace

int main(int argc, char** argv) {
  std::string addr, token, unary_session, catch_up_session;
  std::string rpc = "StreamEventBatches";
  int catch_up = 0, followers_per_session = 1, unary_callers = 0,
      connections = 8;
  bool start_on_stdin = false;
  double seconds = 10;
  std::vector<std::string> follow;
  CLI::App app{"Load of many clients on a running codex-manager-server"};
  app.add_option("--addr", addr, "host:port of the server")->required();
  app.add_option("--token", token, "Bearer token")->required();
  app.add_option("--seconds", seconds, "How long followers and callers run");
  app.add_option("--catch-up", catch_up,
                 "Streams of every session from event 0, to their end");
  app.add_option("--catch-up-session", catch_up_session,
                 "The session they replay (default: every session)");
  app.add_option("--follow", follow, "Sessions to follow from now on");
  app.add_option("--followers-per-session", followers_per_session,
                 "Streams following each --follow session");
  app.add_option("--unary-callers", unary_callers,
                 "Threads calling GetSession in a loop");
  app.add_option("--unary-session", unary_session, "The session they get");
  app.add_option("--connections", connections,
                 "HTTP/2 connections the streams are spread over");
  app.add_option("--rpc", rpc,
                 "What the streams call (the clients of this project use "
                 "StreamEventBatches)")
      ->check(CLI::IsMember({"StreamEvents", "StreamEventBatches"}))
      ->capture_default_str();
  app.add_flag("--start-on-stdin", start_on_stdin,
               "Connect, print \"ready\", and start the load when a line "
               "comes on stdin");
  CLI11_PARSE(app, argc, argv);
  const bool batches = rpc == "StreamEventBatches";

  std::vector<std::unique_ptr<v1::StreamService::Stub>> stubs;
  for (int i = 0; i < connections; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("load_client.connection", i);  // a connection of its own
    auto stream_channel = grpc::CreateCustomChannel(
        addr, grpc::InsecureChannelCredentials(), args);
    if (start_on_stdin &&
        !stream_channel->WaitForConnected(std::chrono::system_clock::now() +
                                          std::chrono::seconds(30))) {
      std::fprintf(stderr, "cannot connect to %s\n", addr.c_str());
      return 1;
    }
    stubs.push_back(v1::StreamService::NewStub(stream_channel));
  }
  if (start_on_stdin) {
    std::printf("ready\n");
    std::fflush(stdout);
    char line[16];
    if (std::fgets(line, sizeof line, stdin) == nullptr) return 1;
  }
  std::atomic<int64_t> caught_up_events{0}, followed_events{0};
  std::atomic<int> open{0};
  const auto start = Clock::now();

  // Catch-up readers, all at once.
  std::vector<std::unique_ptr<Stream>> catching_up;
  v1::StreamEventsRequest from_zero;
  from_zero.set_no_follow(true);
  from_zero.set_session_id(catch_up_session);
  for (int i = 0; i < catch_up; ++i) {
    ++open;
    catching_up.push_back(OpenStream(batches, stubs[i % stubs.size()].get(),
                                     token, from_zero, &caught_up_events,
                                     &open));
  }
  // Followers.
  std::vector<std::unique_ptr<Stream>> followers;
  for (const std::string& session : follow) {
    v1::StreamEventsRequest request;
    request.set_session_id(session);
    // From now on: after the session's newest event.
    auto sessions = v1::SessionService::NewStub(grpc::CreateChannel(
        addr, grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    v1::GetSessionRequest get;
    get.set_session_id(session);
    v1::Session s;
    if (grpc::Status st = sessions->GetSession(&ctx, get, &s); !st.ok()) {
      std::fprintf(stderr, "GetSession %s: %s\n", session.c_str(),
                   st.error_message().c_str());
      return 1;
    }
    request.set_after_seq(s.last_seq());
    for (int i = 0; i < followers_per_session; ++i) {
      ++open;
      followers.push_back(OpenStream(
          batches, stubs[followers.size() % stubs.size()].get(), token,
          request, &followed_events, &open));
    }
  }
  // Unary callers.
  std::mutex mu;
  std::vector<double> unary_ms;
  std::vector<std::thread> callers;
  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  auto sessions = v1::SessionService::NewStub(channel);
  const auto until = start + std::chrono::duration<double>(seconds);
  std::atomic<int> unary_errors{0};
  for (int i = 0; i < unary_callers; ++i) {
    callers.emplace_back([&] {
      std::vector<double> mine;
      while (Clock::now() < until) {
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", "Bearer " + token);
        v1::GetSessionRequest req;
        req.set_session_id(unary_session);
        v1::Session out;
        const auto c0 = Clock::now();
        if (!sessions->GetSession(&ctx, req, &out).ok()) ++unary_errors;
        mine.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - c0)
                .count());
      }
      std::lock_guard<std::mutex> lock(mu);
      unary_ms.insert(unary_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& r : catching_up) r->Wait();
  const double catch_up_seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  std::this_thread::sleep_until(until);
  for (auto& r : followers) r->Cancel();
  for (auto& r : followers) r->Wait();
  for (auto& t : callers) t.join();
  int failed = 0;
  for (auto& r : catching_up) failed += r->status().ok() ? 0 : 1;
  const nlohmann::json out = {
      {"catch_up_streams", catch_up},
      {"catch_up_failed", failed},
      {"catch_up_events", caught_up_events.load()},
      {"catch_up_seconds", catch_up_seconds},
      {"followers", followers.size()},
      {"followed_events", followed_events.load()},
      {"unary_calls", unary_ms.size()},
      {"unary_errors", unary_errors.load()},
      {"unary_p50_ms", Percentile(unary_ms, 50)},
      {"unary_p99_ms", Percentile(unary_ms, 99)}};
  std::printf("%s\n", out.dump().c_str());
  return failed == 0 && unary_errors == 0 ? 0 : 1;
}
