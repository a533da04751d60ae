// RateLimiter: one token bucket per key (a principal's token id): `rate`
// calls a second on average, bursts of up to `burst`.
//
// Thread safety: safe from any thread.
#ifndef CODEX_MANAGER_SERVER_AUTH_RATE_LIMITER_H_
#define CODEX_MANAGER_SERVER_AUTH_RATE_LIMITER_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/clock.h"

namespace codex_manager {

class RateLimiter {
 public:
  // `rate` <= 0 disables the limit.
  RateLimiter(Clock* clock, double rate, double burst);

  // Takes one call from `key`'s bucket. Returns nullopt when allowed, else
  // how long until the next call would be.
  std::optional<absl::Duration> Take(const std::string& key);

  double rate() const { return rate_; }
  double burst() const { return burst_; }

 private:
  struct Bucket {
    double tokens;
    absl::Time last;
  };
  Clock* const clock_;
  const double rate_;
  const double burst_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_AUTH_RATE_LIMITER_H_
