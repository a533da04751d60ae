// Serving a unary callback-API call behind the Guard: admit the caller,
// run the handler body, audit a failed mutation, finish with the status.
#ifndef CODEX_MANAGER_SERVER_API_SERVE_H_
#define CODEX_MANAGER_SERVER_API_SERVE_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "api/convert.h"
#include "api/guard.h"
#include "api/status.h"

namespace codex_manager {

// "/<full service name>/<method>", e.g. FullMethod<v1::TurnService>("GetTurn").
template <typename ServiceT>
std::string FullMethod(absl::string_view method) {
  return absl::StrCat("/", ServiceT::service_full_name(), "/", method);
}

// Runs `body(const Caller&) -> absl::Status` once `guard` admits the call;
// `resource_id` names what a failed mutation is recorded against.
template <typename Body>
grpc::ServerUnaryReactor* Serve(Guard* guard,
                                grpc::CallbackServerContext* context,
                                const std::string& method,
                                absl::string_view resource_id, Body body) {
  absl::StatusOr<Caller> caller = guard->Admit(*context, method);
  guard->NoteResource(*context, resource_id);
  absl::Status status = caller.ok() ? body(*caller) : caller.status();
  if (caller.ok() && !status.ok()) {
    guard->AuditFailure(*caller, resource_id, status);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// Converts `result` into `*response` when OK; returns its status.
template <typename T, typename Proto>
absl::Status Fill(const absl::StatusOr<T>& result, Proto* response) {
  if (result.ok()) ToProto(*result, response);
  return result.status();
}

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_SERVE_H_
