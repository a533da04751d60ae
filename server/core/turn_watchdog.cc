#include "core/turn_watchdog.h"

#include "absl/strings/str_cat.h"

namespace codex_manager {

std::vector<WatchdogVerdict> TurnWatchdog::Check(
    absl::Span<const WatchedTurn> turns, absl::Time now) const {
  std::vector<WatchdogVerdict> out;
  for (const WatchedTurn& t : turns) {
    if (t.interrupt_deadline && now >= *t.interrupt_deadline) {
      out.push_back({t.session_id, TurnState::kInterrupted,
                     absl::StrCat("Codex did not end the turn within ",
                                  absl::FormatDuration(interrupt_grace_),
                                  " of turn/interrupt (--interrupt-grace); it "
                                  "was stopped")});
    } else if (stall_timeout_ > absl::ZeroDuration() &&
               !t.waiting_for_person &&
               now - t.last_activity >= stall_timeout_) {
      out.push_back({t.session_id, TurnState::kFailed,
                     absl::StrCat("no output from Codex for ",
                                  absl::FormatDuration(stall_timeout_),
                                  " (--turn-stall-timeout); it was stopped")});
    }
  }
  return out;
}

}  // namespace codex_manager
