#include "store/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace codex_manager {
namespace {

bool WaitFor(WalCheckpointer& c, int64_t more_than) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (c.Checkpoints() <= more_than) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

// A database in WAL mode of its own per test, with a table `t` and a
// writer connection that waits for a lock (the RESTART takes it).
class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() +
            "_" + std::to_string(getpid()) + ".db";
    Create(4096);
  }
  // (Re)creates the database with pages of `page_bytes`.
  void Create(int page_bytes) {
    sqlite3_close(writer_);
    RemoveFiles();
    ASSERT_EQ(sqlite3_open(path_.c_str(), &writer_), SQLITE_OK);
    const std::string sql =
        "PRAGMA page_size=" + std::to_string(page_bytes) +
        "; PRAGMA journal_mode=WAL; "
        "PRAGMA synchronous=NORMAL; CREATE TABLE t(b BLOB);";
    ASSERT_EQ(sqlite3_exec(writer_, sql.c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_busy_timeout(writer_, 5000);
  }
  void TearDown() override {
    if (checkpointer_ != nullptr) {
      WalCheckpointer::Detach(writer_);
      checkpointer_.reset();
    }
    sqlite3_close(writer_);
    RemoveFiles();
  }

  // Starts checkpointer_ on the database (woken past 64 pages) and hooks
  // the writer to it; TearDown unhooks and stops it.
  void StartCheckpointer(
      int64_t restart_bytes = WalCheckpointer::kDefaultRestartBytes) {
    absl::StatusOr<std::unique_ptr<WalCheckpointer>> started =
        WalCheckpointer::Start(path_, /*threshold_pages=*/64, restart_bytes);
    ASSERT_TRUE(started.ok()) << started.status();
    checkpointer_ = *std::move(started);
    checkpointer_->Attach(writer_);
  }

  // One commit of a 4,000-byte row: about one WAL page.
  int Insert() {
    return sqlite3_exec(writer_, "INSERT INTO t VALUES (zeroblob(4000))",
                        nullptr, nullptr, nullptr);
  }
  uintmax_t WalBytes() const {
    return std::filesystem::file_size(path_ + "-wal");
  }

  std::string path_;
  sqlite3* writer_ = nullptr;
  std::unique_ptr<WalCheckpointer> checkpointer_;

 private:
  void RemoveFiles() const {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path_ + suffix);
    }
  }
};

TEST_F(WalCheckpointerTest, CopiesTheWalIntoTheDatabaseOffTheWritersThread) {
  ASSERT_NO_FATAL_FAILURE(StartCheckpointer());
  WalCheckpointer& c = *checkpointer_;
  // 2,000 commits of about 4 KB each: about 2,000 WAL pages, 30 times
  // the threshold.
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(Insert(), SQLITE_OK);
  // Below the threshold nothing wakes the thread; past it, it runs.
  ASSERT_TRUE(WaitFor(c, 0));
  // One more commit past the threshold after the writes: a checkpoint
  // that starts after every row is in the WAL copies them all. (Waiting
  // for the count to move is not enough: a checkpoint that began during
  // the inserts may be the one that ends next.) Without a checkpoint the
  // rows would be in the WAL only, the file a few pages long.
  ASSERT_EQ(Insert(), SQLITE_OK);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (std::filesystem::file_size(path_) < 2000u * 4000u &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_GE(std::filesystem::file_size(path_), 2000u * 4000u);
  WalCheckpointer::Detach(writer_);
}

// A writer that never pauses long: each passive checkpoint ends with the
// frames committed while it ran still to copy, so the WAL never starts over
// from its beginning unless something finishes the job. Before the
// checkpointer followed up with a RESTART, this WAL grew to 92 MB in the
// two seconds (two runs; 5 to 9 MB with it, three runs); with 100 sessions
// streaming the server's grew by 75 MB a second.
TEST_F(WalCheckpointerTest, TheWalStartsOverWhileTheWriterNeverStops) {
  ASSERT_NO_FATAL_FAILURE(StartCheckpointer(/*restart_bytes=*/2 << 20));
  WalCheckpointer& c = *checkpointer_;
  uintmax_t largest = 0;
  // 5,000 commits, about a second here: some 40 MB of WAL were it never
  // to start over (a 4,000-byte row takes a page, and its tree another).
  // Counted, not timed: a loaded machine commits slower (the two timed
  // seconds this ran before failed once in a busy `ctest -j2`).
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  for (int i = 0; i < 5000 && absl::Now() < deadline; ++i) {
    ASSERT_EQ(Insert(), SQLITE_OK);
    largest = std::max(largest, WalBytes());
    // About the pace of 100 sessions streaming: a commit every 200 µs.
    absl::SleepFor(absl::Microseconds(150));
  }
  WalCheckpointer::Detach(writer_);
  EXPECT_GT(c.Restarts(), 0);
  // 2 MiB of pages and their frame headers; the frames
  // committed between two checkpoints (at least 100 ms apart) come on
  // top, more when the checkpointer waits for a core. 24 MB leaves room
  // for a busy machine (17.8 MB in one CI run, under `ctest -j2`) and
  // still fails by far the ~40 MB the WAL grows to without the restarts.
  EXPECT_LT(largest, 24u << 20) << "restarts: " << c.Restarts();
}

// A reader that keeps an old snapshot open pins the WAL: nothing after its
// snapshot can be copied, so the file grows past the limit. Once it lets
// go, the WAL starts over and the file is cut back to the limit; SQLite's
// default keeps a file the largest size it ever had.
TEST_F(WalCheckpointerTest, AWalThatGrewPastItsLimitIsCutBack) {
  ASSERT_EQ(Insert(), SQLITE_OK);
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &reader), SQLITE_OK);
  ASSERT_NO_FATAL_FAILURE(StartCheckpointer(/*restart_bytes=*/1 << 20));
  WalCheckpointer& c = *checkpointer_;
  const uintmax_t limit = c.JournalSizeLimit();
  ASSERT_EQ(limit, 2u << 20);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM t;", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  while (WalBytes() < 3 * limit) ASSERT_EQ(Insert(), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr),
            SQLITE_OK);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (WalBytes() > limit && absl::Now() < deadline) {
    ASSERT_EQ(Insert(), SQLITE_OK);
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_LE(WalBytes(), limit);
  EXPECT_GT(c.Restarts(), 0);
  WalCheckpointer::Detach(writer_);
  sqlite3_close(reader);
}

// The RESTART point is bytes of pages, whatever their size: with 1 KiB
// pages, 2 MiB is 2,048 frames. Taken as frames of 4 KiB (512), the WAL
// would start over while its file was still a quarter of that.
TEST_F(WalCheckpointerTest, TheRestartPointIsBytesWhateverThePageSize) {
  Create(1024);
  ASSERT_NO_FATAL_FAILURE(StartCheckpointer(/*restart_bytes=*/2 << 20));
  WalCheckpointer& c = *checkpointer_;
  // Until the first RESTART the file only grows: its size is the most
  // frames the WAL has held (1,024 bytes each and a 24-byte header).
  uintmax_t largest = 0;
  const absl::Time end = absl::Now() + absl::Seconds(10);
  while (c.Restarts() == 0 && absl::Now() < end) {
    largest = WalBytes();
    // About 1,000 bytes a commit: one page of the table, and its tree.
    ASSERT_EQ(sqlite3_exec(writer_, "INSERT INTO t VALUES (zeroblob(900))",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    absl::SleepFor(absl::Microseconds(100));
  }
  WalCheckpointer::Detach(writer_);
  ASSERT_GT(c.Restarts(), 0);
  EXPECT_GE(largest, 2048u * 1024u);
}

TEST(WalCheckpointerStartTest, AMissingDatabaseIsAnErrorNamingIt) {
  absl::StatusOr<std::unique_ptr<WalCheckpointer>> checkpointer =
      WalCheckpointer::Start("/nonexistent/dir/db.sqlite");
  ASSERT_FALSE(checkpointer.ok());
  EXPECT_EQ(checkpointer.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(checkpointer.status().message().find("/nonexistent/dir/db.sqlite"),
            std::string::npos);
}

}  // namespace
}  // namespace codex_manager
