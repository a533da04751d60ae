// Points in a session's Codex history: where a fork ends (`thread/fork`)
// and where a revert begins (`thread/revert`).
#ifndef CODEX_MANAGER_CORE_FORK_POINT_H_
#define CODEX_MANAGER_CORE_FORK_POINT_H_

#include <string>
#include <vector>

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
// before_turn_id (and RevertSession's): `turn`, as the store has it, must be
// a turn of `session_id` that reached Codex and was not reverted. Errors:
// NOT_FOUND naming the turn when it belongs to another session;
// FAILED_PRECONDITION when it has no Codex turn (still QUEUED, or failed
// before Codex began it), when RevertSession took it out of Codex's history,
// or, through it, when it has not ended (Codex forks through no turn in
// progress).
absl::StatusOr<ForkPoint> ForkPointAt(const Turn& turn,
                                      absl::string_view session_id,
                                      bool through);

// What RevertSession takes out of the conversation (Codex `thread/revert`
// before `before_turn_id`): that turn and every later one of `turns` (a
// session's turns, oldest first) not reverted yet, oldest first. Empty when
// `turns` has no such turn.
std::vector<Turn> TurnsFrom(const std::vector<Turn>& turns,
                            absl::string_view before_turn_id);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_CORE_FORK_POINT_H_
