#include "core/session_manager.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
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
#include "core/recovery.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxRequestIdBytes = 128;
constexpr size_t kMaxTitleBytes = 200;
constexpr size_t kMaxModelBytes = 200;

absl::Status ValidateRequestId(const std::string& request_id) {
  if (request_id.size() > kMaxRequestIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("request_id: at most ", kMaxRequestIdBytes,
                     " characters, got ", request_id.size()));
  }
  return absl::OkStatus();
}

absl::Status ValidateOneOf(const char* field, const std::string& value,
                           std::initializer_list<const char*> allowed) {
  if (value.empty()) return absl::OkStatus();
  for (const char* a : allowed) {
    if (value == a) return absl::OkStatus();
  }
  std::string list;
  for (const char* a : allowed)
    absl::StrAppend(&list, list.empty() ? "" : ", ", "\"", a, "\"");
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": \"", value, "\" is not one of ", list));
}

// Most images one turn takes, and the largest one (bytes).
constexpr size_t kMaxTurnImages = 8;
constexpr uintmax_t kMaxImageBytes = 20 << 20;
constexpr size_t kMaxOutputSchemaBytes = 64 << 10;

// INVALID_ARGUMENT naming `field` when `value` is over `max` bytes.
absl::Status ValidateLength(const char* field, const std::string& value,
                            size_t max) {
  if (value.size() <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": at most ", max, " characters"));
}

absl::Status ValidateEffort(const std::string& effort) {
  if (effort.size() > 32 ||
      !std::all_of(effort.begin(), effort.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || c == '-' || c == '_';
      })) {
    return absl::InvalidArgumentError(absl::StrCat(
        "effort: \"", effort.substr(0, 40),
        "\" is not a reasoning effort (e.g. low, medium, high)"));
  }
  return absl::OkStatus();
}

absl::Status ValidatePolicies(const std::string& approval_policy,
                              const std::string& sandbox) {
  RETURN_IF_ERROR(ValidateOneOf("approval_policy", approval_policy,
                                {"untrusted", "on-request", "never"}));
  return ValidateOneOf("sandbox", sandbox,
                       {"read-only", "workspace-write", "danger-full-access"});
}

// Checks `s` for a turn in `cwd`; resolves its image paths (realpath).
absl::Status ValidateTurnSettings(TurnSettings& s, const std::string& cwd) {
  RETURN_IF_ERROR(ValidateLength("model", s.model, kMaxModelBytes));
  RETURN_IF_ERROR(ValidateEffort(s.effort));
  RETURN_IF_ERROR(ValidateOneOf("reasoning_summary", s.summary,
                                {"auto", "concise", "detailed", "none"}));
  RETURN_IF_ERROR(ValidatePolicies(s.approval_policy, s.sandbox));
  if (!s.output_schema_json.empty()) {
    if (s.output_schema_json.size() > kMaxOutputSchemaBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "output_schema_json: at most ", kMaxOutputSchemaBytes, " bytes"));
    }
    const nlohmann::json schema =
        nlohmann::json::parse(s.output_schema_json, nullptr, false);
    if (!schema.is_object()) {
      return absl::InvalidArgumentError(
          "output_schema_json: not a JSON object (a JSON Schema)");
    }
  }
  if (s.image_paths.size() + s.image_urls.size() > kMaxTurnImages) {
    return absl::InvalidArgumentError(
        absl::StrCat("images: at most ", kMaxTurnImages, " per turn"));
  }
  std::error_code ec;
  const std::filesystem::path root = std::filesystem::canonical(cwd, ec);
  for (std::string& path : s.image_paths) {
    std::filesystem::path p(path);
    if (p.is_relative()) p = std::filesystem::path(cwd) / p;
    const std::filesystem::path real = std::filesystem::canonical(p, ec);
    if (ec || !std::filesystem::is_regular_file(real, ec)) {
      return absl::InvalidArgumentError(
          absl::StrCat("image_paths: \"", path, "\" is not a file"));
    }
    const std::string rel = real.lexically_relative(root).string();
    if (root.empty() || rel.empty() || rel.rfind("..", 0) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "image_paths: \"", path, "\" is outside the session's cwd ", cwd));
    }
    if (std::filesystem::file_size(real, ec) > kMaxImageBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "image_paths: \"", path, "\" is over ", kMaxImageBytes >> 20,
          " MiB"));
    }
    path = real.string();
  }
  return absl::OkStatus();
}

absl::Status ValidateCreate(const CreateSessionParams& p) {
  if (p.cwd.empty()) {
    return absl::InvalidArgumentError("cwd: required");
  }
  std::filesystem::path cwd(p.cwd);
  if (!cwd.is_absolute()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cwd: \"", p.cwd, "\" is not an absolute path"));
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(cwd, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cwd: \"", p.cwd, "\" does not exist or is not a directory"));
  }
  RETURN_IF_ERROR(ValidateOneOf("approval_policy", p.approval_policy,
                                {"untrusted", "on-request", "never"}));
  RETURN_IF_ERROR(
      ValidateOneOf("sandbox", p.sandbox,
                    {"read-only", "workspace-write", "danger-full-access"}));
  RETURN_IF_ERROR(ValidateLength("title", p.title, kMaxTitleBytes));
  RETURN_IF_ERROR(ValidateLength("model", p.model, kMaxModelBytes));
  RETURN_IF_ERROR(ValidateEffort(p.effort));
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
      watchdog_(options.interrupt_grace, options.turn_stall_timeout),
      janitor_([this] { JanitorLoop(); }) {}

SessionManager::~SessionManager() {
  Shutdown();
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
  }
  janitor_.join();
}

// ---- helpers ----------------------------------------------------------------

void SessionManager::Emit(const std::string& session_id, EventType type,
                          const std::string& turn_id, json payload) {
  log_->Append(session_id, type, turn_id, std::move(payload));
}

SessionManager::Live* SessionManager::FindLive(Runtime* runtime) {
  auto it = session_of_.find(runtime);
  if (it == session_of_.end()) return nullptr;
  auto live = live_.find(it->second);
  return live == live_.end() ? nullptr : live->second.get();
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

absl::Status SessionManager::SetSessionState(Session& session,
                                             SessionState state,
                                             const std::string& error,
                                             WriteBatch rows, bool wait,
                                             std::vector<EventLog::NewEvent> after) {
  session.state = state;
  session.last_error = error;
  session.update_time = clock_->Now();
  rows.sessions.push_back(session);
  Log(LogLevel::kInfo, "session state",
      {{"session_id", session.session_id},
       {"state", SessionStateName(state)},
       {"error", error}});
  after.insert(after.begin(), SessionStateEvent(session));
  return CommitChange(std::move(rows), std::move(after), wait);
}

absl::Status SessionManager::SaveTurn(const Turn& turn, WriteBatch rows,
                                      bool wait) {
  rows.turns.push_back(turn);
  return CommitChange(std::move(rows), {TurnStateEvent(turn)}, wait);
}

void SessionManager::FinishTurn(Live& live, Turn turn, TurnState state,
                                const std::string& error) {
  turn.state = state;
  turn.error = error;
  turn.end_time = clock_->Now();
  SaveTurn(turn).IgnoreError();  // not waited for: always OK
  // Approvals of a finished turn can no longer be answered.
  std::vector<std::string> expired;
  for (const auto& [approval_id, request] : live.pending) {
    if (request.approval.turn_id == turn.turn_id) {
      expired.push_back(approval_id);
    }
  }
  for (const std::string& id : expired) {
    ExpireApproval(std::move(live.pending[id].approval));
    live.pending.erase(id);
  }
}

void SessionManager::ExpireApproval(Approval approval) {
  WriteBatch rows;
  std::vector<EventLog::NewEvent> events;
  if (ExpireInto(std::move(approval), clock_->Now(), rows, events)) {
    log_->Commit(std::move(rows), std::move(events));
  }
}

std::string SessionManager::OurTurnId(const Live& live,
                                      const std::string& codex_turn_id) {
  if (!codex_turn_id.empty()) {
    auto it = live.turn_ids.find(codex_turn_id);
    if (it != live.turn_ids.end()) return it->second;
  }
  // Codex names a turn before `turn/start` answered only for the running
  // one; notifications without a turn belong to the session.
  if (!codex_turn_id.empty() && live.running &&
      live.running->codex_turn_id.empty()) {
    return live.running->turn_id;
  }
  return "";
}

absl::Status SessionManager::EnsureCapacity() {
  if (static_cast<int>(live_.size()) < options_.max_live_sessions) {
    return absl::OkStatus();
  }
  Live* oldest = nullptr;
  for (auto& [id, live] : live_) {
    if (live->session.state != SessionState::kIdle || !live->pending.empty()) {
      continue;
    }
    if (oldest == nullptr || live->last_activity < oldest->last_activity) {
      oldest = live.get();
    }
  }
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
  auto live = std::make_unique<Live>();
  live->last_activity = clock_->Now();
  RuntimeConfig config;
  config.session_id = session.session_id;
  config.cwd = session.cwd;
  config.model = session.model;
  config.approval_policy = session.approval_policy;
  config.sandbox = session.sandbox;
  config.thread_id = session.thread_id;
  live->runtime = runtimes_->Create(config, this);
  const bool wait = !rows.empty();
  // A commit that times out is still queued (it commits once the store
  // recovers), so the runtime starts either way; the caller hears.
  absl::Status committed = SetSessionState(session, SessionState::kStarting,
                                           "", std::move(rows), wait,
                                           std::move(after));
  live->session = std::move(session);
  Runtime* runtime = live->runtime.get();
  session_of_[runtime] = live->session.session_id;
  const std::string id = live->session.session_id;
  live_[id] = std::move(live);
  runtime->Start();
  Metrics().runtime_starts.With({}).Add();
  return committed;
}

absl::Status SessionManager::Detach(const std::string& session_id,
                                    SessionState state,
                                    const std::string& reason,
                                    TurnState running_turn_state, bool force,
                                    const AuditRecord* audit) {
  auto it = live_.find(session_id);
  if (it == live_.end()) return absl::OkStatus();
  std::unique_ptr<Live> live = std::move(it->second);
  live_.erase(it);
  session_of_.erase(live->runtime.get());
  if (live->running) {
    Turn turn = *live->running;
    live->running.reset();
    FinishTurn(*live, std::move(turn), running_turn_state, reason);
  }
  while (!live->queue.empty()) {
    Turn turn = std::move(live->queue.front());
    live->queue.pop_front();
    turn.state = TurnState::kInterrupted;
    turn.error =
        absl::StrCat("session stopped before the turn started: ", reason);
    turn.end_time = clock_->Now();
    SaveTurn(turn).IgnoreError();  // not waited for: always OK
  }
  for (auto& [approval_id, request] : live->pending) {
    ExpireApproval(std::move(request.approval));
  }
  to_stop_.emplace_back(std::move(live->runtime), force);
  WriteBatch rows;
  if (audit != nullptr) rows.audit.push_back(*audit);
  return SetSessionState(live->session, state, reason, std::move(rows),
                         /*wait=*/audit != nullptr);
}

void SessionManager::DispatchNext(Live& live) {
  if (live.session.state != SessionState::kIdle || live.running ||
      live.queue.empty()) {
    return;
  }
  Turn turn = std::move(live.queue.front());
  live.queue.pop_front();
  turn.state = TurnState::kRunning;
  turn.start_time = clock_->Now();
  SaveTurn(turn).IgnoreError();  // not waited for: always OK
  live.running = turn;
  live.interrupt_pending = false;
  live.interrupt_deadline.reset();
  live.last_activity = turn.start_time.value_or(clock_->Now());
  SetSessionState(live.session, SessionState::kBusy, "").IgnoreError();
  // The turn's overrides, else the session's settings as they are now.
  TurnSettings settings = turn.settings;
  const Session& s = live.session;
  if (settings.model.empty()) settings.model = s.model;
  if (settings.effort.empty()) settings.effort = s.effort;
  if (settings.approval_policy.empty()) {
    settings.approval_policy = s.approval_policy;
  }
  if (settings.sandbox.empty()) settings.sandbox = s.sandbox;
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
                     store_->GetRequestId(params.request_method,
                                          params.request_id));
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
    rows.request_keys.push_back(
        {params.request_method, params.request_id, s.session_id});
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
    events.push_back(TurnStateEvent(turn));
    rows.turns.push_back(std::move(turn));
  }
  return events;
}

absl::StatusOr<Session> SessionManager::GetSession(
    const std::string& session_id) {
  absl::MutexLock lock(&mu_);
  return LoadSession(session_id);
}

absl::StatusOr<Page<Session>> SessionManager::ListSessions(
    bool include_archived, PageRequest page) {
  return store_->ListSessions(include_archived, page);
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
  RETURN_IF_ERROR(
      ValidateLength("title", update.title.value_or(""), kMaxTitleBytes));
  RETURN_IF_ERROR(
      ValidateLength("model", update.model.value_or(""), kMaxModelBytes));
  if (update.effort) RETURN_IF_ERROR(ValidateEffort(*update.effort));
  RETURN_IF_ERROR(ValidatePolicies(update.approval_policy.value_or(""),
                                   update.sandbox.value_or("")));
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Settle());
  ASSIGN_OR_RETURN(Session s, LoadSession(session_id));
  if (s.state == SessionState::kArchived) {
    return absl::FailedPreconditionError(
        absl::StrCat("session ", session_id, " is ARCHIVED"));
  }
  auto apply = [&](Session& to) {
    if (update.title) to.title = *update.title;
    if (update.model) to.model = *update.model;
    if (update.effort) to.effort = *update.effort;
    if (update.approval_policy) to.approval_policy = *update.approval_policy;
    if (update.sandbox) to.sandbox = *update.sandbox;
  };
  apply(s);
  s.update_time = clock_->Now();
  auto live = live_.find(session_id);
  if (live != live_.end()) {
    // The live copy is what later turns read (DispatchNext).
    apply(live->second->session);
    live->second->session.update_time = s.update_time;
  }
  WriteBatch rows;
  rows.sessions.push_back(s);
  rows.audit.push_back(AuditOk(caller, session_id, s.update_time));
  RETURN_IF_ERROR(CommitChange(std::move(rows), {}, /*wait=*/true));
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

// ---- turns
// --------------------------------------------------------------------

absl::StatusOr<Turn> SessionManager::StartTurn(const std::string& session_id,
                                               const std::string& prompt,
                                               const std::string& request_id,
                                               const Caller& caller,
                                               const TurnSettings& settings) {
  if (absl::StripAsciiWhitespace(prompt).empty()) {
    return absl::InvalidArgumentError("prompt: must not be empty");
  }
  if (prompt.size() > options_.max_prompt_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "prompt: at most ", options_.max_prompt_bytes,
        " bytes (--max-prompt-bytes), got ", prompt.size()));
  }
  RETURN_IF_ERROR(ValidateRequestId(request_id));
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Settle());
  ASSIGN_OR_RETURN(Session s, LoadSession(session_id));
  if (!request_id.empty()) {
    ASSIGN_OR_RETURN(std::optional<std::string> existing,
                     store_->GetRequestId("StartTurn", request_id));
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
  auto existing_live = live_.find(session_id);
  if (existing_live != live_.end() &&
      static_cast<int>(existing_live->second->queue.size()) >=
          options_.max_queued_turns) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "session ", session_id, " already has ", options_.max_queued_turns,
        " queued turns (--max-queued-turns); wait for one to start"));
  }
  if (existing_live == live_.end()) {
    // STOPPED: bring the runtime back on the same thread first.
    RETURN_IF_ERROR(EnsureCapacity());
    Launch(s).IgnoreError();  // not waited for: always OK
  }
  Live& live = *live_[session_id];
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
    rows.request_keys.push_back({"StartTurn", request_id, turn.turn_id});
  }
  rows.audit.push_back(AuditOk(caller, turn.turn_id, turn.create_time));
  const absl::Status committed =
      SaveTurn(turn, std::move(rows), /*wait=*/true);
  live.queue.push_back(turn);
  live.last_activity = clock_->Now();
  DispatchNext(live);
  RETURN_IF_ERROR(committed);
  if (live.running && live.running->turn_id == turn.turn_id) {
    return *live.running;
  }
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
  auto it = live_.find(session_id);
  if (it == live_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("session ", session_id, " is ", SessionStateName(s.state),
                     " and has no running turn"));
  }
  Live& live = *it->second;
  for (auto q = live.queue.begin(); q != live.queue.end(); ++q) {
    if (q->turn_id == turn_id) {
      Turn t = std::move(*q);
      live.queue.erase(q);
      t.state = TurnState::kInterrupted;
      t.error = "interrupted before it started";
      t.end_time = clock_->Now();
      WriteBatch rows;
      rows.audit.push_back(AuditOk(caller, t.turn_id, *t.end_time));
      RETURN_IF_ERROR(SaveTurn(t, std::move(rows), /*wait=*/true));
      return t;
    }
  }
  if (!live.running || (!turn_id.empty() && live.running->turn_id != turn_id)) {
    return absl::FailedPreconditionError(
        turn_id.empty()
            ? absl::StrCat("session ", session_id, " has no running turn")
            : absl::StrCat("turn ", turn_id, " is not running"));
  }
  // Recorded before it is sent: nothing happens that the log does not show.
  RETURN_IF_ERROR(store_->AppendAudit(
      AuditOk(caller, live.running->turn_id, clock_->Now())));
  RequestInterrupt(live);
  return *live.running;
}

void SessionManager::SteerTurn(
    const std::string& session_id, const std::string& turn_id,
    const std::string& prompt, const Caller& caller,
    std::function<void(absl::StatusOr<Turn>)> done) {
  if (absl::StripAsciiWhitespace(prompt).empty()) {
    done(absl::InvalidArgumentError("prompt: must not be empty"));
    return;
  }
  if (prompt.size() > options_.max_prompt_bytes) {
    done(absl::ResourceExhaustedError(absl::StrCat(
        "prompt: at most ", options_.max_prompt_bytes,
        " bytes (--max-prompt-bytes), got ", prompt.size())));
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
  auto it = live_.find(session_id);
  if (it == live_.end() || !it->second->running ||
      (!turn_id.empty() && it->second->running->turn_id != turn_id)) {
    done(absl::FailedPreconditionError(
        turn_id.empty()
            ? absl::StrCat("session ", session_id,
                           " has no running turn to steer; StartTurn "
                           "queues a new one")
            : absl::StrCat("turn ", turn_id, " is not running")));
    return;
  }
  Live& live = *it->second;
  const Turn turn = *live.running;
  if (turn.codex_turn_id.empty()) {
    done(absl::UnavailableError(absl::StrCat(
        "turn ", turn.turn_id,
        " has not started in Codex yet; retry in a moment")));
    return;
  }
  live.last_activity = clock_->Now();
  AuditRecord audit = AuditOk(caller, turn.turn_id, clock_->Now());
  live.runtime->Steer(
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

Runtime* SessionManager::LiveRuntime(const std::string& session_id,
                                     absl::Status* status) {
  absl::StatusOr<Session> s = LoadSession(session_id);
  if (!s.ok()) {
    *status = s.status();
    return nullptr;
  }
  auto it = live_.find(session_id);
  if (it == live_.end() || it->second->session.state == SessionState::kStarting) {
    *status = absl::FailedPreconditionError(absl::StrCat(
        "session ", session_id, " is ", SessionStateName(s->state),
        ", not live; resume it first"));
    return nullptr;
  }
  it->second->last_activity = clock_->Now();
  return it->second->runtime.get();
}

void SessionManager::CompactSession(
    const std::string& session_id, const Caller& caller,
    std::function<void(absl::StatusOr<Session>)> done) {
  // Sent under mu_, so the runtime cannot be stopped meanwhile; `done`
  // takes no lock of ours (it may run at once).
  absl::MutexLock lock(&mu_);
  absl::Status status = Settle();
  Runtime* runtime = status.ok() ? LiveRuntime(session_id, &status) : nullptr;
  if (runtime == nullptr) {
    done(status);
    return;
  }
  runtime->CallThread(
      "thread/compact/start", nlohmann::json::object(),
      [this, session_id, caller, done = std::move(done)](
          absl::StatusOr<nlohmann::json> result) {
        if (!result.ok()) {
          done(result.status());
          return;
        }
        if (absl::Status saved = store_->AppendAudit(
                AuditOk(caller, session_id, clock_->Now()));
            !saved.ok()) {
          Log(LogLevel::kError, "audit record not written",
              {{"session_id", session_id}, {"error", saved.ToString()}});
        }
        done(store_->GetSession(session_id));
      });
}

void SessionManager::RequestInterrupt(Live& live) {
  // The watchdog ends it if Codex does not (Tick). A second interrupt
  // keeps the first deadline.
  if (!live.interrupt_deadline) {
    live.interrupt_deadline = watchdog_.InterruptDeadline(clock_->Now());
  }
  if (live.running->codex_turn_id.empty()) {
    live.interrupt_pending = true;  // sent once Codex names the turn
  } else {
    live.runtime->Interrupt(live.running->codex_turn_id);
  }
}

absl::StatusOr<Turn> SessionManager::GetTurn(const std::string& turn_id) {
  if (turn_id.empty()) return absl::InvalidArgumentError("turn_id: required");
  return store_->GetTurn(turn_id);
}

absl::StatusOr<Page<Turn>> SessionManager::ListTurns(
    const std::string& session_id, PageRequest page) {
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(LoadSession(session_id).status());
  }
  return store_->ListTurns(session_id, page);
}

// ---- approvals
// ------------------------------------------------------------------

absl::StatusOr<Page<Approval>> SessionManager::ListApprovals(
    const std::string& session_id, bool pending_only, PageRequest page) {
  if (!session_id.empty()) {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(LoadSession(session_id).status());
  }
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
    if (!request_id.empty() && request_id == a.resolve_request_id) return a;
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
  auto live_it = live_.find(a.session_id);
  if (live_it == live_.end() ||
      !live_it->second->pending.contains(approval_id)) {
    // Its runtime is gone; nobody can act on a decision any more.
    ExpireApproval(a);
    RETURN_IF_ERROR(Settle());
    ASSIGN_OR_RETURN(a, store_->GetApproval(approval_id));
    return AlreadyDecided(a);
  }
  // Decided here, once: the pending entry (under mu_) is the only way to
  // a decision, and it is erased below whatever the commit says.
  Live& live = *live_it->second;
  Live::PendingRequest request = std::move(live.pending[approval_id]);
  live.pending.erase(approval_id);
  Approval decided = std::move(request.approval);
  decided.state = decision == Decision::kDeny || decision == Decision::kAbort
                      ? ApprovalState::kDenied
                      : ApprovalState::kApproved;
  decided.decision = decision;
  decided.resolve_request_id = request_id;
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
  live.runtime->Respond(request.rpc_id, result);
  live.last_activity = clock_->Now();
  if (decision == Decision::kAbort &&
      (a.kind == ApprovalKind::kUserInput ||
       a.kind == ApprovalKind::kPermissions) &&
      live.running && live.running->turn_id == a.turn_id) {
    // These requests have no "cancel": abort stops the turn, as Codex's TUI
    // does on Esc.
    RequestInterrupt(live);
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
  std::vector<WatchedTurn> turns;
  for (auto& [id, live] : live_) {
    if (!live->running) continue;
    turns.push_back({id, live->last_activity, live->interrupt_deadline,
                     !live->pending.empty()});
  }
  for (const WatchdogVerdict& v : watchdog_.Check(turns, now)) {
    Log(LogLevel::kWarning, "turn watchdog stopped a runtime",
        {{"session_id", v.session_id}, {"reason", v.reason}});
    Detach(v.session_id, SessionState::kStopped, v.reason, v.turn_state,
           /*force=*/true)
        .IgnoreError();  // no audit: not waited for, always OK
  }
}

void SessionManager::ReapIdle(absl::Time now) {
  if (options_.idle_timeout <= absl::ZeroDuration()) return;
  std::vector<std::string> idle;
  for (auto& [id, live] : live_) {
    if (live->session.state == SessionState::kIdle && live->pending.empty() &&
        live->queue.empty() &&
        now - live->last_activity >= options_.idle_timeout) {
      idle.push_back(id);
    }
  }
  for (const std::string& id : idle) {
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
    std::vector<std::string> ids;
    for (auto& [id, live] : live_) ids.push_back(id);
    for (const std::string& id : ids) {
      Detach(id, SessionState::kStopped, "server shut down",
             TurnState::kInterrupted, /*force=*/false)
          .IgnoreError();  // no audit: not waited for, always OK
    }
  }
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return to_stop_.empty() && stopping_now_ == 0;
  };
  mu_.Await(absl::Condition(&idle));
  // What the runtimes' ends changed is durable before Shutdown returns.
  if (!log_->Flush(options_.commit_timeout)) {
    Log(LogLevel::kError, "shutdown: the store did not commit the last changes");
  }
}

int SessionManager::LiveCount() {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(live_.size());
}

void SessionManager::JanitorLoop() {
  absl::MutexLock lock(&mu_);
  for (;;) {
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !to_stop_.empty() || shutting_down_;
    };
    mu_.Await(absl::Condition(&ready));
    if (to_stop_.empty()) return;  // shutting down with nothing left
    // Stop everything queued in parallel: a hung runtime's grace period
    // must not delay the others.
    std::vector<std::pair<std::unique_ptr<Runtime>, bool>> batch;
    while (!to_stop_.empty()) {
      batch.push_back(std::move(to_stop_.front()));
      to_stop_.pop_front();
    }
    stopping_now_ += static_cast<int>(batch.size());
    mu_.Unlock();
    std::vector<std::thread> threads;
    for (auto& [runtime, force] : batch) {
      threads.emplace_back([&runtime = runtime, force = force] {
        runtime->Stop(force);
        runtime.reset();
      });
    }
    for (std::thread& t : threads) t.join();
    mu_.Lock();
    stopping_now_ -= static_cast<int>(batch.size());
  }
}

// ---- runtime callbacks
// ------------------------------------------------------------

void SessionManager::OnReady(Runtime* runtime, const std::string& thread_id,
                             const std::string& runtime_version) {
  absl::MutexLock lock(&mu_);
  Live* live = FindLive(runtime);
  if (live == nullptr) return;
  live->session.thread_id = thread_id;
  live->session.runtime_version = runtime_version;
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
  live->last_activity = clock_->Now();
  SetSessionState(live->session, SessionState::kIdle, "").IgnoreError();
  DispatchNext(*live);
}

void SessionManager::OnTurnAccepted(Runtime* runtime,
                                    const std::string& turn_id,
                                    const std::string& codex_turn_id) {
  absl::MutexLock lock(&mu_);
  Live* live = FindLive(runtime);
  if (live == nullptr || !live->running || live->running->turn_id != turn_id) {
    return;
  }
  live->running->codex_turn_id = codex_turn_id;
  live->turn_ids[codex_turn_id] = turn_id;
  WriteBatch rows;  // no event: the state is the same
  rows.turns.push_back(*live->running);
  log_->Commit(std::move(rows), {});
  if (live->interrupt_pending) {
    live->interrupt_pending = false;
    runtime->Interrupt(codex_turn_id);
  }
}

void SessionManager::OnTurnRejected(Runtime* runtime,
                                    const std::string& turn_id,
                                    const std::string& error) {
  absl::MutexLock lock(&mu_);
  Live* live = FindLive(runtime);
  if (live == nullptr || !live->running || live->running->turn_id != turn_id) {
    return;
  }
  Turn turn = *live->running;
  live->running.reset();
  FinishTurn(*live, std::move(turn), TurnState::kFailed,
             absl::StrCat("Codex rejected turn/start: ", error));
  SetSessionState(live->session, SessionState::kIdle, "").IgnoreError();
  DispatchNext(*live);
}

void SessionManager::OnNotification(Runtime* runtime, const std::string& method,
                                    const json& params) {
  absl::MutexLock lock(&mu_);
  Live* live = FindLive(runtime);
  if (live == nullptr) return;
  live->last_activity = clock_->Now();
  const std::string& session_id = live->session.session_id;

  if (method == "turn/started") return;  // RUNNING since turn/start was sent
  if (method == "turn/completed") {
    const json& turn_json = ObjectMember(params, "turn");
    const std::string codex_turn_id = StringMember(turn_json, "id");
    if (!live->running || (!live->running->codex_turn_id.empty() &&
                           live->running->codex_turn_id != codex_turn_id)) {
      return;  // not the turn we are running (e.g. a review sub-turn)
    }
    Turn turn = *live->running;
    live->running.reset();
    const std::string error =
        StringMember(Member(turn_json, "error"), "message");
    FinishTurn(*live, std::move(turn),
               TurnStateOfCodexStatus(StringMember(turn_json, "status")),
               error);
    SetSessionState(live->session, SessionState::kIdle, "").IgnoreError();
    DispatchNext(*live);
    return;
  }
  if (method == "serverRequest/resolved") {
    // Codex withdrew a request (e.g. the turn was interrupted).
    const json& rpc_id = Member(params, "requestId");
    for (auto it = live->pending.begin(); it != live->pending.end(); ++it) {
      if (it->second.rpc_id == rpc_id) {
        ExpireApproval(std::move(it->second.approval));
        live->pending.erase(it);
        break;
      }
    }
    return;
  }

  MappedNotification m = MapNotification(method, params);
  const std::string turn_id = OurTurnId(*live, m.codex_turn_id);
  if (m.type == EventType::kItemStarted ||
      m.type == EventType::kItemCompleted) {
    const json& item = m.payload["item"];
    const std::string type = StringMember(item, "type");
    if (type == "fileChange") {
      live->item_diffs[StringMember(item, "id")] = DiffOfFileChange(item);
    }
    if (m.type == EventType::kItemCompleted && type == "agentMessage" &&
        live->running && live->running->turn_id == turn_id) {
      live->running->final_message = StringMember(item, "text");
    }
    if (m.type == EventType::kItemCompleted) {
      live->item_diffs.erase(StringMember(item, "id"));
    }
  }
  Emit(session_id, m.type, turn_id, std::move(m.payload));
}

void SessionManager::OnServerRequest(Runtime* runtime, const json& request_id,
                                     const std::string& method,
                                     const json& params) {
  absl::MutexLock lock(&mu_);
  Live* live = FindLive(runtime);
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
         OurTurnId(*live, m.codex_turn_id),
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
  std::string codex_turn_id;
  Approval a = ApprovalFromRequest(method, params, &codex_turn_id);
  a.approval_id = NewId("apr_");
  a.session_id = live->session.session_id;
  a.turn_id = OurTurnId(*live, codex_turn_id);
  if (a.turn_id.empty() && live->running) a.turn_id = live->running->turn_id;
  a.create_time = clock_->Now();
  auto diff = live->item_diffs.find(a.item_id);
  if (diff != live->item_diffs.end()) a.diff = diff->second;
  // The row and its APPROVAL_REQUESTED event commit together, so a client
  // that sees the event can always resolve it; the row records its event.
  WriteBatch rows;
  rows.approvals.push_back(a);
  std::vector<Event> events = log_->Commit(
      std::move(rows),
      {{a.session_id, EventType::kApprovalRequested, a.turn_id,
        {{"approval", ApprovalToJson(a)}}}},
      [](const std::vector<Event>& events, WriteBatch& rows) {
        rows.approvals.front().request_event_id = events.front().event_id;
      });
  if (events.empty()) {  // dropped (logged): nobody could answer it
    runtime->RespondError(request_id, -32603, "codex-manager store error");
    return;
  }
  a.request_event_id = events.front().event_id;
  live->pending[a.approval_id] = {request_id, a};
  Log(LogLevel::kInfo, "approval requested",
      {{"session_id", a.session_id},
       {"approval_id", a.approval_id},
       {"method", method},
       {"command", a.command}});
}

void SessionManager::OnBadOutput(Runtime* runtime, const std::string& problem,
                                 bool fatal) {
  absl::MutexLock lock(&mu_);
  Live* live = FindLive(runtime);
  if (live == nullptr) return;
  const std::string session_id = live->session.session_id;
  const std::string turn_id = live->running ? live->running->turn_id : "";
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
  Live* live = FindLive(runtime);
  if (live == nullptr) return;
  const std::string session_id = live->session.session_id;
  Metrics().runtime_exits.With({}).Add();
  // Never opened its thread: the runtime cannot start (FAILED). Otherwise
  // Codex went away mid-session: resumable (STOPPED).
  const bool never_ready = live->session.state == SessionState::kStarting;
  Emit(session_id, EventType::kError,
       live->running ? live->running->turn_id : "",
       {{"message", reason}, {"details", ""}});
  Detach(session_id,
         never_ready ? SessionState::kFailed : SessionState::kStopped, reason,
         TurnState::kFailed, /*force=*/true)
      .IgnoreError();  // no audit: not waited for, always OK
}

}  // namespace codex_manager
