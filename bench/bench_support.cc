#include "bench_support.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"

namespace codex_manager::bench {

void Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::cerr << "sqlite: " << (err ? err : "?") << "\n";
    std::exit(1);
  }
}

void Fill(sqlite3* db, const std::string& session, int64_t count,
          int64_t* next_id) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO sessions (session_id, cwd, model, "
                     "approval_policy, sandbox, title, state, thread_id, "
                     "last_error, create_us, update_us) VALUES (?1, '/tmp', "
                     "'', '', '', '', 4, '', '', 0, 0)",
                     -1, &s, nullptr);
  sqlite3_bind_text(s, 1, session.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s) != SQLITE_DONE) {
    std::cerr << "insert session: " << sqlite3_errmsg(db) << "\n";
    std::exit(1);
  }
  sqlite3_finalize(s);
  sqlite3_stmt* e = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO events (event_id, session_id, session_seq, "
                     "type, turn_id, create_us, payload) VALUES (?1, ?2, ?3, "
                     "5, '', ?4, ?5)",
                     -1, &e, nullptr);
  Exec(db, "BEGIN");
  for (int64_t seq = 1; seq <= count; ++seq) {
    const std::string payload = nlohmann::json{
        {"item_id", "msg_1"},
        {"text", absl::StrCat("word", seq, " ")},
        {"method", "item/agentMessage/delta"}}.dump();
    sqlite3_bind_int64(e, 1, (*next_id)++);
    sqlite3_bind_text(e, 2, session.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(e, 3, seq);
    sqlite3_bind_int64(e, 4, absl::ToUnixMicros(absl::Now()));
    sqlite3_bind_text(e, 5, payload.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(e) != SQLITE_DONE) {
      std::cerr << "insert event: " << sqlite3_errmsg(db) << "\n";
      std::exit(1);
    }
    sqlite3_reset(e);
    if (seq % 10000 == 0) {
      Exec(db, "COMMIT");
      Exec(db, "BEGIN");
    }
  }
  Exec(db, "COMMIT");
  sqlite3_finalize(e);
}

Process StartListening(const std::vector<std::string>& argv) {
  int err[2];
  if (pipe(err) != 0) std::exit(1);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  Process server;
  const pid_t bench = getpid();
  server.pid = fork();
  if (server.pid == 0) {
    // Ends with the bench, however the bench ends (an error's exit too),
    // so no server is left running, holding a pipe or a port.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != bench) _exit(1);
    dup2(err[1], 2);
    close(err[0]);
    execv(args[0], args.data());
    _exit(127);
  }
  close(err[1]);
  FILE* log = fdopen(err[0], "r");
  char line[4096];
  while (server.port == 0 && std::fgets(line, sizeof line, log) != nullptr) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("msg", "") == "listening") {
      server.port = j.value("port", 0);
    }
  }
  if (server.port == 0) {
    std::cerr << argv[0] << " did not start\n";
    std::exit(1);
  }
  server.drain = std::thread([log] {
    char buf[4096];
    while (std::fgets(buf, sizeof buf, log) != nullptr) {
    }
    std::fclose(log);
  });
  return server;
}

Process StartServer(const std::string& bin, const std::string& data_dir) {
  return StartListening({bin, "--listen", "127.0.0.1:0", "--data-dir",
                         data_dir, "--codex-bin", "/bin/false"});
}

void Stop(Process& server) {
  kill(server.pid, SIGTERM);
  waitpid(server.pid, nullptr, 0);
  server.drain.join();
}

double CpuMicros(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(stat, line);
  std::istringstream in(line.substr(line.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks * 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string FilledDataDir(const std::string& server_bin, const std::string& dir,
                          const std::string& name, int64_t big_events,
                          int64_t filler_events) {
  const std::string data_dir = absl::StrCat(dir, "/", name, "-", getpid());
  std::filesystem::create_directories(data_dir);
  Process first = StartServer(server_bin, data_dir);
  Stop(first);
  sqlite3* db = nullptr;
  if (sqlite3_open((data_dir + "/codex-manager.db").c_str(), &db) !=
      SQLITE_OK) {
    std::cerr << "cannot open the database in " << data_dir << "\n";
    std::exit(1);
  }
  int64_t next_id = 1;
  Fill(db, "ses_small", 12, &next_id);
  Fill(db, "ses_big", big_events, &next_id);
  for (int i = 0; i * int64_t{100000} < filler_events; ++i) {
    Fill(db, absl::StrCat("ses_fill", i),
         std::min<int64_t>(100000, filler_events - i * int64_t{100000}),
         &next_id);
  }
  sqlite3_close(db);
  return data_dir;
}

std::string AdminToken(const std::string& data_dir) {
  std::string token;
  std::ifstream(data_dir + "/admin.token") >> token;
  return token;
}

int64_t Replay(v1::StreamService::Stub& stub, const std::string& token,
               const std::string& session, bool batches) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token);
  v1::StreamEventsRequest req;
  req.set_session_id(session);
  req.set_no_follow(true);
  int64_t n = 0;
  grpc::Status status;
  if (batches) {
    auto reader = stub.StreamEventBatches(&ctx, req);
    v1::EventBatch batch;
    while (reader->Read(&batch)) n += batch.events_size();
    status = reader->Finish();
  } else {
    auto reader = stub.StreamEvents(&ctx, req);
    v1::Event event;
    while (reader->Read(&event)) ++n;
    status = reader->Finish();
  }
  if (!status.ok()) {
    std::cerr << "replay failed: " << status.error_message() << "\n";
    std::exit(1);
  }
  return n;
}

}  // namespace codex_manager::bench
