#include "core/turn_queue.h"

#include <gtest/gtest.h>

namespace codex_manager {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1000);

Turn Queued(const std::string& id) {
  Turn turn;
  turn.turn_id = id;
  turn.state = TurnState::kQueued;
  return turn;
}

TEST(TurnQueueTest, TurnsRunOneAtATimeInTheOrderQueued) {
  TurnQueue q;
  q.Enqueue(Queued("t1"));
  q.Enqueue(Queued("t2"));
  std::optional<Turn> first = q.StartNext(kNow);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->turn_id, "t1");
  EXPECT_EQ(first->state, TurnState::kRunning);
  EXPECT_EQ(first->start_time, kNow);
  EXPECT_FALSE(q.StartNext(kNow)) << "t1 still runs";
  EXPECT_EQ(q.TakeRunning()->turn_id, "t1");
  EXPECT_EQ(q.StartNext(kNow)->turn_id, "t2");
  q.TakeRunning();
  EXPECT_FALSE(q.StartNext(kNow));
  EXPECT_TRUE(q.empty());
}

TEST(TurnQueueTest, AQueuedTurnCanBeTakenOutOfTheMiddle) {
  TurnQueue q;
  for (const char* id : {"t1", "t2", "t3"}) q.Enqueue(Queued(id));
  EXPECT_EQ(q.Unqueue("t2")->turn_id, "t2");
  EXPECT_FALSE(q.Unqueue("t2"));
  std::deque<Turn> rest = q.TakeQueued();
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].turn_id, "t1");
  EXPECT_EQ(rest[1].turn_id, "t3");
  EXPECT_EQ(q.queued(), 0u);
}

TEST(TurnQueueTest, CodexTurnIdsMapToOurs) {
  TurnQueue q;
  q.Enqueue(Queued("t1"));
  q.StartNext(kNow);
  // Before turn/start answered, a Codex turn id can only be the running
  // turn's.
  EXPECT_EQ(q.OurTurnId("codex-1"), "t1");
  EXPECT_TRUE(q.RunsCodexTurn("codex-1"));
  EXPECT_FALSE(q.Accept("t9", "codex-1")) << "t9 is not running";
  std::optional<Turn> accepted = q.Accept("t1", "codex-1");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->codex_turn_id, "codex-1");
  EXPECT_EQ(q.OurTurnId("codex-1"), "t1");
  EXPECT_EQ(q.OurTurnId("codex-review-inner"), "");
  EXPECT_FALSE(q.RunsCodexTurn("codex-review-inner"));
  EXPECT_EQ(q.OurTurnId(""), "") << "the session's own notification";
  q.SetFinalMessage("t1", "done");
  EXPECT_EQ(q.TakeRunning()->final_message, "done");
  // Still known after it ended: late notifications of t1 stay t1's.
  EXPECT_EQ(q.OurTurnId("codex-1"), "t1");
}

TEST(TurnQueueTest, AnInterruptBeforeCodexNamedTheTurnWaitsForTheName) {
  TurnQueue q;
  q.Enqueue(Queued("t1"));
  q.StartNext(kNow);
  EXPECT_EQ(q.RequestInterrupt(kNow + absl::Seconds(10)), "");
  EXPECT_EQ(q.interrupt_deadline(), kNow + absl::Seconds(10));
  // A second interrupt keeps the first deadline.
  q.RequestInterrupt(kNow + absl::Seconds(20));
  EXPECT_EQ(q.interrupt_deadline(), kNow + absl::Seconds(10));
  q.Accept("t1", "codex-1");
  EXPECT_TRUE(q.TakePendingInterrupt());
  EXPECT_FALSE(q.TakePendingInterrupt()) << "sent once";
  EXPECT_EQ(q.RequestInterrupt(kNow), "codex-1");
  q.TakeRunning();
  EXPECT_FALSE(q.interrupt_deadline()) << "the deadline ends with the turn";
}

TEST(TurnQueueTest, ATurnCodexStartedRunsOnlyWhenNoneDoes) {
  TurnQueue q;
  Turn codex_started;
  codex_started.turn_id = "t_goal";
  codex_started.state = TurnState::kRunning;
  codex_started.codex_turn_id = "c_goal";
  codex_started.started_by_codex = true;
  q.Enqueue(Queued("t1"));
  ASSERT_TRUE(q.StartNext(kNow));
  EXPECT_FALSE(q.Adopt(codex_started)) << "t1 runs";
  EXPECT_EQ(q.running_id(), "t1");
  q.TakeRunning();
  ASSERT_TRUE(q.Adopt(codex_started));
  EXPECT_EQ(q.running_id(), "t_goal");
  EXPECT_TRUE(q.RunsCodexTurn("c_goal"));
  EXPECT_FALSE(q.RunsCodexTurn("c_other"));
  EXPECT_EQ(q.OurTurnId("c_goal"), "t_goal");
  EXPECT_EQ(q.RequestInterrupt(kNow), "c_goal");
}

}  // namespace
}  // namespace codex_manager
