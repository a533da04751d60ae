// A backup of the store as a file to stream (MaintenanceService.Backup).
//
// The copy is made in the data dir under a name of its own
// ("backup-<random>.tmp", 0600 by the server's umask), opened, and
// unlinked at once: it then lives only as long as the open file, and its
// space is freed when the call ends, however it ends. Only a crash between
// the copy's end and the unlink leaves one behind; RemoveStaleBackups
// clears those at start.
//
// Thread-compatible: one thread at a time (the call's reads follow one
// another).
#ifndef CODEX_MANAGER_SERVER_CORE_BACKUP_H_
#define CODEX_MANAGER_SERVER_CORE_BACKUP_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/store.h"

namespace codex_manager {

class BackupFile {
 public:
  // Copies `store` into a new file in `dir` (Store::CopyTo) and opens it.
  // Errors: CopyTo's (UNAVAILABLE for a full disk or an I/O error; nothing
  // is left in `dir`), INTERNAL when the copy cannot be opened.
  static absl::StatusOr<std::unique_ptr<BackupFile>> Make(
      Store* store, const std::string& dir);

  ~BackupFile();
  BackupFile(const BackupFile&) = delete;
  BackupFile& operator=(const BackupFile&) = delete;

  // The copy's size, in bytes.
  int64_t total_bytes() const { return total_bytes_; }
  // What the copy holds.
  const StoreCopy& contents() const { return contents_; }

  // The next bytes of the copy, at most `max_bytes`; empty once all were
  // read. UNAVAILABLE on a read error.
  absl::StatusOr<std::string> Read(size_t max_bytes);

 private:
  BackupFile(int fd, int64_t total_bytes, StoreCopy contents)
      : fd_(fd), total_bytes_(total_bytes), contents_(contents) {}

  const int fd_;
  const int64_t total_bytes_;
  const StoreCopy contents_;
};

// Removes what a server that died while making a backup left in `dir`
// ("backup-*.tmp"); returns how many files went.
int RemoveStaleBackups(const std::string& dir);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_BACKUP_H_
