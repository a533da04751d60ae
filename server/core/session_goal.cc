// SessionManager and the thread's goal: SetSessionGoal and ClearSessionGoal
// (Codex `thread/goal/set`, `thread/goal/clear`), and the goal as Codex
// reports it (`thread/goal/updated`, `thread/goal/cleared`, and
// `thread/goal/get` when a runtime is ready). Each change is the session's
// row and GOAL_UPDATED in one commit, with the audit record of the call
// that made it.
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/json_access.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "core/changes.h"
#include "core/codex_protocol.h"
#include "core/locked_call.h"
#include "core/request_validation.h"
#include "core/session_manager.h"

namespace codex_manager {

using json = nlohmann::json;

absl::Status SessionManager::RecordGoal(Session& session,
                                        std::optional<SessionGoal> goal,
                                        const std::string& turn_id,
                                        WriteBatch rows, bool wait) {
  if (session.goal == goal) {
    // Codex says again what it said (its answer to thread/goal/set, then
    // thread/goal/updated): no event.
    return rows.empty() ? absl::OkStatus()
                        : CommitChange(std::move(rows), {}, wait);
  }
  // `session` (the live copy) changes once the change is taken: a refused
  // one leaves it as the store has it.
  Session changed = session;
  changed.goal = std::move(goal);
  changed.update_time = clock_->Now();
  rows.sessions.push_back(changed);
  RETURN_IF_ERROR(CommitChange(std::move(rows),
                               {GoalUpdatedEvent(changed, turn_id)}, wait));
  session.goal = std::move(changed.goal);
  session.update_time = changed.update_time;
  return absl::OkStatus();
}

void SessionManager::SyncGoal(LiveSession& live) {
  CallThreadLocked(
      *live.runtime, mu_, "thread/goal/get", json::object(),
      [this,
       session_id = live.session.session_id](absl::StatusOr<json> result) {
        mu_.AssertHeld();  // CallThreadLocked holds it
        LiveSession* live = live_.Find(session_id);
        if (live == nullptr) return;
        if (!result.ok()) {
          // A Codex without goals answers an error: nothing to keep.
          Log(LogLevel::kDebug, "Codex goal not read",
              {{"session_id", session_id},
               {"error", std::string(result.status().message())}});
          return;
        }
        RecordGoal(live->session, GoalOfCodex(Member(*result, "goal")), "", {},
                   /*wait=*/false)
            .IgnoreError();
      });
}

void SessionManager::ChangeGoal(
    const std::string& session_id, const std::string& method, json params,
    const Caller& caller, std::function<void(absl::StatusOr<Session>)> done) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Runtime*> runtime = LiveRuntime(session_id);
  if (!runtime.ok()) return done(runtime.status());
  params["origin"] = "user";  // a person asked, through our API
  CallThreadLocked(
      **runtime, mu_, method, std::move(params),
      [this, session_id, method,
       audit = AuditOk(caller, session_id, clock_->Now()),
       done](absl::StatusOr<json> result) {
        mu_.AssertHeld();  // CallThreadLocked holds it
        if (!result.ok()) return done(result.status());
        // thread/goal/set answers {goal}; thread/goal/clear {cleared}.
        std::optional<SessionGoal> goal;
        if (method == "thread/goal/set") {
          goal = GoalOfCodex(Member(*result, "goal"));
          if (!goal) {
            return done(absl::UnavailableError(
                absl::StrCat("Codex answered ", method, " without the goal")));
          }
        }
        // The session may have stopped meanwhile: Codex has the change all
        // the same, so its row gets it.
        Session stored;
        Session* session = &stored;
        if (LiveSession* live = live_.Find(session_id)) {
          session = &live->session;
        } else if (absl::StatusOr<Session> loaded = LoadSession(session_id);
                   loaded.ok()) {
          stored = *std::move(loaded);
        } else {
          return done(loaded.status());
        }
        WriteBatch rows;
        rows.audit.push_back(audit);
        if (absl::Status saved = RecordGoal(*session, std::move(goal), "",
                                            std::move(rows), /*wait=*/true);
            !saved.ok()) {
          return done(saved);
        }
        Log(LogLevel::kInfo, "session goal changed",
            {{"session_id", session_id}, {"method", method}});
        done(store_->GetSession(session_id));
      });
}

void SessionManager::SetSessionGoal(
    const std::string& session_id, const GoalChange& change,
    const Caller& caller, std::function<void(absl::StatusOr<Session>)> done) {
  if (absl::Status valid = ValidateGoalChange(change); !valid.ok()) {
    done(valid);
    return;
  }
  json params = json::object();
  if (change.objective) params["objective"] = *change.objective;
  // A goal someone sets is one to work on: Codex would keep a COMPLETE
  // goal's status for its new objective.
  const GoalStatus status =
      change.status == GoalStatus::kUnspecified && change.objective
          ? GoalStatus::kActive
          : change.status;
  if (status != GoalStatus::kUnspecified) {
    params["status"] = CodexGoalStatus(status);
  }
  if (change.token_budget) params["tokenBudget"] = *change.token_budget;
  ChangeGoal(session_id, "thread/goal/set", std::move(params), caller,
             std::move(done));
}

void SessionManager::ClearSessionGoal(
    const std::string& session_id, const Caller& caller,
    std::function<void(absl::StatusOr<Session>)> done) {
  ChangeGoal(session_id, "thread/goal/clear", json::object(), caller,
             std::move(done));
}

}  // namespace codex_manager
