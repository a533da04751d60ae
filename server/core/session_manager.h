// SessionManager: the core of the server. It carries out what clients ask
// of sessions, turns and approvals, and what runtimes report, over the
// parts that each hold one concern: the live sessions (SessionRegistry),
// each one's turn queue (TurnQueue) and pending approvals
// (PendingApprovals), the turn watchdog (TurnWatchdog), stopping runtimes
// (RuntimeJanitor), and recovery after a restart (recovery.h). Every state
// change it makes commits with its events through the event log's single
// writer (EventLog::Commit), its audit record included.
//
// Every method returns absl::Status codes as the API promises them
// (protos/codex_manager/v1): INVALID_ARGUMENT naming the field, NOT_FOUND
// naming the id, FAILED_PRECONDITION for a wrong state, UNAVAILABLE at the
// live-runtime limit.
//
// Thread safety: safe from any thread. One mutex serializes state changes;
// nothing under it waits on a child process (runtimes are stopped by the
// janitor). Reads (Get*, List*) take no lock of ours: they read committed
// rows from the store's read pool.
#ifndef CODEX_MANAGER_SERVER_CORE_SESSION_MANAGER_H_
#define CODEX_MANAGER_SERVER_CORE_SESSION_MANAGER_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/background_terminals.h"
#include "core/clock.h"
#include "core/codex_catalog.h"
#include "core/event_log.h"
#include "core/runtime.h"
#include "core/runtime_janitor.h"
#include "core/session_registry.h"
#include "core/store.h"
#include "core/turn_watchdog.h"
#include "core/types.h"

namespace codex_manager {

struct SessionManagerOptions {
  // Most sessions with a runtime at once. At the limit, creating or resuming
  // a session stops the longest-idle one, or fails UNAVAILABLE when none is
  // idle.
  int max_live_sessions = 16;
  // An IDLE session with no activity for this long has its runtime stopped
  // (it stays resumable). Zero disables the timeout.
  absl::Duration idle_timeout = absl::Minutes(30);
  // Most turns waiting in one session's queue (QUEUED); one more fails
  // RESOURCE_EXHAUSTED naming --max-queued-turns.
  int max_queued_turns = 16;
  // Largest prompt accepted, in bytes; a larger one fails RESOURCE_EXHAUSTED
  // naming --max-prompt-bytes.
  size_t max_prompt_bytes = 1 << 20;
  // Turn watchdog (Tick): a turn still running this long after
  // InterruptTurn sent `turn/interrupt` has its runtime killed; the turn
  // becomes INTERRUPTED and the session STOPPED (resumable).
  absl::Duration interrupt_grace = absl::Seconds(10);
  // A running turn with no runtime output for this long, and no approval
  // waiting for a person, is FAILED the same way. Zero disables.
  absl::Duration turn_stall_timeout = absl::Minutes(30);
  // While more events than EventLog::Options::max_uncommitted_events wait
  // for the store, a runtime's next line waits up to this long for room
  // (EventLog::WaitForRoom) before it is taken anyway: a failing store
  // slows Codex down instead of filling memory.
  absl::Duration backpressure_wait = absl::Seconds(5);
  // Most time a mutation waits for the store to commit (its own change, or
  // those queued before it) before it fails UNAVAILABLE.
  absl::Duration commit_timeout = absl::Seconds(10);
  // Said as a WARNING event (`message`) to each session when its runtime is
  // ready: what the server found at start that Codex does not tell the
  // session itself, e.g. that Codex's sandbox cannot start here (main.cc,
  // CheckCodexSandbox). Empty: nothing.
  std::string runtime_warning;
};

struct CreateSessionParams {
  // Absolute; already admitted (resolved inside an allowed root) by the
  // caller.
  std::string cwd;
  std::string model;
  std::string approval_policy;
  std::string sandbox;
  std::string title;
  std::string effort;
  std::string developer_instructions;
  std::string model_provider;
  std::string service_tier;
  std::string request_id;
  // The method `request_id` is an idempotency key of.
  std::string request_method = "CreateSession";
  // Non-empty: the session continues this Codex thread (ImportThread,
  // ForkSession) rather than starting one; ALREADY_EXISTS naming the
  // session when one is already on it. `history` (the thread's turns so
  // far) becomes the session's first turns and their events, committed
  // with the session.
  std::string thread_id;
  std::vector<HistoryTurn> history;
};

class SessionManager : public RuntimeListener {
 public:
  SessionManager(Store* store, EventLog* log, RuntimeFactory* runtimes,
                 Clock* clock, SessionManagerOptions options);
  // Stops every runtime (Shutdown) and joins the janitor.
  ~SessionManager() override;
  SessionManager(const SessionManager&) = delete;
  SessionManager& operator=(const SessionManager&) = delete;

  // Startup recovery after a restart or crash: sessions left live become
  // STOPPED ("server restarted"), their running and queued turns
  // INTERRUPTED, pending approvals EXPIRED, each change with its event in
  // one transaction. Returns once all of it is committed.
  absl::Status Recover();

  // Mutations take the Caller whose audit record commits with the change
  // (in the same transaction as the row it describes).
  absl::StatusOr<Session> CreateSession(const CreateSessionParams& params,
                                        const Caller& caller);
  absl::StatusOr<Session> GetSession(const std::string& session_id);
  absl::StatusOr<Page<Session>> ListSessions(const SessionQuery& query,
                                             PageRequest page);
  absl::StatusOr<Session> StopSession(const std::string& session_id,
                                      bool force, const Caller& caller);
  absl::StatusOr<Session> ResumeSession(const std::string& session_id,
                                        const Caller& caller);
  // ARCHIVED → STOPPED; any other state is returned unchanged.
  absl::StatusOr<Session> UnarchiveSession(const std::string& session_id,
                                           const Caller& caller);
  absl::StatusOr<Session> ArchiveSession(const std::string& session_id,
                                         const Caller& caller);

  // `settings` override the session's for this turn (INVALID_ARGUMENT
  // naming the field when one is not valid, e.g. an image outside the cwd).
  absl::StatusOr<Turn> StartTurn(const std::string& session_id,
                                 const std::string& prompt,
                                 const std::string& request_id,
                                 const Caller& caller,
                                 const TurnSettings& settings = {});
  // Changes the set fields for the session's later turns (a running turn
  // keeps its settings). INVALID_ARGUMENT naming a bad field; NOT_FOUND;
  // FAILED_PRECONDITION when ARCHIVED. The row and the audit record commit
  // together.
  absl::StatusOr<Session> UpdateSession(const std::string& session_id,
                                        const SessionUpdate& update,
                                        const Caller& caller);
  absl::StatusOr<Turn> InterruptTurn(const std::string& session_id,
                                     const std::string& turn_id,
                                     const Caller& caller);
  // Codex `turn/steer` for the running turn (`turn_id` empty: whichever
  // runs). Checks what it can at once (errors as SteerTurn's in
  // turns.proto) and calls `done` then; otherwise `done` runs once Codex
  // answered, on the runtime's thread: the turn, or Codex's refusal. The
  // audit record is written when Codex accepted.
  void SteerTurn(const std::string& session_id, const std::string& turn_id,
                 const std::string& prompt, const Caller& caller,
                 std::function<void(absl::StatusOr<Turn>)> done);
  // Codex `thread/compact/start` on the session's live thread: Codex
  // summarizes the conversation to free context (a CONTEXT_COMPACTED
  // event or a contextCompaction item follows). `done` as SteerTurn's:
  // FAILED_PRECONDITION when the session has no live runtime or Codex
  // refused.
  void CompactSession(const std::string& session_id, const Caller& caller,
                      std::function<void(absl::StatusOr<Session>)> done);
  // Codex `thread/goal/set` on the session's live thread (origin "user"):
  // sets or changes the thread's goal. INVALID_ARGUMENT naming the field
  // (ValidateGoalChange) at once; otherwise `done` as CompactSession's,
  // once Codex answered and the goal (the row and GOAL_UPDATED, unless
  // Codex reports it unchanged) and the audit record committed.
  void SetSessionGoal(const std::string& session_id, const GoalChange& change,
                      const Caller& caller,
                      std::function<void(absl::StatusOr<Session>)> done);
  // Codex `thread/goal/clear`: the thread has no goal any more. `done` as
  // SetSessionGoal's.
  void ClearSessionGoal(const std::string& session_id, const Caller& caller,
                        std::function<void(absl::StatusOr<Session>)> done);
  // Codex `thread/revert` on the session's live thread: `before_turn_id`
  // and every later turn leave the conversation (fork_point.h, TurnsFrom).
  // Checks what it can at once and calls `done` then (INVALID_ARGUMENT,
  // NOT_FOUND naming the session or the turn, FAILED_PRECONDITION: not
  // live, not idle, a revert already in flight, the turn never reached
  // Codex or is reverted); otherwise once Codex answered and the turns'
  // rows, SESSION_REVERTED and the audit record committed, on the
  // runtime's thread. Queued turns wait for it.
  void RevertSession(const std::string& session_id,
                     const std::string& before_turn_id, const Caller& caller,
                     std::function<void(absl::StatusOr<RevertResult>)> done);
  // The session's background terminals (Codex
  // `thread/backgroundTerminals/list`, background_terminals.h); empty when
  // the session is not live, since they end with its runtime. `done` as
  // SteerTurn's: NOT_FOUND naming the session, FAILED_PRECONDITION when
  // Codex refused, UNAVAILABLE when it did not answer.
  void ListBackgroundTerminals(
      const std::string& session_id,
      std::function<void(absl::StatusOr<std::vector<BackgroundTerminal>>)>
          done);
  // A Codex request about the session (`fuzzyFileSearch`, `skills/list`,
  // `mcpServerStatus/list`): `request(cwd)` makes it, and the session's
  // runtime answers when it is live (in its thread, `threadId` filled in,
  // when `in_thread`); otherwise `offline` does (a one-off runtime with no
  // thread: CodexCatalog::Request). A read, as ListBackgroundTerminals: no
  // settling, no activity. `done`: NOT_FOUND naming the session,
  // FAILED_PRECONDITION when Codex refused, UNAVAILABLE when it did not
  // answer.
  using CodexAnswer = std::function<void(absl::StatusOr<nlohmann::json>)>;
  struct CodexRequest {
    std::string method;
    nlohmann::json params;
    bool in_thread = false;
  };
  void AskCodexForSession(
      const std::string& session_id,
      const std::function<CodexRequest(const std::string& cwd)>& request,
      const std::function<void(CodexRequest, CodexAnswer)>& offline,
      CodexAnswer done);
  // Ends the session's background terminal `process_id` (Codex
  // `thread/backgroundTerminals/terminate`) or, `process_id` empty, all of
  // them (`thread/backgroundTerminals/clean`), and writes the audit
  // record. NOT_FOUND naming the process when Codex has none such (or the
  // session is not live); otherwise as CompactSession's.
  void TerminateBackgroundTerminals(const std::string& session_id,
                                    const std::string& process_id,
                                    const Caller& caller,
                                    std::function<void(absl::Status)> done);
  absl::StatusOr<Turn> GetTurn(const std::string& turn_id);
  absl::StatusOr<Page<Turn>> ListTurns(const std::string& session_id,
                                       PageRequest page);

  absl::StatusOr<Page<Approval>> ListApprovals(const std::string& session_id,
                                               bool pending_only,
                                               PageRequest page);
  absl::StatusOr<Approval> ResolveApproval(
      const std::string& approval_id, Decision decision,
      const std::map<std::string, std::string>& answers,
      const std::string& request_id, const Caller& caller);
  // APPROVAL_REQUESTED events of PENDING approvals (of one session, or all
  // when `session_id` is empty) whose event_id is at most `up_to_event_id`,
  // oldest first, for redelivery to a new stream.
  absl::StatusOr<std::vector<Event>> PendingApprovalEvents(
      const std::string& session_id, int64_t up_to_event_id);

  // Called every second by the server (tests call it after moving the
  // clock): stops runtimes of IDLE sessions idle longer than the idle
  // timeout, and runs the turn watchdog (interrupt_grace,
  // turn_stall_timeout).
  void Tick();

  // Refuses every mutation from now on (UNAVAILABLE, nothing changed),
  // stops every runtime (their running turns INTERRUPTED, the sessions
  // STOPPED and resumable), waits for them, and for those changes to
  // commit.
  void Shutdown();

  // How many sessions have a runtime now.
  int LiveCount();

  // RuntimeListener.
  void OnReady(Runtime* runtime, const std::string& thread_id,
               const std::string& runtime_version,
               const nlohmann::json& thread_settings) override;
  void OnTurnAccepted(Runtime* runtime, const std::string& turn_id,
                      const std::string& codex_turn_id) override;
  void OnTurnRejected(Runtime* runtime, const std::string& turn_id,
                      const std::string& error) override;
  void OnNotification(Runtime* runtime, const std::string& method,
                      const nlohmann::json& params) override;
  void OnServerRequest(Runtime* runtime, const nlohmann::json& request_id,
                       const std::string& method,
                       const nlohmann::json& params) override;
  void OnBadOutput(Runtime* runtime, const std::string& problem,
                   bool fatal) override;
  void OnExit(Runtime* runtime, const std::string& reason) override;

 private:
  void ReapIdle(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Kills runtimes whose running turn the watchdog condemns.
  void WatchTurns(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The committed row (a store read, no lock of ours: reads never wait on
  // the manager's mutex); INVALID_ARGUMENT for an empty id, NOT_FOUND.
  absl::StatusOr<Session> LoadSession(const std::string& session_id);
  // Every change goes through the event log's single writer, its rows and
  // events in one transaction (EventLog::Commit). `wait` (a caller's RPC,
  // whose audit record is in `rows`): wait for the commit and return its
  // status (UNAVAILABLE when the store cannot commit).
  absl::Status CommitChange(WriteBatch rows,
                            std::vector<EventLog::NewEvent> events, bool wait,
                            EventLog::BindFn bind = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Waits (bounded) until every change queued so far is committed, so the
  // store reads that follow see them; UNAVAILABLE when it cannot, or once
  // Shutdown began.
  absl::Status Settle() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends turn/interrupt for `live`'s running turn (once Codex named it)
  // and arms the watchdog's --interrupt-grace deadline.
  void RequestInterrupt(LiveSession& live) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // RevertSession once Codex answered `thread/revert` (`result`): the
  // `reverted` turns' rows, SESSION_REVERTED and `audit` in one commit,
  // then the queued turns start.
  void FinishRevert(const std::string& session_id, const Runtime* runtime,
                    std::vector<Turn> reverted, AuditRecord audit,
                    absl::StatusOr<nlohmann::json> result,
                    const std::function<void(absl::StatusOr<RevertResult>)>& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Codex `thread/name/set` with the session's title (when it has one), so
  // that Codex's own lists (`thread/list`, its resume picker) show it. A
  // refusal is logged: the name is Codex's convenience, not our state.
  void NameThread(LiveSession& live) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // `goal` becomes `session`'s: its row (update_time now) and GOAL_UPDATED
  // (in `turn_id` when Codex named one), with `rows`, in one commit. An
  // unchanged goal commits `rows` only.
  absl::Status RecordGoal(Session& session, std::optional<SessionGoal> goal,
                          const std::string& turn_id, WriteBatch rows,
                          bool wait) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Codex `thread/goal/get` for a runtime that just became ready: a
  // resumed thread's goal, which Codex announces no other way.
  void SyncGoal(LiveSession& live) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // SetSessionGoal and ClearSessionGoal: `method` with `params`, then the
  // goal Codex answered with (none after a clear) and the audit record.
  void ChangeGoal(const std::string& session_id, const std::string& method,
                  nlohmann::json params, const Caller& caller,
                  std::function<void(absl::StatusOr<Session>)> done)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Codex `hooks/list` for the thread; hooks Codex will not run (not
  // trusted, or a hook file it could not load) become one WARNING event
  // (codex_hooks.h). Codex says nothing of them otherwise.
  void WarnOfSkippedHooks(LiveSession& live) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The runtime of a live (started) session, once the changes queued so
  // far are committed (Settle); else NOT_FOUND, FAILED_PRECONDITION (not
  // live) or UNAVAILABLE. Never nullptr.
  absl::StatusOr<Runtime*> LiveRuntime(const std::string& session_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The session's new state: its row into `rows`, SESSION_STATE_CHANGED
  // into `events` (and the log line).
  void SessionStateInto(Session& session, SessionState state,
                        const std::string& error, WriteBatch& rows,
                        std::vector<EventLog::NewEvent>& events)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The session's new state, with `rows`, and SESSION_STATE_CHANGED, then
  // the events `after`.
  absl::Status SetSessionState(Session& session, SessionState state,
                               const std::string& error, WriteBatch rows = {},
                               bool wait = false,
                               std::vector<EventLog::NewEvent> after = {})
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The turn's row, with `rows`, and TURN_STATE_CHANGED.
  absl::Status SaveTurn(const Turn& turn, WriteBatch rows = {},
                        bool wait = false) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A turn's end: its row and TURN_STATE_CHANGED, then its approvals'
  // expiry (no longer answerable) with APPROVAL_RESOLVED, into `rows` and
  // `events`.
  void EndTurnInto(LiveSession& live, Turn turn, TurnState state,
                   const std::string& error, WriteBatch& rows,
                   std::vector<EventLog::NewEvent>& events)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The running turn ends and the session returns to IDLE in one commit,
  // so no reader sees the turn ended and the session still BUSY.
  void EndTurnAndIdle(LiveSession& live, TurnState state,
                      const std::string& error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A PENDING approval becomes EXPIRED, with APPROVAL_RESOLVED.
  void ExpireApproval(Approval approval) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Makes room for one more runtime; UNAVAILABLE when none can be stopped.
  absl::Status EnsureCapacity() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Creates and starts a runtime for `session` (STARTING); `rows` (a
  // caller's idempotency key and audit record; then it waits) commit with
  // that state, and so do the events `after` (an imported history).
  absl::Status Launch(Session session, WriteBatch rows = {},
                      std::vector<EventLog::NewEvent> after = {})
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes the runtime away from a live session and ends its turns and
  // approvals; the session becomes `state`. All of it, and `audit` (when
  // given; then the call waits), is one commit. The runtime is stopped on
  // the janitor thread. Removes the session from the registry.
  absl::Status Detach(const std::string& session_id, SessionState state,
                      const std::string& reason, TurnState running_turn_state,
                      bool force, const AuditRecord* audit = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // `history` as turn rows (appended to `rows`) and their events: each
  // turn QUEUED, its items (ITEM_COMPLETED), its end state.
  std::vector<EventLog::NewEvent> HistoryInto(
      const std::string& session_id, const std::vector<HistoryTurn>& history,
      WriteBatch& rows) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Starts the next queued turn when the session is IDLE: the turn RUNNING
  // and the session BUSY in one commit, then turn/start to the runtime.
  void DispatchNext(LiveSession& live) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // `turn` RUNNING and the session BUSY, in one commit (not waited for).
  void CommitRunning(LiveSession& live, const Turn& turn)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A notification of a sub-agent's thread (LiveSession::sub_agents).
  void OnSubAgentNotification(LiveSession& live, const std::string& thread_id,
                              const std::string& method,
                              const nlohmann::json& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The `sub_agent` an event of that thread carries: {thread_id, path}.
  static nlohmann::json SubAgentOf(const LiveSession& live,
                                   const std::string& thread_id);
  // A turn Codex started by itself (turn/started naming a turn no
  // turn/start of ours began, e.g. to go on toward the thread's goal)
  // while the session is IDLE: a RUNNING turn with started_by_codex and
  // the session BUSY, in one commit. Ignored while a turn of ours runs.
  void AdoptCodexTurn(LiveSession& live, const std::string& codex_turn_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Emit(const std::string& session_id, EventType type,
            const std::string& turn_id, nlohmann::json payload)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Store* const store_;
  EventLog* const log_;
  RuntimeFactory* const runtimes_;
  Clock* const clock_;
  const SessionManagerOptions options_;
  const TurnWatchdog watchdog_;

  absl::Mutex mu_;
  SessionRegistry live_ ABSL_GUARDED_BY(mu_);
  // Shutdown() began: mutations are refused (Settle).
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  // Last: destroyed first, while what a stopping runtime calls still exists.
  RuntimeJanitor janitor_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_SESSION_MANAGER_H_
