#include "api/transcript_markdown.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "api/sub_agents.h"
#include "common/compaction_text.h"
#include "common/duration_text.h"
#include "core/codex_protocol.h"

namespace codex_manager {
namespace {

// The longest run of backticks in `text`.
size_t LongestBacktickRun(const std::string& text) {
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

std::string HtmlEscape(const std::string& text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"},
                                    {"<", "&lt;"},
                                    {">", "&gt;"},
                                    {"\"", "&quot;"}});
}

std::string OneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  return text;
}

// Each line of `text` as a block quote.
std::string Quote(const std::string& text) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::StrAppend(&out, line.empty() ? ">" : "> ", line, "\n");
  }
  return out;
}

// A user-input request's questions (core/codex_protocol.h), a list item
// each: header, id, question, options; "" when its params list none.
std::string QuestionList(const std::string& params_json) {
  Approval asked;
  asked.kind = ApprovalKind::kUserInput;
  asked.params_json = params_json;
  std::string out;
  for (const UserInputQuestion& q : UserInputQuestionsOf(asked)) {
    absl::StrAppend(&out, "- ",
                    q.header.empty() ? "" : "**" + OneLine(q.header) + "** ",
                    "(", InlineCode(q.id), "): ", OneLine(q.question));
    std::vector<std::string> options;
    for (const auto& [label, about] : q.options) {
      options.push_back(
          OneLine(about.empty() ? label : label + " (" + about + ")"));
    }
    if (!options.empty()) {
      absl::StrAppend(&out, " — ", absl::StrJoin(options, "; "),
                      q.is_other ? "; or another answer" : "");
    }
    if (q.is_secret) absl::StrAppend(&out, " (secret)");
    absl::StrAppend(&out, "\n");
  }
  return out;
}

std::string Clock(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%H:%M:%S UTC",
                          absl::FromUnixSeconds(t.seconds()) +
                              absl::Nanoseconds(t.nanos()),
                          absl::UTCTimeZone());
}

std::string Day(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                          absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

const char* Decided(v1::ApprovalState state, v1::Decision decision) {
  if (state == v1::APPROVAL_STATE_EXPIRED) return "expired, undecided";
  switch (decision) {
    case v1::DECISION_APPROVE:
      return "approved";
    case v1::DECISION_APPROVE_FOR_SESSION:
      return "approved for the session";
    case v1::DECISION_DENY:
      return "denied";
    case v1::DECISION_ABORT:
      return "denied, and the turn stopped";
    default:
      return state == v1::APPROVAL_STATE_APPROVED ? "approved" : "answered";
  }
}

std::string TurnEnd(v1::TurnState state) {
  switch (state) {
    case v1::TURN_STATE_COMPLETED:
      return "completed";
    case v1::TURN_STATE_INTERRUPTED:
      return "interrupted";
    case v1::TURN_STATE_FAILED:
      return "failed";
    default:
      return "ended";
  }
}

}  // namespace

std::string FencedBlock(const std::string& text, const std::string& lang) {
  const std::string fence(std::max<size_t>(3, LongestBacktickRun(text) + 1),
                          '`');
  std::string out = absl::StrCat(fence, lang, "\n", text);
  if (!text.empty() && text.back() != '\n') out += "\n";
  absl::StrAppend(&out, fence, "\n");
  return out;
}

std::string InlineCode(const std::string& text) {
  const std::string line = OneLine(text);
  const std::string ticks(LongestBacktickRun(line) + 1, '`');
  const bool pad = !line.empty() && (line.front() == '`' || line.back() == '`');
  return absl::StrCat(ticks, pad ? " " : "", line, pad ? " " : "", ticks);
}

namespace {

// "model `gpt-5`, effort default": each changed setting with its new value
// (empty: Codex's default).
std::string SettingsChanged(const v1::SessionUpdated& u) {
  const std::pair<absl::string_view, const std::string*> values[] = {
      {"title", &u.title()},
      {"model", &u.model()},
      {"effort", &u.effort()},
      {"approval_policy", &u.approval_policy()},
      {"sandbox", &u.sandbox()},
      {"service_tier", &u.service_tier()}};
  std::vector<std::string> parts;
  for (const std::string& field : u.changed_fields()) {
    for (const auto& [name, value] : values) {
      if (name != field) continue;
      parts.push_back(absl::StrCat(absl::StrReplaceAll(name, {{"_", " "}}), " ",
                                   value->empty() ? "default" : InlineCode(*value)));
    }
  }
  return absl::StrJoin(parts, ", ");
}

}  // namespace

MarkdownTranscript::MarkdownTranscript(
    v1::Session session, std::map<std::string, std::string> deciders)
    : session_(std::move(session)), deciders_(std::move(deciders)) {}

std::string MarkdownTranscript::Header(absl::Time exported) const {
  // Untitled: the start of its first prompt, as lists name it.
  const std::string& title =
      !session_.title().empty()     ? session_.title()
      : !session_.preview().empty() ? session_.preview()
                                    : session_.session_id();
  std::string out = absl::StrCat("# ", OneLine(title), "\n\n",
                                 "- Session: `", session_.session_id(), "`\n",
                                 "- Folder: ", InlineCode(session_.cwd()), "\n");
  if (!session_.model().empty()) {
    absl::StrAppend(&out, "- Model: ", InlineCode(session_.model()), "\n");
  }
  if (!session_.model_provider().empty()) {
    absl::StrAppend(&out, "- Model provider: ",
                    InlineCode(session_.model_provider()), "\n");
  }
  if (!session_.service_tier().empty()) {
    absl::StrAppend(&out, "- Service tier: ",
                    InlineCode(session_.service_tier()), "\n");
  }
  if (!session_.approval_policy().empty() || !session_.sandbox().empty()) {
    absl::StrAppend(&out, "- Approval policy: ",
                    session_.approval_policy().empty()
                        ? "Codex's default"
                        : session_.approval_policy(),
                    " · sandbox: ",
                    session_.sandbox().empty() ? "Codex's default"
                                               : session_.sandbox(),
                    "\n");
  }
  absl::StrAppend(&out, "- Created: ", Day(session_.create_time()), "\n",
                  "- Exported: ",
                  absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", exported,
                                   absl::UTCTimeZone()),
                  " by codex-manager\n");
  if (!session_.developer_instructions().empty()) {
    // What the agent was told in every turn, beside AGENTS.md.
    absl::StrAppend(&out, "\n**Instructions for the agent:**\n\n",
                    Quote(session_.developer_instructions()));
  }
  return out;
}

void MarkdownTranscript::FlushAgentText(std::string* out) {
  for (auto& [id, text] : agent_text_) {
    auto whose = sub_agent_items_.find(id);
    absl::StrAppend(out,
                    whose == sub_agent_items_.end()
                        ? "\n**Codex**"
                        : absl::StrCat("\n**Sub-agent ",
                                       InlineCode(whose->second), "**"),
                    " (unfinished):\n\n", text, "\n");
  }
  agent_text_.clear();
  sub_agent_items_.clear();
}

void MarkdownTranscript::FlushOpen(std::string* out) {
  FlushAgentText(out);
  for (auto& [id, output] : command_output_) {
    absl::StrAppend(out, "\n<details>\n<summary>Command <code>",
                    HtmlEscape(OneLine(commands_[id])),
                    "</code> · unfinished</summary>\n\n",
                    FencedBlock(output, "text"), "\n</details>\n");
  }
  command_output_.clear();
  commands_.clear();
}

void MarkdownTranscript::Add(const v1::Event& e, std::string* out) {
  // Seqs skip only over what a restore lost (store/restore.h).
  if (last_seq_ > 0 && e.session_seq() > last_seq_ + 1) {
    FlushOpen(out);
    absl::StrAppend(out, "\n*Events ", last_seq_ + 1, "–", e.session_seq() - 1,
                    " of this session are missing: the server was restored "
                    "from a backup taken before them.*\n");
  }
  last_seq_ = e.session_seq();
  // A sub-agent's blocks say whose they are; its messages in their heading.
  std::string part;
  Render(e, &part);
  if (e.has_sub_agent() && !part.empty() &&
      !(e.type() == v1::EVENT_TYPE_ITEM_COMPLETED &&
        e.item().item_type() == "agentMessage")) {
    absl::StrAppend(out, "\n*Sub-agent ", InlineCode(SubAgentName(e.sub_agent())),
                    ":*\n");
  }
  out->append(part);
}

void MarkdownTranscript::Render(const v1::Event& e, std::string* out) {
  const TurnInputs::Said said = inputs_.Add(e);
  if (said != TurnInputs::Said::kNothing) {
    // Codex stops the reply it was streaming for the input (0.171: that
    // agentMessage never completes): its text goes here, where it ended.
    FlushAgentText(out);
    absl::StrAppend(out,
                    said == TurnInputs::Said::kSteer
                        ? "\n**You, while the turn ran:**\n\n"
                        : "\n**You:**\n\n",
                    Quote(e.item().text()));
    return;
  }
  switch (e.type()) {
    case v1::EVENT_TYPE_TURN_STATE_CHANGED: {
      const v1::TurnStateChanged& t = e.turn_state_changed();
      // A prompt queued behind a running turn is said where its turn
      // starts: said when queued, the running turn's rest would read as
      // the queued one's.
      auto queued = std::find_if(
          queued_.begin(), queued_.end(),
          [&](const auto& q) { return q.first == t.turn_id(); });
      if (t.state() == v1::TURN_STATE_QUEUED) {
        if (queued == queued_.end()) {
          queued_.emplace_back(t.turn_id(), t.prompt());
        }
      } else if (t.state() == v1::TURN_STATE_RUNNING) {
        absl::StrAppend(out, "\n## Turn ", ++turns_, " · `", t.turn_id(),
                        "` · ", Clock(e.create_time()), "\n");
        if (t.started_by_codex()) {
          // No prompt: Codex went on by itself (toward the thread's goal).
          absl::StrAppend(out, "\n*Codex went on by itself.*\n");
        } else if (queued != queued_.end()) {
          absl::StrAppend(out, "\n**You:**\n\n", Quote(queued->second));
          queued_.erase(queued);
        }
      } else if (queued != queued_.end()) {
        // It never ran (dropped from the queue, or the session stopped):
        // said where it ended, without a heading of its own.
        absl::StrAppend(out, "\n*Not sent: the prompt queued as turn `",
                        t.turn_id(), "` was ", TurnEnd(t.state()),
                        t.error().empty() ? "" : ": ", OneLine(t.error()),
                        " (", Clock(e.create_time()), ").*\n\n",
                        Quote(queued->second));
        queued_.erase(queued);
      } else {
        FlushOpen(out);
        absl::StrAppend(out, "\n*Turn ", TurnEnd(t.state()),
                        t.error().empty() ? "" : ": ", OneLine(t.error()),
                        " (", Clock(e.create_time()), ").*\n");
      }
      break;
    }
    case v1::EVENT_TYPE_AGENT_MESSAGE_DELTA:
      agent_text_[e.delta().item_id()] += e.delta().text();
      if (e.has_sub_agent()) {
        sub_agent_items_[e.delta().item_id()] = SubAgentName(e.sub_agent());
      }
      break;
    case v1::EVENT_TYPE_COMMAND_OUTPUT_DELTA:
      command_output_[e.delta().item_id()] += e.delta().text();
      break;
    case v1::EVENT_TYPE_ITEM_STARTED:
      if (e.item().item_type() == "commandExecution") {
        commands_[e.item().item_id()] = e.item().command();
      }
      break;
    case v1::EVENT_TYPE_ITEM_COMPLETED: {
      const v1::Item& item = e.item();
      const std::string& id = item.item_id();
      if (item.item_type() == "agentMessage") {
        const std::string text =
            item.text().empty() ? agent_text_[id] : item.text();
        agent_text_.erase(id);
        sub_agent_items_.erase(id);
        if (e.has_sub_agent()) {
          absl::StrAppend(out, "\n**Sub-agent ",
                          InlineCode(SubAgentName(e.sub_agent())), ":**\n\n",
                          text, "\n");
        } else {
          absl::StrAppend(out, "\n**Codex:**\n\n", text, "\n");
        }
      } else if (const std::string activity = SubAgentActivityText(item);
                 !activity.empty()) {
        absl::StrAppend(out, "\n*S", activity.substr(1), ".*\n");
      } else if (item.item_type() == "contextCompaction") {
        absl::StrAppend(out, "\n*", kContextCompactedText, ".*\n");
      } else if (item.item_type() == "commandExecution") {
        const std::string output = item.aggregated_output().empty()
                                       ? command_output_[id]
                                       : item.aggregated_output();
        command_output_.erase(id);
        commands_.erase(id);
        // A person's shell command (RunShellCommand), or the agent's.
        absl::StrAppend(out, "\n<details>\n<summary>",
                        item.command_source() == "userShell" ? "You ran"
                                                              : "Command",
                        " <code>", HtmlEscape(OneLine(item.command())),
                        "</code> · ",
                        HtmlEscape(item.status()));
        if (item.has_exit_code()) {
          absl::StrAppend(out, " · exit ", item.exit_code());
        }
        absl::StrAppend(out, "</summary>\n\n",
                        FencedBlock(output, "text"), "\n</details>\n");
      } else if (item.item_type() == "fileChange") {
        absl::StrAppend(out, "\n**File change** (", OneLine(item.status()),
                        "):\n\n", FencedBlock(item.diff(), "diff"));
      } else if (item.item_type() == "mcpToolCall") {
        absl::StrAppend(out, "\n<details>\n<summary>Tool <code>",
                        HtmlEscape(OneLine(item.mcp_server() + "/" + item.tool())),
                        "</code> · ", HtmlEscape(item.status()), "</summary>\n\n");
        if (!item.arguments().empty() && item.arguments() != "{}") {
          absl::StrAppend(out, FencedBlock(item.arguments(), "json"), "\n");
        }
        if (!item.tool_output().empty()) {
          absl::StrAppend(out, FencedBlock(item.tool_output(), "text"), "\n");
        }
        if (!item.error().empty()) {
          absl::StrAppend(out, "Error: ", OneLine(item.error()), "\n\n");
        }
        absl::StrAppend(out, "</details>\n");
      } else if (item.item_type() == "plan") {
        // Plan mode's proposed plan, Markdown of its own, quoted so its
        // headings stay inside it.
        absl::StrAppend(
            out, "\n**Proposed plan:**\n\n",
            Quote(std::string(absl::StripSuffix(item.text(), "\n"))));
      } else if (item.item_type() == "webSearch") {
        absl::StrAppend(out, "\n*Searched the web:* ", OneLine(item.text()), "\n");
      } else if (item.item_type() == "imageView") {
        absl::StrAppend(out, "\n*Viewed image* ", InlineCode(item.text()), "\n");
      } else if (item.item_type() == "imageGeneration") {
        absl::StrAppend(
            out, "\n",
            !item.text().empty()
                ? absl::StrCat("*Generated image* ", InlineCode(item.text()))
            : !item.error().empty()
                ? absl::StrCat("*Image not generated:* ", OneLine(item.error()))
                : absl::StrCat("*Image generation* ", OneLine(item.status())),
            "\n");
      } else if (item.item_type() == "sleep") {
        absl::StrAppend(out, "\n*Waited* ", DurationText(item.duration_ms()),
                        "\n");
      } else if (item.item_type() == "hookPrompt") {
        absl::StrAppend(out, "\n**Hook prompt:**\n\n", Quote(item.text()));
      } else if (item.item_type() == "reasoning" && !item.text().empty()) {
        absl::StrAppend(out, "\n<details>\n<summary>Reasoning</summary>\n\n",
                        item.text(), "\n\n</details>\n");
      }
      break;
    }
    case v1::EVENT_TYPE_CONTEXT_COMPACTED:
      absl::StrAppend(out, "\n*", kContextCompactedText, ".*\n");
      break;
    case v1::EVENT_TYPE_APPROVAL_REQUESTED: {
      const v1::Approval& a = e.approval_requested().approval();
      absl::StrAppend(out, "\n**Approval** `", a.approval_id(), "` · ",
                      Clock(e.create_time()), " — Codex ");
      switch (a.kind()) {
        case v1::APPROVAL_KIND_COMMAND_EXECUTION:
          absl::StrAppend(out, "asked to run ", InlineCode(a.command()));
          if (!a.cwd().empty()) absl::StrAppend(out, " in ", InlineCode(a.cwd()));
          absl::StrAppend(out, "\n");
          break;
        case v1::APPROVAL_KIND_FILE_CHANGE:
          absl::StrAppend(out, "asked to change files:\n\n",
                          FencedBlock(a.diff(), "diff"));
          break;
        case v1::APPROVAL_KIND_USER_INPUT: {
          const std::string questions = QuestionList(a.params_json());
          absl::StrAppend(out, "asked you (", InlineCode(a.method()), "):\n\n",
                          questions.empty()
                              ? FencedBlock(a.params_json(), "json")
                              : questions);
          break;
        }
        case v1::APPROVAL_KIND_PERMISSIONS:
          if (a.requested_permissions_size() > 0) {
            absl::StrAppend(out, "asked for permissions:\n\n");
            for (const std::string& line : a.requested_permissions()) {
              absl::StrAppend(out, "- ", OneLine(line), "\n");
            }
            break;
          }
          [[fallthrough]];  // a shape this server does not know: as sent
        default:
          absl::StrAppend(out, "asked (", InlineCode(a.method()), "):\n\n",
                          FencedBlock(a.params_json(), "json"));
      }
      if (!a.reason().empty()) {
        absl::StrAppend(out, "\nReason: ", OneLine(a.reason()), "\n");
      }
      break;
    }
    case v1::EVENT_TYPE_APPROVAL_RESOLVED: {
      const v1::ApprovalResolved& r = e.approval_resolved();
      absl::StrAppend(out, "\n**Approval** `", r.approval_id(), "`: **",
                      Decided(r.state(), r.decision()), "**");
      auto who = deciders_.find(r.approval_id());
      if (who != deciders_.end()) {
        absl::StrAppend(out, " by ", InlineCode(who->second));
      }
      absl::StrAppend(out, " (", Clock(e.create_time()), ")\n");
      break;
    }
    case v1::EVENT_TYPE_ERROR:
      absl::StrAppend(out, "\n> **Error:** ", OneLine(e.notice().message()),
                      "\n");
      break;
    case v1::EVENT_TYPE_WARNING:
      absl::StrAppend(out, "\n> **Warning:** ", OneLine(e.notice().message()),
                      "\n");
      break;
    case v1::EVENT_TYPE_SESSION_STATE_CHANGED:
      if (!e.session_state_changed().error().empty()) {
        absl::StrAppend(
            out, "\n> **Session ",
            absl::StripPrefix(
                v1::SessionState_Name(e.session_state_changed().state()),
                "SESSION_STATE_"),
            ":** ", OneLine(e.session_state_changed().error()), "\n");
      }
      break;
    case v1::EVENT_TYPE_HOOK_RUN: {
      // Each run once, when it ended.
      const v1::HookRun& run = e.hook_run();
      if (run.status() == "running") break;
      absl::StrAppend(out, "\n> **Hook** ", InlineCode(run.event_name()), " ",
                      OneLine(run.status()));
      if (run.has_duration_ms()) {
        absl::StrAppend(out, " (", run.duration_ms(), " ms)");
      }
      absl::StrAppend(out, "\n");
      for (const v1::HookOutputEntry& entry : run.entries()) {
        absl::StrAppend(out, "> - ", OneLine(entry.kind()), ": ",
                        OneLine(entry.text()), "\n");
      }
      break;
    }
    case v1::EVENT_TYPE_TERMINAL_INPUT: {
      const v1::TerminalInput& input = e.terminal_input();
      absl::StrAppend(out, "\n> **Typed into a running command** (process ",
                      OneLine(input.process_id()), "): ",
                      InlineCode(std::string(absl::StripSuffix(input.stdin(), "\n"))),
                      "\n");
      break;
    }
    case v1::EVENT_TYPE_SESSION_UPDATED:
      absl::StrAppend(out, "\n> **Settings changed** (", Clock(e.create_time()),
                      "): ", SettingsChanged(e.session_updated()), "\n");
      break;
    case v1::EVENT_TYPE_CODEX_SETTINGS_CHANGED: {
      const v1::CodexSettings& c = e.codex_settings();
      absl::StrAppend(
          out, "\n> **Codex settings** (", Clock(e.create_time()), "): model ",
          InlineCode(c.model()), " (", InlineCode(c.model_provider()),
          "), effort ", c.effort().empty() ? "default" : InlineCode(c.effort()),
          ", approval policy ", InlineCode(c.approval_policy()), ", sandbox ",
          InlineCode(c.sandbox()),
          c.collaboration_mode() == "plan" ? ", plan mode" : "",
          c.service_tier().empty() || c.service_tier() == "default"
              ? ""
              : absl::StrCat(", service tier ", InlineCode(c.service_tier())),
          "\n");
      break;
    }
    case v1::EVENT_TYPE_SESSION_REVERTED: {
      const v1::SessionReverted& r = e.session_reverted();
      absl::StrAppend(out, "\n> **Undone** (", Clock(e.create_time()), "): ",
                      r.reverted_turn_ids_size() == 1
                          ? std::string("the turn")
                          : absl::StrCat(r.reverted_turn_ids_size(), " turns"),
                      " from ", InlineCode(r.before_turn_id()),
                      " left the conversation; the agent no longer sees "
                      "them\n");
      break;
    }
    case v1::EVENT_TYPE_GOAL_UPDATED: {
      const v1::GoalUpdated& u = e.goal_updated();
      const std::string status = std::string(absl::StripPrefix(
          v1::GoalStatus_Name(u.goal().status()), "GOAL_STATUS_"));
      std::string goal =
          u.has_goal()
              ? absl::StrCat(OneLine(u.goal().objective()), " (",
                             absl::StrReplaceAll(absl::AsciiStrToLower(status),
                                                 {{"_", " "}}),
                             ")")
              : "";
      if (goal == goal_) break;
      goal_ = goal;
      absl::StrAppend(out, "\n> **Goal", goal.empty() ? " cleared" : "",
                      "** (", Clock(e.create_time()), ")",
                      goal.empty() ? "" : ": ", goal, "\n");
      break;
    }
    default:
      break;
  }
}

void MarkdownTranscript::Finish(std::string* out) {
  FlushOpen(out);
  for (const auto& [turn_id, prompt] : queued_) {
    absl::StrAppend(out, "\n*Queued, not started yet (turn `", turn_id,
                    "`):*\n\n", Quote(prompt));
  }
  queued_.clear();
}

}  // namespace codex_manager
