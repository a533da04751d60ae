#include "auth/rate_limiter.h"

#include <algorithm>

namespace codex_manager {

RateLimiter::RateLimiter(Clock* clock, double rate, double burst)
    : clock_(clock), rate_(rate), burst_(std::max(1.0, burst)) {}

std::optional<absl::Duration> RateLimiter::Take(const std::string& key) {
  if (rate_ <= 0) return std::nullopt;
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  b.tokens = std::min(
      burst_, b.tokens + absl::ToDoubleSeconds(now - b.last) * rate_);
  b.last = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  return absl::Seconds((1.0 - b.tokens) / rate_);
}

}  // namespace codex_manager
