// Finishing a unary callback-API call from a core result.
#ifndef CODEX_MANAGER_SERVER_API_REPLY_H_
#define CODEX_MANAGER_SERVER_API_REPLY_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "api/convert.h"
#include "api/status.h"

namespace codex_manager {

// Converts `result` into `*response` (when OK) and finishes the call with
// the matching status.
template <typename T, typename Proto>
grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context,
                                const absl::StatusOr<T>& result,
                                Proto* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (result.ok()) ToProto(*result, response);
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

// Finishes the call with `status` (the response was filled by the caller).
inline grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context,
                                       const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_REPLY_H_
