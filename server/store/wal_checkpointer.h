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
// reader or the writer. A failing checkpoint (a full disk) is logged and
// tried again at the next wake-up; the WAL holds the data meanwhile.
//
// Starting the WAL over. A write starts the WAL over from its beginning
// only when a checkpoint has copied every frame in it. A passive
// checkpoint never does while the writer keeps committing: the frames
// committed while it copied are still to copy when it ends, and the next
// commit adds more. So with sessions streaming without a pause the WAL
// grew without bound (75 MB a second with 100 of them; each new frame also
// costs the file system an allocation). Once the WAL holds `restart_bytes`
// of pages or more, a passive checkpoint is therefore followed by a RESTART
// one: it takes the writer's lock, copies the few frames the passive one left,
// and leaves the WAL to start over at the next write. It runs with no busy
// handler, so it never waits: while the writer is in a transaction, or a
// reader still reads frames of the WAL, it gives up and the next wake-up
// tries again. The database file is synced before it, so the writer waits
// on that lock only for the copy of those frames and two small syncs, once
// per `restart_bytes` written (0.5–0.75 ms in the unit test on the
// development machine, 1.5–2.5 ms with 100 sessions streaming;
// docs/performance.md).
//
// Thread safety: Attach is called once, before the writer is used by
// other threads; Checkpoints and Restarts from any thread.
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
  // Bytes of WAL pages past which a checkpoint finishes with a RESTART
  // (above): 16 MiB, whatever the database's page size.
  static constexpr int64_t kDefaultRestartBytes = int64_t{16} << 20;

  // Opens a connection of its own to the database at `path` (a file in WAL
  // mode), reads its page size, and starts the thread. INTERNAL naming the
  // path when the connection cannot be opened or the database read.
  static absl::StatusOr<std::unique_ptr<WalCheckpointer>> Start(
      const std::string& path, int threshold_pages = 1000,
      int64_t restart_bytes = kDefaultRestartBytes);
  // Stops the thread (after the checkpoint it may be running) and closes
  // its connection. Detach the writer first.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Hooks `writer`'s commits (turning its automatic checkpoint off), and
  // sets its journal_size_limit to JournalSizeLimit().
  void Attach(sqlite3* writer);
  // Bytes the WAL file is cut back to when it starts over after it grew
  // past them (a reader held an old snapshot, or the writer was busy at
  // every try): twice `restart_bytes`. Without it (SQLite's default) the
  // file keeps the largest size it ever had.
  int64_t JournalSizeLimit() const;
  // Unhooks `writer`; commits no longer wake the thread.
  static void Detach(sqlite3* writer);

  // Checkpoints run so far that completed (copied every frame they could).
  int64_t Checkpoints();
  // RESTART checkpoints that completed: each left the WAL to start over.
  int64_t Restarts();

 private:
  WalCheckpointer(sqlite3* db, int threshold_pages, int restart_pages,
                  int64_t restart_bytes);
  // sqlite3_wal_hook's callback, on the writer's thread after a commit.
  static int OnCommit(void* self, sqlite3* db, const char* schema, int pages);
  void Loop();
  // Syncs the database file, then runs a RESTART checkpoint; true when it
  // completed (the WAL starts over at the next write).
  bool Restart();

  sqlite3* const db_;  // this thread's connection
  const int threshold_pages_;
  const int restart_pages_;  // restart_bytes_ of the database's pages
  const int64_t restart_bytes_;
  absl::Mutex mu_;
  bool wanted_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t checkpoints_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t restarts_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_STORE_WAL_CHECKPOINTER_H_
