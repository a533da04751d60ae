#include "core/backup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/time/clock.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> BackupFilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("backup-", 0) == 0) names.push_back(name);
  }
  return names;
}

class BackupFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/backup-test-" + std::to_string(getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = *SqliteStore::Open(dir_ + "/codex-manager.db");
    for (int s = 0; s < 3; ++s) {
      Session session;
      session.session_id = "ses_" + std::to_string(s);
      session.cwd = "/tmp";
      session.create_time = session.update_time = absl::Now();
      ASSERT_TRUE(store_->PutSession(session).ok());
    }
    Event e;
    e.event_id = 1;
    e.session_id = "ses_0";
    e.session_seq = 1;
    e.type = EventType::kAgentMessageDelta;
    e.create_time = absl::Now();
    e.payload = {{"text", std::string(100000, 'x')}};  // several reads' worth
    ASSERT_TRUE(store_->AppendEvents({e}).ok());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(BackupFileTest, TheCopyIsReadWholeAndLeavesNothingBehind) {
  absl::StatusOr<std::unique_ptr<BackupFile>> backup =
      BackupFile::Make(store_.get(), dir_);
  ASSERT_TRUE(backup.ok()) << backup.status();
  // Unlinked at once: only the open file holds it.
  EXPECT_THAT(BackupFilesIn(dir_), ::testing::IsEmpty());
  EXPECT_EQ((*backup)->contents().sessions, 3);
  EXPECT_EQ((*backup)->contents().last_event_id, 1);

  std::string whole;
  int reads = 0;
  for (;;) {
    absl::StatusOr<std::string> chunk = (*backup)->Read(16 * 1024);
    ASSERT_TRUE(chunk.ok()) << chunk.status();
    if (chunk->empty()) break;
    EXPECT_LE(chunk->size(), 16u * 1024);
    whole += *chunk;
    ++reads;
  }
  EXPECT_GT(reads, 1);
  EXPECT_EQ(static_cast<int64_t>(whole.size()), (*backup)->total_bytes());

  // The bytes are a database the store opens, with what was copied.
  const std::string restored = dir_ + "/restored.db";
  std::ofstream(restored, std::ios::binary) << whole;
  auto copy = SqliteStore::Open(restored);
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_EQ(*(*copy)->LastEventId(), 1);
  EXPECT_EQ((*copy)->GetSession("ses_2")->session_id, "ses_2");
}

TEST_F(BackupFileTest, RemoveStaleBackupsTakesOnlyLeftoverCopies) {
  std::ofstream(dir_ + "/backup-0123456789abcdef.tmp") << "left by a crash";
  std::ofstream(dir_ + "/backup-notes.txt") << "someone's";
  EXPECT_EQ(RemoveStaleBackups(dir_), 1);
  EXPECT_THAT(BackupFilesIn(dir_), ::testing::ElementsAre("backup-notes.txt"));
  EXPECT_TRUE(fs::exists(dir_ + "/codex-manager.db"));
}

}  // namespace
}  // namespace codex_manager
