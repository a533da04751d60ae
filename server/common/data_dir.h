// The server's data dir: where it is by default, and its permissions. The
// data dir holds every transcript and the admin token, so it is the
// server user's alone: the folder 0700, every file in it 0600.
#ifndef CODEX_MANAGER_SERVER_COMMON_DATA_DIR_H_
#define CODEX_MANAGER_SERVER_COMMON_DATA_DIR_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace codex_manager {

// ${XDG_STATE_HOME:-$HOME/.local/state}/codex-manager (the XDG Base
// Directory spec's place for state). Empty when neither variable is set.
std::string DefaultDataDir();

// An exclusive lock on a data dir: flock(2) on DATA_DIR/LOCK, which also
// holds the owner's pid (as leveldb's LOCK and Postgres' postmaster.pid).
// The kernel drops it when the process ends, kill -9 included, so a stale
// file never blocks a restart. Released on destruction.
class DataDirLock {
 public:
  explicit DataDirLock(int fd) : fd_(fd) {}
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  const int fd_;
};

// Takes the lock of an existing data dir (FAILED_PRECONDITION naming the
// holder's pid when another process has it).
absl::StatusOr<std::unique_ptr<DataDirLock>> LockDataDir(
    const std::string& path);

// Creates `path` (and its parents) with mode 0700 when missing, and takes
// its lock before anything in it is touched: when another process holds
// it, FAILED_PRECONDITION naming the data dir and the holder's pid. Then
// removes group and other permissions from the folder and every file in
// it, logging each change. INTERNAL naming the path on other failures.
absl::StatusOr<std::unique_ptr<DataDirLock>> PrepareDataDir(
    const std::string& path);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_DATA_DIR_H_
