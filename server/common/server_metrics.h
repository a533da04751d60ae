// The server's metrics (docs/operations.md lists them), in one registry for
// the process, exposed on --metrics-listen. gRPC's follow the
// go-grpc-prometheus names; ours start with codex_manager_.
#ifndef CODEX_MANAGER_SERVER_COMMON_SERVER_METRICS_H_
#define CODEX_MANAGER_SERVER_COMMON_SERVER_METRICS_H_

#include "common/metrics.h"

namespace codex_manager {

struct ServerMetrics {
  ServerMetrics();

  MetricsRegistry registry;

  // Labels: grpc_type (unary, server_stream, …), grpc_service, grpc_method
  // [, grpc_code].
  Family<Counter>& grpc_started = registry.AddCounter(
      "grpc_server_started_total", "RPCs started on the server.",
      {"grpc_type", "grpc_service", "grpc_method"});
  Family<Counter>& grpc_handled = registry.AddCounter(
      "grpc_server_handled_total",
      "RPCs completed on the server, whatever their status code.",
      {"grpc_type", "grpc_service", "grpc_method", "grpc_code"});
  Family<Histogram>& grpc_handling_seconds = registry.AddHistogram(
      "grpc_server_handling_seconds",
      "Time from an RPC's start to its status, in seconds (streams: their "
      "whole life).",
      {"grpc_type", "grpc_service", "grpc_method"}, LatencyBuckets());

  Family<Counter>& events_persisted = registry.AddCounter(
      "codex_manager_events_persisted_total",
      "Events committed to the store.");
  Family<Counter>& events_delivered = registry.AddCounter(
      "codex_manager_events_delivered_total",
      "Events written to StreamEvents streams (one per stream it went to).");
  Family<Histogram>& commit_seconds = registry.AddHistogram(
      "codex_manager_store_commit_seconds",
      "Time of one group commit (one SQLite transaction), in seconds.", {},
      LatencyBuckets());
  Family<Counter>& commit_failures = registry.AddCounter(
      "codex_manager_store_commit_failures_total",
      "Group commits the store refused (retried until it recovers).");
  Family<Counter>& runtime_starts = registry.AddCounter(
      "codex_manager_runtime_starts_total",
      "Codex app-server processes launched.");
  Family<Counter>& runtime_exits = registry.AddCounter(
      "codex_manager_runtime_unexpected_exits_total",
      "Codex app-server processes that exited without being stopped "
      "(crashed, or failed to start).");
  Family<Counter>& notifications = registry.AddCounter(
      "codex_manager_notifications_total",
      "Webhook and ntfy delivery attempts, by target and result.",
      {"target", "result"});
  // Set at each scrape.
  Family<Gauge>& sessions = registry.AddGauge(
      "codex_manager_sessions", "Sessions by state.", {"state"});
  Family<Gauge>& turns = registry.AddGauge(
      "codex_manager_turns", "Turns running or queued.", {"state"});
  Family<Gauge>& approvals_pending = registry.AddGauge(
      "codex_manager_approvals_pending", "Approvals waiting for a person.");
  Family<Gauge>& approval_oldest_seconds = registry.AddGauge(
      "codex_manager_approval_oldest_pending_seconds",
      "Age of the oldest pending approval, in seconds (0: none).");
  Family<Gauge>& subscribers = registry.AddGauge(
      "codex_manager_stream_subscribers",
      "Open subscriptions to the event log (StreamEvents, exports and "
      "the notifier).");
  Family<Gauge>& events_uncommitted = registry.AddGauge(
      "codex_manager_events_uncommitted",
      "Events waiting for the store to commit them; at "
      "--max-uncommitted-events, runtimes are held back.");
  Family<Gauge>& store_bytes = registry.AddGauge(
      "codex_manager_store_bytes",
      "Size of the SQLite database and its write-ahead log, in bytes.");
  Family<Gauge>& last_backup = registry.AddGauge(
      "codex_manager_last_backup_timestamp_seconds",
      "When the newest backup (MaintenanceService.Backup) was made, from "
      "the audit log, as Unix time in seconds; 0: none on record.");
};

// The process' metrics.
ServerMetrics& Metrics();

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_SERVER_METRICS_H_
