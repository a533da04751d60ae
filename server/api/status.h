// The one place where absl::Status becomes grpc::Status (codes map 1:1; the
// message is kept).
#ifndef CODEX_MANAGER_SERVER_API_STATUS_H_
#define CODEX_MANAGER_SERVER_API_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace codex_manager {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_STATUS_H_
