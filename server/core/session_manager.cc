#include "core/session_manager.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_access.h"
#include "common/log.h"
#include "common/server_metrics.h"
#include "common/status_macros.h"
#include "common/utf8.h"
#include "core/changes.h"
#include "core/codex_methods.h"
#include "core/codex_protocol.h"
#include "core/idempotency.h"
#include "core/locked_call.h"
#include "core/recovery.h"
#include "core/request_validation.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

absl::Status ValidateCreate(const CreateSessionParams& p) {
  RETURN_IF_ERROR(ValidateSession({p.cwd, p.model, p.effort,
                                   p.approval_policy, p.sandbox, p.title,
                                   p.developer_instructions,
                                   p.model_provider, p.service_tier}));
  return ValidateRequestId(p.request_id);
}

}  // namespace

SessionManager::SessionManager(Store* store, EventLog* log,
                               RuntimeFactory* runtimes, Clock* clock,
                               SessionManagerOptions options)
    : store_(store),
      log_(log),
      runtimes_(runtimes),
      clock_(clock),
      options_(options),
      watchdog_(options.interrupt_grace, options.turn_stall_timeout) {}

SessionManager::~SessionManager() { Shutdown(); }

// ---- helpers ----------------------------------------------------------------

void SessionManager::Emit(const std::string& session_id, EventType type,
                          const std::string& turn_id, json payload) {
  log_->Append(session_id, type, turn_id, std::move(payload));
}

absl::StatusOr<Session> SessionManager::LoadSession(
    const std::string& session_id) {
  if (session_id.empty()) {
    return absl::InvalidArgumentError("session_id: required");
  }
  return store_->GetSession(session_id);
}

absl::Status SessionManager::CommitChange(
    WriteBatch rows, std::vector<EventLog::NewEvent> events, bool wait,
    EventLog::BindFn bind) {
  if (!wait) {
    log_->Commit(std::move(rows), std::move(events), std::move(bind));
    return absl::OkStatus();
  }
  return log_->CommitAndWait(std::move(rows), std::move(events),
                             std::move(bind), options_.commit_timeout)
      .status();
}

absl::Status SessionManager::Settle() {
  if (closing_) {
    return absl::UnavailableError(
        "codex-manager-server is shutting down; nothing was changed; retry "
        "when it is back");
  }
  // A failing store (disk full, I/O errors): refuse before changing
  // anything, rather than queue more that cannot be written.
  if (!log_->Healthy() || !log_->Flush(options_.commit_timeout)) {
    return absl::UnavailableError(
        "the store cannot commit changes now (disk full or failing?); "
        "nothing was changed; retry later");
  }
  return absl::OkStatus();
}

void SessionManager::SessionStateInto(Session& session, SessionState state,
                                      const std::string& error,
                                      WriteBatch& rows,
                                      std::vector<EventLog::NewEvent>& events) {
  session.state = state;
  session.last_error = error;
  session.update_time = clock_->Now();
  rows.sessions.push_back(session);
  Log(LogLevel::kInfo, "session state",
      {{"session_id", session.session_id},
       {"state", SessionStateName(state)},
       {"error", error}});
  events.push_back(SessionStateEvent(session));
}

absl::Status SessionManager::SetSessionState(Session& session,
                                             SessionState state,
                                             const std::string& error,
                                             WriteBatch rows, bool wait,
                                             std::vector<EventLog::NewEvent> after) {
  std::vector<EventLog::NewEvent> events;
  SessionStateInto(session, state, error, rows, events);
  std::move(after.begin(), after.end(), std::back_inserter(events));
  return CommitChange(std::move(rows), std::move(events), wait);
}

absl::Status SessionManager::SaveTurn(const Turn& turn, WriteBatch rows,
                                      bool wait) {
  std::vector<EventLog::NewEvent> events;
  TurnInto(turn, rows, events);
  return CommitChange(std::move(rows), std::move(events), wait);
}

void SessionManager::EndTurnInto(LiveSession& live, Turn turn,
                                 TurnState state, const std::string& error,
                                 WriteBatch& rows,
                                 std::vector<EventLog::NewEvent>& events) {
  const absl::Time now = clock_->Now();
  turn.state = state;
  turn.error = error;
  turn.end_time = now;
  const std::string turn_id = turn.turn_id;
  TurnInto(std::move(turn), rows, events);
  // Approvals of a finished turn can no longer be answered.
  for (Approval& approval : live.approvals.TakeOfTurn(turn_id)) {
    ExpireInto(std::move(approval), now, rows, events);
  }
}

void SessionManager::EndTurnAndIdle(LiveSession& live, TurnState state,
                                    const std::string& error) {
  std::optional<Turn> turn = live.turns.TakeRunning();
  if (!turn) return;
  WriteBatch rows;
  std::vector<EventLog::NewEvent> events;
  EndTurnInto(live, std::move(*turn), state, error, rows, events);
  SessionStateInto(live.session, SessionState::kIdle, "", rows, events);
  // Not waited for: always OK.
  CommitChange(std::move(rows), std::move(events), /*wait=*/false)
      .IgnoreError();
}

void SessionManager::ExpireApproval(Approval approval) {
  WriteBatch rows;
  std::vector<EventLog::NewEvent> events;
  if (ExpireInto(std::move(approval), clock_->Now(), rows, events)) {
    log_->Commit(std::move(rows), std::move(events));
  }
}

absl::Status SessionManager::EnsureCapacity() {
  if (live_.size() < options_.max_live_sessions) return absl::OkStatus();
  LiveSession* oldest = live_.LongestIdle();
  if (oldest == nullptr) {
    return absl::UnavailableError(absl::StrCat(
        "all ", options_.max_live_sessions,
        " live sessions (--max-live-sessions) are busy; retry later or stop "
        "one"));
  }
  return Detach(oldest->session.session_id, SessionState::kStopped,
                "stopped to make room for another session "
                "(--max-live-sessions)",
                TurnState::kInterrupted, /*force=*/false);
}

absl::Status SessionManager::Launch(Session session, WriteBatch rows,
                                    std::vector<EventLog::NewEvent> after) {
  auto live = std::make_unique<LiveSession>();
  live->last_activity = clock_->Now();
  RuntimeConfig config;
  config.session_id = session.session_id;
  config.cwd = session.cwd;
  config.model = session.model;
  config.approval_policy = session.approval_policy;
  config.sandbox = session.sandbox;
  config.developer_instructions = session.developer_instructions;
  config.model_provider = session.model_provider;
  config.thread_id = session.thread_id;
  if (!session.thread_id.empty() && rows.turns.empty()) {
    // A session with no turn (stored, or in `rows`: an import's or a
    // fork's history) has nothing in its thread to lose: if Codex never
    // saved it (it does at the first turn), a new thread will do. One
    // indexed read, when a runtime resumes a thread.
    absl::StatusOr<Page<Turn>> turns =
        store_->ListTurns(session.session_id, PageRequest{0, 1});
    config.new_thread_if_unsaved = turns.ok() && turns->items.empty();
  }
  live->runtime = runtimes_->Create(config, this);
  const bool wait = !rows.empty();
  // A commit that times out is still queued (it commits once the store
  // recovers), so the runtime starts either way; the caller hears.
  absl::Status committed = SetSessionState(session, SessionState::kStarting,
                                           "", std::move(rows), wait,
                                           std::move(after));
  live->session = std::move(session);
  live_.Add(std::move(live)).runtime->Start();
  Metrics().runtime_starts.With({}).Add();
  return committed;
}

absl::Status SessionManager::Detach(const std::string& session_id,
                                    SessionState state,
                                    const std::string& reason,
                                    TurnState running_turn_state, bool force,
                                    const AuditRecord* audit) {
  std::unique_ptr<LiveSession> live = live_.Remove(session_id);
  if (live == nullptr) return absl::OkStatus();
  // The running turn's end, the queued turns', the approvals' expiry, the
  // session's new state and the audit record: one change.
  WriteBatch rows;
  std::vector<EventLog::NewEvent> events;
  if (audit != nullptr) rows.audit.push_back(*audit);
  if (std::optional<Turn> turn = live->turns.TakeRunning()) {
    EndTurnInto(*live, std::move(*turn), running_turn_state, reason, rows,
                events);
  }
  const absl::Time now = clock_->Now();
  for (Turn& turn : live->turns.TakeQueued()) {
    turn.state = TurnState::kInterrupted;
    turn.error =
        absl::StrCat("session stopped before the turn started: ", reason);
    turn.end_time = now;
    TurnInto(std::move(turn), rows, events);
  }
  for (Approval& approval : live->approvals.TakeAll()) {
    ExpireInto(std::move(approval), now, rows, events);
  }
  janitor_.Stop(std::move(live->runtime), force);
  SessionStateInto(live->session, state, reason, rows, events);
  return CommitChange(std::move(rows), std::move(events),
                      /*wait=*/audit != nullptr);
}

void SessionManager::CommitRunning(LiveSession& live, const Turn& turn) {
  WriteBatch rows;
  std::vector<EventLog::NewEvent> events;
  TurnInto(turn, rows, events);
  SessionStateInto(live.session, SessionState::kBusy, "", rows, events);
  // Not waited for: always OK.
  CommitChange(std::move(rows), std::move(events), /*wait=*/false)
      .IgnoreError();
}

void SessionManager::DispatchNext(LiveSession& live) {
  if (live.session.state != SessionState::kIdle || live.reverting) return;
  std::optional<Turn> next = live.turns.StartNext(clock_->Now());
  if (!next) return;
  live.compaction_requested = false;  // over, or Codex refused it
  const Turn& turn = *next;
  live.last_activity = turn.start_time.value_or(clock_->Now());
  CommitRunning(live, turn);
  // The turn's overrides, else the session's settings as they are now.
  TurnSettings settings = turn.settings;
  const Session& s = live.session;
  if (settings.model.empty()) settings.model = s.model;
  if (settings.effort.empty()) settings.effort = s.effort;
  if (settings.service_tier.empty()) settings.service_tier = s.service_tier;
  if (settings.approval_policy.empty()) {
    settings.approval_policy = s.approval_policy;
  }
  if (settings.sandbox.empty()) settings.sandbox = s.sandbox;
  // Codex keeps a thread in Plan mode until told otherwise, and a turn's
  // mode is for that turn: a turn not asking for it leaves it. Nothing is
  // sent to a thread already in the mode (Codex would repeat the mode's
  // instructions to the model).
  const bool planning = s.codex_settings.collaboration_mode == "plan";
  if (settings.collaboration_mode == "plan") {
    if (planning) settings.collaboration_mode.clear();
  } else {
    settings.collaboration_mode = planning ? "default" : "";
  }
  live.runtime->StartTurn(turn.turn_id, turn.prompt, settings);
}

// ---- startup
// ------------------------------------------------------------------

absl::Status SessionManager::Recover() {
  absl::MutexLock lock(&mu_);
  return RecoverAfterRestart(store_, log_, clock_);
}

// ---- sessions
// -----------------------------------------------------------------

absl::StatusOr<Session> SessionManager::CreateSession(
    const CreateSessionParams& params, const Caller& caller) {
  RETURN_IF_ERROR(ValidateCreate(params));
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Settle());
  if (!params.request_id.empty()) {
    ASSIGN_OR_RETURN(std::optional<std::string> existing,
                     RepeatedRequest(*store_, params.request_method,
                                     params.request_id, caller.request_digest));
    if (existing) return store_->GetSession(*existing);
  }
  if (!params.thread_id.empty()) {
    // Two runtimes writing one thread would interleave its rollout.
    ASSIGN_OR_RETURN(std::vector<Session> on_thread,
                     store_->SessionsOfThread(params.thread_id));
    if (!on_thread.empty()) {
      return absl::AlreadyExistsError(absl::StrCat(
          "codex thread ", params.thread_id, " is already session ",
          on_thread.front().session_id));
    }
  }
  RETURN_IF_ERROR(EnsureCapacity());
  Session s;
  s.session_id = NewId("ses_");
  s.cwd = std::filesystem::path(params.cwd).lexically_normal().string();
  if (s.cwd.size() > 1 && s.cwd.back() == '/') s.cwd.pop_back();
  s.model = params.model;
  s.effort = params.effort;
  s.approval_policy = params.approval_policy;
  s.sandbox = params.sandbox;
  s.title = params.title;
  s.developer_instructions = params.developer_instructions;
  s.model_provider = params.model_provider;
  s.service_tier = params.service_tier;
  s.thread_id = params.thread_id;
  s.create_time = clock_->Now();
  s.update_time = s.create_time;
  s.state = SessionState::kStarting;
  // The row, its first event, its history, its idempotency key and its
  // audit record, together.
  WriteBatch rows;
  std::vector<EventLog::NewEvent> history =
      HistoryInto(s.session_id, params.history, rows);
  if (!params.request_id.empty()) {
    rows.request_keys.push_back({params.request_method, params.request_id,
                                 s.session_id, caller.request_digest,
                                 s.create_time});
  }
  rows.audit.push_back(AuditOk(caller, s.session_id, s.create_time));
  RETURN_IF_ERROR(Launch(s, std::move(rows), std::move(history)));
  return store_->GetSession(s.session_id);
}

std::vector<EventLog::NewEvent> SessionManager::HistoryInto(
    const std::string& session_id, const std::vector<HistoryTurn>& history,
    WriteBatch& rows) {
  std::vector<EventLog::NewEvent> events;
  const absl::Time now = clock_->Now();
  for (const HistoryTurn& h : history) {
    // Each turn as clients know turns: QUEUED with its prompt, its items,
    // then how it ended.
    Turn turn;
    turn.turn_id = NewId("turn_");
    turn.session_id = session_id;
    turn.prompt = SafeText(h.prompt, options_.max_prompt_bytes);
    turn.codex_turn_id = h.codex_turn_id;
    turn.started_by_codex = h.started_by_codex;
    turn.create_time = h.start_time.value_or(now);
    events.push_back(TurnStateEvent(turn));
    for (const json& item : h.items) {
      MappedNotification m = MapNotification(
          "item/completed", {{"item", item}, {"turnId", h.codex_turn_id}});
      events.push_back({session_id, m.type, turn.turn_id, std::move(m.payload)});
    }
    turn.state = h.state;
    turn.error = h.error;
    turn.final_message = h.final_message;
    turn.start_time = h.start_time;
    turn.end_time = h.end_time.value_or(turn.create_time);
    TurnInto(std::move(turn), rows, events);
  }
  return events;
}

absl::StatusOr<Session> SessionManager::GetSession(
    const std::string& session_id) {
  return LoadSession(session_id);
}

absl::StatusOr<Page<Session>> SessionManager::ListSessions(
    const SessionQuery& query, PageRequest page) {
  SessionQuery checked = query;
  RETURN_IF_ERROR(ValidateSessionQuery(checked));
  return store_->ListSessions(checked, page);
}

absl::StatusOr<Session> SessionManager::StopSession(
    const std::string& session_id, bool force, const Caller& caller) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Settle());
  ASSIGN_OR_RETURN(Session s, LoadSession(session_id));
  if (s.state == SessionState::kArchived) {
    return absl::FailedPreconditionError(
        absl::StrCat("session ", session_id, " is ARCHIVED"));
  }
  const AuditRecord audit = AuditOk(caller, session_id, clock_->Now());
  if (live_.contains(session_id)) {
    RETURN_IF_ERROR(Detach(
        session_id, SessionState::kStopped,
        force ? "force-stopped by request" : "stopped by request",
        TurnState::kInterrupted, force, &audit));
  } else {
    RETURN_IF_ERROR(store_->AppendAudit(audit));  // a no-op, still recorded
  }
  return store_->GetSession(session_id);
}

absl::StatusOr<Session> SessionManager::ResumeSession(
    const std::string& session_id, const Caller& caller) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Settle());
  ASSIGN_OR_RETURN(Session s, LoadSession(session_id));
  if (s.state != SessionState::kStopped && s.state != SessionState::kFailed) {
    return absl::FailedPreconditionError(
        absl::StrCat("session ", session_id, " is ", SessionStateName(s.state),
                     "; only STOPPED or FAILED sessions can be resumed"));
  }
  RETURN_IF_ERROR(EnsureCapacity());
  WriteBatch rows;
  rows.audit.push_back(AuditOk(caller, session_id, clock_->Now()));
  RETURN_IF_ERROR(Launch(s, std::move(rows)));
  return store_->GetSession(session_id);
}

absl::StatusOr<Session> SessionManager::UpdateSession(
    const std::string& session_id, const SessionUpdate& update,
    const Caller& caller) {
  RETURN_IF_ERROR(ValidateUpdate(update));
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Settle());
  ASSIGN_OR_RETURN(Session s, LoadSession(session_id));
  if (s.state == SessionState::kArchived) {
    return absl::FailedPreconditionError(
        absl::StrCat("session ", session_id, " is ARCHIVED"));
  }
  // Each field of the update and the session's field it sets, in
  // UpdateSessionRequest's order.
  struct Field {
    const char* name;
    std::optional<std::string> SessionUpdate::*from;
    std::string Session::*to;
  };
  static constexpr Field kFields[] = {
      {"title", &SessionUpdate::title, &Session::title},
      {"model", &SessionUpdate::model, &Session::model},
      {"effort", &SessionUpdate::effort, &Session::effort},
      {"approval_policy", &SessionUpdate::approval_policy,
       &Session::approval_policy},
      {"sandbox", &SessionUpdate::sandbox, &Session::sandbox},
      {"service_tier", &SessionUpdate::service_tier, &Session::service_tier}};
  std::vector<std::string> changed;
  for (const Field& f : kFields) {
    const std::optional<std::string>& value = update.*f.from;
    if (value && *value != s.*f.to) changed.push_back(f.name);
  }
  const absl::Time now = clock_->Now();
  WriteBatch rows;
  rows.audit.push_back(AuditOk(caller, session_id, now));
  if (changed.empty()) {
    RETURN_IF_ERROR(CommitChange(std::move(rows), {}, /*wait=*/true));
    return s;
  }
  auto apply = [&](Session& to) {
    for (const Field& f : kFields) {
      if (update.*f.from) to.*f.to = *(update.*f.from);
    }
    to.update_time = now;
  };
  apply(s);
  rows.sessions.push_back(s);
  RETURN_IF_ERROR(CommitChange(std::move(rows), {SessionUpdatedEvent(s, changed)},
                               /*wait=*/true));
  // Committed: the live copy, which later turns read (DispatchNext), and
  // Codex's thread name (a starting session's once it is ready, OnReady).
  if (LiveSession* live = live_.Find(session_id)) {
    apply(live->session);
    if (changed.front() == "title" &&
        live->session.state != SessionState::kStarting) {
      NameThread(*live);
    }
  }
  return store_->GetSession(session_id);
}

absl::StatusOr<Session> SessionManager::ArchiveSession(
    const std::string& session_id, const Caller& caller) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Settle());
  ASSIGN_OR_RETURN(Session s, LoadSession(session_id));
  if (s.state == SessionState::kArchived) return s;
  if (live_.contains(session_id)) {
    RETURN_IF_ERROR(Detach(session_id, SessionState::kStopped, "archived",
                           TurnState::kInterrupted, /*force=*/false));
    RETURN_IF_ERROR(Settle());
    ASSIGN_OR_RETURN(s, store_->GetSession(session_id));
  }
  WriteBatch rows;
  rows.audit.push_back(AuditOk(caller, session_id, clock_->Now()));
  RETURN_IF_ERROR(SetSessionState(s, SessionState::kArchived, "",
                                  std::move(rows), /*wait=*/true));
  return store_->GetSession(session_id);
}

absl::StatusOr<Session> SessionManager::UnarchiveSession(
    const std::string& session_id, const Caller& caller) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Settle());
  ASSIGN_OR_RETURN(Session s, LoadSession(session_id));
  if (s.state != SessionState::kArchived) return s;
  WriteBatch rows;
  rows.audit.push_back(AuditOk(caller, session_id, clock_->Now()));
  RETURN_IF_ERROR(SetSessionState(s, SessionState::kStopped, "",
                                  std::move(rows), /*wait=*/true));
  return store_->GetSession(session_id);
}

// ---- turns
// --------------------------------------------------------------------

absl::StatusOr<Turn> SessionManager::StartTurn(const std::string& session_id,
                                               const std::string& prompt,
                                               const std::string& request_id,
                                               const Caller& caller,
                                               const TurnSettings& settings) {
  RETURN_IF_ERROR(ValidatePrompt(prompt, options_.max_prompt_bytes));
  RETURN_IF_ERROR(ValidateRequestId(request_id));
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Settle());
  ASSIGN_OR_RETURN(Session s, LoadSession(session_id));
  if (!request_id.empty()) {
    ASSIGN_OR_RETURN(std::optional<std::string> existing,
                     RepeatedRequest(*store_, "StartTurn", request_id,
                                     caller.request_digest));
    if (existing) return store_->GetTurn(*existing);
  }
  if (s.state == SessionState::kArchived || s.state == SessionState::kFailed) {
    return absl::FailedPreconditionError(absl::StrCat(
        "session ", session_id, " is ", SessionStateName(s.state),
        s.state == SessionState::kFailed
            ? absl::StrCat(" (", s.last_error, "); resume it first")
            : ""));
  }
  TurnSettings turn_settings = settings;
  RETURN_IF_ERROR(ValidateTurnSettings(turn_settings, s.cwd));
  LiveSession* existing_live = live_.Find(session_id);
  if (existing_live != nullptr &&
      existing_live->turns.queued() >=
          static_cast<size_t>(options_.max_queued_turns)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "session ", session_id, " already has ", options_.max_queued_turns,
        " queued turns (--max-queued-turns); wait for one to start"));
  }
  if (existing_live == nullptr) {
    // STOPPED: bring the runtime back on the same thread first.
    RETURN_IF_ERROR(EnsureCapacity());
    Launch(s).IgnoreError();  // not waited for: always OK
  }
  LiveSession& live = *live_.Find(session_id);
  Turn turn;
  turn.turn_id = NewId("turn_");
  turn.session_id = session_id;
  turn.prompt = prompt;
  turn.state = TurnState::kQueued;
  turn.create_time = clock_->Now();
  turn.settings = std::move(turn_settings);
  // The row, its event, its idempotency key and its audit record,
  // together. A commit that times out is still queued, so the turn is
  // queued either way; the caller hears (and may retry with request_id).
  WriteBatch rows;
  if (!request_id.empty()) {
    rows.request_keys.push_back({"StartTurn", request_id, turn.turn_id,
                                 caller.request_digest, turn.create_time});
  }
  rows.audit.push_back(AuditOk(caller, turn.turn_id, turn.create_time));
  const absl::Status committed =
      SaveTurn(turn, std::move(rows), /*wait=*/true);
  live.turns.Enqueue(turn);
  live.last_activity = clock_->Now();
  DispatchNext(live);
  RETURN_IF_ERROR(committed);
  if (live.turns.IsRunning(turn.turn_id)) return *live.turns.running();
  return turn;
}

absl::StatusOr<Turn> SessionManager::InterruptTurn(
    const std::string& session_id, const std::string& turn_id,
    const Caller& caller) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Settle());
  ASSIGN_OR_RETURN(Session s, LoadSession(session_id));
  if (!turn_id.empty()) {
    ASSIGN_OR_RETURN(Turn t, store_->GetTurn(turn_id));
    if (t.session_id != session_id) {
      return absl::NotFoundError(
          absl::StrCat("turn ", turn_id, " not found in session ", session_id));
    }
  }
  LiveSession* found = live_.Find(session_id);
  if (found == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("session ", session_id, " is ", SessionStateName(s.state),
                     " and has no running turn"));
  }
  LiveSession& live = *found;
  if (std::optional<Turn> t = live.turns.Unqueue(turn_id)) {
    t->state = TurnState::kInterrupted;
    t->error = "interrupted before it started";
    t->end_time = clock_->Now();
    WriteBatch rows;
    rows.audit.push_back(AuditOk(caller, t->turn_id, *t->end_time));
    RETURN_IF_ERROR(SaveTurn(*t, std::move(rows), /*wait=*/true));
    return *t;
  }
  const Turn* running = live.turns.running();
  if (running == nullptr || (!turn_id.empty() && running->turn_id != turn_id)) {
    return absl::FailedPreconditionError(
        turn_id.empty()
            ? absl::StrCat("session ", session_id, " has no running turn")
            : absl::StrCat("turn ", turn_id, " is not running"));
  }
  // Recorded before it is sent: nothing happens that the log does not show.
  RETURN_IF_ERROR(
      store_->AppendAudit(AuditOk(caller, running->turn_id, clock_->Now())));
  RequestInterrupt(live);
  return *running;
}

void SessionManager::SteerTurn(
    const std::string& session_id, const std::string& turn_id,
    const std::string& prompt, const Caller& caller,
    std::function<void(absl::StatusOr<Turn>)> done) {
  if (absl::Status valid = ValidatePrompt(prompt, options_.max_prompt_bytes);
      !valid.ok()) {
    done(valid);
    return;
  }
  absl::MutexLock lock(&mu_);
  if (absl::Status settled = Settle(); !settled.ok()) {
    done(settled);
    return;
  }
  absl::StatusOr<Session> s = LoadSession(session_id);
  if (!s.ok()) {
    done(s.status());
    return;
  }
  if (!turn_id.empty()) {
    absl::StatusOr<Turn> t = store_->GetTurn(turn_id);
    if (!t.ok() || t->session_id != session_id) {
      done(absl::NotFoundError(absl::StrCat("turn ", turn_id,
                                            " not found in session ",
                                            session_id)));
      return;
    }
  }
  LiveSession* live = live_.Find(session_id);
  const Turn* running = live != nullptr ? live->turns.running() : nullptr;
  if (running == nullptr || (!turn_id.empty() && running->turn_id != turn_id)) {
    done(absl::FailedPreconditionError(
        turn_id.empty()
            ? absl::StrCat("session ", session_id,
                           " has no running turn to steer; StartTurn "
                           "queues a new one")
            : absl::StrCat("turn ", turn_id, " is not running")));
    return;
  }
  const Turn turn = *running;
  if (!turn.settings.shell_command.empty()) {
    // Codex 0.171 takes it, records it after the command, and answers
    // nothing: the prompt would seem lost.
    done(absl::FailedPreconditionError(absl::StrCat(
        "turn ", turn.turn_id,
        " is a shell command (RunShellCommand): the agent is not working to "
        "take a steer; StartTurn queues a prompt after it")));
    return;
  }
  if (turn.codex_turn_id.empty()) {
    done(absl::UnavailableError(absl::StrCat(
        "turn ", turn.turn_id,
        " has not started in Codex yet; retry in a moment")));
    return;
  }
  live->last_activity = clock_->Now();
  AuditRecord audit = AuditOk(caller, turn.turn_id, clock_->Now());
  live->runtime->Steer(
      turn.codex_turn_id, prompt,
      [this, turn, audit, done = std::move(done)](absl::Status status) {
        if (!status.ok()) {
          done(status);
          return;
        }
        if (absl::Status saved = store_->AppendAudit(audit); !saved.ok()) {
          Log(LogLevel::kError, "audit record not written",
              {{"turn_id", turn.turn_id}, {"error", saved.ToString()}});
        }
        done(turn);
      });
}

absl::StatusOr<Runtime*> SessionManager::LiveRuntime(
    const std::string& session_id) {
  RETURN_IF_ERROR(Settle());
  ASSIGN_OR_RETURN(Session s, LoadSession(session_id));
  LiveSession* live = live_.Find(session_id);
  if (live == nullptr || live->session.state == SessionState::kStarting) {
    return absl::FailedPreconditionError(absl::StrCat(
        "session ", session_id, " is ", SessionStateName(s.state),
        ", not live; resume it first"));
  }
  live->last_activity = clock_->Now();
  return live->runtime.get();
}

void SessionManager::CompactSession(
    const std::string& session_id, const Caller& caller,
    std::function<void(absl::StatusOr<Session>)> done) {
  // Sent under mu_, so the runtime cannot be stopped meanwhile.
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Runtime*> live_runtime = LiveRuntime(session_id);
  if (!live_runtime.ok()) return done(live_runtime.status());
  Runtime* runtime = *live_runtime;
  live_.Find(session_id)->compaction_requested = true;
  CallThreadLocked(
      *runtime, mu_, "thread/compact/start", nlohmann::json::object(),
      [this, session_id, runtime, caller,
       done = std::move(done)](absl::StatusOr<nlohmann::json> result) {
        mu_.AssertHeld();  // CallThreadLocked holds it
        if (!result.ok()) {
          // No compaction turn will come: the next turn Codex starts by
          // itself is one to adopt.
          LiveSession* live = live_.Find(session_id);
          if (live != nullptr && live->runtime.get() == runtime) {
            live->compaction_requested = false;
          }
          done(result.status());
          return;
        }
        WriteBatch rows;
        rows.audit.push_back(AuditOk(caller, session_id, clock_->Now()));
        absl::Status saved = CommitChange(std::move(rows), {}, /*wait=*/true);
        done(saved.ok() ? store_->GetSession(session_id)
                        : absl::StatusOr<Session>(saved));
      });
}

void SessionManager::ListBackgroundTerminals(
    const std::string& session_id,
    std::function<void(absl::StatusOr<std::vector<BackgroundTerminal>>)> done) {
  // A read: the session's row comes from the read pool, before our lock,
  // and the call neither settles the store nor counts as activity (a page
  // polling it must not keep an idle runtime from being reaped).
  if (absl::Status found = LoadSession(session_id).status(); !found.ok()) {
    done(found);
    return;
  }
  absl::MutexLock lock(&mu_);
  LiveSession* live = live_.Find(session_id);
  if (live == nullptr || live->session.state == SessionState::kStarting) {
    done(std::vector<BackgroundTerminal>{});  // they ended with its runtime
    return;
  }
  live->runtime->CallThread(
      "thread/backgroundTerminals/list", {{"limit", kMaxListedTerminals}},
      [done = std::move(done)](absl::StatusOr<nlohmann::json> result) {
        if (!result.ok()) return done(result.status());
        done(BackgroundTerminalsOf(*result));
      });
}

void SessionManager::AskCodexForSession(
    const std::string& session_id,
    const std::function<CodexRequest(const std::string& cwd)>& request,
    const std::function<void(CodexRequest, CodexAnswer)>& offline,
    CodexAnswer done) {
  absl::StatusOr<Session> session = LoadSession(session_id);
  if (!session.ok()) return done(session.status());
  CodexRequest asked = request(session->cwd);
  absl::ReleasableMutexLock lock(&mu_);
  LiveSession* live = live_.Find(session_id);
  if (live == nullptr || live->session.state == SessionState::kStarting) {
    lock.Release();
    return offline(std::move(asked), std::move(done));
  }
  if (asked.in_thread) {
    live->runtime->CallThread(asked.method, std::move(asked.params),
                              std::move(done));
  } else {
    live->runtime->Call(asked.method, std::move(asked.params), std::move(done));
  }
}

void SessionManager::TerminateBackgroundTerminals(
    const std::string& session_id, const std::string& process_id,
    const Caller& caller, std::function<void(absl::Status)> done) {
  auto finish = [this, session_id, process_id, caller,
                 done = std::move(done)](absl::Status status) {
    if (status.ok()) {
      const std::string resource =
          process_id.empty() ? session_id
                             : absl::StrCat(session_id, " ", process_id);
      if (absl::Status saved = store_->AppendAudit(
              AuditOk(caller, resource, clock_->Now()));
          !saved.ok()) {
        Log(LogLevel::kError, "audit record not written",
            {{"session_id", session_id}, {"error", saved.ToString()}});
      }
    }
    done(std::move(status));
  };
  auto not_found = [session_id, process_id] {
    return absl::NotFoundError(absl::StrCat(
        "no background terminal ", process_id, " in session ", session_id,
        " (it may have ended; ListBackgroundTerminals lists those running)"));
  };
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Runtime*> live_runtime = LiveRuntime(session_id);
  if (!live_runtime.ok()) {
    absl::Status status = live_runtime.status();
    if (absl::IsFailedPrecondition(status)) {
      // Not live: every process it started ended with its runtime.
      status = process_id.empty() ? absl::OkStatus() : not_found();
    }
    return finish(std::move(status));
  }
  Runtime* runtime = *live_runtime;
  if (process_id.empty()) {
    runtime->CallThread("thread/backgroundTerminals/clean",
                        nlohmann::json::object(),
                        [finish = std::move(finish)](
                            absl::StatusOr<nlohmann::json> result) mutable {
                          finish(result.status());
                        });
    return;
  }
  runtime->CallThread(
      "thread/backgroundTerminals/terminate", {{"processId", process_id}},
      [finish = std::move(finish), not_found](
          absl::StatusOr<nlohmann::json> result) mutable {
        if (!result.ok()) return finish(result.status());
        finish(BoolMember(*result, "terminated") ? absl::OkStatus()
                                                 : not_found());
      });
}

void SessionManager::RequestInterrupt(LiveSession& live) {
  // The watchdog ends it if Codex does not (Tick). A second interrupt
  // keeps the first deadline; one before Codex named the turn is sent
  // once it does (OnTurnAccepted).
  const std::string codex_turn_id = live.turns.RequestInterrupt(
      watchdog_.InterruptDeadline(clock_->Now()));
  if (!codex_turn_id.empty()) live.runtime->Interrupt(codex_turn_id);
  // Codex goes on with the sub-agents the turn's agent started (seen with
  // 0.171): a person who stops the turn stops them too.
  for (const auto& [sub_thread_id, sub_turn_id] : live.sub_agent_turns) {
    if (sub_turn_id.empty()) continue;
    live.runtime->Call(
        "turn/interrupt",
        {{"threadId", sub_thread_id}, {"turnId", sub_turn_id}},
        [thread_id = sub_thread_id](absl::StatusOr<nlohmann::json> result) {
          if (!result.ok()) {
            Log(LogLevel::kWarning, "sub-agent turn/interrupt failed",
                {{"thread_id", thread_id},
                 {"error", result.status().ToString()}});
          }
        });
  }
}

absl::StatusOr<Turn> SessionManager::GetTurn(const std::string& turn_id) {
  if (turn_id.empty()) return absl::InvalidArgumentError("turn_id: required");
  return store_->GetTurn(turn_id);
}

absl::StatusOr<Page<Turn>> SessionManager::ListTurns(
    const std::string& session_id, PageRequest page) {
  RETURN_IF_ERROR(LoadSession(session_id).status());
  return store_->ListTurns(session_id, page);
}

// ---- approvals
// ------------------------------------------------------------------

absl::StatusOr<Page<Approval>> SessionManager::ListApprovals(
    const std::string& session_id, bool pending_only, PageRequest page) {
  if (!session_id.empty()) RETURN_IF_ERROR(LoadSession(session_id).status());
  return store_->ListApprovals(session_id, pending_only, page);
}

namespace {
absl::Status AlreadyDecided(const Approval& a) {
  if (a.state == ApprovalState::kExpired) {
    return absl::FailedPreconditionError(
        absl::StrCat("approval ", a.approval_id,
                     " has EXPIRED and can no longer be decided"));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "approval ", a.approval_id, " was already decided: ",
      ApprovalStateName(a.state), " (", DecisionName(a.decision), ")"));
}
}  // namespace

absl::StatusOr<Approval> SessionManager::ResolveApproval(
    const std::string& approval_id, Decision decision,
    const std::map<std::string, std::string>& answers,
    const std::string& request_id, const Caller& caller) {
  if (approval_id.empty()) {
    return absl::InvalidArgumentError("approval_id: required");
  }
  RETURN_IF_ERROR(ValidateRequestId(request_id));
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Settle());
  ASSIGN_OR_RETURN(Approval a, store_->GetApproval(approval_id));
  if (a.kind == ApprovalKind::kUserInput &&
      decision == Decision::kUnspecified) {
    decision = Decision::kApprove;  // answering is approving
  }
  const std::vector<Decision> offered = OfferedDecisions(a);
  std::vector<std::string> offered_names;
  for (Decision d : offered) offered_names.emplace_back(DecisionName(d));
  if (decision == Decision::kUnspecified) {
    return absl::InvalidArgumentError(
        absl::StrCat("decision: required; Codex offers ",
                     absl::StrJoin(offered_names, ", "), " for approval ",
                     approval_id));
  }
  if (a.state != ApprovalState::kPending) {
    if (!request_id.empty() && request_id == a.resolve_request_id) {
      // A retry of the winning call gets its approval; the key with
      // another decision, other answers or another token is another
      // request (core/idempotency.h). An approval decided before digests
      // were kept compares the decision only, as it did then.
      if (decision != a.decision) {
        return absl::InvalidArgumentError(absl::StrCat(
            "request_id: ", request_id, " decided approval ", approval_id,
            " as ", DecisionName(a.decision), "; this call asks ",
            DecisionName(decision), "; a new request needs a new request_id"));
      }
      if (!a.resolve_request_digest.empty() &&
          a.resolve_request_digest != caller.request_digest) {
        return absl::InvalidArgumentError(absl::StrCat(
            "request_id: ", request_id, " decided approval ", approval_id,
            " in a different request (other answers or another token); a "
            "new request needs a new request_id"));
      }
      return a;
    }
    return AlreadyDecided(a);
  }
  if (std::find(offered.begin(), offered.end(), decision) == offered.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decision: ", DecisionName(decision), " is not offered; Codex offers ",
        absl::StrJoin(offered_names, ", "), " for approval ", approval_id));
  }
  // The answer Codex gets, built before anything is decided: answers that
  // do not fit refuse the call and change nothing.
  ASSIGN_OR_RETURN(const json result, ApprovalResult(a, decision, answers));
  LiveSession* live = live_.Find(a.session_id);
  std::optional<PendingApprovals::Request> request =
      live != nullptr ? live->approvals.Take(approval_id) : std::nullopt;
  if (!request) {
    // Its runtime is gone; nobody can act on a decision any more.
    ExpireApproval(a);
    RETURN_IF_ERROR(Settle());
    ASSIGN_OR_RETURN(a, store_->GetApproval(approval_id));
    return AlreadyDecided(a);
  }
  // Decided here, once: the pending entry (taken under mu_) is the only
  // way to a decision, and it is gone whatever the commit says.
  Approval decided = std::move(request->approval);
  decided.state = decision == Decision::kDeny || decision == Decision::kAbort
                      ? ApprovalState::kDenied
                      : ApprovalState::kApproved;
  decided.decision = decision;
  decided.resolve_request_id = request_id;
  decided.resolve_request_digest =
      request_id.empty() ? "" : caller.request_digest;
  decided.resolve_time = clock_->Now();
  // The row, its event and the audit record, together; Codex hears the
  // decision once it is durable.
  WriteBatch rows;
  rows.approvals.push_back(decided);
  rows.audit.push_back(AuditOk(caller, approval_id, *decided.resolve_time));
  const absl::Status committed = CommitChange(
      std::move(rows), {ApprovalResolvedEvent(decided)}, /*wait=*/true);
  // A commit that timed out is still queued and commits when the store
  // recovers: the decision stands either way.
  live->runtime->Respond(request->rpc_id, result);
  live->last_activity = clock_->Now();
  if (decision == Decision::kAbort &&
      (a.kind == ApprovalKind::kUserInput ||
       a.kind == ApprovalKind::kPermissions) &&
      live->turns.IsRunning(a.turn_id)) {
    // These requests have no "cancel": abort stops the turn, as Codex's TUI
    // does on Esc.
    RequestInterrupt(*live);
  }
  RETURN_IF_ERROR(committed);
  return decided;
}

absl::StatusOr<std::vector<Event>> SessionManager::PendingApprovalEvents(
    const std::string& session_id, int64_t up_to_event_id) {
  std::vector<Event> out;
  int64_t after = 0;
  for (;;) {
    ASSIGN_OR_RETURN(Page<Approval> page,
                     store_->ListApprovals(session_id, /*pending_only=*/true,
                                           {after, 1000}));
    for (const Approval& a : page.items) {
      if (a.request_event_id == 0 || a.request_event_id > up_to_event_id) {
        continue;
      }
      EventQuery q;
      q.after_event_id = a.request_event_id - 1;
      q.up_to_event_id = a.request_event_id;
      q.limit = 1;
      ASSIGN_OR_RETURN(std::vector<Event> events, store_->ReadEvents(q));
      for (Event& e : events) out.push_back(std::move(e));
    }
    if (page.next == 0) break;
    after = page.next;
  }
  return out;
}

// ---- lifecycle
// ------------------------------------------------------------------

void SessionManager::Tick() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  ReapIdle(now);
  WatchTurns(now);
}

void SessionManager::WatchTurns(absl::Time now) {
  for (const WatchdogVerdict& v : watchdog_.Check(live_.RunningTurns(), now)) {
    Log(LogLevel::kWarning, "turn watchdog stopped a runtime",
        {{"session_id", v.session_id}, {"reason", v.reason}});
    Detach(v.session_id, SessionState::kStopped, v.reason, v.turn_state,
           /*force=*/true)
        .IgnoreError();  // no audit: not waited for, always OK
  }
}

void SessionManager::ReapIdle(absl::Time now) {
  if (options_.idle_timeout <= absl::ZeroDuration()) return;
  for (const std::string& id : live_.IdleFor(options_.idle_timeout, now)) {
    Detach(id, SessionState::kStopped,
           absl::StrCat("stopped after ",
                        absl::FormatDuration(options_.idle_timeout),
                        " idle (--idle-timeout)"),
           TurnState::kInterrupted, /*force=*/false)
        .IgnoreError();  // no audit: not waited for, always OK
  }
}

void SessionManager::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    closing_ = true;  // every mutation from here: UNAVAILABLE
    for (const std::string& id : live_.ids()) {
      Detach(id, SessionState::kStopped, "server shut down",
             TurnState::kInterrupted, /*force=*/false)
          .IgnoreError();  // no audit: not waited for, always OK
    }
  }
  janitor_.WaitIdle();
  // What the runtimes' ends changed is durable before Shutdown returns.
  if (!log_->Flush(options_.commit_timeout)) {
    Log(LogLevel::kError, "shutdown: the store did not commit the last changes");
  }
}

int SessionManager::LiveCount() {
  absl::MutexLock lock(&mu_);
  return live_.size();
}

}  // namespace codex_manager
