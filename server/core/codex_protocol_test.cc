#include "core/codex_protocol.h"

#include <gtest/gtest.h>

namespace codex_manager {
namespace {

using json = nlohmann::json;

TEST(MapNotificationTest, AgentMessageDeltaKeepsItemAndTurn) {
  MappedNotification m =
      MapNotification("item/agentMessage/delta", {{"threadId", "th"},
                                                  {"turnId", "tu"},
                                                  {"itemId", "m1"},
                                                  {"delta", "Hel"}});
  EXPECT_EQ(m.type, EventType::kAgentMessageDelta);
  EXPECT_EQ(m.codex_turn_id, "tu");
  EXPECT_EQ(m.payload["item_id"], "m1");
  EXPECT_EQ(m.payload["text"], "Hel");
  EXPECT_EQ(m.payload["method"], "item/agentMessage/delta");
}

TEST(MapNotificationTest, TypedMethods) {
  EXPECT_EQ(MapNotification("item/commandExecution/outputDelta", {}).type,
            EventType::kCommandOutputDelta);
  EXPECT_EQ(MapNotification("item/reasoning/summaryTextDelta", {}).type,
            EventType::kReasoningDelta);
  EXPECT_EQ(MapNotification("item/plan/delta", {}).type, EventType::kItemDelta);
  MappedNotification item = MapNotification(
      "item/completed",
      {{"turnId", "tu"}, {"item", {{"type", "agentMessage"}, {"id", "m1"}}}});
  EXPECT_EQ(item.type, EventType::kItemCompleted);
  EXPECT_EQ(item.payload["item"]["id"], "m1");
  MappedNotification usage =
      MapNotification("thread/tokenUsage/updated",
                      {{"tokenUsage", {{"total", {{"totalTokens", 30}}}}}});
  EXPECT_EQ(usage.type, EventType::kTokenUsage);
  EXPECT_EQ(usage.payload["total"]["totalTokens"], 30);
  MappedNotification err = MapNotification(
      "error", {{"error", {{"message", "rate limited"}}}, {"willRetry", true}});
  EXPECT_EQ(err.type, EventType::kError);
  EXPECT_EQ(err.payload["message"], "rate limited");
  MappedNotification warn =
      MapNotification("configWarning", {{"summary", "no bubblewrap"}});
  EXPECT_EQ(warn.type, EventType::kWarning);
  EXPECT_EQ(warn.payload["message"], "no bubblewrap");
}

TEST(MapNotificationTest, UnknownMethodsBecomeRaw) {
  json params = {{"turn", {{"id", "tu"}}}, {"plan", json::array({1, 2})}};
  MappedNotification m = MapNotification("turn/plan/updated", params);
  EXPECT_EQ(m.type, EventType::kRaw);
  EXPECT_EQ(m.codex_turn_id, "tu");
  EXPECT_EQ(m.payload["method"], "turn/plan/updated");
  EXPECT_EQ(m.payload["params"], params);
  // Even params that are not an object.
  EXPECT_EQ(MapNotification("future/thing", json::array()).type,
            EventType::kRaw);
}

TEST(ApprovalTest, KindsOfServerRequests) {
  EXPECT_EQ(ApprovalKindOf("item/commandExecution/requestApproval"),
            ApprovalKind::kCommandExecution);
  EXPECT_EQ(ApprovalKindOf("item/fileChange/requestApproval"),
            ApprovalKind::kFileChange);
  EXPECT_EQ(ApprovalKindOf("item/tool/requestUserInput"),
            ApprovalKind::kUserInput);
  EXPECT_EQ(ApprovalKindOf("item/permissions/requestApproval"),
            ApprovalKind::kPermissions);
  EXPECT_FALSE(ApprovalKindOf("item/tool/call").has_value());
}

TEST(ApprovalTest, FromCommandRequest) {
  std::string turn;
  Approval a = ApprovalFromRequest("item/commandExecution/requestApproval",
                                   {{"threadId", "th"},
                                    {"turnId", "tu"},
                                    {"itemId", "call1"},
                                    {"command", "/bin/bash -lc 'echo hi'"},
                                    {"cwd", "/p"},
                                    {"reason", "why"}},
                                   &turn);
  EXPECT_EQ(turn, "tu");
  EXPECT_EQ(a.kind, ApprovalKind::kCommandExecution);
  EXPECT_EQ(a.state, ApprovalState::kPending);
  EXPECT_EQ(a.command, "/bin/bash -lc 'echo hi'");
  EXPECT_EQ(a.cwd, "/p");
  EXPECT_EQ(a.reason, "why");
  EXPECT_EQ(a.item_id, "call1");
  EXPECT_EQ(json::parse(a.params_json)["itemId"], "call1");
}

TEST(ApprovalTest, DecisionsMapToCodexValues) {
  Approval cmd;
  cmd.kind = ApprovalKind::kCommandExecution;
  EXPECT_EQ(ApprovalResult(cmd, Decision::kApprove, {}),
            json({{"decision", "accept"}}));
  EXPECT_EQ(ApprovalResult(cmd, Decision::kApproveForSession, {}),
            json({{"decision", "acceptForSession"}}));
  EXPECT_EQ(ApprovalResult(cmd, Decision::kDeny, {}),
            json({{"decision", "decline"}}));
  EXPECT_EQ(ApprovalResult(cmd, Decision::kAbort, {}),
            json({{"decision", "cancel"}}));
  Approval input;
  input.kind = ApprovalKind::kUserInput;
  EXPECT_EQ(ApprovalResult(input, Decision::kApprove, {{"q1", "yes"}}),
            json({{"answers", {{"q1", {{"answers", {"yes"}}}}}}}));
  Approval perms;
  perms.kind = ApprovalKind::kPermissions;
  perms.params_json = R"({"permissions":{"network":{"enabled":true}}})";
  EXPECT_EQ(ApprovalResult(perms, Decision::kApprove, {})["permissions"],
            json({{"network", {{"enabled", true}}}}));
  EXPECT_EQ(ApprovalResult(perms, Decision::kDeny, {})["permissions"],
            json::object());
}

TEST(ApprovalTest, DiffOfFileChange) {
  // Shapes as codex 0.169 sends them in `fileChange` items.
  json update = {{"type", "fileChange"},
                 {"changes",
                  {{{"path", "src/a.txt"},
                    {"kind", {{"type", "update"}, {"move_path", nullptr}}},
                    {"diff", "@@ -1 +1 @@\n-old\n+new"}}}}};
  EXPECT_EQ(DiffOfFileChange(update),
            "--- a/src/a.txt\n+++ b/src/a.txt\n@@ -1 +1 @@\n-old\n+new\n");
  json add = {{"type", "fileChange"},
              {"changes",
               {{{"path", "/p/notes.txt"},
                 {"kind", {{"type", "add"}}},
                 {"diff", "hello\nworld\n"}}}}};
  EXPECT_EQ(DiffOfFileChange(add),
            "--- /dev/null\n+++ b/p/notes.txt\n+hello\n+world\n");
  json del = {{"type", "fileChange"},
              {"changes",
               {{{"path", "gone.txt"},
                 {"kind", {{"type", "delete"}}},
                 {"diff", "bye\n"}}}}};
  EXPECT_EQ(DiffOfFileChange(del), "--- a/gone.txt\n+++ /dev/null\n-bye\n");
  EXPECT_EQ(DiffOfFileChange(json::object()), "");
}

TEST(TurnStatusTest, MapsCodexStatuses) {
  EXPECT_EQ(TurnStateOfCodexStatus("completed"), TurnState::kCompleted);
  EXPECT_EQ(TurnStateOfCodexStatus("interrupted"), TurnState::kInterrupted);
  EXPECT_EQ(TurnStateOfCodexStatus("failed"), TurnState::kFailed);
  EXPECT_EQ(TurnStateOfCodexStatus("weird"), TurnState::kFailed);
}

}  // namespace
}  // namespace codex_manager
