#include "store/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

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
