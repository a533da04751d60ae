// RefusalSampler: which refused calls get an audit record of their own.
//
// Every refused call is audited (docs/security.md), but a caller refused
// over and over — a wrong token in a loop, a port scanner, a viewer
// retrying a change it may not make, a client past --rate-limit — would
// otherwise add one row per call, as fast as it can call: one Python
// client with a bad token made 4,300 refused calls a second, 1.3 MB of
// database a second, with no token at all (bench/auth_flood_bench.py).
//
// So each source — the token id of an authenticated caller, else the peer
// address the connection came from, without its port ("ipv4:10.0.0.7",
// "unix:/run/x.sock"; the proxy's for a call through a trusted proxy, so
// that what a caller writes in x-forwarded-for cannot multiply its
// sources; auth/forwarded_for.h) — has
// its refusals recorded one by one up to `burst`, then `rate` a second, as
// a token bucket. The refusals over that are counted, and TakeSummaries
// gives one record per source standing for them: the last one's caller,
// method and code, with how many there were and between which times. The
// refused calls themselves are answered as before; only their records are
// folded.
//
// Thread safety: safe from any thread.
#ifndef CODEX_MANAGER_SERVER_AUTH_REFUSAL_SAMPLER_H_
#define CODEX_MANAGER_SERVER_AUTH_REFUSAL_SAMPLER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "core/types.h"

namespace codex_manager {

struct RefusalSamplerOptions {
  // Refusals a second recorded one by one per source, on average, after
  // the first `burst`; <= 0 records every refusal (--audit-refusal-rate).
  double rate = 1;
  double burst = 20;
  // A source's counted refusals become a summary once the first of them
  // is this old (TakeSummaries), so a flood shows in the log while it
  // lasts.
  absl::Duration summary_after = absl::Seconds(10);
  // Sources tracked at once; refusals from sources past this many share
  // one bucket (source "other"), so a caller cannot grow the table by
  // calling from many addresses.
  size_t max_sources = 10000;
};

class RefusalSampler {
 public:
  RefusalSampler(Clock* clock, RefusalSamplerOptions options);

  // True when `record` (a refused call's) should be written as is; false
  // when it was counted toward its source's next summary instead.
  bool Admit(const AuditRecord& record);

  // The summary records due: one for each source whose counted refusals
  // began at least `summary_after` ago, or for every source with any when
  // `all` (at shutdown). Each stands for its refusals and is ready to
  // append. Also forgets sources idle long enough to have a full bucket.
  std::vector<AuditRecord> TakeSummaries(bool all);

  // The source of a refused call, as above.
  static std::string SourceOf(const Caller& caller);

 private:
  struct Source {
    double tokens = 0;
    absl::Time refilled;
    // The refusals counted since the last summary: how many, the first's
    // and the last's time, and the last one itself.
    int64_t counted = 0;
    absl::Time first_counted;
    AuditRecord last_counted;
  };

  Clock* const clock_;
  const RefusalSamplerOptions options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Source> sources_ ABSL_GUARDED_BY(mu_);
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_AUTH_REFUSAL_SAMPLER_H_
