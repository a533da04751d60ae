#include "core/pending_approvals.h"

#include <gtest/gtest.h>

namespace codex_manager {
namespace {

using json = nlohmann::json;

Approval Pending(const std::string& id, const std::string& turn_id) {
  Approval a;
  a.approval_id = id;
  a.turn_id = turn_id;
  a.state = ApprovalState::kPending;
  return a;
}

TEST(PendingApprovalsTest, AnApprovalIsTakenExactlyOnce) {
  PendingApprovals p;
  p.Add(7, Pending("apr_1", "t1"));
  EXPECT_TRUE(p.contains("apr_1"));
  std::optional<PendingApprovals::Request> taken = p.Take("apr_1");
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->rpc_id, json(7));
  EXPECT_EQ(taken->approval.approval_id, "apr_1");
  EXPECT_FALSE(p.Take("apr_1"));
  EXPECT_TRUE(p.empty());
}

TEST(PendingApprovalsTest, CodexWithdrawsARequestByItsJsonRpcId) {
  PendingApprovals p;
  p.Add("req-a", Pending("apr_1", "t1"));
  p.Add(2, Pending("apr_2", "t1"));
  EXPECT_FALSE(p.TakeByRpcId("2")) << "a string id is not the number 2";
  EXPECT_EQ(p.TakeByRpcId(2)->approval_id, "apr_2");
  EXPECT_EQ(p.TakeByRpcId("req-a")->approval_id, "apr_1");
  EXPECT_TRUE(p.empty());
}

TEST(PendingApprovalsTest, AnEndedTurnTakesOnlyItsOwnApprovals) {
  PendingApprovals p;
  p.Add(1, Pending("apr_1", "t1"));
  p.Add(2, Pending("apr_2", "t2"));
  p.Add(3, Pending("apr_3", "t1"));
  std::vector<Approval> ended = p.TakeOfTurn("t1");
  ASSERT_EQ(ended.size(), 2u);
  EXPECT_EQ(ended[0].approval_id, "apr_1");
  EXPECT_EQ(ended[1].approval_id, "apr_3");
  EXPECT_TRUE(p.contains("apr_2"));
  EXPECT_EQ(p.TakeAll().size(), 1u);
  EXPECT_TRUE(p.empty());
}

TEST(PendingApprovalsTest, AFileChangeKeepsItsDiffUntilItCompletes) {
  PendingApprovals p;
  const json item = {
      {"type", "fileChange"},
      {"id", "item-1"},
      {"changes",
       json::array({{{"path", "a.txt"}, {"kind", {{"type", "add"}}},
                     {"diff", "hello\n"}}})}};
  p.NoteItem(item, /*completed=*/false);
  EXPECT_NE(p.DiffOf("item-1").find("+hello"), std::string::npos)
      << p.DiffOf("item-1");
  p.NoteItem({{"type", "agentMessage"}, {"id", "item-2"}}, false);
  EXPECT_EQ(p.DiffOf("item-2"), "");
  p.NoteItem(item, /*completed=*/true);
  EXPECT_EQ(p.DiffOf("item-1"), "");
}

// A runtime that starts file changes and never completes them keeps at
// most kMaxTrackedFileChanges diffs in memory.
TEST(PendingApprovalsTest, DiffsKeptAreBounded) {
  PendingApprovals p;
  auto change = [](size_t n) {
    return json{{"type", "fileChange"},
                {"id", "item-" + std::to_string(n)},
                {"changes",
                 json::array({{{"path", "a.txt"}, {"kind", {{"type", "add"}}},
                               {"diff", "hello\n"}}})}};
  };
  for (size_t n = 0; n < kMaxTrackedFileChanges + 10; ++n) {
    p.NoteItem(change(n), /*completed=*/false);
  }
  EXPECT_NE(p.DiffOf("item-0"), "");
  EXPECT_NE(p.DiffOf("item-" + std::to_string(kMaxTrackedFileChanges - 1)), "");
  EXPECT_EQ(p.DiffOf("item-" + std::to_string(kMaxTrackedFileChanges)), "");
  // One completes: the next one started is kept.
  p.NoteItem(change(0), /*completed=*/true);
  p.NoteItem(change(9999), /*completed=*/false);
  EXPECT_NE(p.DiffOf("item-9999"), "");
}

}  // namespace
}  // namespace codex_manager
