// How each state change is described: the row it writes and the event that
// tells clients about it, committed together as one EventLog change
// (docs/architecture.md, "One transaction per change"). Pure functions; the
// session manager and startup recovery both build their changes here.
#ifndef CODEX_MANAGER_SERVER_CORE_CHANGES_H_
#define CODEX_MANAGER_SERVER_CORE_CHANGES_H_

#include <string>
#include <vector>

#include "core/event_log.h"
#include "core/types.h"

namespace codex_manager {

// SESSION_STATE_CHANGED {state, thread_id, error?} for the session as it is.
EventLog::NewEvent SessionStateEvent(const Session& session);
// SESSION_UPDATED {changed_fields, title, model, effort, approval_policy,
// sandbox, service_tier}: the session's settings as they are, after
// UpdateSession changed `changed_fields` (UpdateSessionRequest's field
// names).
EventLog::NewEvent SessionUpdatedEvent(
    const Session& session, const std::vector<std::string>& changed_fields);
// TURN_STATE_CHANGED {turn_id, state, codex_turn_id, error?, prompt (while
// QUEUED), final_message?} for the turn as it is.
EventLog::NewEvent TurnStateEvent(const Turn& turn);
// SESSION_REVERTED {before_turn_id, reverted_turn_ids}: RevertSession took
// `reverted` (oldest first, the first being the one named) out of the
// conversation.
EventLog::NewEvent SessionRevertedEvent(const std::string& session_id,
                                        const std::vector<Turn>& reverted);
// GOAL_UPDATED {goal?} (GoalToJson) for the session's goal as it is; no
// `goal` when it was cleared. `turn_id`: the turn it changed in, if any.
EventLog::NewEvent GoalUpdatedEvent(const Session& session,
                                    const std::string& turn_id);
// CODEX_SETTINGS_CHANGED {codex_settings} (CodexSettingsToJson) for what
// Codex runs the session's thread with, as it is.
EventLog::NewEvent CodexSettingsChangedEvent(const Session& session);
// APPROVAL_RESOLVED {approval_id, state, decision} for the decided approval.
EventLog::NewEvent ApprovalResolvedEvent(const Approval& approval);

// `turn` as it is: its row appended to `rows` and its TURN_STATE_CHANGED to
// `events`.
void TurnInto(Turn turn, WriteBatch& rows,
              std::vector<EventLog::NewEvent>& events);

// `approval`, if PENDING, made EXPIRED at `now`: its row and its event
// appended to `rows` (false, and nothing appended, when not PENDING).
bool ExpireInto(Approval approval, absl::Time now, WriteBatch& rows,
                std::vector<EventLog::NewEvent>& events);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_CHANGES_H_
