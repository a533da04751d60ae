#include "store/wal_checkpointer.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "common/thread_name.h"

namespace codex_manager {
namespace {

// Between two checkpoints at least this long, so a WAL that cannot be
// copied yet (a reader holds an old snapshot) does not spin the thread.
constexpr absl::Duration kMinInterval = absl::Milliseconds(100);

}  // namespace

absl::StatusOr<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(
    const std::string& path, int threshold_pages, int64_t restart_bytes) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return absl::InternalError(absl::StrCat(
        "cannot open the checkpoint connection to ", path, ": ", msg));
  }
  // Its own automatic checkpoint off too: it never writes. A connection
  // finds the WAL when it first reads the database; until then a
  // checkpoint on it does nothing.
  sqlite3_wal_autocheckpoint(db, 0);
  // Its page size turns restart_bytes into the WAL frames the hook counts.
  int64_t page_bytes = 0;
  char* err = nullptr;
  const bool read = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master",
                                 nullptr, nullptr, &err) == SQLITE_OK &&
                    sqlite3_exec(
                        db, "PRAGMA page_size",
                        +[](void* out, int, char** values, char**) {
                          *static_cast<int64_t*>(out) =
                              values[0] ? atoll(values[0]) : 0;
                          return 0;
                        },
                        &page_bytes, &err) == SQLITE_OK;
  if (!read || page_bytes <= 0) {
    std::string msg = err    ? err
                      : read ? "PRAGMA page_size gave no size"
                             : sqlite3_errmsg(db);
    sqlite3_free(err);
    sqlite3_close(db);
    return absl::InternalError(absl::StrCat(
        "cannot read ", path, " on the checkpoint connection: ", msg));
  }
  const int restart_pages = static_cast<int>(
      std::max<int64_t>(1, std::min<int64_t>(restart_bytes / page_bytes,
                                             std::numeric_limits<int>::max())));
  return std::unique_ptr<WalCheckpointer>(
      new WalCheckpointer(db, threshold_pages, restart_pages, restart_bytes));
}

WalCheckpointer::WalCheckpointer(sqlite3* db, int threshold_pages,
                                 int restart_pages, int64_t restart_bytes)
    : db_(db),
      threshold_pages_(threshold_pages),
      restart_pages_(restart_pages),
      restart_bytes_(restart_bytes) {
  thread_ = NamedThread("cm-wal-ckpt", [this] { Loop(); });
}

WalCheckpointer::~WalCheckpointer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
  sqlite3_close(db_);
}

void WalCheckpointer::Attach(sqlite3* writer) {
  sqlite3_wal_hook(writer, &WalCheckpointer::OnCommit, this);
  // Only sets a field of the connection: it cannot fail.
  const std::string limit =
      absl::StrCat("PRAGMA journal_size_limit=", JournalSizeLimit());
  sqlite3_exec(writer, limit.c_str(), nullptr, nullptr, nullptr);
}

int64_t WalCheckpointer::JournalSizeLimit() const { return 2 * restart_bytes_; }

void WalCheckpointer::Detach(sqlite3* writer) {
  sqlite3_wal_hook(writer, nullptr, nullptr);
}

int64_t WalCheckpointer::Checkpoints() {
  absl::MutexLock lock(&mu_);
  return checkpoints_;
}

int64_t WalCheckpointer::Restarts() {
  absl::MutexLock lock(&mu_);
  return restarts_;
}

int WalCheckpointer::OnCommit(void* self, sqlite3*, const char*, int pages) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  if (pages >= checkpointer->threshold_pages_) {
    absl::MutexLock lock(&checkpointer->mu_);
    checkpointer->wanted_ = true;
  }
  return SQLITE_OK;
}

bool WalCheckpointer::Restart() {
  // A passive checkpoint that did not reach the WAL's end (the writer
  // committed meanwhile) leaves the database file unsynced, and the
  // RESTART would sync all it copied while holding the writer's lock.
  // Synced here first, the RESTART's own syncs cover only its few frames.
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_FILE_POINTER, &file) !=
          SQLITE_OK ||
      file == nullptr || file->pMethods == nullptr ||
      file->pMethods->xSync(file, SQLITE_SYNC_NORMAL) != SQLITE_OK) {
    return false;
  }
  // The connection has no busy handler: SQLITE_BUSY (the writer is in a
  // transaction, or a reader still reads the WAL) costs nobody a wait, and
  // the next wake-up tries again.
  return sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_RESTART,
                                   nullptr, nullptr) == SQLITE_OK;
}

void WalCheckpointer::Loop() {
  absl::Time last = absl::InfinitePast();
  bool failing = false;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WalCheckpointer* c) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return c->wanted_ || c->stopping_;
          },
          this));
      if (stopping_) return;
      wanted_ = false;
    }
    const absl::Duration since = absl::Now() - last;
    if (since < kMinInterval) absl::SleepFor(kMinInterval - since);
    last = absl::Now();
    int frames = 0;
    int copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(
        db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
    if (rc == SQLITE_OK && frames >= 0) {
      // Frames a reader still needed stay in the WAL: the next commit past
      // the threshold wakes this thread again.
      if (failing) Log(LogLevel::kInfo, "wal checkpoints resumed");
      failing = false;
      const bool restarted = frames >= restart_pages_ && Restart();
      absl::MutexLock lock(&mu_);
      ++checkpoints_;
      if (restarted) ++restarts_;
    } else if (rc != SQLITE_OK && rc != SQLITE_BUSY && !failing) {
      // Logged once per failing stretch; the next commit past the
      // threshold tries again.
      failing = true;
      Log(LogLevel::kWarning, "wal checkpoint failed",
          {{"error", sqlite3_errmsg(db_)}, {"wal_frames", frames}});
    }
  }
}

}  // namespace codex_manager
