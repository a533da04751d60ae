#include "core/fork_point.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace codex_manager {
namespace {

using ::testing::HasSubstr;

Turn TurnOf(TurnState state, const std::string& codex_turn_id) {
  Turn t;
  t.turn_id = "turn_1";
  t.session_id = "s1";
  t.state = state;
  t.codex_turn_id = codex_turn_id;
  return t;
}

TEST(ForkPointTest, ThroughAnEndedTurnIsCodexsLastTurnId) {
  for (TurnState state : {TurnState::kCompleted, TurnState::kFailed,
                          TurnState::kInterrupted}) {
    absl::StatusOr<ForkPoint> p = ForkPointAt(TurnOf(state, "c1"), "s1", true);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_EQ(p->last_codex_turn_id, "c1");
    EXPECT_EQ(p->before_codex_turn_id, "");
  }
}

TEST(ForkPointTest, BeforeATurnIsCodexsBeforeTurnIdEvenWhileItRuns) {
  absl::StatusOr<ForkPoint> p =
      ForkPointAt(TurnOf(TurnState::kRunning, "c1"), "s1", false);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->before_codex_turn_id, "c1");
  EXPECT_EQ(p->last_codex_turn_id, "");
}

TEST(ForkPointTest, ThroughARunningTurnIsRefused) {
  absl::StatusOr<ForkPoint> p =
      ForkPointAt(TurnOf(TurnState::kRunning, "c1"), "s1", true);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(p.status().message()),
              HasSubstr("turn turn_1 is RUNNING"));
}

TEST(ForkPointTest, ATurnCodexNeverBeganIsRefusedEitherWay) {
  for (bool through : {true, false}) {
    absl::StatusOr<ForkPoint> p =
        ForkPointAt(TurnOf(TurnState::kQueued, ""), "s1", through);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(p.status().message()),
                HasSubstr("never reached Codex"));
  }
}

TEST(ForkPointTest, ATurnOfAnotherSessionIsNotFound) {
  absl::StatusOr<ForkPoint> p =
      ForkPointAt(TurnOf(TurnState::kCompleted, "c1"), "s2", true);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(p.status().message(), "session s2 has no turn turn_1");
}

TEST(ForkPointTest, ARevertedTurnIsRefusedEitherWay) {
  Turn turn = TurnOf(TurnState::kCompleted, "c1");
  turn.revert_time = absl::UnixEpoch();
  for (bool through : {true, false}) {
    absl::StatusOr<ForkPoint> p = ForkPointAt(turn, "s1", through);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(p.status().message(), HasSubstr("turn_1 was reverted"));
  }
}

TEST(ForkPointTest, ARevertTakesTheTurnAndTheLaterOnesNotYetReverted) {
  std::vector<Turn> turns;
  for (const char* id : {"t1", "t2", "t3", "t4"}) {
    Turn t = TurnOf(TurnState::kCompleted, std::string("c") + id);
    t.turn_id = id;
    turns.push_back(t);
  }
  turns[3].revert_time = absl::UnixEpoch();  // an earlier revert's
  std::vector<std::string> ids;
  for (const Turn& t : TurnsFrom(turns, "t2")) ids.push_back(t.turn_id);
  EXPECT_THAT(ids, ::testing::ElementsAre("t2", "t3"));
  EXPECT_TRUE(TurnsFrom(turns, "nope").empty());
}

}  // namespace
}  // namespace codex_manager
