// The one place where absl::Status becomes grpc::Status. Codes map 1:1 and
// the message is kept, up to kMaxStatusMessageBytes. Payloads of the
// absl::Status (keyed by type URL, as google.rpc.Status details are) become the
// `grpc-status-details-bin` trailer: a google.rpc.Status with one
// google.protobuf.Any per payload.
#ifndef CODEX_MANAGER_SERVER_API_STATUS_H_
#define CODEX_MANAGER_SERVER_API_STATUS_H_

#include <grpcpp/support/status.h>

#include <cstddef>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace codex_manager {

// A longer message is cut there (on a character boundary, "…" appended).
// Messages can quote what a client sent (NOT_FOUND naming an id): a 100 KB
// session id came back whole in the `grpc-message` trailer, which the
// Python SDK's grpcio refuses past 16 KiB, so it raised RESOURCE_EXHAUSTED
// ("received metadata size exceeds hard limit") instead of NOT_FOUND.
// Resource ids echoed in audit records and log lines are cut at
// kMaxEchoedIdBytes (a 3 MB id cost 6 MB of audit row and log line).
inline constexpr size_t kMaxStatusMessageBytes = 1024;
inline constexpr size_t kMaxEchoedIdBytes = 128;

grpc::Status ToGrpcStatus(const absl::Status& status);

// Attaches a google.rpc.RetryInfo detail ("retry after `delay`") to
// `status`, as gRPC's error model asks of a RESOURCE_EXHAUSTED that can be
// retried later.
void SetRetryDelay(absl::Status& status, absl::Duration delay);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_STATUS_H_
