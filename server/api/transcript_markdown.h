// Renders a session's events as a Markdown conversation, for
// SessionService.ExportTranscript (sessions.proto, TRANSCRIPT_FORMAT_MARKDOWN):
// a header naming the session; per turn, headed where it started, its
// prompt (and what a person added while it ran: SteerTurn,
// api/turn_inputs.h; a queued prompt that never ran is said where it was
// dropped), Codex's replies, commands
// with their output folded in HTML <details> (GitHub and most renderers fold
// them), file changes as ```diff blocks, approvals with their decision and
// who decided, errors and warnings. Reasoning is folded too; streaming
// deltas only matter for items that never completed. Text from Codex is
// written as it came (it is Markdown); commands and outputs are fenced or
// escaped so nothing they contain can break out of their block. Events a
// restore lost (a jump in session_seq) are noted where they were. A
// sub-agent's blocks (Event.sub_agent) say its name.
#ifndef CODEX_MANAGER_SERVER_API_TRANSCRIPT_MARKDOWN_H_
#define CODEX_MANAGER_SERVER_API_TRANSCRIPT_MARKDOWN_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "api/turn_inputs.h"
#include "codex_manager/v1/events.pb.h"
#include "codex_manager/v1/sessions.pb.h"

namespace codex_manager {

class MarkdownTranscript {
 public:
  // `deciders`: who decided each approval (token name), by approval id.
  MarkdownTranscript(v1::Session session,
                     std::map<std::string, std::string> deciders);

  // The title and the session's facts, as of `exported`.
  std::string Header(absl::Time exported) const;
  // Appends the Markdown of the next event (session_seq order) to `out`.
  void Add(const v1::Event& event, std::string* out);
  // Appends what streamed but never completed (a crash mid-item) to `out`.
  void Finish(std::string* out);

 private:
  // The Markdown of `event` (Add says whose it is).
  void Render(const v1::Event& event, std::string* out);
  // Writes what streamed and never completed: agent text alone, or that
  // and command output.
  void FlushAgentText(std::string* out);
  void FlushOpen(std::string* out);

  const v1::Session session_;
  const std::map<std::string, std::string> deciders_;
  int turns_ = 0;
  // Item id -> what streamed so far, until the item completes.
  std::map<std::string, std::string> agent_text_;
  // Of those, the ones a sub-agent is writing: its name, by item id.
  std::map<std::string, std::string> sub_agent_items_;
  std::map<std::string, std::string> command_output_;
  // Item id -> the command (from item/started).
  std::map<std::string, std::string> commands_;
  // The goal's objective and status as last written ("" when none): usage
  // alone changing writes nothing.
  std::string goal_;
  // The session_seq of the event added last (0: none yet).
  int64_t last_seq_ = 0;
  // Which userMessage items are steers.
  TurnInputs inputs_;
  // Prompts of turns queued and not yet started (turn id, prompt), in
  // queue order: said when their turn starts.
  std::vector<std::pair<std::string, std::string>> queued_;
};

// `text` in a fenced code block (```lang), with a fence longer than any run
// of backticks in it. Exposed for tests.
std::string FencedBlock(const std::string& text, const std::string& lang);
// `text` as inline code on one line, delimited so backticks in it are safe.
std::string InlineCode(const std::string& text);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_TRANSCRIPT_MARKDOWN_H_
