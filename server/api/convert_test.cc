#include "api/convert.h"

#include <gtest/gtest.h>

#include "core/changes.h"
#include "core/codex_protocol.h"

namespace codex_manager {
namespace {

TEST(PageTokenTest, RoundTripsAndRejectsGarbage) {
  EXPECT_EQ(EncodePageToken(0), "");
  EXPECT_EQ(*DecodePageToken(""), 0);
  EXPECT_EQ(*DecodePageToken(EncodePageToken(42)), 42);
  for (const char* bad : {"42", "!!", "djEu", "djEuLTE"}) {  // "v1." "v1.-1"
    absl::StatusOr<int64_t> got = DecodePageToken(bad);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(got.status().message().find("page_token"),
              absl::string_view::npos);
  }
}

TEST(PageTokenTest, PageSizeBounds) {
  EXPECT_EQ(ToPageRequest(0, "")->limit, 100);
  EXPECT_EQ(ToPageRequest(1000, "")->limit, 1000);
  EXPECT_EQ(ToPageRequest(1001, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ToPageRequest(-1, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(EventToProtoTest, GoalUpdatedCarriesTheGoalOrNone) {
  Session s;
  s.session_id = "ses_a";
  SessionGoal goal;
  goal.objective = "ship it";
  goal.status = GoalStatus::kActive;
  goal.tokens_used = 40;
  goal.time_used_seconds = 2;
  goal.create_time = absl::FromUnixSeconds(1796346749);
  s.goal = goal;
  Event e;
  e.type = EventType::kGoalUpdated;
  e.payload = GoalUpdatedEvent(s, "").payload;
  v1::Event out;
  ToProto(e, &out);
  ASSERT_TRUE(out.has_goal_updated() && out.goal_updated().has_goal());
  EXPECT_EQ(out.goal_updated().goal().objective(), "ship it");
  EXPECT_EQ(out.goal_updated().goal().status(), v1::GOAL_STATUS_ACTIVE);
  EXPECT_FALSE(out.goal_updated().goal().has_token_budget());
  EXPECT_EQ(out.goal_updated().goal().tokens_used(), 40);
  EXPECT_EQ(out.goal_updated().goal().create_time().seconds(), 1796346749);
  v1::Session session;
  ToProto(s, &session);
  EXPECT_EQ(session.goal().SerializeAsString(),
            out.goal_updated().goal().SerializeAsString());

  s.goal.reset();
  e.payload = GoalUpdatedEvent(s, "").payload;
  out.Clear();
  ToProto(e, &out);
  EXPECT_TRUE(out.has_goal_updated());
  EXPECT_FALSE(out.goal_updated().has_goal());
}

TEST(EventToProtoTest, CodexSettingsChangedCarriesTheSessionsSettings) {
  Session s;
  s.session_id = "ses_a";
  s.codex_settings = {"gpt-5.4",   "mock", "high", "never",
                      "read-only", "user", "plan", "priority"};
  Event e;
  e.type = EventType::kCodexSettingsChanged;
  e.payload = CodexSettingsChangedEvent(s).payload;
  v1::Event out;
  ToProto(e, &out);
  ASSERT_TRUE(out.has_codex_settings());
  EXPECT_EQ(out.codex_settings().model(), "gpt-5.4");
  EXPECT_EQ(out.codex_settings().approvals_reviewer(), "user");
  EXPECT_EQ(out.codex_settings().collaboration_mode(), "plan");
  EXPECT_EQ(out.codex_settings().service_tier(), "priority");
  v1::Session session;
  ToProto(s, &session);
  EXPECT_EQ(session.codex_settings().SerializeAsString(),
            out.codex_settings().SerializeAsString());
  // A payload of the wrong shape is empty settings, not a crash.
  e.payload = {{"codex_settings", "gpt-5.4"}};
  out.Clear();
  ToProto(e, &out);
  EXPECT_TRUE(out.has_codex_settings());
  EXPECT_EQ(out.codex_settings().model(), "");
}

TEST(EventToProtoTest, ASubAgentsEventSaysWhose) {
  Event e;
  e.type = EventType::kItemCompleted;
  e.payload = {{"item", {{"type", "agentMessage"}, {"id", "m"}, {"text", "hi"}}},
               {"sub_agent", {{"thread_id", "thr_sub"}, {"path", "/root/helper"}}}};
  v1::Event out;
  ToProto(e, &out);
  ASSERT_TRUE(out.has_sub_agent());
  EXPECT_EQ(out.sub_agent().thread_id(), "thr_sub");
  EXPECT_EQ(out.sub_agent().path(), "/root/helper");
  EXPECT_EQ(out.item().text(), "hi");
  e.payload.erase("sub_agent");
  v1::Event own;
  ToProto(e, &own);
  EXPECT_FALSE(own.has_sub_agent());
}

TEST(EventToProtoTest, CommandItemLiftsFields) {
  Event e;
  e.event_id = 7;
  e.session_id = "ses_a";
  e.session_seq = 3;
  e.turn_id = "turn_a";
  e.type = EventType::kItemCompleted;
  e.create_time = absl::FromUnixMillis(1500);
  e.payload = {{"item",
                {{"type", "commandExecution"},
                 {"id", "c1"},
                 {"command", "ls"},
                 {"cwd", "/p"},
                 {"status", "completed"},
                 {"exitCode", 0},
                 {"source", "userShell"},
                 {"aggregatedOutput", "a\nb\n"}}}};
  v1::Event out;
  ToProto(e, &out);
  EXPECT_EQ(out.event_id(), 7);
  EXPECT_EQ(out.session_seq(), 3);
  EXPECT_EQ(out.type(), v1::EVENT_TYPE_ITEM_COMPLETED);
  EXPECT_EQ(out.create_time().seconds(), 1);
  EXPECT_EQ(out.create_time().nanos(), 500000000);
  ASSERT_TRUE(out.has_item());
  EXPECT_EQ(out.item().command(), "ls");
  EXPECT_TRUE(out.item().has_exit_code());
  EXPECT_EQ(out.item().exit_code(), 0);
  EXPECT_EQ(out.item().aggregated_output(), "a\nb\n");
  EXPECT_EQ(out.item().command_source(), "userShell");
  EXPECT_FALSE(out.item().item_json().empty());
}

TEST(EventToProtoTest, ApprovalAndRawPayloads) {
  Approval a;
  a.approval_id = "apr_1";
  a.kind = ApprovalKind::kCommandExecution;
  a.state = ApprovalState::kPending;
  a.command = "rm -rf build";
  Event e;
  e.type = EventType::kApprovalRequested;
  e.payload = {{"approval", ApprovalToJson(a)}};
  v1::Event out;
  ToProto(e, &out);
  EXPECT_EQ(out.approval_requested().approval().approval_id(), "apr_1");
  EXPECT_EQ(out.approval_requested().approval().command(), "rm -rf build");
  EXPECT_EQ(out.approval_requested().approval().state(),
            v1::APPROVAL_STATE_PENDING);

  Event raw;
  raw.type = EventType::kRaw;
  raw.payload = {{"method", "turn/plan/updated"}, {"params", {{"x", 1}}}};
  v1::Event raw_out;
  ToProto(raw, &raw_out);
  EXPECT_EQ(raw_out.raw().method(), "turn/plan/updated");
  EXPECT_EQ(raw_out.raw().params_json(), R"({"x":1})");
}

TEST(EventToProtoTest, SessionUpdatedFromItsChange) {
  Session s;
  s.session_id = "ses_1";
  s.title = "renamed";
  s.model = "gpt-5";
  s.sandbox = "read-only";
  Event e;
  EventLog::NewEvent change = SessionUpdatedEvent(s, {"title", "sandbox"});
  e.type = change.type;
  e.payload = change.payload;
  v1::Event out;
  ToProto(e, &out);
  EXPECT_EQ(out.type(), v1::EVENT_TYPE_SESSION_UPDATED);
  ASSERT_EQ(out.payload_case(), v1::Event::kSessionUpdated);
  EXPECT_EQ(out.session_updated().changed_fields_size(), 2);
  EXPECT_EQ(out.session_updated().changed_fields(1), "sandbox");
  EXPECT_EQ(out.session_updated().title(), "renamed");
  EXPECT_EQ(out.session_updated().model(), "gpt-5");
  EXPECT_EQ(out.session_updated().effort(), "");
  EXPECT_EQ(out.session_updated().sandbox(), "read-only");

  // A payload of the wrong shape gives empty fields, not a crash.
  e.payload = {{"changed_fields", "title"}, {"title", 7}};
  v1::Event odd;
  ToProto(e, &odd);
  EXPECT_EQ(odd.session_updated().changed_fields_size(), 0);
  EXPECT_EQ(odd.session_updated().title(), "");
}

TEST(EventToProtoTest, SessionRevertedNamesTheTurns) {
  Turn a, b;
  a.turn_id = "turn_a";
  b.turn_id = "turn_b";
  Event e;
  const EventLog::NewEvent made = SessionRevertedEvent("s1", {a, b});
  e.type = made.type;
  e.payload = made.payload;
  v1::Event out;
  ToProto(e, &out);
  EXPECT_EQ(out.type(), v1::EVENT_TYPE_SESSION_REVERTED);
  ASSERT_EQ(out.payload_case(), v1::Event::kSessionReverted);
  EXPECT_EQ(out.session_reverted().before_turn_id(), "turn_a");
  ASSERT_EQ(out.session_reverted().reverted_turn_ids_size(), 2);
  EXPECT_EQ(out.session_reverted().reverted_turn_ids(1), "turn_b");
  // Ids of the wrong type are skipped, not a crash.
  e.payload = {{"before_turn_id", 3}, {"reverted_turn_ids", {"turn_a", 7}}};
  v1::Event odd;
  ToProto(e, &odd);
  EXPECT_EQ(odd.session_reverted().before_turn_id(), "");
  EXPECT_EQ(odd.session_reverted().reverted_turn_ids_size(), 1);
}

TEST(TurnToProtoTest, StartedByCodexIsCarriedOnTheTurnAndItsEvent) {
  Turn t;
  t.started_by_codex = true;
  v1::Turn out;
  ToProto(t, &out);
  EXPECT_TRUE(out.started_by_codex());
  Event e;
  e.type = EventType::kTurnStateChanged;
  e.payload = {{"turn_id", "turn_a"}, {"state", 2}, {"started_by_codex", true}};
  v1::Event ev;
  ToProto(e, &ev);
  EXPECT_TRUE(ev.turn_state_changed().started_by_codex());
  e.payload["started_by_codex"] = "yes";  // mistyped: read as unset
  ToProto(e, &ev);
  EXPECT_FALSE(ev.turn_state_changed().started_by_codex());
}

TEST(TurnToProtoTest, RevertTimeIsSetOnlyForARevertedTurn) {
  Turn t;
  v1::Turn out;
  ToProto(t, &out);
  EXPECT_FALSE(out.has_revert_time());
  t.revert_time = absl::FromUnixSeconds(1700000000);
  ToProto(t, &out);
  EXPECT_EQ(out.revert_time().seconds(), 1700000000);
}

using json = nlohmann::json;

// What a client gets for a Codex notification (shapes of codex 0.169's
// ServerNotification.json).
v1::Event Mapped(const std::string& method, const json& params) {
  MappedNotification m = MapNotification(method, params);
  Event e;
  e.type = m.type;
  e.payload = m.payload;
  v1::Event out;
  ToProto(e, &out);
  return out;
}

TEST(EventToProtoTest, TypedCodexNotifications) {
  v1::Event plan = Mapped("turn/plan/updated", json::parse(R"({
      "threadId":"t","turnId":"u","explanation":"tests first",
      "plan":[{"step":"write a test","status":"completed"},
              {"step":"fix it","status":"inProgress"}, 7]})"));
  EXPECT_EQ(plan.type(), v1::EVENT_TYPE_PLAN_UPDATED);
  EXPECT_EQ(plan.plan().explanation(), "tests first");
  ASSERT_EQ(plan.plan().steps_size(), 3);  // a bad step reads as empty
  EXPECT_EQ(plan.plan().steps(1).step(), "fix it");
  EXPECT_EQ(plan.plan().steps(1).status(), "inProgress");

  v1::Event diff = Mapped("turn/diff/updated",
                          {{"threadId", "t"}, {"turnId", "u"},
                           {"diff", "--- a/x\n+++ b/x\n"}});
  EXPECT_EQ(diff.turn_diff().diff(), "--- a/x\n+++ b/x\n");

  v1::Event status = Mapped("thread/status/changed", json::parse(R"({
      "threadId":"t","status":{"type":"active",
        "activeFlags":["waitingOnApproval"]}})"));
  EXPECT_EQ(status.thread_status().status(), "active");
  EXPECT_EQ(status.thread_status().active_flags(0), "waitingOnApproval");

  v1::Event reroute = Mapped("model/rerouted", json::parse(R"({
      "threadId":"t","turnId":"u","fromModel":"gpt-5","toModel":"gpt-5-mini",
      "reason":"highRiskCyberActivity"})"));
  EXPECT_EQ(reroute.model_rerouted().to_model(), "gpt-5-mini");
  EXPECT_EQ(reroute.model_rerouted().reason(), "highRiskCyberActivity");

  v1::Event limits = Mapped("account/rateLimits/updated", json::parse(R"({
      "rateLimits":{"planType":"plus","primary":{"usedPercent":42,
        "windowDurationMins":300,"resetsAt":1800000000},"secondary":null}})"));
  EXPECT_EQ(limits.rate_limits().plan_type(), "plus");
  EXPECT_EQ(limits.rate_limits().primary().used_percent(), 42);
  EXPECT_EQ(limits.rate_limits().primary().window_minutes(), 300);
  EXPECT_EQ(limits.rate_limits().primary().resets_at().seconds(), 1800000000);
  EXPECT_FALSE(limits.rate_limits().has_secondary());

  v1::Event mcp = Mapped("mcpServer/startupStatus/updated",
                         {{"name", "tickets"}, {"status", "failed"},
                          {"error", "spawn ENOENT"}});
  EXPECT_EQ(mcp.mcp_server_status().status(), "failed");
  EXPECT_EQ(mcp.mcp_server_status().error(), "spawn ENOENT");

  // A signal with no payload, of the session whatever its params say.
  v1::Event skills = Mapped("skills/changed", json::object());
  EXPECT_EQ(skills.type(), v1::EVENT_TYPE_SKILLS_CHANGED);
  EXPECT_EQ(skills.payload_case(), v1::Event::PAYLOAD_NOT_SET);
  EXPECT_EQ(MapNotification("skills/changed", {{"turnId", "u"}}).codex_turn_id,
            "");

  v1::Event compacted =
      Mapped("thread/compacted", {{"threadId", "t"}, {"turnId", "u"}});
  EXPECT_EQ(compacted.type(), v1::EVENT_TYPE_CONTEXT_COMPACTED);
  EXPECT_NE(compacted.notice().message(), "");

  v1::Event error = Mapped("error", json::parse(R"({"threadId":"t",
      "turnId":"u","willRetry":true,"error":{"message":"slow down",
      "codexErrorInfo":"serverOverloaded","additionalDetails":null}})"));
  EXPECT_EQ(error.notice().codex_error_info(), "serverOverloaded");
  EXPECT_TRUE(error.notice().will_retry());
  v1::Event http = Mapped("error", json::parse(R"({"threadId":"t",
      "turnId":"u","willRetry":false,"error":{"message":"down",
      "codexErrorInfo":{"httpConnectionFailed":{"httpStatusCode":502}}}})"));
  EXPECT_EQ(http.notice().codex_error_info(),
            R"({"httpConnectionFailed":{"httpStatusCode":502}})");
  // Codex (0.171+) says to hide or block a reply: its text is replaced.
  v1::Event hidden = Mapped("item/completed", json::parse(R"({"threadId":"t",
      "turnId":"u","item":{"type":"agentMessage","id":"m","text":"secret",
      "moderation":{"moderated":true,"display":{"mode":"block","version":1,
        "reason":{"kind":"cyber"}}}}})"));
  EXPECT_EQ(hidden.item().moderation(), "block");
  EXPECT_EQ(hidden.item().text(), "[Codex blocked this reply (cyber).]");
  EXPECT_EQ(hidden.item().item_json().find("secret"), std::string::npos);
  v1::Event shown = Mapped("item/completed", json::parse(R"({"item":{
      "type":"agentMessage","id":"m","text":"fine","moderation":{
        "moderated":false,"display":{"mode":"show","version":1}}}})"));
  EXPECT_EQ(shown.item().text(), "fine");
  EXPECT_EQ(shown.item().moderation(), "show");
  // Hostile shapes never throw.
  for (const char* method :
       {"turn/plan/updated", "account/rateLimits/updated",
        "thread/status/changed", "error", "item/completed", "hook/completed"}) {
    Mapped(method, json::array({1}));
    Mapped(method, json::parse(R"({"plan":"x","rateLimits":{"primary":5},
        "status":"idle","error":7,"run":{"entries":[3,{"kind":1}],
        "durationMs":"9"}})"));
  }
}

// Tool calls and other activity of the agent, in the shapes the pinned
// codex 0.171 sent (an MCP call through tests/mcp_server/elicit_server.py).
TEST(EventToProtoTest, ToolCallsSearchesAndImageViews) {
  v1::Event started = Mapped("item/started", json::parse(R"({"item":{
      "type":"mcpToolCall","id":"call_5","server":"tickets","environmentId":null,
      "tool":"file_ticket","status":"inProgress","arguments":{"title":"Disk full"},
      "appContext":null,"mcpAppUi":null,"pluginId":null,"readOnlyHint":null,
      "result":null,"error":null,"durationMs":null},"threadId":"t","turnId":"u"})"));
  const v1::Item& call = started.item();
  EXPECT_EQ(call.tool(), "file_ticket");
  EXPECT_EQ(call.mcp_server(), "tickets");
  EXPECT_EQ(call.arguments(), R"({"title":"Disk full"})");
  EXPECT_EQ(call.tool_output(), "");
  EXPECT_FALSE(call.has_duration_ms());

  v1::Event done = Mapped("item/completed", json::parse(R"({"item":{
      "type":"mcpToolCall","id":"call_5","server":"tickets","tool":"file_ticket",
      "status":"completed","arguments":{},"result":{"content":[
        {"type":"text","text":"ticket filed"},{"type":"image","data":"AA=="},
        {"type":"text","text":"id 7"}],"structuredContent":null,"_meta":null},
      "error":null,"durationMs":3},"threadId":"t","turnId":"u"})"));
  EXPECT_EQ(done.item().status(), "completed");
  EXPECT_EQ(done.item().arguments(), "{}");
  EXPECT_EQ(done.item().tool_output(), "ticket filed\n[image]\nid 7");
  ASSERT_TRUE(done.item().has_duration_ms());
  EXPECT_EQ(done.item().duration_ms(), 3);

  v1::Event failed = Mapped("item/completed", json::parse(R"({"item":{
      "type":"mcpToolCall","id":"call_6","server":"tickets","tool":"file_ticket",
      "status":"failed","arguments":null,"result":null,
      "error":{"message":"tool call timed out"},"durationMs":60000}})"));
  EXPECT_EQ(failed.item().error(), "tool call timed out");
  EXPECT_EQ(failed.item().arguments(), "");

  EXPECT_EQ(Mapped("item/completed", json::parse(R"({"item":{"type":"webSearch",
      "id":"ws","query":"codex hooks","action":{"type":"search","query":"codex hooks"}}})"))
                .item().text(),
            "codex hooks");
  EXPECT_EQ(Mapped("item/completed", json::parse(R"({"item":{"type":"webSearch",
      "id":"ws","query":"","action":{"type":"openPage","url":"https://example.com/"}}})"))
                .item().text(),
            "https://example.com/");
  EXPECT_EQ(Mapped("item/completed", json::parse(R"({"item":{"type":"imageView",
      "id":"iv","path":"/w/shot.png"}})")).item().text(),
            "/w/shot.png");
  // An image the agent generated (Codex's image_gen tool), as Codex
  // 0.171's schema has the item: where it saved it, or why it could not.
  v1::Event generated = Mapped("item/completed", json::parse(R"({"item":{
      "type":"imageGeneration","id":"ig","status":"completed",
      "revisedPrompt":"a red square","result":"iVBORw0KGgo=",
      "savedPath":"/home/u/.codex/generated_images/ig.png"}})"));
  EXPECT_EQ(generated.item().text(), "/home/u/.codex/generated_images/ig.png");
  EXPECT_EQ(generated.item().error(), "");
  v1::Event refused = Mapped("item/completed", json::parse(R"({"item":{
      "type":"imageGeneration","id":"ig2","status":"failed","savedPath":null,
      "failure":{"type":"usageLimitExceeded","limitId":"images"}}})"));
  EXPECT_EQ(refused.item().text(), "");
  EXPECT_EQ(refused.item().error(), "usageLimitExceeded");
  // The agent waited (Codex's clock.sleep tool): for how long.
  EXPECT_EQ(Mapped("item/completed", json::parse(R"({"item":{"type":"sleep",
      "id":"sl","durationMs":1500}})")).item().duration_ms(),
            1500);
  // The fields of a tool call stay empty on other items.
  v1::Event message = Mapped("item/completed", json::parse(R"({"item":{
      "type":"agentMessage","id":"m","text":"hi","tool":"x","server":"y"}})"));
  EXPECT_EQ(message.item().tool(), "");
  EXPECT_EQ(message.item().mcp_server(), "");
}

// What the agent typed into a background terminal, as the pinned codex
// 0.171 sent it (a write_stdin to `while read l; ...`).
TEST(EventToProtoTest, TerminalInput) {
  v1::Event typed = Mapped("item/commandExecution/terminalInteraction",
                           json::parse(R"({"threadId":"t","turnId":"u2",
      "itemId":"call_63778379762118","processId":"27649","stdin":"hello\n"})"));
  EXPECT_EQ(typed.type(), v1::EVENT_TYPE_TERMINAL_INPUT);
  ASSERT_EQ(typed.payload_case(), v1::Event::kTerminalInput);
  EXPECT_EQ(typed.terminal_input().item_id(), "call_63778379762118");
  EXPECT_EQ(typed.terminal_input().process_id(), "27649");
  EXPECT_EQ(typed.terminal_input().stdin(), "hello\n");
  // Mistyped members read as empty.
  v1::Event odd = Mapped("item/commandExecution/terminalInteraction",
                         json::parse(R"({"itemId":7,"stdin":null})"));
  EXPECT_EQ(odd.terminal_input().item_id(), "");
  EXPECT_EQ(odd.terminal_input().stdin(), "");
}

// Hook runs, in the shapes the pinned codex 0.171 sent for a PreToolUse
// hook that blocked a command.
TEST(EventToProtoTest, HookRuns) {
  v1::Event started = Mapped("hook/started", json::parse(R"({
      "threadId":"t","turnId":"u","run":{"id":"pre-tool-use:0:/h/config.toml:call_1",
      "eventName":"preToolUse","handlerType":"command","executionMode":"sync",
      "scope":"turn","sourcePath":"/h/config.toml","source":"user",
      "displayOrder":0,"status":"running","statusMessage":"checking the command",
      "startedAt":1796285778,"completedAt":null,"durationMs":null,"entries":[]}})"));
  EXPECT_EQ(started.type(), v1::EVENT_TYPE_HOOK_RUN);
  ASSERT_EQ(started.payload_case(), v1::Event::kHookRun);
  const v1::HookRun& run = started.hook_run();
  EXPECT_EQ(run.run_id(), "pre-tool-use:0:/h/config.toml:call_1");
  EXPECT_EQ(run.event_name(), "preToolUse");
  EXPECT_EQ(run.status(), "running");
  EXPECT_EQ(run.status_message(), "checking the command");
  EXPECT_EQ(run.handler_type(), "command");
  EXPECT_EQ(run.execution_mode(), "sync");
  EXPECT_EQ(run.scope(), "turn");
  EXPECT_EQ(run.source(), "user");
  EXPECT_EQ(run.source_path(), "/h/config.toml");
  EXPECT_FALSE(run.has_duration_ms());
  EXPECT_EQ(run.entries_size(), 0);

  v1::Event completed = Mapped("hook/completed", json::parse(R"({
      "threadId":"t","turnId":"u","run":{"id":"pre-tool-use:0:/h/config.toml:call_1",
      "eventName":"preToolUse","status":"blocked","durationMs":9,
      "entries":[{"kind":"feedback","text":"no rm here"}]}})"));
  EXPECT_EQ(completed.type(), v1::EVENT_TYPE_HOOK_RUN);
  EXPECT_EQ(completed.hook_run().status(), "blocked");
  ASSERT_TRUE(completed.hook_run().has_duration_ms());
  EXPECT_EQ(completed.hook_run().duration_ms(), 9);
  ASSERT_EQ(completed.hook_run().entries_size(), 1);
  EXPECT_EQ(completed.hook_run().entries(0).kind(), "feedback");
  EXPECT_EQ(completed.hook_run().entries(0).text(), "no rm here");

  // A Stop hook that blocked gives the agent a prompt: an item of its own.
  v1::Event prompt = Mapped("item/completed", json::parse(R"({
      "threadId":"t","turnId":"u","item":{"type":"hookPrompt","id":"msg_1",
      "fragments":[{"text":"Now say goodbye.","hookRunId":"stop:2:/h/config.toml"},
                   {"text":"And thanks.","hookRunId":"stop:3:/h/config.toml"},
                   {"hookRunId":"no text"}]}})"));
  EXPECT_EQ(prompt.item().item_type(), "hookPrompt");
  EXPECT_EQ(prompt.item().text(), "Now say goodbye.\nAnd thanks.");
}

TEST(ListingToProtoTest, TheLargestSkillListingFitsAClientsDefaultMessage) {
  // Every skill and error Codex could send, each field over its bound.
  const std::string huge(8 << 10, 'x');
  nlohmann::json skills = nlohmann::json::array();
  nlohmann::json errors = nlohmann::json::array();
  for (size_t i = 0; i < kMaxListedSkills + 10; ++i) {
    const std::string id = std::to_string(i);
    skills.push_back(
        {{"name", std::string(kMaxSkillNameBytes - id.size(), 'n') + id},
         {"path", std::string(kMaxSkillPathBytes - id.size(), 'p') + id},
         {"description", huge},
         {"shortDescription", huge},
         {"scope", huge},
         {"interface", {{"displayName", huge}, {"shortDescription", huge}}}});
    errors.push_back({{"path", huge}, {"message", huge}});
  }
  const SkillList list =
      SkillsOf({{"data", {{{"skills", skills}, {"errors", errors}}}}});
  ASSERT_EQ(list.skills.size(), kMaxListedSkills);
  v1::ListSkillsResponse response;
  ToProto(list, &response);
  EXPECT_LT(response.ByteSizeLong(), 2u << 20);
}

TEST(ListingToProtoTest, TheLargestMcpListingFitsAClientsDefaultMessage) {
  const std::string huge(8 << 10, 'x');
  nlohmann::json tools = nlohmann::json::object();
  for (size_t i = 0; i < kMaxListedMcpTools; ++i) {
    tools[std::to_string(i)] = {{"name", huge + std::to_string(i)},
                                {"title", huge},
                                {"description", huge}};
  }
  nlohmann::json servers = nlohmann::json::array();
  for (size_t i = 0; i < kMaxListedMcpServers + 10; ++i) {
    servers.push_back({{"name", huge},
                       {"runtimeStatus", huge},
                       {"authStatus", huge},
                       {"serverInfo", {{"title", huge}, {"version", huge}}},
                       {"toolsError", huge},
                       {"httpOrigin", huge},
                       {"tools", i < 2 ? tools : nlohmann::json::object()}});
  }
  const std::vector<McpServer> list = McpServersOf({{"data", servers}});
  ASSERT_EQ(list.size(), kMaxListedMcpServers);
  ASSERT_EQ(list[0].tools.size(), kMaxListedMcpTools);
  v1::ListMcpServersResponse response;
  ToProto(list, &response);
  EXPECT_LT(response.ByteSizeLong(), 2u << 20);
}

}  // namespace
}  // namespace codex_manager
