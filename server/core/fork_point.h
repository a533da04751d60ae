#ifndef CODEX_MANAGER_CORE_FORK_POINT_H_
#define CODEX_MANAGER_CORE_FORK_POINT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/types.h"

namespace codex_manager {

// Where a forked thread's history ends (Codex `thread/fork`). Both empty:
// the whole history; at most one is set.
struct ForkPoint {
  // A Codex turn id: the history ends with it, inclusive (`lastTurnId`).
  std::string last_codex_turn_id;
  // A Codex turn id: the history ends just before it (`beforeTurnId`).
  std::string before_codex_turn_id;
};

// The fork point of ForkSession's through_turn_id (`through` true) or
// before_turn_id: `turn`, as the store has it, must be a turn of
// `session_id` that reached Codex. Errors: NOT_FOUND naming the turn when
// it belongs to another session; FAILED_PRECONDITION when it has no Codex
// turn (still QUEUED, or failed before Codex began it), or, through it,
// when it has not ended (Codex forks through no turn in progress).
absl::StatusOr<ForkPoint> ForkPointAt(const Turn& turn,
                                      absl::string_view session_id,
                                      bool through);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_CORE_FORK_POINT_H_
