// How transcripts name sub-agents and say their start and end.
#include "api/sub_agents.h"

#include "gtest/gtest.h"

namespace codex_manager {
namespace {

v1::SubAgent Agent(const std::string& thread_id, const std::string& path) {
  v1::SubAgent a;
  a.set_thread_id(thread_id);
  a.set_path(path);
  return a;
}

v1::Item Activity(const std::string& json) {
  v1::Item item;
  item.set_item_type("subAgentActivity");
  item.set_item_json(json);
  return item;
}

TEST(SubAgentNameTest, TheTaskNameElseTheThread) {
  EXPECT_EQ(SubAgentName(Agent("t1", "/root/helper")), "helper");
  EXPECT_EQ(SubAgentName(Agent("t1", "/root/a/b")), "b");
  EXPECT_EQ(SubAgentName(Agent("01a24fb6-4e46", "")), "sub-agent 01a24fb6");
  // Text from Codex stays on one line.
  EXPECT_EQ(SubAgentName(Agent("t1", "/root/x\ny")), "x y");
}

TEST(SubAgentActivityTextTest, StartsAndEndsAreSaid) {
  EXPECT_EQ(SubAgentActivityText(Activity(
                R"({"kind":"started","agentPath":"/root/helper","model":"gpt-5.5"})")),
            "sub-agent helper started (gpt-5.5)");
  EXPECT_EQ(SubAgentActivityText(
                Activity(R"({"kind":"completed","agentPath":"/root/helper"})")),
            "sub-agent helper completed");
  EXPECT_EQ(SubAgentActivityText(
                Activity(R"({"kind":"interrupted","agentThreadId":"01a24fb6-4e46"})")),
            "sub-agent 01a24fb6 interrupted");
  // A message to it, an unknown kind, broken JSON, another item: nothing.
  EXPECT_EQ(SubAgentActivityText(
                Activity(R"({"kind":"interacted","agentPath":"/root/helper"})")),
            "");
  EXPECT_EQ(SubAgentActivityText(Activity(R"({"kind":7})")), "");
  EXPECT_EQ(SubAgentActivityText(Activity("{not json")), "");
  v1::Item other = Activity(R"({"kind":"started"})");
  other.set_item_type("agentMessage");
  EXPECT_EQ(SubAgentActivityText(other), "");
}

}  // namespace
}  // namespace codex_manager
