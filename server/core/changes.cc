#include "core/changes.h"

#include <utility>

namespace codex_manager {

using json = nlohmann::json;

EventLog::NewEvent SessionStateEvent(const Session& s) {
  json payload = {{"state", static_cast<int>(s.state)},
                  {"thread_id", s.thread_id}};
  if (!s.last_error.empty()) payload["error"] = s.last_error;
  return {s.session_id, EventType::kSessionStateChanged, "",
          std::move(payload)};
}

EventLog::NewEvent SessionUpdatedEvent(
    const Session& s, const std::vector<std::string>& changed_fields) {
  return {s.session_id,
          EventType::kSessionUpdated,
          "",
          {{"changed_fields", changed_fields},
           {"title", s.title},
           {"model", s.model},
           {"effort", s.effort},
           {"approval_policy", s.approval_policy},
           {"sandbox", s.sandbox},
           {"service_tier", s.service_tier}}};
}

EventLog::NewEvent SessionRevertedEvent(const std::string& session_id,
                                        const std::vector<Turn>& reverted) {
  std::vector<std::string> ids;
  ids.reserve(reverted.size());
  for (const Turn& turn : reverted) ids.push_back(turn.turn_id);
  return {session_id,
          EventType::kSessionReverted,
          "",
          {{"before_turn_id", ids.empty() ? "" : ids.front()},
           {"reverted_turn_ids", ids}}};
}

EventLog::NewEvent GoalUpdatedEvent(const Session& s,
                                    const std::string& turn_id) {
  nlohmann::json payload = nlohmann::json::object();
  if (s.goal) payload["goal"] = GoalToJson(*s.goal);
  return {s.session_id, EventType::kGoalUpdated, turn_id, std::move(payload)};
}

EventLog::NewEvent CodexSettingsChangedEvent(const Session& s) {
  return {s.session_id,
          EventType::kCodexSettingsChanged,
          "",
          {{"codex_settings", CodexSettingsToJson(s.codex_settings)}}};
}

EventLog::NewEvent TurnStateEvent(const Turn& t) {
  json payload = {{"turn_id", t.turn_id},
                  {"state", static_cast<int>(t.state)},
                  {"codex_turn_id", t.codex_turn_id}};
  if (!t.error.empty()) payload["error"] = t.error;
  if (t.state == TurnState::kQueued) payload["prompt"] = t.prompt;
  if (!t.final_message.empty()) payload["final_message"] = t.final_message;
  if (t.started_by_codex) payload["started_by_codex"] = true;
  return {t.session_id, EventType::kTurnStateChanged, t.turn_id,
          std::move(payload)};
}

EventLog::NewEvent ApprovalResolvedEvent(const Approval& a) {
  return {a.session_id,
          EventType::kApprovalResolved,
          a.turn_id,
          {{"approval_id", a.approval_id},
           {"state", static_cast<int>(a.state)},
           {"decision", static_cast<int>(a.decision)}}};
}

void TurnInto(Turn turn, WriteBatch& rows,
              std::vector<EventLog::NewEvent>& events) {
  events.push_back(TurnStateEvent(turn));
  rows.turns.push_back(std::move(turn));
}

bool ExpireInto(Approval approval, absl::Time now, WriteBatch& rows,
                std::vector<EventLog::NewEvent>& events) {
  if (approval.state != ApprovalState::kPending) return false;
  approval.state = ApprovalState::kExpired;
  approval.decision = Decision::kUnspecified;
  approval.resolve_time = now;
  events.push_back(ApprovalResolvedEvent(approval));
  rows.approvals.push_back(std::move(approval));
  return true;
}

}  // namespace codex_manager
