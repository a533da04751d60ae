#include "core/recovery.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/changes.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

class FixedClock : public Clock {
 public:
  absl::Time Now() override { return absl::FromUnixSeconds(5000); }
};

// What a server killed mid-turn leaves: a BUSY session, a RUNNING and a
// QUEUED turn, a PENDING approval — each committed with its event.
TEST(RecoveryTest, SettlesWhatADeadServerLeftEachWithItsEvent) {
  auto store = *SqliteStore::Open(":memory:");
  EventLog log(store.get());
  ASSERT_TRUE(log.Start().ok());
  Session s;
  s.session_id = "ses_a";
  s.cwd = "/tmp";
  s.state = SessionState::kBusy;
  Turn running;
  running.turn_id = "turn_1";
  running.session_id = "ses_a";
  running.state = TurnState::kRunning;
  Turn queued = running;
  queued.turn_id = "turn_2";
  queued.state = TurnState::kQueued;
  Approval a;
  a.approval_id = "apr_1";
  a.session_id = "ses_a";
  a.turn_id = "turn_1";
  a.state = ApprovalState::kPending;
  WriteBatch rows;
  rows.sessions = {s};
  rows.turns = {running, queued};
  rows.approvals = {a};
  log.Commit(std::move(rows),
             {SessionStateEvent(s), TurnStateEvent(running),
              TurnStateEvent(queued),
              {"ses_a", EventType::kApprovalRequested, "turn_1",
               {{"approval", {{"approval_id", "apr_1"}}}}}},
             [](const std::vector<Event>& events, WriteBatch& rows) {
               rows.approvals[0].request_event_id = events[3].event_id;
             });
  ASSERT_TRUE(log.Flush(absl::Seconds(5)));

  FixedClock clock;
  ASSERT_TRUE(RecoverAfterRestart(store.get(), &log, &clock).ok());
  EXPECT_EQ(store->GetSession("ses_a")->state, SessionState::kStopped);
  EXPECT_EQ(store->GetSession("ses_a")->last_error, "server restarted");
  EXPECT_EQ(store->GetTurn("turn_1")->state, TurnState::kInterrupted);
  EXPECT_EQ(store->GetTurn("turn_2")->state, TurnState::kInterrupted);
  EXPECT_EQ(store->GetApproval("apr_1")->state, ApprovalState::kExpired);
  // Every row's state is the one its last event names.
  EXPECT_THAT(*store->CheckInvariants(), ::testing::IsEmpty());
  // A second recovery finds nothing to do.
  const int64_t head = log.CommittedHead();
  ASSERT_TRUE(RecoverAfterRestart(store.get(), &log, &clock).ok());
  EXPECT_EQ(log.CommittedHead(), head);
}

}  // namespace
}  // namespace codex_manager
