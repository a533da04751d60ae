#include "store/restore.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

namespace fs = std::filesystem;

// A session committed with its SESSION_STATE_CHANGED event, as the server
// writes one (so --check passes).
absl::Status PutSession(SqliteStore& store, const std::string& id) {
  Session s;
  s.session_id = id;
  s.cwd = "/tmp";
  s.state = SessionState::kIdle;
  s.create_time = s.update_time = absl::Now();
  absl::StatusOr<int64_t> last = store.LastEventId();
  if (!last.ok()) return last.status();
  Event e;
  e.event_id = *last + 1;
  e.session_id = id;
  e.session_seq = 1;
  e.type = EventType::kSessionStateChanged;
  e.create_time = s.create_time;
  e.payload = {{"state", static_cast<int>(SessionState::kIdle)}};
  WriteBatch batch;
  batch.sessions.push_back(s);
  batch.events.push_back(e);
  return store.Write(batch);
}

// The session's next event (seq `seq`), as the server appends one.
absl::Status AppendEvent(SqliteStore& store, const std::string& id,
                         int64_t seq) {
  absl::StatusOr<int64_t> last = store.LastEventId();
  if (!last.ok()) return last.status();
  Event e;
  e.event_id = *last + 1;
  e.session_id = id;
  e.session_seq = seq;
  e.type = EventType::kWarning;
  e.create_time = absl::Now();
  e.payload = {{"message", "later"}};
  WriteBatch batch;
  batch.events.push_back(e);
  return store.Write(batch);
}

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/restore-" + std::to_string(getpid());
    fs::remove_all(root_);
    data_ = root_ + "/data";
    fs::create_directories(data_);
    backup_ = root_ + "/backup.db";
    auto source = *SqliteStore::Open(root_ + "/source.db");
    ASSERT_TRUE(PutSession(*source, "ses_backed_up").ok());
    ASSERT_TRUE(source->CopyTo(backup_).ok());
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string root_, data_, backup_;
};

TEST_F(RestoreTest, TheReplacedDatabaseKeepsItsLogAndTheBackupGetsNone) {
  const std::string db = data_ + "/codex-manager.db";
  // A server killed with writes still in its WAL (not checkpointed).
  const pid_t child = fork();
  if (child == 0) {
    auto store = SqliteStore::Open(db);
    if (!store.ok() || !PutSession(**store, "ses_old").ok() ||
        !PutSession(**store, "ses_old_2").ok()) {
      _exit(1);
    }
    _exit(0);  // no close: the write is only in codex-manager.db-wal
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ASSERT_TRUE(fs::exists(db + "-wal"));
  ASSERT_GT(fs::file_size(db + "-wal"), 0u);

  absl::StatusOr<Restored> restored =
      RestoreBackup(backup_, data_, absl::FromUnixSeconds(1796454688));
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->database, db);
  EXPECT_EQ(restored->sessions, 1);
  EXPECT_EQ(restored->replaced, db + ".replaced-20261205T071128Z");
  EXPECT_FALSE(fs::exists(db + "-wal"));
  EXPECT_TRUE(fs::exists(restored->replaced + "-wal"));
  // The old database gave ids 1 and 2; the backup has only 1: the next
  // event is 3, not 2 again.
  EXPECT_EQ(restored->last_event_id, 1);
  EXPECT_EQ(restored->next_event_id, 3);
  EXPECT_TRUE(restored->replaced_unread.empty());

  // The restored file has the backup's session and nothing of the old log.
  auto now = *SqliteStore::Open(db);
  EXPECT_TRUE(now->GetSession("ses_backed_up").ok());
  EXPECT_TRUE(absl::IsNotFound(now->GetSession("ses_old").status()));
  EXPECT_EQ(*now->LastEventId(), 2);
  EXPECT_THAT(*now->CheckInvariants(), ::testing::IsEmpty());
  // The restore is in the audit log.
  absl::StatusOr<Page<AuditRecord>> audit =
      now->ListAudit(AuditQuery(), {0, 100});
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_EQ(audit->items.size(), 1u);
  EXPECT_EQ(audit->items[0].caller.method, "restore");
  EXPECT_EQ(audit->items[0].caller.token_name, "codex-manager-server");
  EXPECT_EQ(audit->items[0].time, absl::FromUnixSeconds(1796454688));
  EXPECT_EQ(audit->items[0].message,
            "--restore " + fs::path(backup_).lexically_normal().string() +
                ": 1 session, events through 1; the database it replaced "
                "is now " +
                restored->replaced + "; new events are numbered from 3");
  // The replaced one, opened with its log, still has its last write.
  auto old = *SqliteStore::Open(restored->replaced);
  EXPECT_TRUE(old->GetSession("ses_old").ok());
}

TEST_F(RestoreTest, WhatIsNotABackupChangesNothing) {
  const std::string db = data_ + "/codex-manager.db";
  { ASSERT_TRUE(SqliteStore::Open(db).ok()); }
  auto listing = [&] {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(data_)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  const auto before = listing();
  std::ofstream(root_ + "/text.db") << "not a database\n";
  for (const std::string& bad : {root_ + "/text.db", root_ + "/missing.db"}) {
    absl::StatusOr<Restored> r = RestoreBackup(bad, data_, absl::Now());
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(listing(), before) << bad;
  }
  EXPECT_TRUE(absl::IsInvalidArgument(
      RestoreBackup(root_ + "/text.db", data_, absl::Now()).status()));
}

TEST_F(RestoreTest, ASessionsSeqsAfterTheBackupsAreNotGivenAgain) {
  const std::string db = data_ + "/codex-manager.db";
  fs::copy_file(backup_, db);
  {
    // After the backup, the server went on: seqs 2..5 of the session.
    auto store = *SqliteStore::Open(db);
    for (int64_t seq = 2; seq <= 5; ++seq) {
      ASSERT_TRUE(AppendEvent(*store, "ses_backed_up", seq).ok());
    }
    ASSERT_TRUE(PutSession(*store, "ses_later").ok());
  }
  absl::StatusOr<Restored> restored =
      RestoreBackup(backup_, data_, absl::Now());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->seq_gaps, 1);  // ses_later is not in the backup

  auto store = *SqliteStore::Open(db);
  EXPECT_EQ(*store->LastSessionSeq("ses_backed_up"), 5);
  EXPECT_EQ(store->GetSession("ses_backed_up")->last_seq, 5);
  EXPECT_THAT(*store->CheckInvariants(), ::testing::IsEmpty());
  // A cursor in the gap resumes after the event before it.
  for (int64_t seq : {2, 5}) {
    absl::StatusOr<RestoreGap> gap = store->RestoreGapOf("ses_backed_up", seq);
    ASSERT_TRUE(gap.ok()) << gap.status();
    EXPECT_EQ(gap->after_seq, 1);
    EXPECT_EQ(gap->through_seq, 5);
    EXPECT_EQ(gap->after_event_id, *store->EventIdOf("ses_backed_up", 1));
  }
  for (int64_t seq : {1, 6}) {
    EXPECT_TRUE(
        absl::IsNotFound(store->RestoreGapOf("ses_backed_up", seq).status()));
  }
  // The next event is 6; the gap stays, and --check still passes.
  ASSERT_TRUE(AppendEvent(*store, "ses_backed_up", 6).ok());
  EXPECT_EQ(store->GetSession("ses_backed_up")->last_seq, 6);
  EXPECT_THAT(*store->CheckInvariants(), ::testing::IsEmpty());
  // What --check finds: a seq missing after the gap; an event in it.
  ASSERT_TRUE(AppendEvent(*store, "ses_backed_up", 8).ok());
  EXPECT_THAT(*store->CheckInvariants(),
              ::testing::ElementsAre(::testing::HasSubstr(
                  "session_seq not gapless from 1: ses_backed_up: 3 events, "
                  "seq 1..8")));
  ASSERT_TRUE(AppendEvent(*store, "ses_backed_up", 3).ok());
  EXPECT_THAT(*store->CheckInvariants(),
              ::testing::Contains(::testing::HasSubstr(
                  "event in a restore gap: event 9 is seq 3 of "
                  "ses_backed_up, which a restore lost (seqs 2..5)")));
}

TEST_F(RestoreTest, ATokenRevokedSinceTheBackupStaysRevoked) {
  TokenRecord leaked, kept;
  leaked.token_id = "tok_leaked";
  leaked.secret_sha256 = std::string(64, 'a');
  kept.token_id = "tok_kept";
  kept.secret_sha256 = std::string(64, 'b');
  for (TokenRecord* t : {&leaked, &kept}) {
    t->role = Role::kOperator;
    t->create_time = absl::FromUnixSeconds(1796400000);
  }
  {
    auto source = *SqliteStore::Open(root_ + "/source.db");
    WriteBatch tokens;
    tokens.tokens = {leaked, kept};
    ASSERT_TRUE(source->Write(tokens).ok());
  }
  fs::remove(backup_);
  ASSERT_TRUE((*SqliteStore::Open(root_ + "/source.db"))->CopyTo(backup_).ok());
  const std::string db = data_ + "/codex-manager.db";
  fs::copy_file(backup_, db);
  {
    // After the backup, the leaked one was revoked.
    auto store = *SqliteStore::Open(db);
    leaked.revoke_time = absl::FromUnixSeconds(1796450000);
    WriteBatch revoke;
    revoke.tokens = {leaked};
    ASSERT_TRUE(store->Write(revoke).ok());
  }
  absl::StatusOr<Restored> restored =
      RestoreBackup(backup_, data_, absl::Now());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->revocations_kept, 1);
  auto store = *SqliteStore::Open(db);
  EXPECT_EQ(store->GetToken("tok_leaked")->revoke_time,
            absl::FromUnixSeconds(1796450000));
  EXPECT_EQ(store->GetToken("tok_kept")->revoke_time, std::nullopt);
  absl::StatusOr<Page<AuditRecord>> audit =
      store->ListAudit(AuditQuery(), {0, 100});
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_EQ(audit->items.size(), 1u);
  EXPECT_THAT(audit->items[0].message,
              ::testing::EndsWith("; 1 token revoked since the backup stays "
                                  "revoked"));
}

TEST_F(RestoreTest, TwoRestoresLeaveTwoGapsEachResumedFromItsOwnStart) {
  const std::string db = data_ + "/codex-manager.db";
  fs::copy_file(backup_, db);
  auto append = [&](int64_t from, int64_t to) {
    auto store = *SqliteStore::Open(db);
    for (int64_t seq = from; seq <= to; ++seq) {
      ASSERT_TRUE(AppendEvent(*store, "ses_backed_up", seq).ok());
    }
  };
  append(2, 3);  // lost by the first restore
  ASSERT_TRUE(RestoreBackup(backup_, data_, absl::Now()).ok());
  append(4, 5);
  const std::string second = root_ + "/second.db";
  ASSERT_TRUE((*SqliteStore::Open(db))->CopyTo(second).ok());
  append(6, 8);  // lost by the second
  ASSERT_TRUE(RestoreBackup(second, data_, absl::Now()).ok());
  append(9, 9);

  auto store = *SqliteStore::Open(db);
  EXPECT_THAT(*store->CheckInvariants(), ::testing::IsEmpty());
  // A cursor in the older gap resumes after seq 1, so it gets 4 and 5 (in
  // neither gap) before 9; one in the newer gap resumes after 5.
  absl::StatusOr<RestoreGap> older = store->RestoreGapOf("ses_backed_up", 2);
  ASSERT_TRUE(older.ok()) << older.status();
  EXPECT_EQ(older->after_seq, 1);
  EXPECT_EQ(older->through_seq, 3);
  EXPECT_EQ(older->after_event_id, *store->EventIdOf("ses_backed_up", 1));
  absl::StatusOr<RestoreGap> newer = store->RestoreGapOf("ses_backed_up", 7);
  ASSERT_TRUE(newer.ok()) << newer.status();
  EXPECT_EQ(newer->after_seq, 5);
  EXPECT_EQ(newer->through_seq, 8);
  EXPECT_EQ(newer->after_event_id, *store->EventIdOf("ses_backed_up", 5));
  EXPECT_LT(older->after_event_id, *store->EventIdOf("ses_backed_up", 4));
}

TEST_F(RestoreTest, ADatabaseThatCannotBeReadIsReplacedAndSaidSo) {
  const std::string db = data_ + "/codex-manager.db";
  std::ofstream(db) << "not a database\n";
  absl::StatusOr<Restored> restored = RestoreBackup(backup_, data_, absl::Now());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_THAT(restored->replaced_unread,
              ::testing::HasSubstr("not a database"));
  EXPECT_EQ(restored->next_event_id, 0);
  EXPECT_EQ(restored->seq_gaps, 0);
  // Kept as it was, under its new name.
  std::ifstream kept(restored->replaced);
  std::string line;
  std::getline(kept, line);
  EXPECT_EQ(line, "not a database");
  EXPECT_TRUE((*SqliteStore::Open(db))->GetSession("ses_backed_up").ok());
}

TEST_F(RestoreTest, ARestoreOverARestoredDatabaseKeepsItsGap) {
  const std::string db = data_ + "/codex-manager.db";
  fs::copy_file(backup_, db);
  {
    auto store = *SqliteStore::Open(db);
    for (int64_t seq = 2; seq <= 3; ++seq) {
      ASSERT_TRUE(AppendEvent(*store, "ses_backed_up", seq).ok());
    }
  }
  ASSERT_TRUE(RestoreBackup(backup_, data_, absl::Now()).ok());
  // Restored again before any new event: the replaced database's seqs end
  // at its gap, not at its newest event (1).
  absl::StatusOr<Restored> again = RestoreBackup(backup_, data_, absl::Now());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->seq_gaps, 1);
  auto store = *SqliteStore::Open(db);
  EXPECT_EQ(*store->LastSessionSeq("ses_backed_up"), 3);
}

}  // namespace
}  // namespace codex_manager
