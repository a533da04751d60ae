#include "core/fork_point.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace codex_manager {

absl::StatusOr<ForkPoint> ForkPointAt(const Turn& turn,
                                      absl::string_view session_id,
                                      bool through) {
  if (turn.session_id != session_id) {
    return absl::NotFoundError(absl::StrCat("session ", session_id,
                                            " has no turn ", turn.turn_id));
  }
  if (turn.codex_turn_id.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "turn ", turn.turn_id, " is ", TurnStateName(turn.state),
        " and never reached Codex, so Codex's history has no place for it; "
        "fork at an earlier turn"));
  }
  if (turn.revert_time.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "turn ", turn.turn_id,
        " was reverted (RevertSession): Codex's history no longer has it"));
  }
  ForkPoint point;
  if (!through) {
    point.before_codex_turn_id = turn.codex_turn_id;
    return point;
  }
  if (turn.state != TurnState::kCompleted &&
      turn.state != TurnState::kFailed &&
      turn.state != TurnState::kInterrupted) {
    return absl::FailedPreconditionError(absl::StrCat(
        "turn ", turn.turn_id, " is ", TurnStateName(turn.state),
        "; fork through it once it has ended, or before it"));
  }
  point.last_codex_turn_id = turn.codex_turn_id;
  return point;
}

std::vector<Turn> TurnsFrom(const std::vector<Turn>& turns,
                            absl::string_view before_turn_id) {
  std::vector<Turn> out;
  bool from = false;
  for (const Turn& turn : turns) {
    from = from || turn.turn_id == before_turn_id;
    if (from && !turn.revert_time.has_value()) out.push_back(turn);
  }
  return out;
}

}  // namespace codex_manager
