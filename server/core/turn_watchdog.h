// The turn watchdog's rules (SessionManager::Tick applies them once a
// second): a running turn that outlived the interrupt grace after
// InterruptTurn sent `turn/interrupt` ends INTERRUPTED; one with no output
// from its runtime for the stall timeout, and no approval waiting for a
// person, ends FAILED. Either way its runtime is killed and the session
// stays resumable. Pure: no clock, no threads.
#ifndef CODEX_MANAGER_SERVER_CORE_TURN_WATCHDOG_H_
#define CODEX_MANAGER_SERVER_CORE_TURN_WATCHDOG_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/types.h"

namespace codex_manager {

// A session's running turn, as the watchdog sees it.
struct WatchedTurn {
  std::string session_id;
  // The last output of its runtime (or the turn's start).
  absl::Time last_activity;
  // Set by InterruptTurn: when the turn must have ended.
  std::optional<absl::Time> interrupt_deadline;
  // An approval of the session waits for a person (not a stall).
  bool waiting_for_person = false;
};

// What to do with a turn: end it in `turn_state`, saying `reason`.
struct WatchdogVerdict {
  std::string session_id;
  TurnState turn_state = TurnState::kFailed;
  std::string reason;
};

class TurnWatchdog {
 public:
  // `stall_timeout` zero disables the stall rule.
  TurnWatchdog(absl::Duration interrupt_grace, absl::Duration stall_timeout)
      : interrupt_grace_(interrupt_grace), stall_timeout_(stall_timeout) {}

  // When a turn interrupted at `now` must have ended.
  absl::Time InterruptDeadline(absl::Time now) const {
    return now + interrupt_grace_;
  }
  // The turns to end at `now`, with why.
  std::vector<WatchdogVerdict> Check(absl::Span<const WatchedTurn> turns,
                                     absl::Time now) const;

 private:
  const absl::Duration interrupt_grace_;
  const absl::Duration stall_timeout_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_TURN_WATCHDOG_H_
