#include "common/server_metrics.h"

namespace codex_manager {

ServerMetrics::ServerMetrics() {
  // Series without labels exist from the start, at 0.
  for (Family<Counter>* f : {&events_persisted, &events_delivered,
                             &commit_failures, &runtime_starts,
                             &runtime_exits}) {
    f->With({});
  }
  commit_seconds.With({});
}

ServerMetrics& Metrics() {
  static auto* metrics = new ServerMetrics;  // never destroyed
  return *metrics;
}

}  // namespace codex_manager
