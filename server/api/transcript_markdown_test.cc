// The Markdown transcript: what a reader needs is there, and nothing from
// Codex can break out of its block.
#include "api/transcript_markdown.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace codex_manager {
namespace {

v1::Event TurnChanged(const std::string& turn_id, v1::TurnState state,
                      const std::string& prompt = "") {
  v1::Event e;
  e.set_type(v1::EVENT_TYPE_TURN_STATE_CHANGED);
  e.set_turn_id(turn_id);
  e.mutable_create_time()->set_seconds(1700000000);
  e.mutable_turn_state_changed()->set_turn_id(turn_id);
  e.mutable_turn_state_changed()->set_state(state);
  e.mutable_turn_state_changed()->set_prompt(prompt);
  return e;
}

v1::Event ItemEvent(v1::EventType type, const std::string& item_type,
                    const std::string& id) {
  v1::Event e;
  e.set_type(type);
  e.mutable_item()->set_item_type(item_type);
  e.mutable_item()->set_item_id(id);
  return e;
}

v1::Event ApprovalRequested(const std::string& approval_id,
                            v1::ApprovalKind kind) {
  v1::Event e;
  e.set_type(v1::EVENT_TYPE_APPROVAL_REQUESTED);
  v1::Approval* a = e.mutable_approval_requested()->mutable_approval();
  a->set_approval_id(approval_id);
  a->set_kind(kind);
  return e;
}

v1::Event Delta(v1::EventType type, const std::string& id,
                const std::string& text) {
  v1::Event e;
  e.set_type(type);
  e.mutable_delta()->set_item_id(id);
  e.mutable_delta()->set_text(text);
  return e;
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

TEST(InlineCodeTest, BackticksInsideGetALongerDelimiter) {
  EXPECT_EQ(InlineCode("ls -la"), "`ls -la`");
  EXPECT_EQ(InlineCode("echo `id`"), "`` echo `id` ``");
  EXPECT_EQ(InlineCode("a\nb"), "`a b`");
}

TEST(FencedBlockTest, TheFenceOutgrowsAnyBacktickRun) {
  EXPECT_EQ(FencedBlock("x", "text"), "```text\nx\n```\n");
  EXPECT_EQ(FencedBlock("```\nrm -rf /\n```\n", "text"),
            "````text\n```\nrm -rf /\n```\n````\n");
}

// A session's own instructions for the agent come after the list of its
// settings (its model provider among them), quoted line by line.
TEST(MarkdownTranscriptTest, TheHeaderQuotesTheSessionsInstructions) {
  v1::Session session;
  session.set_session_id("ses_1");
  session.set_cwd("/srv/app");
  session.set_model_provider("ollama");
  session.set_developer_instructions("Answer in French.\n\nNever push.");
  session.set_preview("Tidy the\nREADME");  // untitled: it names the export
  const std::string out =
      MarkdownTranscript(session, {}).Header(absl::FromUnixSeconds(0));
  EXPECT_EQ(out.rfind("# Tidy the README\n\n- Session: `ses_1`\n", 0), 0u)
      << out;
  EXPECT_NE(out.find("- Model provider: `ollama`\n"), std::string::npos) << out;
  EXPECT_NE(out.find(" by codex-manager\n\n**Instructions for the agent:**"
                     "\n\n> Answer in French.\n>\n> Never push.\n"),
            std::string::npos)
      << out;
}

TEST(MarkdownTranscriptTest, AConversationWithACommandAndAnApproval) {
  v1::Session session;
  session.set_session_id("ses_1");
  session.set_title("fix the tests");
  session.set_cwd("/srv/app");
  MarkdownTranscript md(session, {{"apr_1", "alice"}});
  std::string out = md.Header(absl::FromUnixSeconds(1700000100));
  EXPECT_NE(out.find("# fix the tests\n"), std::string::npos) << out;
  EXPECT_NE(out.find("- Folder: `/srv/app`"), std::string::npos) << out;
  EXPECT_EQ(out.find("Instructions"), std::string::npos) << out;
  EXPECT_EQ(out.find("Model provider"), std::string::npos) << out;

  md.Add(TurnChanged("turn_1", v1::TURN_STATE_QUEUED, "run the tests\nplease"),
         &out);
  md.Add(TurnChanged("turn_1", v1::TURN_STATE_RUNNING), &out);
  v1::Event started =
      ItemEvent(v1::EVENT_TYPE_ITEM_STARTED, "commandExecution", "c1");
  started.mutable_item()->set_command("echo <b>&`x`");
  md.Add(started, &out);
  v1::Event approval =
      ApprovalRequested("apr_1", v1::APPROVAL_KIND_COMMAND_EXECUTION);
  v1::Approval* a = approval.mutable_approval_requested()->mutable_approval();
  a->set_command("echo <b>&`x`");
  md.Add(approval, &out);
  v1::Event resolved;
  resolved.set_type(v1::EVENT_TYPE_APPROVAL_RESOLVED);
  resolved.mutable_approval_resolved()->set_approval_id("apr_1");
  resolved.mutable_approval_resolved()->set_state(v1::APPROVAL_STATE_APPROVED);
  resolved.mutable_approval_resolved()->set_decision(v1::DECISION_APPROVE);
  md.Add(resolved, &out);
  md.Add(Delta(v1::EVENT_TYPE_COMMAND_OUTPUT_DELTA, "c1", "partial"), &out);
  v1::Event done =
      ItemEvent(v1::EVENT_TYPE_ITEM_COMPLETED, "commandExecution", "c1");
  done.mutable_item()->set_command("echo <b>&`x`");
  done.mutable_item()->set_status("completed");
  done.mutable_item()->set_exit_code(0);
  done.mutable_item()->set_aggregated_output("<b>&```\n");
  md.Add(done, &out);
  md.Add(Delta(v1::EVENT_TYPE_AGENT_MESSAGE_DELTA, "m1", "All "), &out);
  v1::Event reply =
      ItemEvent(v1::EVENT_TYPE_ITEM_COMPLETED, "agentMessage", "m1");
  reply.mutable_item()->set_text("All **green**.");
  md.Add(reply, &out);
  md.Add(TurnChanged("turn_1", v1::TURN_STATE_COMPLETED), &out);
  md.Finish(&out);

  EXPECT_NE(out.find("## Turn 1 · `turn_1` · 22:13:20 UTC\n\n**You:**\n\n"
                     "> run the tests\n> please\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("**Approval** `apr_1` · 00:00:00 UTC — Codex asked to "
                     "run `` echo <b>&`x` ``"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("**Approval** `apr_1`: **approved** by `alice`"),
            std::string::npos)
      << out;
  // The command is escaped in the HTML summary; its output is fenced with a
  // fence longer than the backticks in it; the completed output wins over
  // the deltas.
  EXPECT_NE(out.find("<summary>Command <code>echo &lt;b&gt;&amp;`x`</code> · "
                     "completed · exit 0</summary>\n\n````text\n<b>&```\n"
                     "````\n\n</details>"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("partial"), std::string::npos) << out;
  EXPECT_NE(out.find("**Codex:**\n\nAll **green**.\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("*Turn completed (22:13:20 UTC).*"), std::string::npos)
      << out;
}

// A user-input request lists its questions (header, id, text, options); a
// question's text cannot start a block of its own.
TEST(MarkdownTranscriptTest, AQuestionIsListedWithItsOptions) {
  MarkdownTranscript md(v1::Session(), {});
  std::string out;
  v1::Event asked = ApprovalRequested("apr_2", v1::APPROVAL_KIND_USER_INPUT);
  v1::Approval* a = asked.mutable_approval_requested()->mutable_approval();
  a->set_method("item/tool/requestUserInput");
  a->set_params_json(R"json({"questions":[
      {"id":"storage","header":"Storage","question":"Where?\n## not a heading",
       "isOther":true,"options":[{"label":"Disk (Recommended)","description":"kept"},
                                 {"label":"Memory"}]},
      {"id":"key","question":"The key","isSecret":true},
      {"header":"no id"}]})json");
  md.Add(asked, &out);
  EXPECT_NE(out.find("— Codex asked you (`item/tool/requestUserInput`):\n\n"
                     "- **Storage** (`storage`): Where? ## not a heading — "
                     "Disk (Recommended) (kept); Memory; or another answer\n"
                     "- (`key`): The key (secret)\n"),
            std::string::npos)
      << out;
  // Params it cannot read are shown as they are.
  a->set_params_json(R"({"questions":"?"})");
  out.clear();
  md.Add(asked, &out);
  EXPECT_NE(out.find("```json\n{\"questions\":\"?\"}\n```"), std::string::npos)
      << out;
}

TEST(MarkdownTranscriptTest, PermissionsAskedForAreListed) {
  MarkdownTranscript md(v1::Session(), {});
  std::string out;
  v1::Event asked = ApprovalRequested("apr_3", v1::APPROVAL_KIND_PERMISSIONS);
  v1::Approval* a = asked.mutable_approval_requested()->mutable_approval();
  a->set_method("item/permissions/requestApproval");
  a->set_reason("To fetch it");
  a->set_params_json(R"({"permissions":{"network":{"enabled":true}}})");
  a->add_requested_permissions("network access");
  a->add_requested_permissions("write /srv/out\n# not a heading");
  md.Add(asked, &out);
  EXPECT_NE(
      out.find("— Codex asked for permissions:\n\n- network access\n"
               "- write /srv/out # not a heading\n\nReason: To fetch it\n"),
      std::string::npos)
      << out;
  // None it could read: the request as sent.
  a->clear_requested_permissions();
  out.clear();
  md.Add(asked, &out);
  EXPECT_NE(
      out.find("asked (`item/permissions/requestApproval`):\n\n```json\n"),
      std::string::npos)
      << out;
}

TEST(MarkdownTranscriptTest, ChangedSettingsAreNoted) {
  MarkdownTranscript md(v1::Session(), {});
  v1::Event e;
  e.set_type(v1::EVENT_TYPE_SESSION_UPDATED);
  e.mutable_create_time()->set_seconds(1700000000);
  v1::SessionUpdated* u = e.mutable_session_updated();
  u->add_changed_fields("model");
  u->add_changed_fields("effort");
  u->add_changed_fields("approval_policy");
  u->set_model("gpt-5`x");
  u->set_approval_policy("never");
  u->set_title("not changed, not shown");
  std::string out;
  md.Add(e, &out);
  EXPECT_EQ(out,
            "\n> **Settings changed** (22:13:20 UTC): model ``gpt-5`x``, "
            "effort default, approval policy `never`\n");
}

TEST(MarkdownTranscriptTest, ARevertIsNoted) {
  MarkdownTranscript md(v1::Session(), {});
  v1::Event e;
  e.set_type(v1::EVENT_TYPE_SESSION_REVERTED);
  e.mutable_create_time()->set_seconds(1700000000);
  e.mutable_session_reverted()->set_before_turn_id("turn_2");
  e.mutable_session_reverted()->add_reverted_turn_ids("turn_2");
  e.mutable_session_reverted()->add_reverted_turn_ids("turn_3");
  std::string out;
  md.Add(e, &out);
  EXPECT_EQ(out,
            "\n> **Undone** (22:13:20 UTC): 2 turns from `turn_2` left the "
            "conversation; the agent no longer sees them\n");
}

TEST(MarkdownTranscriptTest, CodexSettingsAreNoted) {
  MarkdownTranscript md(v1::Session(), {});
  v1::Event e;
  e.set_type(v1::EVENT_TYPE_CODEX_SETTINGS_CHANGED);
  e.mutable_create_time()->set_seconds(1700000000);
  v1::CodexSettings* c = e.mutable_codex_settings();
  c->set_model("gpt-5.4");
  c->set_model_provider("mock\nprovider");
  c->set_approval_policy("never");
  c->set_sandbox("read-only");
  std::string out;
  md.Add(e, &out);
  EXPECT_EQ(out,
            "\n> **Codex settings** (22:13:20 UTC): model `gpt-5.4` (`mock "
            "provider`), effort default, approval policy `never`, sandbox "
            "`read-only`\n");
}

TEST(MarkdownTranscriptTest, AProposedPlanIsQuotedAndPlanModeNoted) {
  MarkdownTranscript md(v1::Session(), {});
  v1::Event settings;
  settings.set_type(v1::EVENT_TYPE_CODEX_SETTINGS_CHANGED);
  settings.mutable_create_time()->set_seconds(1700000000);
  settings.mutable_codex_settings()->set_model("m");
  settings.mutable_codex_settings()->set_collaboration_mode("plan");
  v1::Event plan;
  plan.set_type(v1::EVENT_TYPE_ITEM_COMPLETED);
  plan.mutable_item()->set_item_type("plan");
  plan.mutable_item()->set_text("# Tidy\n\n- one\n");
  std::string out;
  md.Add(settings, &out);
  md.Add(plan, &out);
  EXPECT_THAT(out, ::testing::EndsWith(
                       "\n**Proposed plan:**\n\n> # Tidy\n>\n> - one\n"));
  EXPECT_THAT(out, ::testing::HasSubstr(", plan mode\n"));
}

TEST(MarkdownTranscriptTest, AGoalIsNotedWhenItsObjectiveOrStatusChanges) {
  MarkdownTranscript md(v1::Session(), {});
  auto goal = [&](v1::GoalStatus status, int64_t tokens_used) {
    v1::Event e;
    e.set_type(v1::EVENT_TYPE_GOAL_UPDATED);
    e.mutable_create_time()->set_seconds(1700000000);
    if (status != v1::GOAL_STATUS_UNSPECIFIED) {
      e.mutable_goal_updated()->mutable_goal()->set_objective("ship\nit");
      e.mutable_goal_updated()->mutable_goal()->set_status(status);
      e.mutable_goal_updated()->mutable_goal()->set_tokens_used(tokens_used);
    }
    std::string out;
    md.Add(e, &out);
    return out;
  };
  EXPECT_EQ(goal(v1::GOAL_STATUS_ACTIVE, 0),
            "\n> **Goal** (22:13:20 UTC): ship it (active)\n");
  EXPECT_EQ(goal(v1::GOAL_STATUS_ACTIVE, 40), "");  // usage alone
  EXPECT_EQ(goal(v1::GOAL_STATUS_BUDGET_LIMITED, 90),
            "\n> **Goal** (22:13:20 UTC): ship it (budget limited)\n");
  EXPECT_EQ(goal(v1::GOAL_STATUS_UNSPECIFIED, 0),
            "\n> **Goal cleared** (22:13:20 UTC)\n");
}

TEST(MarkdownTranscriptTest, ATurnCodexStartedHasAHeadingAndNoPrompt) {
  MarkdownTranscript md(v1::Session(), {});
  v1::Event e;
  e.set_type(v1::EVENT_TYPE_TURN_STATE_CHANGED);
  e.mutable_create_time()->set_seconds(1700000000);
  e.mutable_turn_state_changed()->set_turn_id("turn_9");
  e.mutable_turn_state_changed()->set_state(v1::TURN_STATE_RUNNING);
  e.mutable_turn_state_changed()->set_started_by_codex(true);
  std::string out;
  md.Add(e, &out);
  EXPECT_EQ(out,
            "\n## Turn 1 · `turn_9` · 22:13:20 UTC\n\n"
            "*Codex went on by itself.*\n");
}

// A prompt queued behind a running turn is said where its turn starts, so
// the running turn's rest stays under its own heading; one that never ran
// is said where it was dropped, without a heading; one still queued at
// the end is said last.
TEST(MarkdownTranscriptTest, AQueuedPromptIsSaidWhereItsTurnStarts) {
  MarkdownTranscript md(v1::Session(), {});
  std::string out;
  md.Add(TurnChanged("turn_1", v1::TURN_STATE_QUEUED, "first"), &out);
  md.Add(TurnChanged("turn_1", v1::TURN_STATE_RUNNING), &out);
  md.Add(TurnChanged("turn_2", v1::TURN_STATE_QUEUED, "second"), &out);
  md.Add(TurnChanged("turn_3", v1::TURN_STATE_QUEUED, "third"), &out);
  md.Add(TurnChanged("turn_4", v1::TURN_STATE_QUEUED, "fourth"), &out);
  v1::Event dropped = TurnChanged("turn_3", v1::TURN_STATE_INTERRUPTED);
  dropped.mutable_turn_state_changed()->set_error(
      "interrupted before it started");
  md.Add(dropped, &out);
  v1::Event reply =
      ItemEvent(v1::EVENT_TYPE_ITEM_COMPLETED, "agentMessage", "m1");
  reply.mutable_item()->set_text("Done with the first.");
  md.Add(reply, &out);
  md.Add(TurnChanged("turn_1", v1::TURN_STATE_COMPLETED), &out);
  md.Add(TurnChanged("turn_2", v1::TURN_STATE_RUNNING), &out);
  md.Finish(&out);
  EXPECT_EQ(out,
            "\n## Turn 1 · `turn_1` · 22:13:20 UTC\n\n**You:**\n\n> first\n"
            "\n*Not sent: the prompt queued as turn `turn_3` was interrupted: "
            "interrupted before it started (22:13:20 UTC).*\n\n> third\n"
            "\n**Codex:**\n\nDone with the first.\n"
            "\n*Turn completed (22:13:20 UTC).*\n"
            "\n## Turn 2 · `turn_2` · 22:13:20 UTC\n\n**You:**\n\n> second\n"
            "\n*Queued, not started yet (turn `turn_4`):*\n\n> fourth\n");
}

// A stream that starts after a turn was queued (a cursor past its QUEUED)
// heads the turn where it starts and quotes its prompt from Codex's echo.
TEST(MarkdownTranscriptTest, ATurnWhoseQueuingWasNotSeenIsHeadedWhereItStarts) {
  MarkdownTranscript md(v1::Session(), {});
  std::string out;
  md.Add(TurnChanged("turn_5", v1::TURN_STATE_RUNNING), &out);
  v1::Event prompt =
      ItemEvent(v1::EVENT_TYPE_ITEM_COMPLETED, "userMessage", "u1");
  prompt.set_turn_id("turn_5");
  prompt.mutable_item()->set_text("from before the cursor");
  md.Add(prompt, &out);
  EXPECT_EQ(out,
            "\n## Turn 1 · `turn_5` · 22:13:20 UTC\n"
            "\n**You:**\n\n> from before the cursor\n");
}

TEST(MarkdownTranscriptTest, TerminalInputIsQuotedAsTyped) {
  MarkdownTranscript md(v1::Session(), {});
  v1::Event typed;
  typed.set_type(v1::EVENT_TYPE_TERMINAL_INPUT);
  typed.mutable_terminal_input()->set_process_id("27649");
  typed.mutable_terminal_input()->set_stdin("say `hi`\n");
  std::string out;
  md.Add(typed, &out);
  EXPECT_EQ(out,
            "\n> **Typed into a running command** (process 27649): "
            "`` say `hi` ``\n");
}

TEST(MarkdownTranscriptTest, APersonsShellCommandSaysSo) {
  MarkdownTranscript md(v1::Session(), {});
  v1::Event ran = ItemEvent(v1::EVENT_TYPE_ITEM_COMPLETED, "commandExecution", "c1");
  ran.mutable_item()->set_command("/bin/bash -lc 'git status'");
  ran.mutable_item()->set_command_source("userShell");
  ran.mutable_item()->set_status("completed");
  std::string out;
  md.Add(ran, &out);
  EXPECT_NE(out.find("<summary>You ran <code>/bin/bash -lc 'git status'</code> · "
                     "completed</summary>"),
            std::string::npos)
      << out;
}

TEST(MarkdownTranscriptTest, HookRunsAreNotedOnceEndedAndTheirPromptQuoted) {
  MarkdownTranscript md(v1::Session(), {});
  v1::Event started;
  started.set_type(v1::EVENT_TYPE_HOOK_RUN);
  v1::HookRun* run = started.mutable_hook_run();
  run->set_event_name("preToolUse");
  run->set_status("running");
  run->set_status_message("checking the command");
  std::string out;
  md.Add(started, &out);
  EXPECT_EQ(out, "");  // only its end is noted

  v1::Event ended = started;
  run = ended.mutable_hook_run();
  run->set_status("blocked");
  run->set_duration_ms(4);
  v1::HookOutputEntry* entry = run->add_entries();
  entry->set_kind("feedback");
  entry->set_text("no rm\nhere");
  md.Add(ended, &out);
  EXPECT_EQ(out,
            "\n> **Hook** `preToolUse` blocked (4 ms)\n"
            "> - feedback: no rm here\n");

  v1::Event prompt;
  prompt.set_type(v1::EVENT_TYPE_ITEM_COMPLETED);
  prompt.mutable_item()->set_item_type("hookPrompt");
  prompt.mutable_item()->set_text("Now say\ngoodbye.");
  out.clear();
  md.Add(prompt, &out);
  EXPECT_EQ(out, "\n**Hook prompt:**\n\n> Now say\n> goodbye.\n");
}

TEST(MarkdownTranscriptTest, ToolCallsFoldAndSearchesAreNoted) {
  MarkdownTranscript md(v1::Session(), {});
  v1::Event call;
  call.set_type(v1::EVENT_TYPE_ITEM_COMPLETED);
  v1::Item* item = call.mutable_item();
  item->set_item_type("mcpToolCall");
  item->set_mcp_server("tickets");
  item->set_tool("file_ticket");
  item->set_status("failed");
  item->set_arguments(R"({"title":"<b>"})");
  item->set_error("timed\nout");
  std::string out;
  md.Add(call, &out);
  EXPECT_EQ(out,
            "\n<details>\n<summary>Tool <code>tickets/file_ticket</code> · "
            "failed</summary>\n\n```json\n{\"title\":\"<b>\"}\n```\n\n"
            "Error: timed out\n\n</details>\n");

  v1::Event search;
  search.set_type(v1::EVENT_TYPE_ITEM_COMPLETED);
  search.mutable_item()->set_item_type("webSearch");
  search.mutable_item()->set_text("codex hooks");
  out.clear();
  md.Add(search, &out);
  EXPECT_EQ(out, "\n*Searched the web:* codex hooks\n");

  // An image the agent generated, or why it could not; a wait.
  v1::Event image;
  image.set_type(v1::EVENT_TYPE_ITEM_COMPLETED);
  image.mutable_item()->set_item_type("imageGeneration");
  image.mutable_item()->set_status("completed");
  image.mutable_item()->set_text("/c/generated_images/ig.png");
  out.clear();
  md.Add(image, &out);
  EXPECT_EQ(out, "\n*Generated image* `/c/generated_images/ig.png`\n");
  image.mutable_item()->set_text("");
  image.mutable_item()->set_status("failed");
  image.mutable_item()->set_error("usageLimitExceeded");
  out.clear();
  md.Add(image, &out);
  EXPECT_EQ(out, "\n*Image not generated:* usageLimitExceeded\n");
  v1::Event nap;
  nap.set_type(v1::EVENT_TYPE_ITEM_COMPLETED);
  nap.mutable_item()->set_item_type("sleep");
  nap.mutable_item()->set_duration_ms(90000);
  out.clear();
  md.Add(nap, &out);
  EXPECT_EQ(out, "\n*Waited* 90.0 s\n");
}

TEST(MarkdownTranscriptTest, EventsARestoreLostAreNotedWhereTheyWere) {
  MarkdownTranscript md(v1::Session(), {});
  std::string out;
  v1::Event e = Delta(v1::EVENT_TYPE_AGENT_MESSAGE_DELTA, "m1", "cut off");
  e.set_session_seq(4);
  md.Add(e, &out);
  EXPECT_EQ(out, "");
  v1::Event next = TurnChanged("turn_2", v1::TURN_STATE_RUNNING);
  next.set_session_seq(9);
  md.Add(next, &out);
  EXPECT_THAT(out, ::testing::StartsWith(
                       "\n**Codex** (unfinished):\n\ncut off\n\n*Events 5–8 "
                       "of this session are missing: the server was restored "
                       "from a backup taken before them.*\n\n## Turn 1"));
  // Consecutive seqs: nothing more.
  const size_t before = out.size();
  next.set_session_seq(10);
  md.Add(next, &out);
  EXPECT_THAT(out.substr(before),
              ::testing::Not(::testing::HasSubstr("missing")));
}

// What a person added while a turn ran (SteerTurn) is quoted where Codex
// took it: after the reply it cut short, which never completes (0.171).
TEST(MarkdownTranscriptTest, ASteerIsQuotedWhereCodexTookIt) {
  MarkdownTranscript md(v1::Session(), {});
  std::string out;
  md.Add(TurnChanged("t1", v1::TURN_STATE_QUEUED, "count slowly"), &out);
  md.Add(TurnChanged("t1", v1::TURN_STATE_RUNNING), &out);
  const auto user = [&](v1::EventType type, const std::string& id,
                        const std::string& text) {
    v1::Event e = ItemEvent(type, "userMessage", id);
    e.set_turn_id("t1");
    e.mutable_item()->set_text(text);
    md.Add(e, &out);
  };
  user(v1::EVENT_TYPE_ITEM_STARTED, "u1", "count slowly");
  user(v1::EVENT_TYPE_ITEM_COMPLETED, "u1", "count slowly");
  md.Add(Delta(v1::EVENT_TYPE_AGENT_MESSAGE_DELTA, "m1", "one two"), &out);
  const size_t before = out.size();
  user(v1::EVENT_TYPE_ITEM_STARTED, "u2", "faster");
  user(v1::EVENT_TYPE_ITEM_COMPLETED, "u2", "faster");
  EXPECT_EQ(out.substr(before),
            "\n**Codex** (unfinished):\n\none two\n"
            "\n**You, while the turn ran:**\n\n> faster\n");
  EXPECT_EQ(Count(out, "count slowly"), 1) << out;
  md.Finish(&out);
  EXPECT_EQ(Count(out, "one two"), 1) << out;
}

// A sub-agent's blocks say whose they are; its start and end are noted.
TEST(MarkdownTranscriptTest, ASubAgentsWorkIsNamed) {
  MarkdownTranscript md(v1::Session(), {});
  std::string out;
  v1::Event started = ItemEvent(v1::EVENT_TYPE_ITEM_COMPLETED, "subAgentActivity", "a1");
  started.mutable_item()->set_item_json(
      R"({"kind":"started","agentPath":"/root/helper","model":"gpt-5.5"})");
  md.Add(started, &out);
  EXPECT_EQ(out, "\n*Sub-agent helper started (gpt-5.5).*\n");
  out.clear();
  v1::Event ran = ItemEvent(v1::EVENT_TYPE_ITEM_COMPLETED, "commandExecution", "c1");
  ran.mutable_item()->set_command("ls");
  ran.mutable_item()->set_status("completed");
  ran.mutable_sub_agent()->set_path("/root/helper");
  md.Add(ran, &out);
  EXPECT_EQ(out.rfind("\n*Sub-agent `helper`:*\n\n<details>\n<summary>Command <code>ls",
                      0),
            0u)
      << out;
  out.clear();
  v1::Event said = ItemEvent(v1::EVENT_TYPE_ITEM_COMPLETED, "agentMessage", "m1");
  said.mutable_item()->set_text("Done.");
  said.mutable_sub_agent()->set_path("/root/helper");
  md.Add(said, &out);
  EXPECT_EQ(out, "\n**Sub-agent `helper`:**\n\nDone.\n");
  // What it was still writing when it stopped says whose it was.
  out.clear();
  v1::Event cut = Delta(v1::EVENT_TYPE_AGENT_MESSAGE_DELTA, "m2", "half");
  cut.mutable_sub_agent()->set_path("/root/helper");
  md.Add(cut, &out);
  md.Finish(&out);
  EXPECT_EQ(out, "\n**Sub-agent `helper`** (unfinished):\n\nhalf\n");
}

// Codex says it compacted with a contextCompaction item (0.171) or
// thread/compacted (CONTEXT_COMPACTED): the export says it either way.
TEST(MarkdownTranscriptTest, ACompactionIsNoted) {
  MarkdownTranscript md(v1::Session(), {});
  std::string out;
  md.Add(ItemEvent(v1::EVENT_TYPE_ITEM_STARTED, "contextCompaction", "k1"), &out);
  EXPECT_EQ(out, "");
  md.Add(ItemEvent(v1::EVENT_TYPE_ITEM_COMPLETED, "contextCompaction", "k1"), &out);
  v1::Event older;
  older.set_type(v1::EVENT_TYPE_CONTEXT_COMPACTED);
  md.Add(older, &out);
  EXPECT_EQ(out,
            "\n*Codex compacted the conversation to free context.*\n"
            "\n*Codex compacted the conversation to free context.*\n");
}

TEST(MarkdownTranscriptTest, WhatNeverCompletedIsKeptAtTheEnd) {
  MarkdownTranscript md(v1::Session(), {});
  std::string out;
  md.Add(Delta(v1::EVENT_TYPE_AGENT_MESSAGE_DELTA, "m1", "half a "), &out);
  md.Add(Delta(v1::EVENT_TYPE_AGENT_MESSAGE_DELTA, "m1", "reply"), &out);
  EXPECT_EQ(out, "");
  md.Finish(&out);
  EXPECT_EQ(out, "\n**Codex** (unfinished):\n\nhalf a reply\n");
}

}  // namespace
}  // namespace codex_manager
