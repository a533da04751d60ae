// How the CLI prints results: the proto JSON mapping (one object per line)
// with --json, else tables and plain text for people.
//
// While following a turn, the agent's text goes to stdout as it streams;
// commands, their output, approvals and state changes go to stderr, so
// `codex-manager run ... > answer.txt` captures only the answer.
#ifndef CODEX_MANAGER_CLI_RENDER_H_
#define CODEX_MANAGER_CLI_RENDER_H_

#include <google/protobuf/message.h>

#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "codex_manager/v1/approvals.pb.h"
#include "codex_manager/v1/auth.pb.h"
#include "codex_manager/v1/codex.pb.h"
#include "codex_manager/v1/events.pb.h"
#include "codex_manager/v1/sessions.pb.h"
#include "codex_manager/v1/turns.pb.h"
#include "api/turn_inputs.h"

namespace codex_manager::cli {

// One line of the proto3 JSON mapping (default values included).
void PrintJson(const google::protobuf::Message& message);

void PrintSession(const v1::Session& session);
// The session's goal (`session goal`), or that it has none.
void PrintGoal(const v1::Session& session);
// The model a session that names none runs: the one Codex's
// configuration names (Model.configured), else Codex's default; null when
// the list has neither.
const v1::Model* SessionDefault(const v1::ListModelsResponse& list);
// `codex models`: DEFAULT marks SessionDefault's model.
void PrintModelTable(const v1::ListModelsResponse& list);
void PrintModelProviderTable(const v1::ListModelProvidersResponse& list);
void PrintAccount(const v1::Account& account);
void PrintCodexThreadTable(const v1::ListCodexThreadsResponse& list);
// Each hook: its trust, event, command (or tool) and file, then its key.
void PrintCodexHooks(const v1::ListCodexHooksResponse& list);
// A table of a session's background terminals, or a line saying none run.
// One path a line, a directory's ending in "/"; nothing when none matched
// (for scripts: `vim "$(codex-manager session files $S sessman | head -1)"`).
void PrintFileMatches(const v1::SearchFilesResponse& response);
// `session skills`: one skill a line, `$name`, scope and description,
// then the SKILL.md files Codex could not load.
void PrintSkills(const v1::ListSkillsResponse& list);
// `session mcp`: each server on a line (its connection, what it says it is),
// then its error and its tools, indented.
void PrintMcpServers(const v1::ListMcpServersResponse& list);
void PrintBackgroundTerminals(const v1::ListBackgroundTerminalsResponse& list);
// Each hook `request` trusted, as Codex lists it now.
void PrintTrustedHooks(const v1::TrustCodexHooksRequest& request,
                       const v1::TrustCodexHooksResponse& after);
// `filtered`: the list was asked for with filters (an empty one says that
// none matched rather than how to create one).
void PrintSessionTable(const v1::ListSessionsResponse& list, bool filtered);
void PrintTurn(const v1::Turn& turn);
void PrintTurnTable(const v1::ListTurnsResponse& list);
void PrintApprovalTable(const v1::ListApprovalsResponse& list);
// "approval apr_… wants to run: <command>" with the details a person needs
// to decide, on stderr.
void PrintApprovalRequest(const v1::Approval& approval);
// The same on `out`: the first line starts with `head`, the others with
// `indent`.
void PrintApprovalRequest(std::ostream& out, const v1::Approval& approval,
                          const std::string& head, const std::string& indent);

// Tokens and the audit log (auth_render.cc). Names get the width the
// longest needs (up to 40 bytes); an audit record's message, when it has
// one, is a line of its own under it.
std::string RoleName(v1::Role role);
// `t` in local time, "YYYY-MM-DD HH:MM:SS"; "-" when not `set`.
std::string When(const google::protobuf::Timestamp& t, bool set);
void PrintTokenTable(const v1::ListTokensResponse& list);
void PrintAuditTable(const v1::ListAuditEventsResponse& list);

// After a table: "(more: --page-token T)" when a page follows.
void PrintMore(const std::string& next_page_token);
// The columns UTF-8 text takes in a table: its code points (East Asian
// wide characters, which take two, are not allowed for).
size_t Columns(const std::string& s);
// At most `width` columns (code points; never part of a UTF-8 character),
// "~" marking a cut.
std::string Trim(const std::string& s, size_t width);
// `s` cut to `width` columns (Trim) and padded with spaces to them: a
// table's cell, which printf's "%-24s" would pad by bytes.
std::string Cell(const std::string& s, size_t width);
// `text` on one line: each run of white space and control characters
// (newlines, an escape sequence's ESC) one space. For text from outside
// (a SKILL.md, a session title) printed where a terminal or a shell reads
// it.
std::string OneLine(const std::string& text);
std::string SessionStateName(v1::SessionState state);
// What `session list --state` takes: each SessionState but UNSPECIFIED,
// lowercase and without its prefix ("starting", "idle", ...).
const std::vector<std::string>& SessionStateFlagValues();
std::string TurnStateName(v1::TurnState state);
std::string ApprovalStateName(v1::ApprovalState state);
std::string GoalStatusName(v1::GoalStatus status);
// "OBJECTIVE [STATUS, USED( of BUDGET) tokens, SECONDS s]".
std::string GoalSummary(const v1::SessionGoal& goal);
// "MODEL (PROVIDER), effort EFFORT|default, POLICY, SANDBOX": what Codex
// runs a thread with (Session.codex_settings, CODEX_SETTINGS_CHANGED).
std::string CodexSettingsSummary(const v1::CodexSettings& settings);
// "APPROVE", "APPROVE_AND_REMEMBER", …
std::string DecisionName(v1::Decision decision);
// Whether Codex offers `decision` for `approval` (Approval.available_decisions;
// an approval from a server that does not list them offers everything).
bool Offers(const v1::Approval& approval, v1::Decision decision);
// The command that decides `approval` with what Codex offers, e.g.
// "codex-manager approval approve|deny ID", or "approve|deny --abort ID"
// where Codex's only "no" stops the turn (approval policy `untrusted`).
std::string DecideCommand(const v1::Approval& approval);

// Renders a stream of events for people.
class EventPrinter {
 public:
  enum class Mode {
    // Following a turn: the agent's text on stdout as it streams; commands,
    // output, approvals and the turn's end on stderr.
    kLive,
    // `events`: the session as a conversation on stdout — prompts, replies,
    // commands with their output, approvals and their outcome, errors and
    // warnings — each block with its local time ("HH:MM:SS", and a
    // "── YYYY-MM-DD ──" line when the day changes). Protocol chatter
    // (raw notifications, token counts, reasoning) is left out.
    kTranscript,
    // `events --raw`: one line per event: session_seq, type, detail.
    kRaw,
  };
  explicit EventPrinter(Mode mode);
  // Following: whether an approval request is followed by the command that
  // decides it ("decide with: ..."); not when this follower decides them
  // itself (`--on-approval approve` or `deny`). On by default.
  void set_decide_hint(bool shown) { decide_hint_ = shown; }
  void Print(const v1::Event& event);
  // Ends a line of streamed agent text, if one is open.
  void EndLine();
  // Says that the session's events `from`..`to` (session_seqs) are
  // missing: what a restore from an older backup lost (the seqs jump over
  // them; docs/operations.md). Nothing in kRaw, whose lines show the seqs.
  void Missing(int64_t from, int64_t to);
  // Says that the session's events 1..`through` were deleted by retention
  // (Session.purged_seq, --retain-archived-days). Nothing in kRaw.
  void Purged(int64_t through);

 private:
  void PrintReplayLine(const v1::Event& event);
  // The start of a block: its time in a transcript, else nothing.
  std::string Head(const v1::Event& event);
  // Writes streamed text, indenting continuation lines in a transcript.
  void Stream(std::ostream& out, const std::string& text);

  Mode mode_;
  std::ostream& side_;  // everything but the agent's text
  std::string indent_;
  std::string day_;
  bool mid_line_ = false;
  bool decide_hint_ = true;
  // A transcript's next streamed character starts a continuation line.
  bool pending_indent_ = false;
  // Items whose text or output arrived as deltas.
  std::set<std::string> streamed_;
  // Following: shell commands a person ran (RunShellCommand, source
  // "userShell"), whose output is the turn's product: stdout, as is.
  std::set<std::string> shell_items_;
  // The goal's objective and status as last printed: its usage alone
  // changing prints nothing.
  std::string goal_said_;
  // What Codex runs the thread with, as last printed: a change of a
  // setting the summary does not name prints nothing.
  std::string settings_said_;
  // File changes whose patch is being written (ITEM_UPDATED), said once
  // each, when its first path is known.
  std::set<std::string> writing_;
  // Which userMessage items are steers.
  TurnInputs inputs_;
  // A transcript's running turn (its RUNNING seen, its end not yet), and
  // the turns it printed as queued behind one, whose start it then says.
  std::string running_turn_;
  std::set<std::string> queued_behind_;
};

}  // namespace codex_manager::cli

#endif  // CODEX_MANAGER_CLI_RENDER_H_
