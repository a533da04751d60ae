#include "core/session_registry.h"

#include <gtest/gtest.h>

#include "core/inert_runtime_for_test.h"

namespace codex_manager {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1000);

LiveSession& AddLive(SessionRegistry& registry, const std::string& id,
                     SessionState state, absl::Time last_activity) {
  auto live = std::make_unique<LiveSession>();
  live->session.session_id = id;
  live->session.state = state;
  live->runtime = std::make_unique<InertRuntime>();
  live->last_activity = last_activity;
  return registry.Add(std::move(live));
}

TEST(SessionRegistryTest, FindsASessionByIdAndByItsRuntime) {
  SessionRegistry registry;
  LiveSession& a = AddLive(registry, "ses_a", SessionState::kIdle, kNow);
  EXPECT_EQ(registry.Find("ses_a"), &a);
  EXPECT_EQ(registry.Find(a.runtime.get()), &a);
  EXPECT_EQ(registry.Find("ses_b"), nullptr);
  const Runtime* runtime = a.runtime.get();
  std::unique_ptr<LiveSession> removed = registry.Remove("ses_a");
  ASSERT_NE(removed, nullptr);
  EXPECT_EQ(registry.Find(runtime), nullptr);
  EXPECT_EQ(registry.Remove("ses_a"), nullptr);
  EXPECT_EQ(registry.size(), 0);
}

TEST(SessionRegistryTest, MakesRoomWithTheLongestIdleSessionNobodyWaitsOn) {
  SessionRegistry registry;
  AddLive(registry, "ses_busy", SessionState::kBusy, kNow - absl::Hours(3));
  LiveSession& asking =
      AddLive(registry, "ses_asking", SessionState::kIdle,
              kNow - absl::Hours(2));
  Approval a;
  a.approval_id = "apr_1";
  asking.approvals.Add(1, a);
  AddLive(registry, "ses_old", SessionState::kIdle, kNow - absl::Hours(1));
  AddLive(registry, "ses_new", SessionState::kIdle, kNow);
  ASSERT_NE(registry.LongestIdle(), nullptr);
  EXPECT_EQ(registry.LongestIdle()->session.session_id, "ses_old");
  registry.Remove("ses_old");
  registry.Remove("ses_new");
  EXPECT_EQ(registry.LongestIdle(), nullptr) << "the rest are in use";
}

TEST(SessionRegistryTest, IdleForListsOnlySessionsWithNothingToDo) {
  SessionRegistry registry;
  AddLive(registry, "ses_idle", SessionState::kIdle, kNow - absl::Minutes(31));
  AddLive(registry, "ses_recent", SessionState::kIdle, kNow);
  LiveSession& queued = AddLive(registry, "ses_queued", SessionState::kIdle,
                                kNow - absl::Minutes(31));
  Turn turn;
  turn.turn_id = "t1";
  queued.turns.Enqueue(turn);
  EXPECT_EQ(registry.IdleFor(absl::Minutes(30), kNow),
            std::vector<std::string>{"ses_idle"});
}

TEST(SessionRegistryTest, ASessionWhoseAgentLeftAProcessRunningIsSpared) {
  SessionRegistry registry;
  LiveSession& serving = AddLive(registry, "ses_serving", SessionState::kIdle,
                                 kNow - absl::Hours(2));
  serving.NoteCommand("call_dev_server", /*completed=*/false);
  AddLive(registry, "ses_quiet", SessionState::kIdle, kNow - absl::Minutes(31));
  // Not reaped for idling, and the last to go for room.
  EXPECT_EQ(registry.IdleFor(absl::Minutes(30), kNow),
            std::vector<std::string>{"ses_quiet"});
  EXPECT_EQ(registry.LongestIdle()->session.session_id, "ses_quiet");
  registry.Remove("ses_quiet");
  EXPECT_EQ(registry.LongestIdle(), &serving) << "room still comes first";
  // Once its process ended, it is idle like any other.
  serving.NoteCommand("call_dev_server", /*completed=*/true);
  EXPECT_EQ(registry.IdleFor(absl::Minutes(30), kNow),
            std::vector<std::string>{"ses_serving"});
  // The tracking is bounded.
  for (size_t i = 0; i < kMaxTrackedCommands + 10; ++i) {
    serving.NoteCommand("call_" + std::to_string(i), false);
  }
  EXPECT_EQ(serving.open_commands.size(), kMaxTrackedCommands);
}

TEST(SessionRegistryTest, TheWatchdogSeesEachRunningTurn) {
  SessionRegistry registry;
  LiveSession& running = AddLive(registry, "ses_run", SessionState::kBusy,
                                 kNow - absl::Minutes(5));
  AddLive(registry, "ses_idle", SessionState::kIdle, kNow);
  Turn turn;
  turn.turn_id = "t1";
  running.turns.Enqueue(turn);
  running.turns.StartNext(kNow);
  running.turns.RequestInterrupt(kNow + absl::Seconds(10));
  std::vector<WatchedTurn> watched = registry.RunningTurns();
  ASSERT_EQ(watched.size(), 1u);
  EXPECT_EQ(watched[0].session_id, "ses_run");
  EXPECT_EQ(watched[0].last_activity, kNow - absl::Minutes(5));
  EXPECT_EQ(watched[0].interrupt_deadline, kNow + absl::Seconds(10));
  EXPECT_FALSE(watched[0].waiting_for_person);
}

}  // namespace
}  // namespace codex_manager

namespace codex_manager {
namespace {

// Sub-agents are told apart by thread, and what is kept of them is
// bounded whatever a runtime sends.
TEST(LiveSessionTest, SubAgentsAreKnownByThreadAndBounded) {
  LiveSession live;
  live.session.thread_id = "thr_1";
  live.session.state = SessionState::kStarting;
  EXPECT_FALSE(live.IsSubAgentThread("thr_2"));  // the thread may change yet
  live.session.state = SessionState::kBusy;
  EXPECT_TRUE(live.IsSubAgentThread("thr_2"));
  EXPECT_FALSE(live.IsSubAgentThread("thr_1"));
  EXPECT_FALSE(live.IsSubAgentThread(""));

  live.NoteItem({{"type", "subAgentActivity"}, {"agentThreadId", "thr_2"},
                 {"agentPath", "/root/helper"}},
                /*completed=*/true);
  EXPECT_EQ(live.sub_agents.at("thr_2"), "/root/helper");
  live.NoteSubAgent({{"agentThreadId", std::string(200, 'x')}});
  live.NoteSubAgent({{"agentThreadId", "thr_1"}});  // the session's own
  EXPECT_EQ(live.sub_agents.size(), 1u);
  for (int i = 0; i < 300; ++i) {
    live.NoteSubAgent({{"agentThreadId", "t" + std::to_string(i)}});
    live.NoteSubAgentTurn("t" + std::to_string(i), "turn");
  }
  EXPECT_EQ(live.sub_agents.size(), kMaxTrackedSubAgents);
  EXPECT_EQ(live.sub_agent_turns.size(), kMaxTrackedSubAgents);
  live.NoteSubAgentTurn("t0", std::string(200, 'y'));
  EXPECT_EQ(live.sub_agent_turns.at("t0"), "turn");
}

}  // namespace
}  // namespace codex_manager
