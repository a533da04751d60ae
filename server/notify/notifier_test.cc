// What a notification says, and its signature (RFC 4231 test case 2 for
// HMAC-SHA256, as GitHub's X-Hub-Signature-256 is computed).
#include "notify/notifier.h"

#include "gtest/gtest.h"

namespace codex_manager {
namespace {

TEST(WebhookSignatureTest, IsTheHexHmacSha256OfTheBody) {
  EXPECT_EQ(WebhookSignature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
            "64ec3843");
}

TEST(NotificationForTest, AnApprovalWithALink) {
  Approval a;
  a.approval_id = "apr_1";
  a.kind = ApprovalKind::kCommandExecution;
  a.command = "rm -rf build\nand more";
  Event e;
  e.event_id = 7;
  e.session_id = "ses_1";
  e.turn_id = "turn_1";
  e.type = EventType::kApprovalRequested;
  e.payload = {{"approval", ApprovalToJson(a)}};
  NotifierOptions options;
  options.public_url = "https://codex.example.com/";
  std::optional<Notification> n = NotificationFor(e, options);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->kind, "approval.requested");
  EXPECT_EQ(n->summary, "Codex wants to run: rm -rf build...");
  EXPECT_EQ(n->link, "https://codex.example.com/#/s/ses_1");
  EXPECT_TRUE(n->urgent);
  const nlohmann::json body = nlohmann::json::parse(n->body);
  EXPECT_EQ(body["approval_id"], "apr_1");
  EXPECT_EQ(body["event"], "approval.requested");
  EXPECT_EQ(body["url"], "https://codex.example.com/#/s/ses_1");

  options.kinds = {"turn_end"};
  EXPECT_FALSE(NotificationFor(e, options).has_value());
}

// What would hide or reorder part of a command is named, not passed on to
// the phone or chat that shows it; a trailing line end is no line.
TEST(NotificationForTest, ASummaryShowsWhatWouldHidePartOfIt) {
  Approval a;
  a.kind = ApprovalKind::kCommandExecution;
  a.command = "rm -rf ~\r\x1b[2Kecho hi \xe2\x80\xaetxt.exe\r\n";
  Event e;
  e.type = EventType::kApprovalRequested;
  e.payload = {{"approval", ApprovalToJson(a)}};
  EXPECT_EQ(NotificationFor(e, NotifierOptions())->summary,
            "Codex wants to run: rm -rf ~^M^[[2Kecho hi <U+202E>txt.exe");
}

// A question, a form, a permissions request and a change say what they
// ask.
TEST(NotificationForTest, AnApprovalSaysWhatItAsks) {
  auto summary = [](const Approval& a) {
    Event e;
    e.type = EventType::kApprovalRequested;
    e.payload = {{"approval", ApprovalToJson(a)}};
    return NotificationFor(e, NotifierOptions())->summary;
  };
  Approval a;
  a.kind = ApprovalKind::kUserInput;
  a.method = "item/tool/requestUserInput";
  a.params_json = R"({"questions":[
      {"id":"storage","header":"Storage","question":"Where should it live?\nThink."},
      {"id":"key","question":"The key","isSecret":true}]})";
  EXPECT_EQ(summary(a), "Codex asks: Where should it live?... (+1 more)");
  a.params_json = R"({"questions":[{"id":"s","header":"Storage"}]})";
  EXPECT_EQ(summary(a), "Codex asks: Storage");
  for (const char* hostile : {"", "[]", R"({"questions":[7]})",
                              R"({"questions":{"question":"x"}})"}) {
    a.params_json = hostile;
    EXPECT_EQ(summary(a),
              "Codex asks you something (item/tool/requestUserInput)")
        << hostile;
  }
  Approval form;
  form.kind = ApprovalKind::kMcpElicitation;
  form.reason = "File a ticket for this?";
  form.params_json = R"({"serverName":"tickets"})";
  EXPECT_EQ(summary(form), "tickets asks: File a ticket for this?");
  Approval permissions;
  permissions.kind = ApprovalKind::kPermissions;
  permissions.reason = "Needs the network";
  EXPECT_EQ(summary(permissions),
            "Codex asks for permissions: Needs the network");
  permissions.params_json = R"({"permissions":{"network":{"enabled":true},
      "fileSystem":{"write":["/srv/out"]}}})";
  EXPECT_EQ(summary(permissions),
            "Codex asks for permissions: network access, write /srv/out");
  // A sub-agent's ask names it; one Codex has not named yet, by its thread.
  Approval helper;
  helper.kind = ApprovalKind::kCommandExecution;
  helper.command = "make test";
  helper.sub_agent_thread_id = "019a2b3c-4d5e";
  helper.sub_agent_path = "/root/helper";
  EXPECT_EQ(summary(helper), "Sub-agent helper wants to run: make test");
  helper.sub_agent_path = "";
  EXPECT_EQ(summary(helper), "Sub-agent 019a2b3c wants to run: make test");
  helper.sub_agent_path = "/root/\x1b[31mred";
  EXPECT_EQ(summary(helper), "Sub-agent ^[[31mred wants to run: make test");
  Approval change;
  change.kind = ApprovalKind::kFileChange;
  EXPECT_EQ(summary(change), "Codex wants to change files");
  change.diff = "--- /dev/null\n+++ b/p/notes.txt\n+hi\n";
  EXPECT_EQ(summary(change), "Codex wants to change /p/notes.txt");
  change.diff += "--- a/p/old.txt\n+++ /dev/null\n-bye\n";
  EXPECT_EQ(summary(change), "Codex wants to change /p/notes.txt (+1 more)");
}

TEST(NotificationForTest, TurnEndsButNotTheirStart) {
  Event e;
  e.type = EventType::kTurnStateChanged;
  e.payload = {{"state", static_cast<int>(TurnState::kFailed)},
               {"error", "codex exited"}};
  std::optional<Notification> n = NotificationFor(e, NotifierOptions());
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->kind, "turn.failed");
  EXPECT_EQ(n->summary, "Turn failed: codex exited");
  EXPECT_EQ(n->link, "");
  e.payload["state"] = static_cast<int>(TurnState::kRunning);
  EXPECT_FALSE(NotificationFor(e, NotifierOptions()).has_value());
}

TEST(ParseHttpUrlTest, NamesTheFlag) {
  absl::StatusOr<HttpUrl> url = ParseHttpUrl("https://ntfy.sh/topic", "--ntfy-url");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "ntfy.sh");
  EXPECT_EQ(url->port, "443");
  EXPECT_EQ(url->target, "/topic");
  EXPECT_EQ(ParseHttpUrl("ftp://x", "--webhook-url").status().message(),
            "--webhook-url: \"ftp://x\" is not an http:// or https:// URL");
}

}  // namespace
}  // namespace codex_manager
