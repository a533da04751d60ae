#include "commands.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <thread>
#include <type_traits>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "call.h"
#include "questions.h"
#include "render.h"
#include "signals.h"
#include "terminal.h"

namespace codex_manager::cli {
namespace {

bool IsFinal(v1::TurnState s) {
  return s == v1::TURN_STATE_COMPLETED || s == v1::TURN_STATE_FAILED ||
         s == v1::TURN_STATE_INTERRUPTED;
}

struct FollowSpec {
  std::string session_id;
  int64_t after_seq = 0;
  // When set: only this turn's events (and session errors); stops when the
  // turn ends, with its exit code.
  std::string turn_id;
  bool follow = true;
  // The turn was just started by this command (so the server was reached).
  bool started = false;
  EventPrinter::Mode print = EventPrinter::Mode::kLive;
  ApprovalMode mode = ApprovalMode::kWait;
  // Ctrl-C detaches at once instead of interrupting the turn first.
  bool detach = false;
  // The session's Session.purged_seq, said first (`events` from the start).
  int64_t purged_seq = 0;
};

// Ctrl-C while following a turn, as Codex's own TUI does: the first asks
// the server to interrupt the turn (on a thread of its own, so a second
// Ctrl-C is never held up by it) and the follow goes on to the turn's end;
// a second one, or the first with --detach, leaves at once.
class CtrlC {
 public:
  CtrlC(Client& client, const FollowSpec& spec)
      : scope_(std::in_place, [this, &client, spec](int count) {
          if (count == 1 && !spec.detach) {
            std::cerr << "\ninterrupting turn " << spec.turn_id
                      << " (Ctrl-C again to detach)\n";
            interrupting_ = true;
            interrupter_ = std::thread([&client, spec] {
              v1::InterruptTurnRequest request;
              request.set_session_id(spec.session_id);
              request.set_turn_id(spec.turn_id);
              v1::Turn turn;
              grpc::Status status = client.turns().InterruptTurn(
                  client.Context().get(), request, &turn);
              if (!status.ok()) {
                std::cerr << "note: could not interrupt: "
                          << status.error_message() << "\n";
              }
            });
            return;
          }
          std::cerr << "\ndetached; turn " << spec.turn_id
                    << " goes on. Watch it: codex-manager events "
                    << spec.session_id
                    << " --follow; stop it: codex-manager turn interrupt "
                    << spec.session_id << "\n";
          ExitNow(128 + 2);  // 128 + SIGINT
        }) {}
  ~CtrlC() {
    scope_.reset();  // no Ctrl-C handled from here on
    if (interrupter_.joinable()) interrupter_.join();
  }
  // Whether Ctrl-C asked for the turn to be interrupted.
  bool interrupting() const { return interrupting_; }

 private:
  std::atomic<bool> interrupting_{false};
  std::thread interrupter_;
  std::optional<InterruptScope> scope_;
};

// Asks on the terminal, offering what Codex offers; returns UNSPECIFIED
// when there is no answer. `what`: "approve", "grant" for permissions, or
// "answer" for questions.
v1::Decision Ask(const v1::Approval& approval, const std::string& what) {
  struct Choice {
    const char* key;
    const char* label;
    v1::Decision decision;
  };
  static const Choice kChoices[] = {
      {"y", "[y]es", v1::DECISION_APPROVE},
      {"a", "[a]lways in this session", v1::DECISION_APPROVE_FOR_SESSION},
      {"r", "[r]emember for these commands", v1::DECISION_APPROVE_AND_REMEMBER},
      {"n", "[n]o", v1::DECISION_DENY},
      {"x", "[x] no and stop the turn", v1::DECISION_ABORT},
  };
  std::string prompt;
  for (const Choice& c : kChoices) {
    if (!Offers(approval, c.decision)) continue;
    if (!prompt.empty()) prompt += " / ";
    prompt += c.label;
  }
  for (;;) {
    std::cerr << "  " << what << "? " << prompt << ": ";
    std::string line;
    if (!std::getline(std::cin, line)) return v1::DECISION_UNSPECIFIED;
    if (line == "yes") line = "y";
    if (line == "no") line = "n";
    for (const Choice& c : kChoices) {
      if (line == c.key && Offers(approval, c.decision)) return c.decision;
    }
  }
}

// Asks each question on the terminal (an option by its number or label,
// or any text where any answers it; an empty line skips one that may be
// skipped). False at the end of input.
bool AskAnswers(const std::vector<Question>& questions,
                std::map<std::string, std::string>* answers) {
  for (const Question& q : questions) {
    std::vector<std::string> choices;
    for (size_t i = 0; i < q.options.size(); ++i) {
      choices.push_back(absl::StrCat(i + 1, " ", q.options[i].first));
    }
    if (!choices.empty() && q.other) choices.emplace_back("or your own");
    if (q.secret) choices.emplace_back("secret");
    choices.emplace_back(q.required ? "required" : "empty to skip");
    const std::string prompt =
        absl::StrCat("  ", q.id, " [", absl::StrJoin(choices, ", "), "]: ");
    for (;;) {
      std::string line;
      if (!ReadLine(prompt, q.secret, &line)) return false;
      const std::string answer = AnswerFromLine(q, line);
      if (!answer.empty()) {
        (*answers)[q.id] = answer;
        break;
      }
      if (absl::StripAsciiWhitespace(line).empty() && !q.required) break;
      std::cerr << (q.options.empty() || q.other
                        ? "  an answer is required\n"
                        : absl::StrCat("  choose 1 to ", q.options.size(),
                                       "\n"));
    }
  }
  return true;
}

// Whether only a person can answer `approval`: an MCP server's form with
// fields to fill, a URL to open, a device to prove: any MCP elicitation
// but a yes/no form with no fields (MCP's "form" mode, the default when a
// request names none).
bool NeedsAPerson(const v1::Approval& approval,
                  const std::vector<Question>& questions) {
  const std::string& mode = approval.elicitation_mode();
  return approval.kind() == v1::APPROVAL_KIND_MCP_ELICITATION &&
         (!questions.empty() || (mode != "form" && !mode.empty()) ||
          !Offers(approval, v1::DECISION_APPROVE));
}

void Decide(Client& client, const v1::Approval& approval, ApprovalMode mode) {
  const std::vector<Question> questions = QuestionsOf(approval);
  // Asked again while the answers given do not fit (INVALID_ARGUMENT).
  for (;;) {
    v1::Decision decision = v1::DECISION_UNSPECIFIED;
    std::map<std::string, std::string> answers;
    switch (mode) {
      case ApprovalMode::kWait:
        return;
      case ApprovalMode::kAsk:
        decision =
            Ask(approval, !questions.empty() ? "answer"
                          : approval.kind() == v1::APPROVAL_KIND_PERMISSIONS
                              ? "grant"
                              : "approve");
        if (decision == v1::DECISION_APPROVE && !questions.empty() &&
            !AskAnswers(questions, &answers)) {
          return;
        }
        break;
      case ApprovalMode::kApprove:
        // A yes is all it gives: a form, a link or a device proof is
        // cancelled (MCP's "cancel", as `codex exec` does with every
        // elicitation), and Codex's questions get no answers; the turn goes
        // on either way, rather than wait for no one.
        if (NeedsAPerson(approval, questions)) {
          decision = v1::DECISION_ABORT;
          std::cerr << "  cancelled: --on-approval approve fills in no form "
                       "(ask asks you; wait leaves it to another client)\n";
        } else {
          decision = v1::DECISION_APPROVE;
          if (!questions.empty()) {
            std::cerr << "  left unanswered: --on-approval approve answers no "
                         "questions (ask asks you; wait leaves them to another "
                         "client)\n";
          }
        }
        break;
      case ApprovalMode::kDeny:
        // Where Codex offers no plain "no" (approval policy `untrusted`),
        // its "no" stops the turn.
        decision = Offers(approval, v1::DECISION_DENY) ? v1::DECISION_DENY
                                                       : v1::DECISION_ABORT;
        break;
    }
    if (decision == v1::DECISION_UNSPECIFIED) return;
    v1::ResolveApprovalRequest request;
    request.set_approval_id(approval.approval_id());
    request.set_decision(decision);
    request.mutable_answers()->insert(answers.begin(), answers.end());
    v1::Approval out;
    grpc::Status status = client.approvals().ResolveApproval(
        client.Context().get(), request, &out);
    if (status.ok()) return;
    // Someone else decided first, or the turn moved on: say so, go on.
    std::cerr << "  note: " << status.error_message() << "\n";
    if (mode != ApprovalMode::kAsk || questions.empty() ||
        status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
      return;
    }
  }
}

// Reads one stream call to its end, handing each event to `handle` until
// it returns an exit code. `Reader` is StreamEventBatches' (EventBatch
// messages) or StreamEvents' (one Event each); `on_message` runs for each
// message read.
template <typename Message, typename Reader, typename OnMessage,
          typename Handle>
std::optional<int> ReadEvents(Reader& reader, grpc::ClientContext& context,
                              OnMessage on_message, Handle handle,
                              grpc::Status* status) {
  Message message;
  while (reader->Read(&message)) {
    on_message();
    std::optional<int> done;
    if constexpr (std::is_same_v<Message, v1::EventBatch>) {
      for (const v1::Event& event : message.events()) {
        if ((done = handle(event))) break;
      }
    } else {
      done = handle(message);
    }
    if (done) {
      context.TryCancel();
      reader->Finish().ok();
      return done;
    }
  }
  *status = reader->Finish();
  return std::nullopt;
}

// Streams events per `spec`, reconnecting from the last cursor when the
// server goes away (for up to a minute), once it has been reached: a
// server never reached fails at once. Streams with StreamEventBatches, or
// StreamEvents on a server older than it (UNIMPLEMENTED). Returns the exit
// code.
int Follow(Client& client, const FollowSpec& spec,
           const CtrlC* ctrl_c = nullptr) {
  EventPrinter printer(spec.print);
  // Approvals this follower decides itself need no "decide with".
  printer.set_decide_hint(spec.turn_id.empty() ||
                          spec.mode == ApprovalMode::kWait ||
                          spec.mode == ApprovalMode::kAsk);
  if (spec.purged_seq > 0 && !client.options().json) {
    printer.Purged(spec.purged_seq);
  }
  int64_t cursor = spec.after_seq;
  bool denied = false;
  bool batches = true;
  auto last_ok = std::chrono::steady_clock::now();
  std::chrono::milliseconds backoff(200);
  // A started turn means the server answered; else the first event says so.
  bool reached = spec.started;
  auto on_message = [&] {
    reached = true;
    last_ok = std::chrono::steady_clock::now();
    backoff = std::chrono::milliseconds(200);
  };
  // Prints `event`; the exit code once the followed turn has ended.
  auto handle = [&](const v1::Event& event) -> std::optional<int> {
    if (!event.redelivered()) {
      // Seqs jump only over what a restore lost.
      if (cursor > 0 && event.session_seq() > cursor + 1 &&
          spec.turn_id.empty() && !client.options().json) {
        printer.Missing(cursor + 1, event.session_seq() - 1);
      }
      cursor = event.session_seq();
    }
    const bool session_error =
        event.turn_id().empty() &&
        (event.type() == v1::EVENT_TYPE_ERROR ||
         (event.type() == v1::EVENT_TYPE_SESSION_STATE_CHANGED &&
          !event.session_state_changed().error().empty()));
    if (!spec.turn_id.empty() && event.turn_id() != spec.turn_id &&
        !session_error) {
      return std::nullopt;
    }
    if (client.options().json) {
      PrintJson(event);
    } else {
      printer.Print(event);
    }
    if (spec.turn_id.empty()) return std::nullopt;
    if (event.type() == v1::EVENT_TYPE_APPROVAL_REQUESTED) {
      Decide(client, event.approval_requested().approval(), spec.mode);
    } else if (event.type() == v1::EVENT_TYPE_APPROVAL_RESOLVED &&
               event.approval_resolved().state() ==
                   v1::APPROVAL_STATE_DENIED) {
      denied = true;
    } else if (event.type() == v1::EVENT_TYPE_TURN_STATE_CHANGED &&
               IsFinal(event.turn_state_changed().state())) {
      printer.EndLine();
      if (ctrl_c && ctrl_c->interrupting()) return 128 + 2;  // Ctrl-C
      const bool completed =
          event.turn_state_changed().state() == v1::TURN_STATE_COMPLETED;
      return completed && !denied ? kExitOk : kExitTurnFailed;
    }
    return std::nullopt;
  };
  for (;;) {
    v1::StreamEventsRequest request;
    request.set_session_id(spec.session_id);
    request.set_after_seq(cursor);
    request.set_no_follow(!spec.follow);
    auto context = client.StreamContext();
    grpc::Status status;
    std::optional<int> done;
    if (batches) {
      // Several events per message (the same stream as StreamEvents).
      auto reader = client.streams().StreamEventBatches(context.get(), request);
      done = ReadEvents<v1::EventBatch>(reader, *context, on_message, handle,
                                        &status);
    } else {
      auto reader = client.streams().StreamEvents(context.get(), request);
      done = ReadEvents<v1::Event>(reader, *context, on_message, handle,
                                   &status);
    }
    if (done) return *done;
    printer.EndLine();
    if (status.ok()) return kExitOk;  // a replay that caught up
    if (batches && status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      batches = false;  // an older server: the same stream, an event a message
      continue;
    }
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE || !reached ||
        std::chrono::steady_clock::now() - last_ok > std::chrono::minutes(1)) {
      return Fail(status);
    }
    // The server went away: resume after the last event we printed.
    std::cerr << "note: lost the server (" << status.error_message()
              << "); reconnecting from event " << cursor << "\n";
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

// After StartTurn or StartReview answered `turn`: print it, or follow it.
int ShowStarted(Client& client, const v1::Turn& turn, int64_t after_seq,
                bool follow, ApprovalMode mode, bool detach) {
  const std::string& session_id = turn.session_id();
  if (!follow) {
    if (client.options().json) {
      PrintJson(turn);
    } else {
      std::cout << turn.turn_id() << "\n";
    }
    return kExitOk;
  }
  FollowSpec spec;
  spec.session_id = session_id;
  spec.after_seq = after_seq;
  spec.turn_id = turn.turn_id();
  spec.started = true;
  spec.mode = mode;
  spec.detach = detach;
  // Ctrl-C acts on the turn from here on, before anything says it started.
  CtrlC ctrl_c(client, spec);
  if (!client.options().json) {
    std::cerr << "turn " << turn.turn_id() << " in session " << session_id
              << (turn.state() == v1::TURN_STATE_QUEUED
                      ? " (queued)"
                      : "")
              << "\n";
  }
  return Follow(client, spec, &ctrl_c);
}

// The session's last sequence number, to follow what comes after it.
grpc::Status LastSeq(Client& client, const std::string& session_id,
                     int64_t* seq) {
  v1::GetSessionRequest get;
  get.set_session_id(session_id);
  v1::Session session;
  grpc::Status status =
      client.sessions().GetSession(client.Context().get(), get, &session);
  *seq = session.last_seq();
  return status;
}

// Queues a turn with `rpc` (StartTurn, StartReview, RunShellCommand), then
// prints its id or follows it. Followed, it is read from the session's end
// as it was before the call (everything of the new turn comes after it),
// or from `after_seq` when known (a session just created).
template <typename Request>
int QueueTurn(Client& client,
              grpc::Status (v1::TurnService::Stub::*rpc)(grpc::ClientContext*,
                                                          const Request&,
                                                          v1::Turn*),
              const Request& request, bool follow, ApprovalMode mode,
              bool detach, std::optional<int64_t> after_seq = std::nullopt) {
  if (follow && !after_seq) {
    after_seq = 0;
    grpc::Status status = LastSeq(client, request.session_id(), &*after_seq);
    if (!status.ok()) return Fail(status);
  }
  v1::Turn turn;
  grpc::Status status =
      (client.turns().*rpc)(client.Context().get(), request, &turn);
  if (!status.ok()) return Fail(status);
  return ShowStarted(client, turn, after_seq.value_or(0), follow, mode,
                     detach);
}

}  // namespace

int Health(Client& client) {
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status =
      client.health().Check(client.Context().get(), request, &response);
  if (!status.ok()) return Fail(status);
  if (client.options().json) {
    PrintJson(response);
  } else {
    std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                     response.status())
              << "\n";
  }
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING
             ? kExitOk
             : kExitUnreachable;
}

namespace {

// What `session create` and `run` ask for; nullopt (said on stderr) when
// --instructions-file cannot be read.
std::optional<v1::CreateSessionRequest> CreateSessionRequestOf(
    const SessionFlags& flags) {
  v1::CreateSessionRequest request;
  request.set_cwd(flags.cwd);
  request.set_model(flags.model);
  request.set_model_provider(flags.model_provider);
  request.set_approval_policy(flags.approval_policy);
  request.set_sandbox(flags.sandbox);
  request.set_title(flags.title);
  request.set_effort(flags.effort);
  request.set_service_tier(flags.service_tier);
  request.set_request_id(flags.request_id);
  if (flags.instructions_file.empty()) {
    request.set_developer_instructions(flags.instructions);
    return request;
  }
  std::ifstream in(flags.instructions_file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  if (!in && !in.eof()) {
    std::cerr << "error: cannot read --instructions-file "
              << flags.instructions_file << ": " << std::strerror(errno)
              << "\n";
    return std::nullopt;
  }
  request.set_developer_instructions(std::move(text));
  return request;
}

}  // namespace

int SessionCreate(Client& client, const SessionFlags& flags) {
  const std::optional<v1::CreateSessionRequest> request =
      CreateSessionRequestOf(flags);
  if (!request) return kExitUsage;
  return CallAndShow(
      client, client.sessions(), &v1::SessionService::Stub::CreateSession,
      *request,
      [](const v1::Session& s) { std::cout << s.session_id() << "\n"; });
}

int SessionList(Client& client, const v1::ListSessionsRequest& request) {
  const bool filtered = !request.search().empty() || !request.cwd().empty() ||
                        !request.states().empty();
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::ListSessions, request,
                     [filtered](const v1::ListSessionsResponse& list) {
                       PrintSessionTable(list, filtered);
                     });
}

int SessionShow(Client& client, const std::string& session_id) {
  v1::GetSessionRequest request;
  request.set_session_id(session_id);
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::GetSession, request,
                     PrintSession);
}

int SessionStop(Client& client, const std::string& session_id, bool force) {
  v1::StopSessionRequest request;
  request.set_session_id(session_id);
  request.set_force(force);
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::StopSession, request,
                     PrintSession);
}

int SessionResume(Client& client, const std::string& session_id) {
  v1::ResumeSessionRequest request;
  request.set_session_id(session_id);
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::ResumeSession, request,
                     PrintSession);
}

int SessionArchive(Client& client, const std::string& session_id) {
  v1::ArchiveSessionRequest request;
  request.set_session_id(session_id);
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::ArchiveSession, request,
                     PrintSession);
}

int SessionUnarchive(Client& client, const std::string& session_id) {
  v1::UnarchiveSessionRequest request;
  request.set_session_id(session_id);
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::UnarchiveSession, request,
                     PrintSession);
}

int TurnStart(Client& client, const v1::StartTurnRequest& request,
              bool follow, ApprovalMode mode, bool detach) {
  return QueueTurn(client, &v1::TurnService::Stub::StartTurn, request, follow,
                   mode, detach);
}

int TurnReview(Client& client, const v1::StartReviewRequest& request,
               bool follow, ApprovalMode mode, bool detach) {
  return QueueTurn(client, &v1::TurnService::Stub::StartReview, request,
                   follow, mode, detach);
}

int TurnShell(Client& client, const v1::RunShellCommandRequest& request,
              bool follow, bool detach) {
  // It asks for no approval: Codex runs it as asked.
  return QueueTurn(client, &v1::TurnService::Stub::RunShellCommand, request,
                   follow, ApprovalMode::kWait, detach);
}

int SessionImport(Client& client, const v1::ImportThreadRequest& request) {
  return CallAndShow(
      client, client.sessions(), &v1::SessionService::Stub::ImportThread,
      request,
      [](const v1::Session& s) { std::cout << s.session_id() << "\n"; });
}

int SessionFork(Client& client, const v1::ForkSessionRequest& request) {
  return CallAndShow(
      client, client.sessions(), &v1::SessionService::Stub::ForkSession,
      request,
      [](const v1::Session& s) { std::cout << s.session_id() << "\n"; });
}

int SessionRevert(Client& client, const v1::RevertSessionRequest& request) {
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::RevertSession, request,
                     [](const v1::RevertSessionResponse& r) {
                       for (const std::string& id : r.reverted_turn_ids()) {
                         std::cout << id << "\n";
                       }
                     });
}

int CodexModels(Client& client, bool all, const std::string& model_provider) {
  v1::ListModelsRequest request;
  request.set_include_hidden(all);
  request.set_model_provider(model_provider);
  return CallAndShow(client, client.codex(),
                     &v1::CodexService::Stub::ListModels, request,
                     PrintModelTable);
}

int CodexModelProviders(Client& client) {
  return CallAndShow(client, client.codex(),
                     &v1::CodexService::Stub::ListModelProviders,
                     v1::ListModelProvidersRequest(), PrintModelProviderTable);
}

int CodexAccount(Client& client) {
  return CallAndShow(client, client.codex(),
                     &v1::CodexService::Stub::GetAccount,
                     v1::GetAccountRequest(), PrintAccount);
}

int CodexThreads(Client& client, const v1::ListCodexThreadsRequest& request) {
  return CallAndShow(client, client.codex(),
                     &v1::CodexService::Stub::ListCodexThreads, request,
                     PrintCodexThreadTable);
}

int CodexHooks(Client& client, const std::string& cwd) {
  v1::ListCodexHooksRequest request;
  request.set_cwd(cwd);
  return CallAndShow(client, client.codex(),
                     &v1::CodexService::Stub::ListCodexHooks, request,
                     PrintCodexHooks);
}

int CodexHooksTrust(Client& client, const std::string& cwd,
                    const std::vector<std::string>& keys, bool all_untrusted) {
  if (keys.empty() == !all_untrusted) {
    std::cerr << "error: name the hooks to trust (their keys, from `codex "
                 "hooks`) or pass --all-untrusted, not both\n";
    return kExitUsage;
  }
  v1::ListCodexHooksRequest list_request;
  list_request.set_cwd(cwd);
  v1::ListCodexHooksResponse listed;
  grpc::Status status = client.codex().ListCodexHooks(
      client.Context().get(), list_request, &listed);
  if (!status.ok()) return Fail(status);
  v1::TrustCodexHooksRequest request;
  request.set_cwd(cwd);
  for (const v1::CodexHook& hook : listed.hooks()) {
    const bool named =
        std::find(keys.begin(), keys.end(), hook.key()) != keys.end();
    if (all_untrusted ? hook.skipped() : named) {
      v1::HookTrust* trust = request.add_hooks();
      trust->set_key(hook.key());
      trust->set_current_hash(hook.current_hash());
    }
  }
  for (const std::string& key : keys) {
    const bool found = std::any_of(
        request.hooks().begin(), request.hooks().end(),
        [&key](const v1::HookTrust& h) { return h.key() == key; });
    if (!found) {
      std::cerr << "error: Codex lists no hook " << key
                << " (see codex-manager codex hooks)\n";
      return kExitNotFound;
    }
  }
  if (request.hooks().empty()) {
    std::cerr << "Every hook Codex lists runs already; nothing to trust.\n";
    return kExitOk;
  }
  return CallAndShow(client, client.codex(),
                     &v1::CodexService::Stub::TrustCodexHooks, request,
                     [&request](const v1::TrustCodexHooksResponse& after) {
                       PrintTrustedHooks(request, after);
                     });
}

int SessionCompact(Client& client, const v1::CompactSessionRequest& request) {
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::CompactSession, request,
                     [](const v1::Session& s) {
                       std::printf("compacting session %s (Codex says when "
                                   "done in its events)\n",
                                   s.session_id().c_str());
                     });
}

int SessionGoal(Client& client, const v1::SetSessionGoalRequest& request,
                bool clear) {
  if (clear) {
    v1::ClearSessionGoalRequest cleared;
    cleared.set_session_id(request.session_id());
    return CallAndShow(client, client.sessions(),
                       &v1::SessionService::Stub::ClearSessionGoal, cleared,
                       PrintGoal);
  }
  if (!request.has_objective() && request.status() == 0 &&
      !request.has_token_budget()) {
    v1::GetSessionRequest get;
    get.set_session_id(request.session_id());
    return CallAndShow(client, client.sessions(),
                       &v1::SessionService::Stub::GetSession, get, PrintGoal);
  }
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::SetSessionGoal, request,
                     PrintGoal);
}

int SessionFiles(Client& client, const v1::SearchFilesRequest& request) {
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::SearchFiles, request,
                     PrintFileMatches);
}

namespace {

// The SKILL.md path of the listed skill `wanted` names (its path, or its
// name with or without `$`), or the exit code after saying why not.
std::variant<std::string, int> SkillPathOf(const v1::ListSkillsResponse& list,
                                           const std::string& session_id,
                                           const std::string& wanted) {
  const std::string name =
      !wanted.empty() && wanted[0] == '$' ? wanted.substr(1) : wanted;
  std::vector<std::string> paths;
  for (const v1::Skill& skill : list.skills()) {
    if (skill.path() == wanted) return skill.path();
    if (skill.name() == name) paths.push_back(skill.path());
  }
  if (paths.size() == 1) return paths.front();
  if (paths.empty()) {
    std::cerr << "error: Codex offers no skill " << OneLine(wanted)
              << " in session " << session_id
              << "'s folder (codex-manager session skills " << session_id
              << " lists them)\n";
    return kExitNotFound;
  }
  std::cerr << "error: " << paths.size() << " skills are named "
            << OneLine(name) << "; name one by its SKILL.md:\n";
  for (const std::string& path : paths)
    std::cerr << "  " << OneLine(path) << "\n";
  return kExitUsage;
}

}  // namespace

int SessionSkills(Client& client, const v1::ListSkillsRequest& request,
                  const std::vector<std::string>& enable,
                  const std::vector<std::string>& disable) {
  if (!enable.empty() || !disable.empty()) {
    v1::ListSkillsResponse listed;
    grpc::Status status =
        client.sessions().ListSkills(client.Context().get(), request, &listed);
    if (!status.ok()) return Fail(status);
    for (const auto& [names, enabled] :
         {std::pair{&enable, true}, std::pair{&disable, false}}) {
      for (const std::string& wanted : *names) {
        std::variant<std::string, int> path =
            SkillPathOf(listed, request.session_id(), wanted);
        if (const int* code = std::get_if<int>(&path)) return *code;
        v1::SetSkillEnabledRequest set;
        set.set_session_id(request.session_id());
        set.set_path(std::get<std::string>(path));
        set.set_enabled(enabled);
        v1::Skill after;
        status = client.sessions().SetSkillEnabled(client.Context().get(), set,
                                                   &after);
        if (!status.ok()) return Fail(status);
        std::cerr << "$" << OneLine(after.name()) << " ("
                  << OneLine(after.path()) << ") is "
                  << (after.enabled() ? "enabled" : "disabled")
                  << " for sessions started or resumed from now on\n";
      }
    }
  }
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::ListSkills, request,
                     PrintSkills);
}

int SessionMcpServers(Client& client, const std::string& session_id) {
  v1::ListMcpServersRequest request;
  request.set_session_id(session_id);
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::ListMcpServers, request,
                     PrintMcpServers);
}

int SessionTerminals(Client& client, const std::string& session_id) {
  v1::ListBackgroundTerminalsRequest request;
  request.set_session_id(session_id);
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::ListBackgroundTerminals,
                     request, PrintBackgroundTerminals);
}

int SessionTerminate(Client& client, const std::string& session_id,
                     const std::vector<std::string>& process_ids, bool all) {
  if (process_ids.empty() == !all) {
    std::cerr << "error: name the processes to end (from `session terminals`) "
                 "or pass --all, not both\n";
    return kExitUsage;
  }
  v1::TerminateBackgroundTerminalsRequest request;
  request.set_session_id(session_id);
  request.set_all(all);
  const std::vector<std::string> each = all ? std::vector<std::string>{""}
                                            : process_ids;
  for (const std::string& process_id : each) {
    request.set_process_id(process_id);
    const int code = CallAndShow(
        client, client.sessions(),
        &v1::SessionService::Stub::TerminateBackgroundTerminals, request,
        [&process_id](const v1::TerminateBackgroundTerminalsResponse&) {
          if (process_id.empty()) {
            std::printf("ended every background terminal\n");
          } else {
            std::printf("ended background terminal %s\n", process_id.c_str());
          }
        });
    if (code != kExitOk) return code;
  }
  return kExitOk;
}

int SessionUpdate(Client& client, const v1::UpdateSessionRequest& request) {
  return CallAndShow(client, client.sessions(),
                     &v1::SessionService::Stub::UpdateSession, request,
                     [](const v1::Session& s) { PrintSession(s); });
}

int TurnList(Client& client, const std::string& session_id, int page_size,
             const std::string& page_token) {
  v1::ListTurnsRequest request;
  request.set_session_id(session_id);
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  return CallAndShow(client, client.turns(), &v1::TurnService::Stub::ListTurns,
                     request, PrintTurnTable);
}

int TurnShow(Client& client, const std::string& turn_id) {
  v1::GetTurnRequest request;
  request.set_turn_id(turn_id);
  return CallAndShow(client, client.turns(), &v1::TurnService::Stub::GetTurn,
                     request, PrintTurn);
}

int TurnInterrupt(Client& client, const std::string& session_id,
                  const std::string& turn_id) {
  v1::InterruptTurnRequest request;
  request.set_session_id(session_id);
  request.set_turn_id(turn_id);
  return CallAndShow(client, client.turns(),
                     &v1::TurnService::Stub::InterruptTurn, request,
                     [&session_id](const v1::Turn& turn) {
                       // The answer comes before the runtime has stopped.
                       if (turn.state() == v1::TURN_STATE_INTERRUPTED) {
                         std::printf("turn %s dropped from the queue\n",
                                     turn.turn_id().c_str());
                         return;
                       }
                       std::printf(
                           "interrupting turn %s; it ends INTERRUPTED in a "
                           "moment (watch: codex-manager events %s "
                           "--follow)\n",
                           turn.turn_id().c_str(), session_id.c_str());
                     });
}

int TurnSteer(Client& client, const std::string& session_id,
              const std::string& turn_id, const std::string& prompt) {
  v1::SteerTurnRequest request;
  request.set_session_id(session_id);
  request.set_turn_id(turn_id);
  request.set_prompt(prompt);
  return CallAndShow(client, client.turns(), &v1::TurnService::Stub::SteerTurn,
                     request, [](const v1::Turn& turn) {
                       std::printf("steered turn %s\n", turn.turn_id().c_str());
                     });
}

int ApprovalList(Client& client, const std::string& session_id, bool all) {
  v1::ListApprovalsRequest request;
  request.set_session_id(session_id);
  request.set_include_resolved(all);
  return CallAndShow(client, client.approvals(),
                     &v1::ApprovalService::Stub::ListApprovals, request,
                     PrintApprovalTable);
}

int ApprovalResolve(Client& client, const std::string& approval_id,
                    v1::Decision decision,
                    const std::map<std::string, std::string>& answers,
                    const std::string& request_id) {
  v1::ResolveApprovalRequest request;
  request.set_approval_id(approval_id);
  request.set_decision(decision);
  request.set_request_id(request_id);
  for (const auto& [k, v] : answers) (*request.mutable_answers())[k] = v;
  return CallAndShow(client, client.approvals(),
                     &v1::ApprovalService::Stub::ResolveApproval, request,
                     [](const v1::Approval& a) {
                       std::cout << a.approval_id() << " "
                                 << ApprovalStateName(a.state()) << "\n";
                     });
}

namespace {

std::string Short(const std::string& text, size_t width) {
  return Trim(OneLine(text), width);
}

std::vector<Candidate> SessionIds(Client& client,
                                  std::vector<std::string>* ids = nullptr) {
  v1::ListSessionsRequest request;
  request.set_page_size(100);
  v1::ListSessionsResponse response;
  if (!client.sessions()
           .ListSessions(client.Context().get(), request, &response)
           .ok()) {
    return {};
  }
  std::vector<Candidate> out;
  for (const v1::Session& s : response.sessions()) {
    const std::string& name = !s.title().empty()     ? s.title()
                              : !s.preview().empty() ? s.preview()
                                                     : s.cwd();
    out.push_back(
        {s.session_id(), Short(SessionStateName(s.state()) + " " + name, 60)});
    if (ids != nullptr) ids->push_back(s.session_id());
  }
  return out;
}

std::vector<Candidate> TurnIds(Client& client, const std::string& session_id) {
  std::vector<std::string> sessions;
  if (!session_id.empty()) {
    sessions.push_back(session_id);
  } else {
    SessionIds(client, &sessions);
    if (sessions.size() > 10) sessions.resize(10);  // the newest
  }
  std::vector<Candidate> out;
  for (const std::string& id : sessions) {
    v1::ListTurnsRequest request;
    request.set_session_id(id);
    request.set_page_size(1000);
    v1::ListTurnsResponse response;
    if (!client.turns()
             .ListTurns(client.Context().get(), request, &response)
             .ok()) {
      continue;
    }
    for (const v1::Turn& t : response.turns()) {
      out.push_back({t.turn_id(),
                     Short(TurnStateName(t.state()) + " " + t.prompt(), 60)});
    }
  }
  return out;
}

// The server's Codex models of `provider` ("": the default one).
v1::ListModelsResponse Models(Client& client, const std::string& provider) {
  v1::ListModelsRequest request;
  request.set_model_provider(provider);
  v1::ListModelsResponse response;
  if (!client.codex()
           .ListModels(client.Context().get(), request, &response)
           .ok()) {
    return {};
  }
  return response;
}

// The model the line's efforts and tiers are of: the one it names, else
// the session's (its model, else the one Codex runs it with), else the
// one a new session runs (SessionDefault); none when Codex does not list
// it.
std::optional<v1::Model> LineModel(Client& client, const LineContext& line) {
  std::string model = line.model;
  std::string provider = line.model_provider;
  if (model.empty() && !line.session_id.empty()) {
    v1::GetSessionRequest request;
    request.set_session_id(line.session_id);
    v1::Session session;
    if (client.sessions()
            .GetSession(client.Context().get(), request, &session)
            .ok()) {
      model = !session.model().empty() ? session.model()
                                       : session.codex_settings().model();
      if (provider.empty()) provider = session.model_provider();
    }
  }
  const v1::ListModelsResponse list = Models(client, provider);
  if (model.empty()) {
    const v1::Model* usual = SessionDefault(list);
    if (usual == nullptr) return std::nullopt;
    return *usual;
  }
  for (const v1::Model& m : list.models()) {
    if (m.model() == model) return m;
  }
  return std::nullopt;
}

}  // namespace

IdLister ServerIds(Client& client) {
  return [&client](IdKind kind, const LineContext& line) {
    std::vector<Candidate> out;
    switch (kind) {
      case IdKind::kSession:
        return SessionIds(client);
      case IdKind::kTurn:
        return TurnIds(client, line.session_id);
      case IdKind::kModel: {
        const v1::ListModelsResponse list = Models(client, line.model_provider);
        for (const v1::Model& m : list.models()) {
          out.push_back({m.model(), Short(m.display_name().empty()
                                              ? m.description()
                                              : m.display_name(),
                                          60)});
        }
        return out;
      }
      case IdKind::kEffort:
        if (auto m = LineModel(client, line)) {
          for (const std::string& e : m->supported_efforts()) {
            out.push_back(
                {e, e == m->default_effort() ? "the model's default" : ""});
          }
        } else {  // the usual ones
          for (const char* e : {"low", "medium", "high", "xhigh"}) {
            out.push_back({e, ""});
          }
        }
        return out;
      case IdKind::kServiceTier:
        out.push_back({"default", "standard speed"});
        if (auto m = LineModel(client, line)) {
          for (const v1::ServiceTier& t : m->service_tiers()) {
            const std::string about =
                t.description().empty() ? t.name()
                                        : t.name() + ": " + t.description();
            out.push_back({t.id(), Short(about, 60)});
          }
        } else {
          out.push_back({"priority", "Codex's Fast mode"});
        }
        return out;
      case IdKind::kApproval: {
        v1::ListApprovalsRequest request;
        request.set_session_id(line.session_id);
        request.set_page_size(1000);
        v1::ListApprovalsResponse response;
        if (client.approvals()
                .ListApprovals(client.Context().get(), request, &response)
                .ok()) {
          for (const v1::Approval& a : response.approvals()) {
            out.push_back({a.approval_id(),
                           Short(a.command().empty() ? a.method() : a.command(),
                                 60)});
          }
        }
        return out;
      }
      case IdKind::kToken: {
        v1::ListTokensRequest request;
        request.set_page_size(1000);
        v1::ListTokensResponse response;
        if (client.auth()
                .ListTokens(client.Context().get(), request, &response)
                .ok()) {
          for (const v1::Token& t : response.tokens()) {
            out.push_back({t.token_id(), Short(t.name(), 60)});
          }
        }
        return out;
      }
    }
    return out;
  };
}

int Export(Client& client, const std::string& session_id,
           const std::string& format, const std::string& path) {
  v1::ExportTranscriptRequest request;
  request.set_session_id(session_id);
  request.set_format(format == "markdown" ? v1::TRANSCRIPT_FORMAT_MARKDOWN
                                          : v1::TRANSCRIPT_FORMAT_JSONL);
  const bool to_stdout = path.empty() || path == "-";
  const std::string temporary = path + ".partial";
  std::ofstream file;
  if (!to_stdout) {
    file.open(temporary, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "error: cannot write " << temporary << ": "
                << std::strerror(errno) << "\n";
      return kExitTurnFailed;
    }
  }
  std::ostream& out = to_stdout ? std::cout : file;
  auto context = client.StreamContext();
  auto reader = client.sessions().ExportTranscript(context.get(), request);
  v1::TranscriptChunk chunk;
  int64_t bytes = 0;
  while (reader->Read(&chunk)) {
    out << chunk.data();
    bytes += static_cast<int64_t>(chunk.data().size());
  }
  grpc::Status status = reader->Finish();
  out.flush();
  if (!to_stdout) {
    file.close();
    if (!status.ok() || !file) {
      std::remove(temporary.c_str());
      if (status.ok()) {
        std::cerr << "error: cannot write " << path << "\n";
        return kExitTurnFailed;
      }
    } else if (std::rename(temporary.c_str(), path.c_str()) != 0) {
      std::cerr << "error: cannot write " << path << ": "
                << std::strerror(errno) << "\n";
      std::remove(temporary.c_str());
      return kExitTurnFailed;
    } else {
      std::cerr << "wrote " << path << " (" << bytes << " bytes)\n";
    }
  }
  return status.ok() ? kExitOk : Fail(status);
}

int Events(Client& client, const std::string& session_id,
           const EventsFlags& flags) {
  FollowSpec spec;
  spec.session_id = session_id;
  spec.after_seq = flags.after_seq;
  spec.turn_id = flags.turn_id;
  spec.follow = flags.follow;
  spec.print = flags.raw ? EventPrinter::Mode::kRaw
                         : EventPrinter::Mode::kTranscript;
  if (flags.after_seq == 0 && flags.turn_id.empty() && !flags.raw &&
      !client.options().json) {
    // From the start: say what retention deleted, rather than nothing. An
    // error here is the stream's too, and it says it.
    v1::GetSessionRequest get;
    get.set_session_id(session_id);
    v1::Session session;
    if (client.sessions()
            .GetSession(client.Context().get(), get, &session)
            .ok()) {
      spec.purged_seq = session.purged_seq();
    }
  }
  return Follow(client, spec);
}

int Run(Client& client, const SessionFlags& flags, const std::string& prompt,
        ApprovalMode mode, bool detach, bool plan) {
  const std::optional<v1::CreateSessionRequest> request =
      CreateSessionRequestOf(flags);
  if (!request) return kExitUsage;
  v1::Session session;
  grpc::Status status = client.sessions().CreateSession(client.Context().get(),
                                                        *request, &session);
  if (!status.ok()) return Fail(status);
  if (!client.options().json) {
    std::cerr << "session " << session.session_id() << "\n";
  }
  v1::StartTurnRequest turn;
  turn.set_session_id(session.session_id());
  turn.set_prompt(prompt);
  if (plan) turn.set_collaboration_mode("plan");
  return QueueTurn(client, &v1::TurnService::Stub::StartTurn, turn,
                   /*follow=*/true, mode, detach, /*after_seq=*/0);
}

}  // namespace codex_manager::cli
