// SessionManager::RevertSession: Codex `thread/revert` on a live, idle
// session, and what it commits (the reverted turns' rows, SESSION_REVERTED,
// the audit record) once Codex answered.
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "core/changes.h"
#include "core/fork_point.h"
#include "core/locked_call.h"
#include "core/session_manager.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

// Every turn of the session, oldest first.
absl::StatusOr<std::vector<Turn>> AllTurns(Store* store,
                                           const std::string& session_id) {
  std::vector<Turn> turns;
  PageRequest page{.after = 0, .limit = 1000};
  while (true) {
    absl::StatusOr<Page<Turn>> got = store->ListTurns(session_id, page);
    if (!got.ok()) return got.status();
    for (Turn& turn : got->items) turns.push_back(std::move(turn));
    if (got->next == 0) return turns;
    page.after = got->next;
  }
}

}  // namespace

void SessionManager::RevertSession(
    const std::string& session_id, const std::string& before_turn_id,
    const Caller& caller,
    std::function<void(absl::StatusOr<RevertResult>)> done) {
  if (before_turn_id.empty()) {
    done(absl::InvalidArgumentError(
        "before_turn_id is required: the first turn to take out of the "
        "conversation"));
    return;
  }
  absl::MutexLock lock(&mu_);
  if (absl::Status settled = Settle(); !settled.ok()) {
    done(settled);
    return;
  }
  absl::StatusOr<Session> session = LoadSession(session_id);
  if (!session.ok()) {
    done(session.status());
    return;
  }
  absl::StatusOr<Turn> turn = store_->GetTurn(before_turn_id);
  if (!turn.ok()) {
    done(absl::IsNotFound(turn.status())
             ? absl::NotFoundError(absl::StrCat("session ", session_id,
                                                " has no turn ", before_turn_id))
             : turn.status());
    return;
  }
  absl::StatusOr<ForkPoint> point =
      ForkPointAt(*turn, session_id, /*through=*/false);
  if (!point.ok()) {
    done(point.status());
    return;
  }
  LiveSession* live = live_.Find(session_id);
  if (live == nullptr || live->session.state == SessionState::kStarting) {
    done(absl::FailedPreconditionError(absl::StrCat(
        "session ", session_id, " is ", SessionStateName(session->state),
        ": RevertSession needs its live thread; ResumeSession first")));
    return;
  }
  if (live->reverting) {
    done(absl::FailedPreconditionError(absl::StrCat(
        "session ", session_id, " is already being reverted")));
    return;
  }
  if (live->session.state != SessionState::kIdle || !live->turns.empty()) {
    done(absl::FailedPreconditionError(absl::StrCat(
        "session ", session_id,
        " has a turn running or queued; revert once it is idle")));
    return;
  }
  // Read now, while nothing is queued: a turn StartTurn queues during the
  // revert runs on the new history and is not among them.
  absl::StatusOr<std::vector<Turn>> turns = AllTurns(store_, session_id);
  if (!turns.ok()) {
    done(turns.status());
    return;
  }
  std::vector<Turn> reverted = TurnsFrom(*turns, before_turn_id);
  live->reverting = true;
  live->last_activity = clock_->Now();
  const Runtime* runtime = live->runtime.get();
  AuditRecord audit = AuditOk(caller, session_id, clock_->Now());
  CallThreadLocked(*live->runtime, mu_, "thread/revert",
                   {{"beforeTurnId", point->before_codex_turn_id}},
                   [this, session_id, runtime, reverted = std::move(reverted),
                    audit, done](absl::StatusOr<json> result) mutable {
                     mu_.AssertHeld();  // CallThreadLocked holds it
                     FinishRevert(session_id, runtime, std::move(reverted),
                                  audit, std::move(result), done);
                   });
}

void SessionManager::FinishRevert(
    const std::string& session_id, const Runtime* runtime,
    std::vector<Turn> reverted, AuditRecord audit,
    absl::StatusOr<json> result,
    const std::function<void(absl::StatusOr<RevertResult>)>& done) {
  // The session may have stopped meanwhile (its runtime gone); a revert
  // Codex answered is recorded all the same: the thread's history is
  // changed.
  LiveSession* live = live_.Find(session_id);
  if (live != nullptr && live->runtime.get() != runtime) live = nullptr;
  if (live != nullptr) live->reverting = false;
  absl::StatusOr<RevertResult> out = absl::UnknownError("not reverted");
  if (!result.ok()) {
    out = result.status();
  } else {
    const absl::Time now = clock_->Now();
    WriteBatch rows;
    RevertResult done_ids;
    for (Turn& turn : reverted) {
      turn.revert_time = now;
      done_ids.reverted_turn_ids.push_back(turn.turn_id);
      rows.turns.push_back(turn);
    }
    rows.audit.push_back(std::move(audit));
    absl::Status committed = CommitChange(
        std::move(rows), {SessionRevertedEvent(session_id, reverted)},
        /*wait=*/true);
    Log(committed.ok() ? LogLevel::kInfo : LogLevel::kError,
        "session reverted",
        {{"session_id", session_id},
         {"turns", static_cast<int64_t>(reverted.size())},
         {"error", std::string(committed.message())}});
    if (!committed.ok()) {
      out = committed;
    } else if (live != nullptr) {
      done_ids.session = live->session;
      out = std::move(done_ids);
    } else {
      absl::StatusOr<Session> session = LoadSession(session_id);
      if (session.ok()) done_ids.session = *std::move(session);
      out = session.ok() ? absl::StatusOr<RevertResult>(std::move(done_ids))
                         : absl::StatusOr<RevertResult>(session.status());
    }
  }
  if (live != nullptr) DispatchNext(*live);
  done(std::move(out));
}

}  // namespace codex_manager
