#include "core/turn_watchdog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace codex_manager {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1000);

TEST(TurnWatchdogTest, AnIgnoredInterruptEndsTheTurnAfterTheGrace) {
  TurnWatchdog watchdog(absl::Seconds(10), absl::Minutes(30));
  WatchedTurn t{"ses_a", kStart, watchdog.InterruptDeadline(kStart), false};
  EXPECT_TRUE(watchdog.Check({t}, kStart + absl::Seconds(9)).empty());
  auto verdicts = watchdog.Check({t}, kStart + absl::Seconds(10));
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts[0].turn_state, TurnState::kInterrupted);
  EXPECT_THAT(verdicts[0].reason, HasSubstr("--interrupt-grace"));
}

TEST(TurnWatchdogTest, SilenceFailsATurnUnlessAPersonIsBeingAsked) {
  TurnWatchdog watchdog(absl::Seconds(10), absl::Minutes(30));
  WatchedTurn silent{"ses_a", kStart, std::nullopt, false};
  WatchedTurn asking{"ses_b", kStart, std::nullopt, true};
  const absl::Time later = kStart + absl::Minutes(30);
  EXPECT_TRUE(watchdog.Check({silent}, later - absl::Seconds(1)).empty());
  auto verdicts = watchdog.Check({silent, asking}, later);
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts[0].session_id, "ses_a");
  EXPECT_EQ(verdicts[0].turn_state, TurnState::kFailed);
  EXPECT_THAT(verdicts[0].reason, HasSubstr("no output from Codex for 30m"));
}

TEST(TurnWatchdogTest, AZeroStallTimeoutNeverFails) {
  TurnWatchdog watchdog(absl::Seconds(10), absl::ZeroDuration());
  WatchedTurn silent{"ses_a", kStart, std::nullopt, false};
  EXPECT_TRUE(watchdog.Check({silent}, kStart + absl::Hours(100)).empty());
}

}  // namespace
}  // namespace codex_manager
