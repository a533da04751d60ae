// Helpers the benchmarks share: a data dir filled with plain SQL, the real
// server (or another program printing the same "listening" line) started
// on a free port, and a process's CPU time from /proc.
#ifndef CODEX_MANAGER_BENCH_BENCH_SUPPORT_H_
#define CODEX_MANAGER_BENCH_BENCH_SUPPORT_H_

#include <sqlite3.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace codex_manager::bench {

// Runs `sql`; exits on an error.
void Exec(sqlite3* db, const char* sql);

// Writes a STOPPED session and `count` delta events of it, 10,000 a
// transaction, with event ids from *next_id on.
void Fill(sqlite3* db, const std::string& session, int64_t count,
          int64_t* next_id);

// A child process with its stderr drained; `port` from its JSON
// "listening" line.
struct Process {
  pid_t pid = 0;
  int port = 0;
  std::thread drain;
};

// Starts `argv` (argv[0] the program) and waits for its "listening" line;
// exits if it never comes.
Process StartListening(const std::vector<std::string>& argv);

// codex-manager-server on a free port over `data_dir` (no Codex runtime).
Process StartServer(const std::string& bin, const std::string& data_dir);

// SIGTERM, then waits for the process to exit.
void Stop(Process& process);

// utime + stime of `pid`, in microseconds.
double CpuMicros(pid_t pid);

}  // namespace codex_manager::bench

#endif  // CODEX_MANAGER_BENCH_BENCH_SUPPORT_H_
