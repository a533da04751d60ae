#include "store/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
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

TEST(WalCheckpointerTest, CopiesTheWalIntoTheDatabaseOffTheWritersThread) {
  const std::string path = ::testing::TempDir() + "/wal_checkpointer_" +
                           std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &writer), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer,
                         "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                         "CREATE TABLE t(b BLOB);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  {
    absl::StatusOr<std::unique_ptr<WalCheckpointer>> checkpointer =
        WalCheckpointer::Start(path, /*threshold_pages=*/64);
    ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
    WalCheckpointer& c = **checkpointer;
    c.Attach(writer);
    // 2,000 commits of about 4 KB each: about 2,000 WAL pages, 30 times
    // the threshold.
    for (int i = 0; i < 2000; ++i) {
      ASSERT_EQ(sqlite3_exec(writer, "INSERT INTO t VALUES (zeroblob(4000))",
                             nullptr, nullptr, nullptr),
                SQLITE_OK);
    }
    // Below the threshold nothing wakes the thread; past it, it runs.
    ASSERT_TRUE(WaitFor(c, 0));
    // One more commit past the threshold after the writes: a checkpoint
    // that starts after every row is in the WAL copies them all. (Waiting
    // for the count to move is not enough: a checkpoint that began during
    // the inserts may be the one that ends next.) Without a checkpoint the
    // rows would be in the WAL only, the file a few pages long.
    ASSERT_EQ(sqlite3_exec(writer, "INSERT INTO t VALUES (zeroblob(4000))",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (std::filesystem::file_size(path) < 2000u * 4000u &&
           absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    EXPECT_GE(std::filesystem::file_size(path), 2000u * 4000u);
    WalCheckpointer::Detach(writer);
  }
  sqlite3_close(writer);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
}

// A writer that never pauses long: each passive checkpoint ends with the
// frames committed while it ran still to copy, so the WAL never starts over
// from its beginning unless something finishes the job. Before the
// checkpointer followed up with a RESTART, this WAL grew to 92 MB in the
// two seconds (two runs; 5 to 9 MB with it, three runs); with 100 sessions
// streaming the server's grew by 75 MB a second.
TEST(WalCheckpointerTest, TheWalStartsOverWhileTheWriterNeverStops) {
  const std::string path =
      ::testing::TempDir() + "/wal_restart_" + std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &writer), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer,
                         "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                         "CREATE TABLE t(b BLOB);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_busy_timeout(writer, 5000);
  {
    absl::StatusOr<std::unique_ptr<WalCheckpointer>> checkpointer =
        WalCheckpointer::Start(path, /*threshold_pages=*/64,
                               /*restart_pages=*/512);
    ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
    WalCheckpointer& c = **checkpointer;
    c.Attach(writer);
    uintmax_t largest = 0;
    const absl::Time end = absl::Now() + absl::Seconds(2);
    while (absl::Now() < end) {
      ASSERT_EQ(sqlite3_exec(writer, "INSERT INTO t VALUES (zeroblob(4000))",
                             nullptr, nullptr, nullptr),
                SQLITE_OK);
      largest = std::max(largest, std::filesystem::file_size(path + "-wal"));
      // About the pace of 100 sessions streaming: a commit every 200 µs.
      absl::SleepFor(absl::Microseconds(150));
    }
    WalCheckpointer::Detach(writer);
    EXPECT_GT(c.Restarts(), 0);
    // 512 pages of 4 KB and their frame headers are about 2 MB; the frames
    // committed between two checkpoints (at least 100 ms apart) come on
    // top. 16 MB leaves room for a slow machine and fails by far what the
    // WAL grew to without the restarts.
    EXPECT_LT(largest, 16u << 20) << "restarts: " << c.Restarts();
  }
  sqlite3_close(writer);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
}

// A reader that keeps an old snapshot open pins the WAL: nothing after its
// snapshot can be copied, so the file grows past the limit. Once it lets
// go, the WAL starts over and the file is cut back to the limit; SQLite's
// default keeps a file the largest size it ever had.
TEST(WalCheckpointerTest, AWalThatGrewPastItsLimitIsCutBack) {
  const std::string path =
      ::testing::TempDir() + "/wal_limit_" + std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
  sqlite3* writer = nullptr;
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &writer), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer,
                         "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                         "CREATE TABLE t(b BLOB); INSERT INTO t VALUES (1);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_busy_timeout(writer, 5000);
  ASSERT_EQ(sqlite3_open(path.c_str(), &reader), SQLITE_OK);
  {
    absl::StatusOr<std::unique_ptr<WalCheckpointer>> checkpointer =
        WalCheckpointer::Start(path, /*threshold_pages=*/64,
                               /*restart_pages=*/256);
    ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
    WalCheckpointer& c = **checkpointer;
    c.Attach(writer);
    const uintmax_t limit = c.JournalSizeLimit();
    ASSERT_EQ(limit, 2u * 256 * 4096);
    auto insert = [&] {
      return sqlite3_exec(writer, "INSERT INTO t VALUES (zeroblob(4000))",
                          nullptr, nullptr, nullptr);
    };
    ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM t;", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    while (std::filesystem::file_size(path + "-wal") < 3 * limit) {
      ASSERT_EQ(insert(), SQLITE_OK);
    }
    ASSERT_EQ(sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr),
              SQLITE_OK);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (std::filesystem::file_size(path + "-wal") > limit &&
           absl::Now() < deadline) {
      ASSERT_EQ(insert(), SQLITE_OK);
      absl::SleepFor(absl::Milliseconds(1));
    }
    EXPECT_LE(std::filesystem::file_size(path + "-wal"), limit);
    EXPECT_GT(c.Restarts(), 0);
    WalCheckpointer::Detach(writer);
  }
  sqlite3_close(reader);
  sqlite3_close(writer);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
}

TEST(WalCheckpointerTest, AMissingDatabaseIsAnErrorNamingIt) {
  absl::StatusOr<std::unique_ptr<WalCheckpointer>> checkpointer =
      WalCheckpointer::Start("/nonexistent/dir/db.sqlite");
  ASSERT_FALSE(checkpointer.ok());
  EXPECT_EQ(checkpointer.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(checkpointer.status().message().find("/nonexistent/dir/db.sqlite"),
            std::string::npos);
}

}  // namespace
}  // namespace codex_manager
