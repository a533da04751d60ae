// SessionManager's side of the runtimes (RuntimeListener): what Codex
// reports of a live session becomes its state changes and events.
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/json_access.h"
#include "common/log.h"
#include "common/server_metrics.h"
#include "common/utf8.h"
#include "core/changes.h"
#include "core/codex_hooks.h"
#include "core/codex_methods.h"
#include "core/codex_protocol.h"
#include "core/session_manager.h"

namespace codex_manager {

using json = nlohmann::json;

void SessionManager::OnReady(Runtime* runtime, const std::string& thread_id,
                             const std::string& runtime_version,
                             const json& thread_settings) {
  absl::MutexLock lock(&mu_);
  LiveSession* live = live_.Find(runtime);
  if (live == nullptr) return;
  if (!live->session.thread_id.empty() && !thread_id.empty() &&
      thread_id != live->session.thread_id) {
    // The runtime started a new thread (RuntimeConfig::new_thread_if_unsaved).
    Emit(live->session.session_id, EventType::kWarning, "",
         {{"message",
           absl::StrCat("Codex had not saved thread ", live->session.thread_id,
                        " (it saves a thread at its first turn, and this "
                        "session had none): the session goes on in a new "
                        "thread, ",
                        thread_id)}});
  }
  live->session.thread_id = thread_id;
  live->session.runtime_version = runtime_version;
  // Committed with the session's IDLE; said when other than last time.
  std::vector<EventLog::NewEvent> settings_changed;
  if (!thread_id.empty()) {
    CodexSettings settings = CodexSettingsOf(thread_settings);
    if (settings != live->session.codex_settings) {
      live->session.codex_settings = std::move(settings);
      settings_changed.push_back(CodexSettingsChangedEvent(live->session));
    }
  }
  if (!IsTestedCodexVersion(runtime_version)) {
    Emit(live->session.session_id, EventType::kWarning, "",
         {{"message",
           absl::StrCat("Codex ",
                        runtime_version.empty() ? "(version unknown)"
                                                : runtime_version,
                        " is outside the releases codex-manager was tested "
                        "with (",
                        kOldestTestedCodex, " to ", kNewestTestedCodex,
                        "); some of what it does may not reach clients")},
          {"details", "scripts/test-codex-versions.sh runs the suites "
                      "against a release"}});
  }
  if (!options_.runtime_warning.empty()) {
    Emit(live->session.session_id, EventType::kWarning, "",
         {{"message", options_.runtime_warning}});
  }
  live->last_activity = clock_->Now();
  if (!thread_id.empty()) {
    NameThread(*live);
    WarnOfSkippedHooks(*live);
    SyncGoal(*live);
  }
  SetSessionState(live->session, SessionState::kIdle, "", {}, /*wait=*/false,
                  std::move(settings_changed))
      .IgnoreError();
  DispatchNext(*live);
}

void SessionManager::NameThread(LiveSession& live) {
  if (live.session.title.empty()) return;
  // `done` takes no lock: it may run at once, under mu_.
  live.runtime->CallThread(
      "thread/name/set", {{"name", live.session.title}},
      [session_id = live.session.session_id](absl::StatusOr<json> result) {
        if (!result.ok()) {
          Log(LogLevel::kWarning, "Codex thread not named",
              {{"session_id", session_id},
               {"error", std::string(result.status().message())}});
        }
      });
}

void SessionManager::WarnOfSkippedHooks(LiveSession& live) {
  // `done` takes no lock (it may run at once, under mu_): the event log
  // has its own.
  live.runtime->CallThread(
      "hooks/list", json::object(),
      [this, session_id = live.session.session_id](absl::StatusOr<json> result) {
        if (!result.ok()) {
          // A Codex without hooks/list answers an error: nothing to say.
          Log(LogLevel::kDebug, "Codex hooks not listed",
              {{"session_id", session_id},
               {"error", std::string(result.status().message())}});
          return;
        }
        std::optional<SkippedHooks> skipped = SkippedHooksOf(*result);
        if (!skipped) return;
        Emit(session_id, EventType::kWarning, "",
             {{"message", skipped->message}, {"details", skipped->details}});
      });
}

void SessionManager::OnTurnAccepted(Runtime* runtime,
                                    const std::string& turn_id,
                                    const std::string& codex_turn_id) {
  absl::MutexLock lock(&mu_);
  LiveSession* live = live_.Find(runtime);
  if (live == nullptr) return;
  std::optional<Turn> turn = live->turns.Accept(turn_id, codex_turn_id);
  if (!turn) return;
  WriteBatch rows;  // no event: the state is the same
  rows.turns.push_back(std::move(*turn));
  log_->Commit(std::move(rows), {});
  if (live->turns.TakePendingInterrupt()) runtime->Interrupt(codex_turn_id);
}

void SessionManager::OnTurnRejected(Runtime* runtime,
                                    const std::string& turn_id,
                                    const std::string& error) {
  absl::MutexLock lock(&mu_);
  LiveSession* live = live_.Find(runtime);
  if (live == nullptr || !live->turns.IsRunning(turn_id)) return;
  EndTurnAndIdle(*live, TurnState::kFailed,
                 absl::StrCat("Codex rejected ", error));
  DispatchNext(*live);
}

void SessionManager::OnNotification(Runtime* runtime, const std::string& method,
                                    const json& params) {
  // Held back (on the runtime's reader thread, before any lock of ours)
  // while the store is behind.
  log_->WaitForRoom(options_.backpressure_wait);
  absl::MutexLock lock(&mu_);
  LiveSession* live = live_.Find(runtime);
  if (live == nullptr) return;
  live->last_activity = clock_->Now();
  const std::string& session_id = live->session.session_id;
  if (const std::string thread_id = StringMember(params, "threadId");
      live->IsSubAgentThread(thread_id)) {
    OnSubAgentNotification(*live, thread_id, method, params);
    return;
  }

  if (method == "turn/started") {
    // Ours is RUNNING since turn/start was sent; one Codex started itself
    // becomes a turn of ours here.
    AdoptCodexTurn(*live, StringMember(ObjectMember(params, "turn"), "id"));
    return;
  }
  if (method == "turn/completed") {
    const json& turn_json = ObjectMember(params, "turn");
    const std::string codex_turn_id = StringMember(turn_json, "id");
    if (!live->turns.RunsCodexTurn(codex_turn_id)) {
      return;  // not the turn we are running (e.g. a review sub-turn)
    }
    const std::string error =
        StringMember(Member(turn_json, "error"), "message");
    EndTurnAndIdle(*live,
                   TurnStateOfCodexStatus(StringMember(turn_json, "status")),
                   error);
    DispatchNext(*live);
    return;
  }
  if (method == "thread/goal/updated") {
    // The goal's usage grows as its turns run; the agent sets it
    // (create_goal), marks it complete (update_goal); a person changed it.
    if (std::optional<SessionGoal> goal = GoalOfCodex(Member(params, "goal"))) {
      RecordGoal(live->session, std::move(goal),
                 live->turns.OurTurnId(StringMember(params, "turnId")), {},
                 /*wait=*/false)
          .IgnoreError();
    }
    return;
  }
  if (method == "thread/goal/cleared") {
    RecordGoal(live->session, std::nullopt, "", {}, /*wait=*/false)
        .IgnoreError();
    return;
  }
  if (method == "thread/settings/updated") {
    // A turn changed the thread's settings (its overrides, sent with its
    // turn/start): the session's row and CODEX_SETTINGS_CHANGED, in the
    // running turn. The session (the live copy) changes once the change
    // is taken: a refused one leaves it as the store has it.
    CodexSettings settings = CodexSettingsOf(Member(params, "threadSettings"));
    // Codex names its default mode ("default") with a thread's first turn
    // (seen with 0.171); for a thread never in Plan mode that is what ""
    // already says, so it is no change to announce.
    if (settings.collaboration_mode == "default" &&
        live->session.codex_settings.collaboration_mode.empty()) {
      settings.collaboration_mode.clear();
    }
    if (settings != live->session.codex_settings) {
      Session changed = live->session;
      changed.codex_settings = settings;
      changed.update_time = clock_->Now();
      EventLog::NewEvent event = CodexSettingsChangedEvent(changed);
      event.turn_id = live->turns.running_id();
      WriteBatch rows;
      rows.sessions.push_back(changed);
      if (CommitChange(std::move(rows), {std::move(event)}, /*wait=*/false)
              .ok()) {
        live->session.codex_settings = changed.codex_settings;
        live->session.update_time = changed.update_time;
      }
    }
    const std::string& reviewer = settings.approvals_reviewer;
    if (!reviewer.empty() && reviewer != kApprovalsReviewer) {
      // Nothing we send asks for it; fail closed, as at start
      // (runtime/codex_runtime.cc): its approvals would not reach a person.
      const std::string problem = absl::StrCat(
          "Codex now routes this thread's approvals to reviewer \"", reviewer,
          "\", not to a person; the runtime was stopped");
      Emit(session_id, EventType::kError, live->turns.running_id(),
           {{"message", problem}, {"details", ""}});
      // Ends `live` (and `session_id`, which refers into it): return.
      Detach(session_id, SessionState::kFailed, problem, TurnState::kFailed,
             /*force=*/true)
          .IgnoreError();  // no audit: not waited for, always OK
      return;
    }
    return;
  }
  if (method == "serverRequest/resolved") {
    // Codex withdrew a request (e.g. the turn was interrupted).
    if (std::optional<Approval> withdrawn =
            live->approvals.TakeByRpcId(Member(params, "requestId"))) {
      ExpireApproval(std::move(*withdrawn));
    }
    return;
  }

  MappedNotification m = MapNotification(method, params);
  const std::string turn_id = live->turns.OurTurnId(m.codex_turn_id);
  if (m.type == EventType::kItemStarted ||
      m.type == EventType::kItemCompleted) {
    const json& item = m.payload["item"];
    const bool completed = m.type == EventType::kItemCompleted;
    const std::string type = StringMember(item, "type");
    live->NoteItem(item, completed);
    if (completed && type == "agentMessage") {
      live->turns.SetFinalMessage(turn_id, StringMember(item, "text"));
    }
  }
  Emit(session_id, m.type, turn_id, std::move(m.payload));
}

json SessionManager::SubAgentOf(const LiveSession& live,
                                const std::string& thread_id) {
  auto it = live.sub_agents.find(thread_id);
  return {{"thread_id", SafeText(thread_id, 128)},
          {"path", it == live.sub_agents.end() ? "" : it->second}};
}

void SessionManager::OnSubAgentNotification(LiveSession& live,
                                            const std::string& thread_id,
                                            const std::string& method,
                                            const json& params) {
  // A sub-agent works for the turn that runs (the one whose agent spawned
  // it, or waits on it); its turns, status, token usage, settings and goal
  // are its own thread's, not the session's: those reach clients as RAW,
  // marked as its, and change nothing of the session or its turn.
  if (method == "turn/started") {
    live.NoteSubAgentTurn(thread_id,
                          StringMember(ObjectMember(params, "turn"), "id"));
  } else if (method == "turn/completed") {
    live.sub_agent_turns.erase(thread_id);
  }
  MappedNotification m = MapNotification(method, params);
  switch (m.type) {
    case EventType::kItemStarted:
    case EventType::kItemCompleted:
    case EventType::kItemUpdated:
    case EventType::kAgentMessageDelta:
    case EventType::kCommandOutputDelta:
    case EventType::kReasoningDelta:
    case EventType::kItemDelta:
    case EventType::kTerminalInput:
    case EventType::kError:
    case EventType::kWarning:
      break;
    default:
      m.type = EventType::kRaw;
      m.payload = {{"method", method}, {"params", params}};
  }
  if (m.type == EventType::kItemStarted ||
      m.type == EventType::kItemCompleted) {
    // Its commands, diffs and own sub-agents (one may spawn more).
    live.NoteItem(m.payload["item"], m.type == EventType::kItemCompleted);
  }
  m.payload["sub_agent"] = SubAgentOf(live, thread_id);
  Emit(live.session.session_id, m.type, live.turns.running_id(),
       std::move(m.payload));
}

void SessionManager::AdoptCodexTurn(LiveSession& live,
                                    const std::string& codex_turn_id) {
  // While a turn of ours runs, a turn/started is its own (Codex may name
  // it before answering turn/start, and answers a turn/start that raced a
  // turn it started itself with that turn's id) or a sub-turn of it (a
  // review). A session that is not IDLE is starting or going away; one
  // reverting waits for Codex's answer.
  if (codex_turn_id.empty() || live.turns.running() != nullptr ||
      live.session.state != SessionState::kIdle || live.reverting) {
    return;
  }
  // The turn Codex compacts the conversation in (CompactSession) is not
  // one Codex started by itself; its items stay the session's, as before.
  if (std::exchange(live.compaction_requested, false)) return;
  Turn turn;
  turn.turn_id = NewId("turn_");
  turn.session_id = live.session.session_id;
  turn.state = TurnState::kRunning;
  turn.codex_turn_id = codex_turn_id;
  turn.create_time = clock_->Now();
  turn.start_time = turn.create_time;
  turn.started_by_codex = true;
  live.turns.Adopt(turn);
  CommitRunning(live, turn);
}

void SessionManager::OnServerRequest(Runtime* runtime, const json& request_id,
                                     const std::string& method,
                                     const json& params) {
  log_->WaitForRoom(options_.backpressure_wait);
  absl::MutexLock lock(&mu_);
  LiveSession* live = live_.Find(runtime);
  if (live == nullptr) return;
  live->last_activity = clock_->Now();
  if (!ApprovalKindOf(method)) {
    // Refused (codex_methods.cc says why), or unknown to this build (a
    // newer Codex): Codex gets an error, clients a WARNING.
    const MethodRule* rule = FindServerRequestRule(method);
    const std::string why =
        rule != nullptr
            ? rule->note
            : "not in the Codex protocol this codex-manager was built for";
    runtime->RespondError(
        request_id, -32601,
        absl::StrCat("codex-manager does not handle ", method, ": ", why));
    MappedNotification m = MapNotification(method, params);
    Emit(live->session.session_id, EventType::kWarning,
         live->turns.OurTurnId(m.codex_turn_id),
         {{"message", absl::StrCat("Codex asked for ", method,
                                   ", which codex-manager does not handle; "
                                   "it was answered with an error")},
          {"details", why}});
    Log(LogLevel::kWarning, "server request refused",
        {{"session_id", live->session.session_id},
         {"method", method},
         {"known", rule != nullptr}});
    return;
  }
  if (live->approvals.size() >= kMaxPendingApprovals) {
    runtime->RespondError(
        request_id, -32603,
        absl::StrCat("codex-manager: ", kMaxPendingApprovals,
                     " approvals of this session already wait for a person; "
                     "decide some first"));
    if (!live->approvals_full) {
      live->approvals_full = true;
      Emit(live->session.session_id, EventType::kWarning,
           live->turns.running_id(),
           {{"message",
             absl::StrCat("Codex asked for more approvals than the ",
                          kMaxPendingApprovals,
                          " that may wait in a session at once; until some "
                          "are decided, it gets an error for each new one")},
            {"details", method}});
      Log(LogLevel::kWarning, "approval requests refused: too many waiting",
          {{"session_id", live->session.session_id},
           {"pending", live->approvals.size()}});
    }
    return;
  }
  live->approvals_full = false;
  std::string codex_turn_id;
  Approval a = ApprovalFromRequest(method, params, &codex_turn_id);
  a.approval_id = NewId("apr_");
  a.session_id = live->session.session_id;
  a.turn_id = live->turns.OurTurnId(codex_turn_id);
  if (a.turn_id.empty() && live->turns.running() != nullptr) {
    a.turn_id = live->turns.running()->turn_id;
  }
  a.create_time = clock_->Now();
  if (std::string diff = live->approvals.DiffOf(a.item_id); !diff.empty()) {
    a.diff = std::move(diff);
  }
  json sub_agent;
  if (const std::string thread_id = StringMember(params, "threadId");
      live->IsSubAgentThread(thread_id)) {
    sub_agent = SubAgentOf(*live, thread_id);  // its ask
    a.sub_agent_thread_id = StringMember(sub_agent, "thread_id");
    a.sub_agent_path = StringMember(sub_agent, "path");
  }
  json request_payload = {{"approval", ApprovalToJson(a)}};
  if (!sub_agent.is_null()) request_payload["sub_agent"] = std::move(sub_agent);
  // The row and its APPROVAL_REQUESTED event commit together, so a client
  // that sees the event can always resolve it; the row records its event.
  WriteBatch rows;
  rows.approvals.push_back(a);
  std::vector<Event> events = log_->Commit(
      std::move(rows),
      {{a.session_id, EventType::kApprovalRequested, a.turn_id,
        std::move(request_payload)}},
      [](const std::vector<Event>& events, WriteBatch& rows) {
        rows.approvals.front().request_event_id = events.front().event_id;
      });
  if (events.empty()) {  // dropped (logged): nobody could answer it
    runtime->RespondError(request_id, -32603, "codex-manager store error");
    return;
  }
  a.request_event_id = events.front().event_id;
  live->approvals.Add(request_id, a);
  Log(LogLevel::kInfo, "approval requested",
      {{"session_id", a.session_id},
       {"approval_id", a.approval_id},
       {"method", method},
       {"command", a.command}});
}

void SessionManager::OnBadOutput(Runtime* runtime, const std::string& problem,
                                 bool fatal) {
  absl::MutexLock lock(&mu_);
  LiveSession* live = live_.Find(runtime);
  if (live == nullptr) return;
  const std::string session_id = live->session.session_id;
  const std::string turn_id = live->turns.running_id();
  if (!fatal) {
    Emit(session_id, EventType::kWarning, turn_id,
         {{"message", problem}, {"details", ""}});
    return;
  }
  // A runtime that writes nothing usable is broken or hostile: the session
  // fails (not resumable into the same runtime) with the reason.
  Emit(session_id, EventType::kError, turn_id,
       {{"message", problem}, {"details", ""}});
  Detach(session_id, SessionState::kFailed, problem, TurnState::kFailed,
         /*force=*/true)
      .IgnoreError();  // no audit: not waited for, always OK
}

void SessionManager::OnExit(Runtime* runtime, const std::string& reason) {
  absl::MutexLock lock(&mu_);
  LiveSession* live = live_.Find(runtime);
  if (live == nullptr) return;
  const std::string session_id = live->session.session_id;
  Metrics().runtime_exits.With({}).Add();
  // Never opened its thread: the runtime cannot start (FAILED). Otherwise
  // Codex went away mid-session: resumable (STOPPED).
  const bool never_ready = live->session.state == SessionState::kStarting;
  Emit(session_id, EventType::kError,
       live->turns.running_id(),
       {{"message", reason}, {"details", ""}});
  Detach(session_id,
         never_ready ? SessionState::kFailed : SessionState::kStopped, reason,
         TurnState::kFailed, /*force=*/true)
      .IgnoreError();  // no audit: not waited for, always OK
}

}  // namespace codex_manager
