// event_log_bench: what the durable event log costs per token delta.
//
// Appends bursts of AGENT_MESSAGE_DELTA events through EventLog (with the
// server's payload cap) into a file-backed SqliteStore (WAL,
// synchronous=NORMAL, as the server runs) and
// reports events per second, commits, and events per commit (group commit).
// Also measures a naive baseline: one commit per delta. With --followers
// N, measures the fan-out's cost of idle subscribers: N subscribers each
// follow a session of their own that gets no event, one follows the busy
// session, and the bursts are committed one at a time; it reports the
// process's CPU per committed event and the busy follower's latency
// (commit queued to delivered). With --replays N, measures catch-up: N
// subscribers replay a 2,000-event session from its start (each asking for
// its next batch as soon as it has one, so up to max_catch_up_streams hold
// a turn and the rest wait for one) while the busy session's follower gets
// its events as above; it reports the events replayed, the process's CPU
// per delivered event (replayed or followed), and the busy follower's
// latency. With --sessions N, the first two measurements spread their
// events over N sessions in turn (as deltas of N streaming turns come),
// each event then landing on an index page of its own; both report the
// bytes the process wrote per event (WAL and checkpoints: /proc/self/io's
// wchar).
//
//   build/bin/event_log_bench [--events N] [--burst B] [--dir DIR]
//       [--sessions N] [--followers N | --replays N]
//
// Prints one JSON object per measurement.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "core/event_log.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

struct Args {
  int events = 100000;
  int burst = 200;
  std::string dir = "/tmp";
  int sessions = 1;    // the first two measurements' events, in turn
  int followers = -1;  // -1: no fan-out measurement
  int replays = -1;    // -1: no catch-up measurement
};

std::string FreshDb(const Args& args, const char* name) {
  std::string path = args.dir + "/event_log_bench_" + name + "_" +
                     std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
  return path;
}

void Cleanup(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
}

std::string SessionOf(const Args& args, int i) {
  return args.sessions == 1 ? "ses_bench"
                            : "ses_bench_" + std::to_string(i % args.sessions);
}

// Bytes this process passed to write(2) and its kin so far (wchar).
long long WrittenBytes() {
  std::ifstream io("/proc/self/io");
  std::string key;
  long long value = 0;
  while (io >> key >> value) {
    if (key == "wchar:") return value;
  }
  return 0;
}

void GroupCommit(const Args& args) {
  const std::string path = FreshDb(args, "group");
  auto store = *SqliteStore::Open(path);
  {
    // As the server runs it (--max-message-bytes 16 MiB less 64 KiB).
    EventLog::Options options;
    options.max_payload_bytes = (16 << 20) - (64 << 10);
    EventLog log(store.get(), options);
    if (!log.Start().ok()) std::abort();
    const absl::Time start = absl::Now();
    const long long written = WrittenBytes();
    for (int i = 0; i < args.events; ++i) {
      log.Append(SessionOf(args, i), EventType::kAgentMessageDelta,
                 "turn_bench",
                 {{"item_id", "msg_1"},
                  {"text", "tok "},
                  {"method", "item/agentMessage/delta"}});
      if ((i + 1) % args.burst == 0) log.Flush();  // one burst at a time
    }
    log.Flush();
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    const StoreStats stats = store->Stats();
    std::printf(
        "{\"bench\":\"event_log_group_commit\",\"events\":%d,\"burst\":%d,"
        "\"sessions\":%d,\"seconds\":%.3f,\"events_per_second\":%.0f,"
        "\"commits\":%lld,\"events_per_commit\":%.1f,"
        "\"bytes_written_per_event\":%.0f}\n",
        args.events, args.burst, args.sessions, seconds, args.events / seconds,
        static_cast<long long>(stats.commits),
        static_cast<double>(args.events) / static_cast<double>(stats.commits),
        static_cast<double>(WrittenBytes() - written) / args.events);
  }
  store.reset();
  Cleanup(path);
}

void OneCommitPerEvent(const Args& args) {
  const std::string path = FreshDb(args, "naive");
  auto store = *SqliteStore::Open(path);
  const int n = std::min(args.events, 20000);
  const absl::Time start = absl::Now();
  const long long written = WrittenBytes();
  for (int i = 0; i < n; ++i) {
    Event e;
    e.event_id = i + 1;
    e.session_id = SessionOf(args, i);
    e.session_seq = i / args.sessions + 1;
    e.type = EventType::kAgentMessageDelta;
    e.create_time = absl::Now();
    e.payload = {{"item_id", "msg_1"}, {"text", "tok "}};
    if (!store->AppendEvents({e}).ok()) std::abort();
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf(
      "{\"bench\":\"event_log_one_commit_per_event\",\"events\":%d,"
      "\"sessions\":%d,\"seconds\":%.3f,\"events_per_second\":%.0f,"
      "\"commits\":%lld,\"bytes_written_per_event\":%.0f}\n",
      n, args.sessions, seconds, n / seconds,
      static_cast<long long>(store->Stats().commits),
      static_cast<double>(WrittenBytes() - written) / n);
  store.reset();
  Cleanup(path);
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) /
             1e6;
}

// Follows the busy session, asking again after each batch, and keeps each
// event's latency: its create_time (queued) to its delivery.
class BusyFollower {
 public:
  explicit BusyFollower(EventLog& log) {
    EventLog::SubscribeOptions options;
    options.session_id = "ses_busy";
    options.after_seq = 0;  // as StreamService subscribes: before its first
    sub_ = log.Subscribe(options, [this](std::vector<EventPtr> batch,
                                         EventLog::End) {
      const absl::Time now = absl::Now();
      absl::MutexLock lock(&mu_);
      for (const EventPtr& e : batch) {
        latency_ms_.push_back(
            absl::ToDoubleMilliseconds(now - e->event().create_time));
      }
      sub_->Request();
    });
    sub_->Request();
  }

  // Appends `args.events` deltas to the busy session, waiting for each
  // burst of `args.burst` to commit.
  static void AppendBursts(EventLog& log, const Args& args) {
    for (int i = 0; i < args.events; ++i) {
      log.Append("ses_busy", EventType::kAgentMessageDelta, "turn_bench",
                 {{"item_id", "msg_1"}, {"text", "tok "}});
      if ((i + 1) % args.burst == 0) log.Flush();
    }
    log.Flush();
  }

  // Waits (60 s at most, else aborts) until `events` arrived, stops
  // following, and returns their latencies in ms, sorted.
  std::vector<double> Finish(int events) {
    {
      absl::MutexLock lock(&mu_);
      auto all = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return latency_ms_.size() >= static_cast<size_t>(events);
      };
      if (!mu_.AwaitWithTimeout(absl::Condition(&all), absl::Seconds(60))) {
        std::fprintf(stderr, "the busy follower did not get every event\n");
        std::abort();
      }
    }
    sub_->Cancel();
    absl::MutexLock lock(&mu_);
    std::sort(latency_ms_.begin(), latency_ms_.end());
    return latency_ms_;
  }

 private:
  absl::Mutex mu_;
  std::vector<double> latency_ms_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<EventLog::Subscription> sub_;
};

void IdleFollowers(const Args& args) {
  const std::string path = FreshDb(args, "followers");
  auto store = *SqliteStore::Open(path);
  {
    EventLog log(store.get());
    if (!log.Start().ok()) std::abort();
    std::vector<std::shared_ptr<EventLog::Subscription>> idle;
    for (int i = 0; i < args.followers; ++i) {
      EventLog::SubscribeOptions options;
      options.session_id = "ses_quiet_" + std::to_string(i);
      options.after_seq = 0;  // as StreamService subscribes: before its first
      idle.push_back(log.Subscribe(options, [](std::vector<EventPtr>,
                                               EventLog::End) {}));
      idle.back()->Request();
    }
    BusyFollower busy(log);
    const double cpu_start = CpuSeconds();
    const absl::Time start = absl::Now();
    BusyFollower::AppendBursts(log, args);
    const std::vector<double> latency_ms = busy.Finish(args.events);
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    const double cpu = CpuSeconds() - cpu_start;
    for (auto& sub : idle) sub->Cancel();
    std::printf(
        "{\"bench\":\"event_log_idle_followers\",\"followers\":%d,"
        "\"events\":%d,\"burst\":%d,\"seconds\":%.3f,"
        "\"cpu_us_per_event\":%.2f,\"latency_p50_ms\":%.3f,"
        "\"latency_p99_ms\":%.3f}\n",
        args.followers, args.events, args.burst, seconds,
        cpu * 1e6 / args.events, latency_ms[latency_ms.size() / 2],
        latency_ms[latency_ms.size() * 99 / 100]);
  }
  store.reset();
  Cleanup(path);
}

void Replays(const Args& args) {
  constexpr int kHistory = 2000;
  const std::string path = FreshDb(args, "replays");
  auto store = *SqliteStore::Open(path);
  {
    EventLog log(store.get());
    if (!log.Start().ok()) std::abort();
    for (int i = 0; i < kHistory; ++i) {
      log.Append("ses_history", EventType::kAgentMessageDelta, "turn_old",
                 {{"item_id", "msg_1"}, {"text", "tok "}});
    }
    log.Flush();
    const int64_t head = log.CommittedHead();
    absl::Mutex mu;
    int64_t replayed = 0;  // guarded by mu
    int ended = 0;         // guarded by mu
    std::vector<std::shared_ptr<EventLog::Subscription>> replays(
        static_cast<size_t>(args.replays));
    for (size_t i = 0; i < replays.size(); ++i) {
      EventLog::SubscribeOptions options;
      options.session_id = "ses_history";
      options.after_seq = 0;
      options.until_event_id = head;
      replays[i] = log.Subscribe(
          options, [&, i](std::vector<EventPtr> batch, EventLog::End end) {
            {
              absl::MutexLock lock(&mu);
              replayed += static_cast<int64_t>(batch.size());
              if (end != EventLog::End::kNone) ++ended;
            }
            if (end == EventLog::End::kNone) replays[i]->Request();
          });
    }
    BusyFollower busy(log);
    const double cpu_start = CpuSeconds();
    const absl::Time start = absl::Now();
    for (auto& replay : replays) replay->Request();
    BusyFollower::AppendBursts(log, args);
    const std::vector<double> latency_ms = busy.Finish(args.events);
    {
      absl::MutexLock lock(&mu);
      auto all_ended = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
        return ended == args.replays;
      };
      if (!mu.AwaitWithTimeout(absl::Condition(&all_ended),
                               absl::Seconds(300))) {
        std::fprintf(stderr, "the replays did not end\n");
        std::abort();
      }
    }
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    const double cpu = CpuSeconds() - cpu_start;
    for (auto& replay : replays) replay->Cancel();
    absl::MutexLock lock(&mu);
    std::printf(
        "{\"bench\":\"event_log_replays\",\"replays\":%d,"
        "\"history\":%d,\"events\":%d,\"burst\":%d,\"seconds\":%.3f,"
        "\"replayed_events\":%lld,"
        "\"cpu_us_per_delivered_event\":%.3f,\"latency_p50_ms\":%.3f,"
        "\"latency_p99_ms\":%.3f}\n",
        args.replays, kHistory, args.events, args.burst, seconds,
        static_cast<long long>(replayed),
        cpu * 1e6 / static_cast<double>(replayed + args.events),
        latency_ms[latency_ms.size() / 2],
        latency_ms[latency_ms.size() * 99 / 100]);
  }
  store.reset();
  Cleanup(path);
}

}  // namespace
}  // namespace codex_manager

int main(int argc, char** argv) {
  codex_manager::Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--events")
      args.events = std::atoi(argv[i + 1]);
    else if (flag == "--burst")
      args.burst = std::atoi(argv[i + 1]);
    else if (flag == "--dir")
      args.dir = argv[i + 1];
    else if (flag == "--sessions")
      args.sessions = std::atoi(argv[i + 1]);
    else if (flag == "--followers")
      args.followers = std::atoi(argv[i + 1]);
    else if (flag == "--replays")
      args.replays = std::atoi(argv[i + 1]);
  }
  if (args.events <= 0 || args.burst <= 0 || args.sessions <= 0) {
    std::fprintf(stderr,
                 "usage: event_log_bench [--events N] [--burst B] [--dir DIR] "
                 "[--sessions N] [--followers N | --replays N]\n");
    return 2;
  }
  if (args.followers >= 0) {
    codex_manager::IdleFollowers(args);
    return 0;
  }
  if (args.replays >= 0) {
    codex_manager::Replays(args);
    return 0;
  }
  codex_manager::GroupCommit(args);
  codex_manager::OneCommitPerEvent(args);
  return 0;
}
