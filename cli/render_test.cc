#include "render.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>

namespace codex_manager::cli {
namespace {

v1::Event SettingsChanged(const std::string& model,
                          const std::string& collaboration_mode) {
  v1::Event e;
  e.set_type(v1::EVENT_TYPE_CODEX_SETTINGS_CHANGED);
  v1::CodexSettings* c = e.mutable_codex_settings();
  c->set_model(model);
  c->set_model_provider("mock");
  c->set_approval_policy("on-request");
  c->set_sandbox("read-only");
  c->set_approvals_reviewer("user");
  c->set_collaboration_mode(collaboration_mode);
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

// What `print` had a printer of `mode` write where that mode writes: on
// stderr following (the agent's answer aside), on stdout in a transcript.
std::string Printed(EventPrinter::Mode mode,
                    const std::function<void(EventPrinter&)>& print) {
  const bool live = mode == EventPrinter::Mode::kLive;
  live ? testing::internal::CaptureStderr()
       : testing::internal::CaptureStdout();
  {
    EventPrinter printer(mode);
    print(printer);
  }
  return live ? testing::internal::GetCapturedStderr()
              : testing::internal::GetCapturedStdout();
}

// What Codex runs a thread with is printed when what the line says changes:
// a transcript recorded before the server stopped announcing Codex's
// naming of its default mode ("" -> "default") says it once.
TEST(EventPrinterTest, SettingsArePrintedWhenTheirSummaryChanges) {
  for (EventPrinter::Mode mode :
       {EventPrinter::Mode::kLive, EventPrinter::Mode::kTranscript}) {
    const std::string out = Printed(mode, [](EventPrinter& printer) {
      printer.Print(SettingsChanged("gpt-5.5", ""));
      printer.Print(SettingsChanged("gpt-5.5", "default"));
      printer.Print(SettingsChanged("gpt-5.5", "plan"));
      printer.Print(SettingsChanged("gpt-5.4", "plan"));
    });
    EXPECT_EQ(Count(out, "codex settings: "), 3) << out;
    EXPECT_EQ(Count(out,
                    "gpt-5.5 (mock), effort default, on-request, "
                    "read-only\n"),
              1)
        << out;
    EXPECT_EQ(Count(out, "plan mode"), 2) << out;
  }
}

v1::Event UserMessage(v1::EventType type, const std::string& id,
                      const std::string& text) {
  v1::Event e;
  e.set_type(type);
  e.set_turn_id("turn_1");
  e.mutable_item()->set_item_type("userMessage");
  e.mutable_item()->set_item_id(id);
  e.mutable_item()->set_text(text);
  return e;
}

// What a person added to a running turn (SteerTurn) is said once, live
// too (it may come from another client); the prompt's echo is not said
// again.
TEST(EventPrinterTest, ASteerIsSaidOnce) {
  for (EventPrinter::Mode mode :
       {EventPrinter::Mode::kLive, EventPrinter::Mode::kTranscript}) {
    const bool live = mode == EventPrinter::Mode::kLive;
    const std::string out = Printed(mode, [](EventPrinter& printer) {
      v1::Event queued;
      queued.set_type(v1::EVENT_TYPE_TURN_STATE_CHANGED);
      queued.set_turn_id("turn_1");
      queued.mutable_turn_state_changed()->set_turn_id("turn_1");
      queued.mutable_turn_state_changed()->set_state(v1::TURN_STATE_QUEUED);
      queued.mutable_turn_state_changed()->set_prompt("count");
      printer.Print(queued);
      for (const char* id : {"u1", "u2"}) {
        const std::string text = id == std::string("u1") ? "count" : "faster";
        printer.Print(UserMessage(v1::EVENT_TYPE_ITEM_STARTED, id, text));
        printer.Print(UserMessage(v1::EVENT_TYPE_ITEM_COMPLETED, id, text));
      }
    });
    EXPECT_EQ(Count(out, "you (steering turn_1): faster\n"), 1) << out;
    EXPECT_EQ(Count(out, "count"), live ? 0 : 1) << out;
  }
}

// A transcript says a prompt queued behind a running turn is queued, and
// where its turn starts: what comes between is the running turn's.
TEST(EventPrinterTest, APromptQueuedBehindARunningTurnSaysWhereItStarts) {
  const std::string out =
      Printed(EventPrinter::Mode::kTranscript, [](EventPrinter& printer) {
        auto state = [&](const std::string& turn_id, v1::TurnState s,
                         const std::string& prompt = "") {
          v1::Event e;
          e.set_type(v1::EVENT_TYPE_TURN_STATE_CHANGED);
          e.set_turn_id(turn_id);
          e.mutable_turn_state_changed()->set_turn_id(turn_id);
          e.mutable_turn_state_changed()->set_state(s);
          e.mutable_turn_state_changed()->set_prompt(prompt);
          printer.Print(e);
        };
        state("turn_1", v1::TURN_STATE_QUEUED, "first");
        state("turn_1", v1::TURN_STATE_RUNNING);
        state("turn_2", v1::TURN_STATE_QUEUED, "second");
        state("turn_1", v1::TURN_STATE_COMPLETED);
        state("turn_2", v1::TURN_STATE_RUNNING);
        state("turn_2", v1::TURN_STATE_COMPLETED);
        state("turn_3", v1::TURN_STATE_QUEUED, "third");
        state("turn_3", v1::TURN_STATE_RUNNING);
      });
  EXPECT_NE(out.find("you (turn_1): first\n"), std::string::npos) << out;
  EXPECT_NE(out.find("you (turn_2, queued): second\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("turn turn_1 COMPLETED\n"
                     "00:00:00  turn turn_2 started (the prompt queued above)\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("you (turn_3): third\n"), std::string::npos) << out;
  EXPECT_EQ(Count(out, "started"), 1) << out;
}

// A sub-agent's lines say whose they are; its text is not the answer on
// stdout, which stays the session's agent's.
TEST(EventPrinterTest, ASubAgentsWorkIsNamedAndOffStdout) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  {
    EventPrinter printer(EventPrinter::Mode::kLive);
    v1::Event delta;
    delta.set_type(v1::EVENT_TYPE_AGENT_MESSAGE_DELTA);
    delta.mutable_delta()->set_item_id("m1");
    delta.mutable_delta()->set_text("Mi");
    delta.mutable_sub_agent()->set_path("/root/helper");
    printer.Print(delta);
    v1::Event done = UserMessage(v1::EVENT_TYPE_ITEM_COMPLETED, "m1", "Mine.");
    done.mutable_item()->set_item_type("agentMessage");
    done.mutable_sub_agent()->set_path("/root/helper");
    printer.Print(done);
    v1::Event activity = UserMessage(v1::EVENT_TYPE_ITEM_COMPLETED, "a1", "");
    activity.mutable_item()->set_item_type("subAgentActivity");
    activity.mutable_item()->set_item_json(
        R"({"kind":"completed","agentPath":"/root/helper"})");
    printer.Print(activity);
  }
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(err,
            "[helper] codex: Mine.\n"
            "sub-agent helper completed\n");
}

// What the agent did besides answering is said on its line, as Codex
// 0.171's items have it: an image it generated (where it is saved, or why
// none was), a wait (its clock.sleep tool), a web search.
TEST(EventPrinterTest, ImagesWaitsAndSearchesAreSaid) {
  const auto item = [](const std::string& type, const std::string& text) {
    v1::Event e = UserMessage(v1::EVENT_TYPE_ITEM_COMPLETED, type, text);
    e.mutable_item()->set_item_type(type);
    e.mutable_item()->set_status("completed");
    return e;
  };
  const std::string err =
      Printed(EventPrinter::Mode::kLive, [&](EventPrinter& printer) {
        printer.Print(item("imageGeneration", "/c/generated_images/ig.png"));
        v1::Event refused = item("imageGeneration", "");
        refused.mutable_item()->set_status("failed");
        refused.mutable_item()->set_error("usageLimitExceeded");
        printer.Print(refused);
        v1::Event pending = item("imageGeneration", "");
        pending.mutable_item()->set_status("generating");
        printer.Print(pending);
        v1::Event nap = item("sleep", "");
        nap.mutable_item()->set_duration_ms(1500);
        printer.Print(nap);
        nap.mutable_item()->set_duration_ms(250);
        printer.Print(nap);
        printer.Print(item("webSearch", "codex hooks"));
      });
  EXPECT_EQ(err,
            "generated image: /c/generated_images/ig.png\n"
            "image not generated: usageLimitExceeded\n"
            "image generation generating\n"
            "waited 1.5 s\n"
            "waited 250 ms\n"
            "searched the web: codex hooks\n");
}

// What a restore lost is said where it was, but for the raw log (whose
// lines show the seqs).
TEST(EventPrinterTest, MissingEventsAreSaid) {
  testing::internal::CaptureStdout();
  {
    EventPrinter printer(EventPrinter::Mode::kTranscript);
    printer.Missing(5, 8);
    EventPrinter raw(EventPrinter::Mode::kRaw);
    raw.Missing(5, 8);
  }
  EXPECT_EQ(testing::internal::GetCapturedStdout(),
            "── events 5–8 of this session are missing: the server was "
            "restored from a backup taken before them ──\n");
}

TEST(EventPrinterTest, PurgedEventsAreSaid) {
  testing::internal::CaptureStdout();
  {
    EventPrinter printer(EventPrinter::Mode::kTranscript);
    printer.Purged(12);
    EventPrinter raw(EventPrinter::Mode::kRaw);
    raw.Purged(12);
  }
  EXPECT_EQ(testing::internal::GetCapturedStdout(),
            "── events 1–12 of this session were deleted: it was archived "
            "longer ago than the server keeps events (--retain-archived-days) "
            "──\n");
}

// The command a live stream suggests is one the server takes: where
// Codex's only "no" stops the turn (approval policy `untrusted`), a plain
// `deny` would be refused as not offered.
TEST(DecideCommandTest, SuggestsOnlyWhatCodexOffers) {
  v1::Approval a;
  a.set_approval_id("apr_1");
  EXPECT_EQ(DecideCommand(a), "codex-manager approval approve|deny apr_1");
  a.add_available_decisions(v1::DECISION_APPROVE);
  a.add_available_decisions(v1::DECISION_APPROVE_AND_REMEMBER);
  a.add_available_decisions(v1::DECISION_ABORT);
  EXPECT_EQ(DecideCommand(a),
            "codex-manager approval approve|deny --abort apr_1");
  a.add_available_decisions(v1::DECISION_DENY);
  EXPECT_EQ(DecideCommand(a), "codex-manager approval approve|deny apr_1");
  a.clear_available_decisions();
  a.add_available_decisions(v1::DECISION_APPROVE);
  EXPECT_EQ(DecideCommand(a), "codex-manager approval approve apr_1");
}

// `approval list` names what each approval is about in its WHAT column:
// the files a change touches (relative to the folder they share), the
// permissions asked for, the sub-agent that asked.
TEST(PrintApprovalTableTest, NamesTheFilesAndPermissionsAsked) {
  v1::ListApprovalsResponse list;
  auto add = [&](v1::ApprovalKind kind) {
    v1::Approval* a = list.add_approvals();
    a->set_approval_id("apr_" + std::to_string(list.approvals_size()));
    a->set_kind(kind);
    a->set_method("item/fileChange/requestApproval");
    return a;
  };
  auto change = [&](std::initializer_list<const char*> files) {
    v1::Approval* a = add(v1::APPROVAL_KIND_FILE_CHANGE);
    for (const char* file : files) a->add_changed_files(file);
  };
  change({"/p/notes.txt"});
  change({"/p/src/old.cc", "/p/README.md", "/p/src/c.cc"});
  change({"/a/x", "/b/y"});
  add(v1::APPROVAL_KIND_FILE_CHANGE);  // no files known: the method
  v1::Approval* permissions = add(v1::APPROVAL_KIND_PERMISSIONS);
  permissions->add_requested_permissions("network access");
  permissions->add_requested_permissions("write /srv");
  // A sub-agent's ask names it; one not named yet, by its thread.
  v1::Approval* helper = add(v1::APPROVAL_KIND_COMMAND_EXECUTION);
  helper->set_command("make test");
  helper->mutable_sub_agent()->set_path("/root/helper");
  helper->mutable_sub_agent()->set_thread_id("019a2b3c-4d5e");
  v1::Approval* unnamed = add(v1::APPROVAL_KIND_COMMAND_EXECUTION);
  unnamed->set_command("ls");
  unnamed->mutable_sub_agent()->set_thread_id("019a2b3c-4d5e");
  testing::internal::CaptureStdout();
  PrintApprovalTable(list);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("Codex wants to change: notes.txt\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("Codex wants to change: src/old.cc, README.md, "
                     "src/c.cc\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Codex wants to change: /a/x, /b/y\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("  item/fileChange/requestApproval\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("Codex asks for: network access, write /srv\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  [helper] make test\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  [sub-agent 019a2b3c] ls\n"), std::string::npos) << out;
}

// A table has one line per row, whatever lines a prompt or a command
// has: `turn list | wc -l` counts turns, and `grep` finds a row whole.
TEST(PrintTableTest, MultiLineCellsStayOnTheirRow) {
  v1::ListTurnsResponse turns;
  v1::Turn* turn = turns.add_turns();
  turn->set_turn_id("turn_1");
  turn->set_state(v1::TURN_STATE_QUEUED);
  turn->set_prompt("write: notes.md: hello\n\tworld\n");
  testing::internal::CaptureStdout();
  PrintTurnTable(turns);
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("QUEUED       write: notes.md: hello world\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;

  v1::ListApprovalsResponse approvals;
  v1::Approval* approval = approvals.add_approvals();
  approval->set_approval_id("apr_1");
  approval->set_kind(v1::APPROVAL_KIND_COMMAND_EXECUTION);
  approval->set_command("cat <<EOF\nhi\nEOF");
  testing::internal::CaptureStdout();
  PrintApprovalTable(approvals);
  out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("cat <<EOF hi EOF\n"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;
}

// Cells are cut and padded by characters, not bytes, so text outside
// ASCII keeps the columns after it in line.
TEST(PrintTableTest, CellsCountCharactersNotBytes) {
  EXPECT_EQ(Columns("caf\xc3\xa9"), 4u);
  EXPECT_EQ(Trim("caf\xc3\xa9 au lait", 5), "caf\xc3\xa9~");
  EXPECT_EQ(Trim("\xc3\xa9\xc3\xa9\xc3\xa9", 3), "\xc3\xa9\xc3\xa9\xc3\xa9");
  EXPECT_EQ(Cell("caf\xc3\xa9", 6), "caf\xc3\xa9  ");
  EXPECT_EQ(Trim("abc", 0), "");
  EXPECT_EQ(Cell("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 2),
            "\xe6\x97\xa5~");

  // An untitled session shows the start of its first prompt, on one line.
  v1::ListSessionsResponse list;
  v1::Session* titled = list.add_sessions();
  titled->set_session_id("ses_1");
  titled->set_title("R\xc3\xa9sum\xc3\xa9 builder");
  titled->set_preview("ignored when titled");
  titled->set_cwd("/srv/a");
  v1::Session* untitled = list.add_sessions();
  untitled->set_session_id("ses_2");
  untitled->set_preview("fix the build\nthen run every test we have");
  untitled->set_cwd("/srv/b");
  testing::internal::CaptureStdout();
  PrintSessionTable(list, /*filtered=*/false);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("  R\xc3\xa9sum\xc3\xa9 builder            /srv/a\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  fix the build then run ~  /srv/b\n"),
            std::string::npos)
      << out;
}

// Not signed in where the provider needs it: how to sign in is said.
TEST(PrintAccountTest, SaysHowToSignInOnlyWhenItIsNeeded) {
  v1::Account account;
  account.set_requires_openai_auth(true);
  testing::internal::CaptureStdout();
  PrintAccount(account);
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(Count(out, "account:  (not signed in)\n"), 1) << out;
  EXPECT_EQ(Count(out, "sign in with: codex-manager codex login\n"), 1) << out;

  account.set_requires_openai_auth(false);  // e.g. a local model provider
  testing::internal::CaptureStdout();
  PrintAccount(account);
  out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(Count(out, "sign in with"), 0) << out;

  account.set_requires_openai_auth(true);
  account.set_type("chatgpt");
  account.set_email("dev@example.com");
  testing::internal::CaptureStdout();
  PrintAccount(account);
  out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(Count(out, "account:  chatgpt\nemail:    dev@example.com\n"), 1)
      << out;
  EXPECT_EQ(Count(out, "sign in with"), 0) << out;
}

// A name is never cut short of its column, nor "(revoked)" off it; what
// the server did by itself shows its message.
TEST(AuthTablesTest, NamesFitAndMessagesShow) {
  v1::ListTokensResponse tokens;
  v1::Token* t = tokens.add_tokens();
  t->set_token_id("tok_1");
  t->set_name("nightly-release-bot");
  t->set_role(v1::ROLE_OPERATOR);
  t->mutable_revoke_time()->set_seconds(1);
  testing::internal::CaptureStdout();
  PrintTokenTable(tokens);
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("  NAME                           ROLE"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  nightly-release-bot (revoked)  operator"),
            std::string::npos)
      << out;

  v1::ListAuditEventsResponse audit;
  v1::AuditEvent* restore = audit.add_audit_events();
  restore->set_token_name("codex-manager-server");
  restore->set_method("restore");
  restore->set_message("--restore /b.db: 1 session,\nevents through 9");
  v1::AuditEvent* call = audit.add_audit_events();
  call->set_token_name(std::string(60, 'x'));
  call->set_method("/codex_manager.v1.SessionService/CreateSession");
  testing::internal::CaptureStdout();
  PrintAuditTable(audit);
  out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("  codex-manager-server  "), std::string::npos) << out;
  EXPECT_NE(out.find("\n                     --restore /b.db: 1 session, "
                     "events through 9\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  " + std::string(39, 'x') + "~  0 "), std::string::npos)
      << out;
  EXPECT_EQ(Count(out, "\n"), 4) << out;  // the CreateSession call has none
}

}  // namespace
}  // namespace codex_manager::cli
