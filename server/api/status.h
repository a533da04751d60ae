// The one place where absl::Status becomes grpc::Status. Codes map 1:1 and
// the message is kept. Payloads of the absl::Status (keyed by type URL, as
// google.rpc.Status details are) become the `grpc-status-details-bin`
// trailer: a google.rpc.Status with one google.protobuf.Any per payload.
#ifndef CODEX_MANAGER_SERVER_API_STATUS_H_
#define CODEX_MANAGER_SERVER_API_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace codex_manager {

grpc::Status ToGrpcStatus(const absl::Status& status);

// Attaches a google.rpc.RetryInfo detail ("retry after `delay`") to
// `status`, as gRPC's error model asks of a RESOURCE_EXHAUSTED that can be
// retried later.
void SetRetryDelay(absl::Status& status, absl::Duration delay);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_STATUS_H_
