// Helpers the benchmarks share: a data dir filled with plain SQL, the real
// server (or another program printing the same "listening" line) started
// on a free port, a replay over gRPC, and a process's CPU time from /proc.
#ifndef CODEX_MANAGER_BENCH_BENCH_SUPPORT_H_
#define CODEX_MANAGER_BENCH_BENCH_SUPPORT_H_

#include <sqlite3.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "codex_manager/v1/events.grpc.pb.h"

namespace codex_manager::bench {

// Runs `sql`; exits on an error.
void Exec(sqlite3* db, const char* sql);

// Writes a STOPPED session and `count` delta events of it, 10,000 a
// transaction, with event ids from *next_id on.
void Fill(sqlite3* db, const std::string& session, int64_t count,
          int64_t* next_id);

// Makes DIR/NAME-PID with `server_bin` (which creates the schema), then
// writes with plain SQL a 12-event session "ses_small", a `big_events`
// session "ses_big", and `filler_events` more in sessions of 100,000
// ("ses_fill0", …). Returns the folder; exits on an error.
std::string FilledDataDir(const std::string& server_bin, const std::string& dir,
                          const std::string& name, int64_t big_events,
                          int64_t filler_events);

// The admin token the server wrote in `data_dir`.
std::string AdminToken(const std::string& data_dir);

// Replays `session` (no_follow) to its end, with StreamEventBatches when
// `batches`, else StreamEvents; returns the events received. Exits on an
// error status.
int64_t Replay(codex_manager::v1::StreamService::Stub& stub,
               const std::string& token, const std::string& session,
               bool batches = false);

// A child process with its stderr drained; `port` from its JSON
// "listening" line.
struct Process {
  pid_t pid = 0;
  int port = 0;
  std::thread drain;
};

// Starts `argv` (argv[0] the program) and waits for its "listening" line;
// exits if it never comes. The child gets SIGTERM when the bench exits,
// however it exits (call from the main thread: it is the thread's end
// that counts).
Process StartListening(const std::vector<std::string>& argv);

// codex-manager-server on a free port over `data_dir` (no Codex runtime).
Process StartServer(const std::string& bin, const std::string& data_dir);

// SIGTERM, then waits for the process to exit.
void Stop(Process& process);

// utime + stime of `pid`, in microseconds.
double CpuMicros(pid_t pid);

}  // namespace codex_manager::bench

#endif  // CODEX_MANAGER_BENCH_BENCH_SUPPORT_H_
