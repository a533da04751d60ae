// event_log_bench: what the durable event log costs per token delta.
//
// Appends bursts of AGENT_MESSAGE_DELTA events through EventLog (with the
// server's payload cap) into a file-backed SqliteStore (WAL,
// synchronous=NORMAL, as the server runs) and
// reports events per second, commits, and events per commit (group commit).
// Also measures a naive baseline: one commit per delta.
//
//   build/bin/event_log_bench [--events N] [--burst B] [--dir DIR]
//
// Prints one JSON object per measurement.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/time/clock.h"
#include "core/event_log.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

struct Args {
  int events = 100000;
  int burst = 200;
  std::string dir = "/tmp";
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
    for (int i = 0; i < args.events; ++i) {
      log.Append("ses_bench", EventType::kAgentMessageDelta, "turn_bench",
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
        "\"seconds\":%.3f,\"events_per_second\":%.0f,\"commits\":%lld,"
        "\"events_per_commit\":%.1f}\n",
        args.events, args.burst, seconds, args.events / seconds,
        static_cast<long long>(stats.commits),
        static_cast<double>(args.events) / static_cast<double>(stats.commits));
  }
  store.reset();
  Cleanup(path);
}

void OneCommitPerEvent(const Args& args) {
  const std::string path = FreshDb(args, "naive");
  auto store = *SqliteStore::Open(path);
  const int n = std::min(args.events, 20000);
  const absl::Time start = absl::Now();
  for (int i = 0; i < n; ++i) {
    Event e;
    e.event_id = i + 1;
    e.session_id = "ses_bench";
    e.session_seq = i + 1;
    e.type = EventType::kAgentMessageDelta;
    e.create_time = absl::Now();
    e.payload = {{"item_id", "msg_1"}, {"text", "tok "}};
    if (!store->AppendEvents({e}).ok()) std::abort();
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf(
      "{\"bench\":\"event_log_one_commit_per_event\",\"events\":%d,"
      "\"seconds\":%.3f,\"events_per_second\":%.0f,\"commits\":%lld}\n",
      n, seconds, n / seconds, static_cast<long long>(store->Stats().commits));
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
  }
  if (args.events <= 0 || args.burst <= 0) {
    std::fprintf(
        stderr,
        "usage: event_log_bench [--events N] [--burst B] [--dir DIR]\n");
    return 2;
  }
  codex_manager::GroupCommit(args);
  codex_manager::OneCommitPerEvent(args);
  return 0;
}
