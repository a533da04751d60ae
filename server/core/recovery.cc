#include "core/recovery.h"

#include <string>
#include <utility>
#include <vector>

#include "common/status_macros.h"
#include "core/changes.h"

namespace codex_manager {

absl::Status RecoverAfterRestart(Store* store, EventLog* log, Clock* clock) {
  const std::string reason = "server restarted";
  for (SessionState state :
       {SessionState::kStarting, SessionState::kIdle, SessionState::kBusy}) {
    ASSIGN_OR_RETURN(std::vector<Session> sessions,
                     store->SessionsInState(state));
    for (Session& s : sessions) {
      s.state = SessionState::kStopped;
      s.last_error = reason;
      s.update_time = clock->Now();
      WriteBatch rows;
      rows.sessions.push_back(s);
      log->Commit(std::move(rows), {SessionStateEvent(s)});
    }
  }
  for (TurnState state : {TurnState::kRunning, TurnState::kQueued}) {
    ASSIGN_OR_RETURN(std::vector<Turn> turns, store->TurnsInState(state));
    for (Turn& t : turns) {
      t.state = TurnState::kInterrupted;
      t.error = state == TurnState::kRunning
                    ? "server restarted while the turn was running"
                    : "server restarted before the turn started";
      t.end_time = clock->Now();
      WriteBatch rows;
      std::vector<EventLog::NewEvent> events;
      TurnInto(std::move(t), rows, events);
      log->Commit(std::move(rows), std::move(events));
    }
  }
  PageRequest page{0, 1000};
  for (;;) {
    ASSIGN_OR_RETURN(Page<Approval> pending,
                     store->ListApprovals("", /*pending_only=*/true, page));
    for (Approval& a : pending.items) {
      WriteBatch rows;
      std::vector<EventLog::NewEvent> events;
      if (ExpireInto(std::move(a), clock->Now(), rows, events)) {
        log->Commit(std::move(rows), std::move(events));
      }
    }
    if (pending.next == 0) break;
    page.after = pending.next;
  }
  if (!log->Flush(absl::Minutes(1))) {
    return absl::UnavailableError("recovery could not commit its changes");
  }
  return absl::OkStatus();
}

}  // namespace codex_manager
