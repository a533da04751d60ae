// Clock: the seam for time in the core, so tests can move time by hand
// (idle timeouts) instead of sleeping.
//
// Thread safety: implementations are safe from any thread.
#ifndef CODEX_MANAGER_SERVER_CORE_CLOCK_H_
#define CODEX_MANAGER_SERVER_CORE_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace codex_manager {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
};

// The wall clock (absl::Now).
class RealClock : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_CLOCK_H_
