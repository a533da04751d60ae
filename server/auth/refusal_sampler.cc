#include "auth/refusal_sampler.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "auth/forwarded_for.h"

namespace codex_manager {
namespace {

constexpr char kOtherSource[] = "other";

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

}  // namespace

RefusalSampler::RefusalSampler(Clock* clock, RefusalSamplerOptions options)
    : clock_(clock), options_(options) {}

std::string RefusalSampler::SourceOf(const Caller& caller) {
  if (!caller.token_id.empty()) return caller.token_id;
  return ConnectionAddress(caller.peer);
}

bool RefusalSampler::Admit(const AuditRecord& record) {
  if (options_.rate <= 0) return true;
  const absl::Time now = clock_->Now();
  std::string key = SourceOf(record.caller);
  absl::MutexLock lock(&mu_);
  auto it = sources_.find(key);
  if (it == sources_.end()) {
    if (sources_.size() >= options_.max_sources) key = kOtherSource;
    bool inserted;
    std::tie(it, inserted) = sources_.try_emplace(key);
    if (inserted) {
      it->second.tokens = options_.burst;
      it->second.refilled = now;
    }
  }
  Source& s = it->second;
  s.tokens = std::min(
      options_.burst,
      s.tokens + absl::ToDoubleSeconds(now - s.refilled) * options_.rate);
  s.refilled = now;
  if (s.tokens >= 1.0) {
    s.tokens -= 1.0;
    return true;
  }
  if (s.counted == 0) s.first_counted = record.time;
  ++s.counted;
  s.last_counted = record;
  return false;
}

std::vector<AuditRecord> RefusalSampler::TakeSummaries(bool all) {
  const absl::Time now = clock_->Now();
  std::vector<AuditRecord> out;
  absl::MutexLock lock(&mu_);
  for (auto it = sources_.begin(); it != sources_.end();) {
    Source& s = it->second;
    if (s.counted > 0 &&
        (all || now - s.first_counted >= options_.summary_after)) {
      AuditRecord summary = std::move(s.last_counted);
      summary.message = absl::StrCat(
          s.counted, s.counted == 1 ? " refusal" : " refusals", " from ",
          it->first, " between ", Rfc3339(s.first_counted), " and ",
          Rfc3339(summary.time),
          " counted, not recorded one by one (--audit-refusal-rate); the "
          "last: ",
          summary.message);
      summary.time = now;
      // It stands for many calls.
      summary.caller.request_id.clear();
      out.push_back(std::move(summary));
      s.counted = 0;
      s.last_counted = AuditRecord();
    }
    const double tokens =
        s.tokens + absl::ToDoubleSeconds(now - s.refilled) * options_.rate;
    if (s.counted == 0 && tokens >= options_.burst) {
      sources_.erase(it++);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace codex_manager
