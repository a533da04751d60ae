#include "core/codex_protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

TEST(CodexSettingsOfTest, ReadsAStartAnswerAndAThreadSettings) {
  // The answer to thread/start, as Codex 0.171 gave it (cut).
  CodexSettings answer = CodexSettingsOf(json::parse(R"({
      "model": "gpt-5.5", "modelProvider": "mock", "reasoningEffort": null,
      "approvalPolicy": "on-request", "approvalsReviewer": "user",
      "sandbox": {"type": "readOnly", "networkAccess": false},
      "serviceTier": "default", "thread": {"id": "t"}})"));
  EXPECT_EQ(answer, (CodexSettings{"gpt-5.5", "mock", "", "on-request",
                                   "read-only", "user", "", "default"}));
  // thread/settings/updated's threadSettings after a turn's overrides.
  CodexSettings updated = CodexSettingsOf(json::parse(R"({
      "approvalPolicy": {"granular": {"rules": true}},
      "approvalsReviewer": "user", "model": "gpt-5.4", "effort": "high",
      "modelProvider": "mock", "sandboxPolicy": {"type": "workspaceWrite"},
      "collaborationMode": {"mode": "plan", "settings": {"model": "gpt-5.4"}}})"));
  EXPECT_EQ(updated, (CodexSettings{"gpt-5.4", "mock", "high", "granular",
                                    "workspace-write", "user", "plan", ""}));
  // Wrong types and unknown sandboxes are left empty; text made safe.
  CodexSettings hostile = CodexSettingsOf(json::parse(
      R"({"model": 5, "modelProvider": "\u00ff", "sandbox": {"type": "x"},
          "approvalsReviewer": ["user"], "collaborationMode": {"mode": "pair"},
          "serviceTier": 2})"));
  EXPECT_EQ(hostile, (CodexSettings{"", "\xc3\xbf", "", "", "", "", "", ""}));
  EXPECT_EQ(CodexSettingsOf(json()), CodexSettings());
  EXPECT_EQ(CodexSettingsOf(json::parse(std::string(R"({"model":")") +
                                        std::string(300, 'm') + "\"}"))
                .model,
            std::string(200, 'm') + "\xe2\x80\xa6");  // cut, with "…"
}

TEST(GoalOfCodexTest, ReadsAThreadGoalAndNothingElse) {
  std::optional<SessionGoal> goal = GoalOfCodex(json::parse(R"({
      "threadId": "t", "objective": "ship it", "status": "budgetLimited",
      "tokenBudget": 100, "tokensUsed": 101, "timeUsedSeconds": 7,
      "createdAt": 1796346749, "updatedAt": 1796346750})"));
  ASSERT_TRUE(goal.has_value());
  EXPECT_EQ(goal->objective, "ship it");
  EXPECT_EQ(goal->status, GoalStatus::kBudgetLimited);
  EXPECT_EQ(goal->token_budget, 100);
  EXPECT_EQ(goal->tokens_used, 101);
  EXPECT_EQ(goal->time_used_seconds, 7);
  EXPECT_EQ(goal->update_time, absl::FromUnixSeconds(1796346750));
  EXPECT_EQ(CodexGoalStatus(goal->status), "budgetLimited");
  EXPECT_EQ(CodexGoalStatus(GoalStatus::kUnspecified), "");

  // Hostile shapes: no goal, or what can be read of one.
  EXPECT_FALSE(GoalOfCodex(json()).has_value());
  EXPECT_FALSE(GoalOfCodex(json::array()).has_value());
  EXPECT_FALSE(GoalOfCodex({{"objective", 3}}).has_value());
  goal = GoalOfCodex({{"objective", std::string(5000, 'x') + "\xff"},
                      {"status", "someNewState"},
                      {"tokenBudget", nullptr},
                      {"tokensUsed", "many"},
                      {"createdAt", -1},
                      {"updatedAt", 1e300}});
  ASSERT_TRUE(goal.has_value());
  EXPECT_LE(goal->objective.size(), kMaxGoalObjectiveBytes + 3);
  EXPECT_EQ(goal->status, GoalStatus::kUnspecified);
  EXPECT_FALSE(goal->token_budget.has_value());
  EXPECT_EQ(goal->tokens_used, 0);
  EXPECT_EQ(goal->create_time, absl::UnixEpoch());
  EXPECT_EQ(goal->update_time, absl::UnixEpoch());
  // Our JSON form reads back the same.
  EXPECT_EQ(GoalFromJson(GoalToJson(*goal)), goal);
  EXPECT_FALSE(GoalFromJson(json::object()).has_value());
}

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

TEST(MapNotificationTest, PatchUpdatedIsTheFileChangeSoFar) {
  // As codex 0.171 sends it (apply_patch_streaming_events).
  const json changes = json::array(
      {{{"path", "notes.txt"}, {"kind", {{"type", "add"}}}, {"diff", "hel"}}});
  MappedNotification m =
      MapNotification("item/fileChange/patchUpdated", {{"threadId", "th"},
                                                       {"turnId", "tu"},
                                                       {"itemId", "call_1"},
                                                       {"changes", changes}});
  EXPECT_EQ(m.type, EventType::kItemUpdated);
  EXPECT_EQ(m.codex_turn_id, "tu");
  const json& item = m.payload["item"];
  EXPECT_EQ(item["type"], "fileChange");
  EXPECT_EQ(item["id"], "call_1");
  EXPECT_EQ(item["status"], "inProgress");
  EXPECT_EQ(DiffOfFileChange(item), "--- /dev/null\n+++ b/notes.txt\n+hel\n");
  // Hostile shapes: still an item, with no changes.
  for (const json& params :
       {json(nullptr), json::array(), json{{"itemId", 7}, {"changes", "x"}}}) {
    MappedNotification bad =
        MapNotification("item/fileChange/patchUpdated", params);
    EXPECT_EQ(bad.type, EventType::kItemUpdated);
    EXPECT_EQ(bad.payload["item"]["id"], "");
    EXPECT_EQ(bad.payload["item"]["changes"], json::array());
  }
}

TEST(MapNotificationTest, UnknownMethodsBecomeRaw) {
  json params = {{"turn", {{"id", "tu"}}}, {"x", json::array({1, 2})}};
  MappedNotification m = MapNotification("item/mcpToolCall/progress", params);
  EXPECT_EQ(m.type, EventType::kRaw);
  EXPECT_EQ(m.codex_turn_id, "tu");
  EXPECT_EQ(m.payload["method"], "item/mcpToolCall/progress");
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

// The answer Codex would get (the test fails on an error).
json Result(const Approval& a, Decision d,
            const std::map<std::string, std::string>& answers = {}) {
  absl::StatusOr<json> r = ApprovalResult(a, d, answers);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : json();
}

TEST(ApprovalTest, DecisionsMapToCodexValues) {
  Approval cmd;
  cmd.kind = ApprovalKind::kCommandExecution;
  cmd.method = "item/commandExecution/requestApproval";
  EXPECT_EQ(Result(cmd, Decision::kApprove), json({{"decision", "accept"}}));
  EXPECT_EQ(Result(cmd, Decision::kApproveForSession),
            json({{"decision", "acceptForSession"}}));
  EXPECT_EQ(Result(cmd, Decision::kDeny), json({{"decision", "decline"}}));
  EXPECT_EQ(Result(cmd, Decision::kAbort), json({{"decision", "cancel"}}));
  Approval input;
  input.kind = ApprovalKind::kUserInput;
  input.params_json =
      R"({"questions":[{"id":"q1","header":"h","question":"q"}]})";
  EXPECT_EQ(Result(input, Decision::kApprove, {{"q1", "yes"}}),
            json({{"answers", {{"q1", {{"answers", {"yes"}}}}}}}));
  EXPECT_EQ(Result(input, Decision::kAbort, {{"q1", "yes"}}),
            json({{"answers", json::object()}}));
  Approval perms;
  perms.kind = ApprovalKind::kPermissions;
  perms.params_json = R"({"permissions":{"network":{"enabled":true}}})";
  EXPECT_EQ(Result(perms, Decision::kApprove)["permissions"],
            json({{"network", {{"enabled", true}}}}));
  EXPECT_EQ(Result(perms, Decision::kDeny)["permissions"], json::object());
  EXPECT_EQ(Result(perms, Decision::kAbort)["permissions"], json::object());
}

// item/tool/requestUserInput as codex 0.171 sends it
// (ToolRequestUserInputParams): answers go by question id, a choice
// without an "other" answer takes one of its labels.
TEST(ApprovalTest, UserInputAnswersAnswerTheQuestionsAsked) {
  std::string codex_turn_id;
  Approval a =
      ApprovalFromRequest("item/tool/requestUserInput", json::parse(R"({
      "threadId":"t","turnId":"u","itemId":"call_1","isBlocking":true,
      "questions":[
        {"id":"lang","header":"Language","question":"Which?","isOther":false,
         "options":[{"label":"Python","description":"d"},
                    {"label":"Go","description":"d"}]},
        {"id":"note","header":"Note","question":"Anything else?","isOther":true,
         "options":[{"label":"No","description":"d"}]},
        {"id":"key","header":"Key","question":"The key","isSecret":true,
         "options":null}]})"),
                          &codex_turn_id);
  ASSERT_EQ(a.kind, ApprovalKind::kUserInput);
  const std::vector<UserInputQuestion> asked = UserInputQuestionsOf(a);
  ASSERT_EQ(asked.size(), 3u);
  EXPECT_EQ(asked[0].header, "Language");
  EXPECT_EQ(asked[0].options, (std::vector<std::pair<std::string, std::string>>{
                                  {"Python", "d"}, {"Go", "d"}}));
  EXPECT_FALSE(asked[0].is_other);
  EXPECT_TRUE(asked[1].is_other);
  EXPECT_TRUE(asked[2].is_secret);
  EXPECT_TRUE(asked[2].options.empty());
  EXPECT_EQ(Result(a, Decision::kApprove,
                   {{"lang", "Go"}, {"note", "free text"}, {"key", "s3cret"}}),
            json::parse(R"({"answers":{"lang":{"answers":["Go"]},
                "note":{"answers":["free text"]},"key":{"answers":["s3cret"]}}})"));
  // Some questions unanswered, or answered empty: what was answered goes.
  EXPECT_EQ(Result(a, Decision::kApprove, {{"lang", ""}}),
            json::parse(R"({"answers":{"lang":{"answers":[""]}}})"));

  auto message = [&](std::map<std::string, std::string> answers) {
    absl::StatusOr<json> r = ApprovalResult(a, Decision::kApprove, answers);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(r.status().message());
  };
  EXPECT_EQ(message({{"lang", "Go"}, {"langauge", "Go"}}),
            "answers[langauge]: the request asks no such question (it asks "
            "lang, note, key)");
  EXPECT_EQ(message({{"lang", "Rust"}}),
            "answers[lang]: expected one of Python, Go (the question takes no "
            "other answer)");
  // Not even a wrong secret is quoted back.
  Approval secret = a;
  secret.params_json = R"({"questions":[{"id":"pin","isSecret":true,
      "options":[{"label":"1234"}]}]})";
  absl::StatusOr<json> r =
      ApprovalResult(secret, Decision::kApprove, {{"pin", "9999"}});
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::Not(::testing::HasSubstr("9999")));
  // Bounded, whatever the kind.
  EXPECT_EQ(message({{"key", std::string(kMaxAnswerBytes + 1, 'x')}}),
            absl::StrCat("answers[key]: at most 65536 bytes, got ",
                         kMaxAnswerBytes + 1));
  EXPECT_EQ(message({{std::string(300, 'n'), "x"}}),
            "answers: a name is at most 256 bytes, got 300");
  // Only the first of an id asked twice, and none without an id, count.
  Approval twice = a;
  twice.params_json = R"({"questions":[{"id":"q","question":"first"},
      {"id":"q","question":"second"},{"question":"no id"},7]})";
  ASSERT_EQ(UserInputQuestionsOf(twice).size(), 1u);
  EXPECT_EQ(UserInputQuestionsOf(twice)[0].question, "first");
  // A request with no questions (a hostile runtime's) takes no answers.
  Approval none = a;
  none.params_json = R"({"questions":"all of them"})";
  r = ApprovalResult(none, Decision::kApprove, {{"lang", "Go"}});
  EXPECT_EQ(std::string(r.status().message()),
            "answers[lang]: the request asks no such question (it asks none)");
  EXPECT_EQ(Result(none, Decision::kApprove), json::parse(R"({"answers":{}})"));
  // A command takes a decision, not answers.
  Approval cmd;
  cmd.kind = ApprovalKind::kCommandExecution;
  r = ApprovalResult(cmd, Decision::kApprove, {{"lang", "Go"}});
  EXPECT_EQ(std::string(r.status().message()),
            "answers: only a USER_INPUT or MCP_ELICITATION approval takes "
            "answers");
}

// What a PERMISSIONS request asks, in words, as the pinned Codex sends it
// (entries, and the legacy lists repeating them).
TEST(ApprovalTest, RequestedPermissionsAreALineEach) {
  std::string codex_turn_id;
  Approval a =
      ApprovalFromRequest("item/permissions/requestApproval", json::parse(R"({
      "threadId":"t","turnId":"u","itemId":"call_1","cwd":"/p",
      "reason":"To fetch it","startedAtMs":1,
      "permissions":{"network":{"enabled":true},"fileSystem":{
        "entries":[
          {"access":"write","path":{"type":"path","path":"/p/out"}},
          {"access":"read","path":{"type":"glob_pattern","pattern":"/etc/*.conf"}},
          {"access":"deny","path":{"type":"special","value":{"kind":"root"}}},
          {"access":"write","path":{"type":"special",
           "value":{"kind":"project_roots","subpath":"build"}}},
          {"access":"read","path":{"type":"special","value":{"kind":"tmpdir"}}},
          {"access":"steal","path":{"type":"path","path":"/x"}},
          {"access":"read","path":{"type":"wormhole"}},
          {"access":"read","path":"/not/an/object"}],
        "read":null,"write":["/p/out","/p/more",7]}}})"),
                          &codex_turn_id);
  ASSERT_EQ(a.kind, ApprovalKind::kPermissions);
  EXPECT_EQ(RequestedPermissionsOf(a),
            (std::vector<std::string>{
                "network access", "write /p/out", "read /etc/*.conf",
                "deny the whole file system", "write the project roots' build",
                "read $TMPDIR", "write /p/more"}));
  // No network asked, or asked as false: no line.
  a.params_json = R"({"permissions":{"network":{"enabled":false}}})";
  EXPECT_TRUE(RequestedPermissionsOf(a).empty());
  a.params_json = R"({"permissions":"everything"})";
  EXPECT_TRUE(RequestedPermissionsOf(a).empty());
  // Bounded: lines cut, and a count of those past the limit.
  json many = json::array();
  for (int i = 0; i < 150; ++i) many.push_back("/p/" + std::to_string(i));
  many.push_back(std::string(5000, 'x'));
  a.params_json =
      json{{"permissions", {{"fileSystem", {{"write", many}}}}}}.dump();
  std::vector<std::string> lines = RequestedPermissionsOf(a);
  ASSERT_EQ(lines.size(), kMaxPermissionLines + 1);
  EXPECT_EQ(lines.back(), "and 51 more");
  a.params_json =
      json{{"permissions",
            {{"fileSystem", {{"write", {std::string(5000, 'x')}}}}}}}
          .dump();
  lines = RequestedPermissionsOf(a);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_LE(lines[0].size(), kMaxPermissionLineBytes);
  // Other kinds ask for none.
  a.kind = ApprovalKind::kCommandExecution;
  EXPECT_TRUE(RequestedPermissionsOf(a).empty());
}

TEST(ApprovalTest, OffersWhatCodexOffersAndRemembersItsAmendment) {
  // As codex 0.169 sends it under approval policy `untrusted`.
  Approval cmd;
  cmd.kind = ApprovalKind::kCommandExecution;
  cmd.method = "item/commandExecution/requestApproval";
  cmd.params_json = R"({"availableDecisions":["accept",
      {"acceptWithExecpolicyAmendment":{"execpolicy_amendment":["echo","hi"]}},
      {"applyNetworkPolicyAmendment":{"network_policy_amendment":
        {"action":"allow","host":"x"}}},
      "cancel"],
    "proposedExecpolicyAmendment":["echo","other"]})";
  EXPECT_EQ(OfferedDecisions(cmd),
            (std::vector<Decision>{Decision::kApprove,
                                   Decision::kApproveAndRemember,
                                   Decision::kAbort}));
  EXPECT_EQ(ExecpolicyAmendmentOf(cmd),
            (std::vector<std::string>{"echo", "hi"}));
  EXPECT_EQ(Result(cmd, Decision::kApproveAndRemember),
            json::parse(R"({"decision":{"acceptWithExecpolicyAmendment":
                {"execpolicy_amendment":["echo","hi"]}}})"));
  // No availableDecisions: the kind's defaults, remembering only when
  // Codex proposes an amendment.
  cmd.params_json = R"({"proposedExecpolicyAmendment":["ls"]})";
  EXPECT_EQ(OfferedDecisions(cmd),
            (std::vector<Decision>{
                Decision::kApprove, Decision::kApproveForSession,
                Decision::kApproveAndRemember, Decision::kDeny,
                Decision::kAbort}));
  cmd.params_json = "{}";
  EXPECT_EQ(OfferedDecisions(cmd).size(), 4u);
  // Hostile shapes read as nothing offered: the defaults.
  cmd.params_json = R"({"availableDecisions":[7,null,{"x":1}]})";
  EXPECT_EQ(OfferedDecisions(cmd).size(), 4u);
}

TEST(ApprovalTest, LegacyRequestsGetReviewDecisions) {
  Approval exec;
  exec.kind = ApprovalKind::kCommandExecution;
  exec.method = "execCommandApproval";
  exec.params_json =
      R"({"command":["git","push"],"proposed_execpolicy_amendment":["git"]})";
  EXPECT_EQ(Result(exec, Decision::kApprove), json({{"decision", "approved"}}));
  EXPECT_EQ(Result(exec, Decision::kApproveForSession),
            json({{"decision", "approved_for_session"}}));
  EXPECT_EQ(Result(exec, Decision::kDeny), json({{"decision", "denied"}}));
  EXPECT_EQ(Result(exec, Decision::kAbort), json({{"decision", "abort"}}));
  EXPECT_EQ(Result(exec, Decision::kApproveAndRemember),
            json::parse(R"({"decision":{"approved_execpolicy_amendment":
                {"proposed_execpolicy_amendment":["git"]}}})"));
  Approval patch;
  patch.kind = ApprovalKind::kFileChange;
  patch.method = "applyPatchApproval";
  EXPECT_EQ(Result(patch, Decision::kDeny), json({{"decision", "denied"}}));
}

TEST(ApprovalTest, ElicitationFormsAreTypedByTheirSchema) {
  std::string codex_turn_id;
  const json params = json::parse(R"({"serverName":"tickets",
      "threadId":"t","turnId":"u","mode":"form","message":"File a ticket?",
      "requestedSchema":{"type":"object","required":["title"],
        "properties":{"title":{"type":"string"},
                      "priority":{"type":"integer"},
                      "urgent":{"type":"boolean"},
                      "labels":{"type":"array"}}}})");
  Approval a = ApprovalFromRequest("mcpServer/elicitation/request", params,
                                   &codex_turn_id);
  EXPECT_EQ(a.kind, ApprovalKind::kMcpElicitation);
  EXPECT_EQ(a.reason, "File a ticket?");
  EXPECT_EQ(codex_turn_id, "u");
  EXPECT_EQ(ElicitationOf(a).server_name, "tickets");
  EXPECT_EQ(OfferedDecisions(a),
            (std::vector<Decision>{Decision::kApprove, Decision::kDeny,
                                   Decision::kAbort}));
  EXPECT_EQ(Result(a, Decision::kApprove,
                   {{"title", "Disk full"},
                    {"priority", "2"},
                    {"urgent", "true"},
                    {"labels", "ops, disk"}}),
            json::parse(R"({"action":"accept","content":{"title":"Disk full",
                "priority":2,"urgent":true,"labels":["ops","disk"]}})"));
  // A list given as JSON is taken as it is; lists of lists are not lists
  // of values (and would reach Codex as deep as a client nested them).
  EXPECT_EQ(Result(a, Decision::kApprove,
                   {{"title", "t"}, {"labels", R"(["a", 2])"}})["content"]["labels"],
            json::parse(R"(["a",2])"));
  const std::string deep = std::string(30000, '[') + std::string(30000, ']');
  const json labels =
      Result(a, Decision::kApprove, {{"title", "t"}, {"labels", deep}})
          ["content"]["labels"];
  ASSERT_TRUE(labels.is_array() && labels.size() == 1 && labels[0].is_string());
  EXPECT_EQ(labels[0].get<std::string>().size(), deep.size());
  EXPECT_EQ(Result(a, Decision::kDeny),
            json::parse(R"({"action":"decline","content":null})"));
  EXPECT_EQ(Result(a, Decision::kAbort),
            json::parse(R"({"action":"cancel","content":null})"));
  // Answers that do not fit refuse, naming the field.
  absl::StatusOr<json> bad =
      ApprovalResult(a, Decision::kApprove, {{"title", "x"}, {"priority", "high"}});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()),
              ::testing::HasSubstr("answers[priority]"));
  bad = ApprovalResult(a, Decision::kApprove, {{"priority", "1"}});
  EXPECT_THAT(std::string(bad.status().message()),
              ::testing::HasSubstr("answers[title]: required"));
  bad = ApprovalResult(a, Decision::kApprove, {{"title", "x"}, {"nope", "1"}});
  EXPECT_THAT(std::string(bad.status().message()),
              ::testing::HasSubstr("answers[nope]: the form has no such field"));
  // A choice must be one of its options (`enum`, or `oneOf` consts).
  Approval choice = ApprovalFromRequest(
      "mcpServer/elicitation/request",
      json::parse(R"({"mode":"form","message":"m","requestedSchema":{
          "type":"object","properties":{
            "size":{"type":"string","enum":["s","m"]},
            "tier":{"type":"string","oneOf":[{"const":"free"},{"const":"pro"}]}}}})"),
      &codex_turn_id);
  bad = ApprovalResult(choice, Decision::kApprove, {{"size", "xl"}});
  EXPECT_THAT(std::string(bad.status().message()),
              ::testing::HasSubstr("answers[size]: expected one of s, m"));
  bad = ApprovalResult(choice, Decision::kApprove, {{"tier", "gold"}});
  EXPECT_THAT(std::string(bad.status().message()),
              ::testing::HasSubstr("answers[tier]: expected one of free, pro"));
  EXPECT_EQ(Result(choice, Decision::kApprove, {{"size", "m"}, {"tier", "pro"}}),
            json::parse(R"({"action":"accept","content":{"size":"m","tier":"pro"}})"));
  // A device verification cannot be given here: only no.
  Approval verify = ApprovalFromRequest(
      "mcpServer/elicitation/request",
      json::parse(R"({"mode":"openai/userVerification","description":"d"})"),
      &codex_turn_id);
  EXPECT_EQ(OfferedDecisions(verify),
            (std::vector<Decision>{Decision::kDeny, Decision::kAbort}));
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

// The files a change touches, from the headers of its diff only: a
// changed line that looks like a header is not one.
TEST(ApprovalTest, ChangedFilesAreReadFromTheDiffsHeaders) {
  Approval a;
  a.kind = ApprovalKind::kFileChange;
  a.diff = DiffOfFileChange(
      {{"changes",
        {{{"path", "/p/notes.txt"},
          {"kind", {{"type", "add"}}},
          {"diff", "-- a/not/a/header\n++ b/nor/this\n"}},
         {{"path", "/p/old.txt"},
          {"kind", {{"type", "delete"}}},
          {"diff", "x\n"}},
         {{"path", "/p/a.cc"},
          {"kind", {{"type", "update"}, {"move_path", "/p/b.cc"}}},
          {"diff", "@@ -1 +1 @@\n--- a/hunk\n+++ b/hunk\n"}},
         {{"path", "/p/notes.txt"},
          {"kind", {{"type", "update"}}},
          {"diff", "@@ -1 +1 @@\n-a\n+b\n"}}}}});
  EXPECT_EQ(ChangedFilesOf(a),
            (std::vector<std::string>{"/p/notes.txt", "/p/old.txt", "/p/a.cc",
                                      "/p/b.cc"}));
  // Bounded: a hostile runtime's change of very many files.
  a.diff.clear();
  for (int i = 0; i < 3000; ++i) {
    absl::StrAppend(&a.diff, "--- /dev/null\n+++ b/f", i % 2000, "\n+x\n");
  }
  const std::vector<std::string> many = ChangedFilesOf(a);
  ASSERT_EQ(many.size(), kMaxChangedFiles);
  EXPECT_EQ(many.back(), "/f999");
  a.diff = "";
  EXPECT_TRUE(ChangedFilesOf(a).empty());
  a.kind = ApprovalKind::kCommandExecution;
  a.diff = "--- /dev/null\n+++ b/p/x\n";
  EXPECT_TRUE(ChangedFilesOf(a).empty());
}

TEST(TurnStatusTest, MapsCodexStatuses) {
  EXPECT_EQ(TurnStateOfCodexStatus("completed"), TurnState::kCompleted);
  EXPECT_EQ(TurnStateOfCodexStatus("interrupted"), TurnState::kInterrupted);
  EXPECT_EQ(TurnStateOfCodexStatus("failed"), TurnState::kFailed);
  EXPECT_EQ(TurnStateOfCodexStatus("weird"), TurnState::kFailed);
}

}  // namespace
}  // namespace codex_manager
