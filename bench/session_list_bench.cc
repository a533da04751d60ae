// What a ListSessions page costs in the store, with and without filters,
// on a sessions table of --sessions rows (SqliteStore on a file, as the
// server opens it; no gRPC).
//
// Each query is asked --repeats times for its first page of 100; prints
// the rows it returned and the p50 and p99 of the call in milliseconds.
// The filters are checked on each row of the keyset scan, so a filter that
// matches nothing reads the whole table: that is the worst case printed.
//
// Usage:
//   build/bin/session_list_bench [--sessions N] [--turns T] [--repeats R]
//                                [--dir DIR]
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

struct Args {
  int sessions = 10000;
  int turns = 5;  // per session
  int repeats = 200;
  std::string dir = "/tmp";
};

// N sessions in 100 folders (/srv/project-K, every tenth one a level
// below), titles "task N", a fifth of them STOPPED, the rest IDLE; each
// with --turns turns whose prompts a search reads too.
void Fill(SqliteStore& store, int sessions, int turns) {
  WriteBatch batch;
  const absl::Time now = absl::Now();
  for (int i = 0; i < sessions; ++i) {
    Session s;
    s.session_id = absl::StrCat("ses_", i);
    s.cwd = absl::StrCat("/srv/project-", i % 100, i % 10 == 0 ? "/web" : "");
    s.title = absl::StrCat("task ", i);
    s.state = i % 5 == 0 ? SessionState::kStopped : SessionState::kIdle;
    s.create_time = s.update_time = now;
    for (int k = 0; k < turns; ++k) {
      Turn t;
      t.turn_id = absl::StrCat("turn_", i, "_", k);
      t.session_id = s.session_id;
      t.prompt = absl::StrCat("please run the checks of step ", k,
                              " and fix what fails, then say what changed");
      t.state = TurnState::kCompleted;
      t.create_time = now;
      batch.turns.push_back(std::move(t));
    }
    batch.sessions.push_back(std::move(s));
  }
  if (!store.Write(batch).ok()) std::abort();
}

void Measure(SqliteStore& store, const char* name, const SessionQuery& query,
             int repeats) {
  std::vector<double> ms;
  size_t rows = 0;
  for (int i = 0; i < repeats; ++i) {
    const absl::Time start = absl::Now();
    auto page = store.ListSessions(query, PageRequest{0, 100});
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    if (!page.ok()) {
      std::fprintf(stderr, "%s: %s\n", name, page.status().ToString().c_str());
      std::exit(1);
    }
    rows = page->items.size();
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%-34s rows %3zu  p50 %7.3f ms  p99 %7.3f ms\n", name, rows,
              ms[ms.size() / 2], ms[ms.size() * 99 / 100]);
}

void Run(const Args& args) {
  const std::string path =
      absl::StrCat(args.dir, "/session_list_bench_", getpid(), ".db");
  auto store = SqliteStore::Open(path);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  Fill(**store, args.sessions, args.turns);
  std::printf(
      "%d sessions of %d turns, %d calls per query, first page of 100\n",
      args.sessions, args.turns, args.repeats);
  SessionQuery query;
  Measure(**store, "no filter", query, args.repeats);
  query.states = {SessionState::kStopped};
  Measure(**store, "states STOPPED (1 in 5)", query, args.repeats);
  query = SessionQuery();
  query.cwd = "/srv/project-7";
  Measure(**store, "cwd /srv/project-7 (1 in 100)", query, args.repeats);
  query = SessionQuery();
  query.search = "TASK 99";
  Measure(**store, "search \"TASK 99\"", query, args.repeats);
  query.search = "no session has this";
  Measure(**store, "search matching none (whole table)", query, args.repeats);
  query.search = "step 3";  // in every session's prompts, in no title
  Measure(**store, "search \"step 3\" (prompts only)", query, args.repeats);
  store->reset();
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
}

}  // namespace
}  // namespace codex_manager

int main(int argc, char** argv) {
  codex_manager::Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--sessions") {
      args.sessions = std::atoi(argv[i + 1]);
    } else if (flag == "--turns") {
      args.turns = std::atoi(argv[i + 1]);
    } else if (flag == "--repeats") {
      args.repeats = std::atoi(argv[i + 1]);
    } else if (flag == "--dir") {
      args.dir = argv[i + 1];
    } else {
      std::fprintf(stderr,
                   "usage: session_list_bench [--sessions N] [--repeats R] "
                   "[--dir DIR]\n");
      return 2;
    }
  }
  if (args.sessions < 1 || args.repeats < 1) {
    std::fprintf(stderr, "--sessions and --repeats: at least 1\n");
    return 2;
  }
  codex_manager::Run(args);
  return 0;
}
