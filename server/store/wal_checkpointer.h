// WalCheckpointer: checkpoints a WAL database on a thread of its own, off
// the writer's.
//
// SQLite's automatic checkpoint (wal_autocheckpoint, 1000 pages) runs
// inside the COMMIT that crosses the threshold, on the committing
// connection: it copies the WAL into the database and syncs both before
// that COMMIT returns. Here that connection is the event log's writer, so
// every event queued behind that commit waited for the checkpoint (with
// 100 sessions streaming, a live event's p99 was 11–12 ms with it, 2–3.5 ms
// without; docs/performance.md).
//
// Attach() replaces the writer's automatic checkpoint with a WAL hook
// (sqlite3_wal_hook, the mechanism wal_autocheckpoint itself uses) that
// only wakes this thread once the WAL holds `threshold_pages` or more. The
// thread runs a PASSIVE checkpoint (sqlite3_wal_checkpoint_v2) on its own
// connection: it copies what no reader still needs and never waits for a
// reader or the writer. Once a checkpoint has copied everything, the next
// write starts the WAL over from its beginning, so the file stays about
// the threshold's size. A checkpoint that fails (a full disk) is logged
// and tried again at the next wake-up; the WAL holds the data meanwhile.
//
// Thread safety: Attach is called once, before the writer is used by
// other threads; Checkpoints from any thread.
#ifndef CODEX_MANAGER_SERVER_STORE_WAL_CHECKPOINTER_H_
#define CODEX_MANAGER_SERVER_STORE_WAL_CHECKPOINTER_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace codex_manager {

class WalCheckpointer {
 public:
  // Opens a connection of its own to the database at `path` (a file in WAL
  // mode) and starts the thread. INTERNAL naming the path when the
  // connection cannot be opened.
  static absl::StatusOr<std::unique_ptr<WalCheckpointer>> Start(
      const std::string& path, int threshold_pages = 1000);
  // Stops the thread (after the checkpoint it may be running) and closes
  // its connection. Detach the writer first.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Hooks `writer`'s commits (turning its automatic checkpoint off).
  void Attach(sqlite3* writer);
  // Unhooks `writer`; commits no longer wake the thread.
  static void Detach(sqlite3* writer);

  // Checkpoints run so far that completed (copied every frame they could).
  int64_t Checkpoints();

 private:
  WalCheckpointer(sqlite3* db, int threshold_pages);
  // sqlite3_wal_hook's callback, on the writer's thread after a commit.
  static int OnCommit(void* self, sqlite3* db, const char* schema, int pages);
  void Loop();

  sqlite3* const db_;  // this thread's connection
  const int threshold_pages_;
  absl::Mutex mu_;
  bool wanted_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t checkpoints_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_STORE_WAL_CHECKPOINTER_H_
