#include "render.h"

#include <google/protobuf/util/json_util.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

namespace codex_manager::cli {
namespace {

std::string Trim(const std::string& s, size_t width) {
  if (s.size() <= width) return s;
  return s.substr(0, width - 1) + "~";
}

std::string Strip(const std::string& name, const std::string& prefix) {
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

// Indents every line of `text` with "  | ".
void PrintBlock(const std::string& text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::cerr << "  | " << text.substr(start, nl - start) << "\n";
    start = nl + 1;
  }
}

}  // namespace

std::string SessionStateName(v1::SessionState state) {
  return Strip(v1::SessionState_Name(state), "SESSION_STATE_");
}
std::string TurnStateName(v1::TurnState state) {
  return Strip(v1::TurnState_Name(state), "TURN_STATE_");
}
std::string ApprovalStateName(v1::ApprovalState state) {
  return Strip(v1::ApprovalState_Name(state), "APPROVAL_STATE_");
}

void PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  std::cout << out << "\n";
  std::cout.flush();
}

void PrintSession(const v1::Session& s) {
  std::printf("session_id:        %s\n", s.session_id().c_str());
  std::printf("state:             %s\n", SessionStateName(s.state()).c_str());
  std::printf("title:             %s\n", s.title().c_str());
  std::printf("cwd:               %s\n", s.cwd().c_str());
  std::printf("model:             %s\n", s.model().c_str());
  std::printf("approval_policy:   %s\n", s.approval_policy().c_str());
  std::printf("sandbox:           %s\n", s.sandbox().c_str());
  std::printf("thread_id:         %s\n", s.thread_id().c_str());
  std::printf("pending_approvals: %d\n", s.pending_approvals());
  std::printf("last_seq:          %lld\n",
              static_cast<long long>(s.last_seq()));
  if (!s.last_error().empty()) {
    std::printf("last_error:        %s\n", s.last_error().c_str());
  }
}

void PrintSessionTable(const v1::ListSessionsResponse& list) {
  if (list.sessions().empty()) {
    std::printf("No sessions. Create one: codex-manager session create "
                "--cwd DIR\n");
    return;
  }
  std::printf("%-24s  %-9s  %7s  %-24s  %s\n", "SESSION", "STATE", "PENDING",
              "TITLE", "CWD");
  for (const v1::Session& s : list.sessions()) {
    std::printf("%-24s  %-9s  %7d  %-24s  %s\n", s.session_id().c_str(),
                SessionStateName(s.state()).c_str(), s.pending_approvals(),
                Trim(s.title(), 24).c_str(), s.cwd().c_str());
  }
  if (!list.next_page_token().empty()) {
    std::printf("(more: --page-token %s)\n", list.next_page_token().c_str());
  }
}

void PrintTurn(const v1::Turn& t) {
  std::printf("turn_id:  %s\nstate:    %s\nprompt:   %s\n", t.turn_id().c_str(),
              TurnStateName(t.state()).c_str(), t.prompt().c_str());
  if (!t.error().empty()) std::printf("error:    %s\n", t.error().c_str());
  if (!t.final_message().empty()) {
    std::printf("final:    %s\n", t.final_message().c_str());
  }
}

void PrintTurnTable(const v1::ListTurnsResponse& list) {
  if (list.turns().empty()) {
    std::printf("No turns yet. Send a prompt: codex-manager turn start "
                "SESSION PROMPT\n");
    return;
  }
  std::printf("%-25s  %-11s  %s\n", "TURN", "STATE", "PROMPT");
  for (const v1::Turn& t : list.turns()) {
    std::printf("%-25s  %-11s  %s\n", t.turn_id().c_str(),
                TurnStateName(t.state()).c_str(), Trim(t.prompt(), 60).c_str());
  }
  if (!list.next_page_token().empty()) {
    std::printf("(more: --page-token %s)\n", list.next_page_token().c_str());
  }
}

void PrintApprovalTable(const v1::ListApprovalsResponse& list) {
  if (list.approvals().empty()) {
    std::printf("No approvals waiting.\n");
    return;
  }
  std::printf("%-24s  %-24s  %-8s  %s\n", "APPROVAL", "SESSION", "STATE",
              "WHAT");
  for (const v1::Approval& a : list.approvals()) {
    std::string what = !a.command().empty() ? a.command() : a.method();
    std::printf("%-24s  %-24s  %-8s  %s\n", a.approval_id().c_str(),
                a.session_id().c_str(), ApprovalStateName(a.state()).c_str(),
                Trim(what, 60).c_str());
  }
}

void PrintApprovalRequest(const v1::Approval& a) {
  switch (a.kind()) {
    case v1::APPROVAL_KIND_COMMAND_EXECUTION:
      std::cerr << "\n? approval " << a.approval_id()
                << " — Codex wants to run:\n    " << a.command() << "\n";
      if (!a.cwd().empty()) std::cerr << "  in " << a.cwd() << "\n";
      break;
    case v1::APPROVAL_KIND_FILE_CHANGE:
      std::cerr << "\n? approval " << a.approval_id()
                << " — Codex wants to change files:\n";
      PrintBlock(a.diff());
      break;
    default:
      std::cerr << "\n? approval " << a.approval_id() << " — " << a.method()
                << "\n";
      PrintBlock(a.params_json());
  }
  if (!a.reason().empty()) std::cerr << "  reason: " << a.reason() << "\n";
}

void EventPrinter::EndLine() {
  if (mid_line_) {
    std::cout << "\n";
    std::cout.flush();
    mid_line_ = false;
  }
}

void EventPrinter::PrintReplayLine(const v1::Event& e) {
  std::string type = Strip(v1::EventType_Name(e.type()), "EVENT_TYPE_");
  std::string detail;
  switch (e.payload_case()) {
    case v1::Event::kSessionStateChanged:
      detail = SessionStateName(e.session_state_changed().state());
      if (!e.session_state_changed().error().empty()) {
        detail += " (" + e.session_state_changed().error() + ")";
      }
      break;
    case v1::Event::kTurnStateChanged:
      detail = e.turn_state_changed().turn_id() + " " +
               TurnStateName(e.turn_state_changed().state());
      break;
    case v1::Event::kItem:
      detail = e.item().item_type() + " " +
               Trim(!e.item().command().empty() ? e.item().command()
                                                : e.item().text(),
                    60);
      break;
    case v1::Event::kDelta:
      detail = Trim(e.delta().text(), 60);
      break;
    case v1::Event::kApprovalRequested:
      detail = e.approval_requested().approval().approval_id() + " " +
               Trim(e.approval_requested().approval().command(), 50);
      break;
    case v1::Event::kApprovalResolved:
      detail = e.approval_resolved().approval_id() + " " +
               ApprovalStateName(e.approval_resolved().state());
      break;
    case v1::Event::kTokenUsage:
      detail = std::to_string(e.token_usage().total_tokens()) + " tokens";
      break;
    case v1::Event::kNotice:
      detail = e.notice().message();
      break;
    case v1::Event::kRaw:
      detail = e.raw().method();
      break;
    default:
      break;
  }
  for (char& c : detail) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::printf("%6lld  %-22s %s%s\n", static_cast<long long>(e.session_seq()),
              type.c_str(), detail.c_str(),
              e.redelivered() ? "  (pending, redelivered)" : "");
  std::fflush(stdout);
}

void EventPrinter::Print(const v1::Event& e) {
  if (replay_) {
    PrintReplayLine(e);
    return;
  }
  switch (e.type()) {
    case v1::EVENT_TYPE_AGENT_MESSAGE_DELTA:
      streamed_.insert(e.delta().item_id());
      std::cout << e.delta().text();
      std::cout.flush();
      mid_line_ = true;
      break;
    case v1::EVENT_TYPE_COMMAND_OUTPUT_DELTA:
      EndLine();
      streamed_.insert(e.delta().item_id());
      std::cerr << e.delta().text();
      break;
    case v1::EVENT_TYPE_ITEM_STARTED:
      if (e.item().item_type() == "commandExecution") {
        EndLine();
        std::cerr << "$ " << e.item().command() << "\n";
      }
      break;
    case v1::EVENT_TYPE_ITEM_COMPLETED: {
      const v1::Item& item = e.item();
      if (item.item_type() == "agentMessage") {
        if (!streamed_.contains(item.item_id())) std::cout << item.text();
        mid_line_ = true;
        EndLine();
      } else if (item.item_type() == "commandExecution") {
        EndLine();
        if (!streamed_.contains(item.item_id())) {
          PrintBlock(item.aggregated_output());
        }
        std::cerr << "  [" << item.status();
        if (item.has_exit_code()) std::cerr << ", exit " << item.exit_code();
        std::cerr << "]\n";
      } else if (item.item_type() == "fileChange") {
        EndLine();
        std::cerr << "~ file change [" << item.status() << "]\n";
        PrintBlock(item.diff());
      }
      break;
    }
    case v1::EVENT_TYPE_APPROVAL_REQUESTED:
      EndLine();
      PrintApprovalRequest(e.approval_requested().approval());
      std::cerr << "  decide with: codex-manager approval approve|deny "
                << e.approval_requested().approval().approval_id() << "\n";
      break;
    case v1::EVENT_TYPE_APPROVAL_RESOLVED:
      EndLine();
      std::cerr << "  approval " << e.approval_resolved().approval_id() << ": "
                << ApprovalStateName(e.approval_resolved().state()) << "\n";
      break;
    case v1::EVENT_TYPE_TURN_STATE_CHANGED: {
      const auto& t = e.turn_state_changed();
      if (t.state() == v1::TURN_STATE_QUEUED ||
          t.state() == v1::TURN_STATE_RUNNING) {
        break;
      }
      EndLine();
      std::cerr << "turn " << t.turn_id() << " " << TurnStateName(t.state());
      if (!t.error().empty()) std::cerr << ": " << t.error();
      std::cerr << "\n";
      break;
    }
    case v1::EVENT_TYPE_ERROR:
      EndLine();
      std::cerr << "error: " << e.notice().message() << "\n";
      break;
    case v1::EVENT_TYPE_SESSION_STATE_CHANGED:
      if (!e.session_state_changed().error().empty()) {
        EndLine();
        std::cerr << "session "
                  << SessionStateName(e.session_state_changed().state()) << ": "
                  << e.session_state_changed().error() << "\n";
      }
      break;
    default:
      break;
  }
}

}  // namespace codex_manager::cli
