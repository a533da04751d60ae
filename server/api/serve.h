// Serving a unary callback-API call behind the Guard: admit the caller,
// run the handler body, audit a failed mutation, finish with the status.
#ifndef CODEX_MANAGER_SERVER_API_SERVE_H_
#define CODEX_MANAGER_SERVER_API_SERVE_H_

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <string>
#include <type_traits>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "api/convert.h"
#include "api/guard.h"
#include "api/id_fields.h"
#include "api/status.h"

namespace codex_manager {

// "/<full service name>/<method>", e.g. FullMethod<v1::TurnService>("GetTurn").
template <typename ServiceT>
std::string FullMethod(absl::string_view method) {
  return absl::StrCat("/", ServiceT::service_full_name(), "/", method);
}

// Runs `body(const Caller&) -> absl::Status` once `guard` admits the call
// and the ids in `request` pass CheckIdFields (api/id_fields.h);
// `resource_id` names what a failed mutation is recorded against. All of
// it (admission, body, audit) runs on the guard's handler pool
// (Guard::RunHandler), never on the gRPC callback thread, so `body` may
// block on the store; it must capture by value what it uses (the request
// and response pointers stay valid until the call finishes).
template <typename Body>
grpc::ServerUnaryReactor* Serve(Guard* guard,
                                grpc::CallbackServerContext* context,
                                const std::string& method,
                                const google::protobuf::Message& request,
                                absl::string_view resource_id, Body body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  guard->RunHandler([guard, context, reactor, method, request = &request,
                     resource = std::string(resource_id),
                     body = std::move(body)]() mutable {
    absl::StatusOr<Caller> caller = guard->Admit(*context, method);
    guard->NoteResource(*context, resource);
    absl::Status status = caller.status();
    if (status.ok()) status = CheckIdFields(*request);
    if (status.ok()) status = body(*caller);
    if (caller.ok() && !status.ok()) {
      guard->AuditFailure(*caller, resource, status);
    }
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

// For a handler whose result comes later (from Codex): admits the call and
// checks the ids in `request` as Serve does, then `start(caller, finish)` (on
// the handler pool, as Serve's body); `finish(StatusOr<T>)` fills `*response`,
// audits a failure against `resource_id`, and ends the call. It may run on any
// thread.
template <typename T, typename Proto, typename Start>
grpc::ServerUnaryReactor* ServeLater(Guard* guard,
                                     grpc::CallbackServerContext* context,
                                     const std::string& method,
                                     const google::protobuf::Message& request,
                                     const std::string& resource_id,
                                     Proto* response, Start start);

// Converts `result` into `*response` when OK (copies it when it is the
// response already); returns its status.
template <typename T, typename Proto>
absl::Status Fill(const absl::StatusOr<T>& result, Proto* response) {
  if (result.ok()) {
    if constexpr (std::is_same_v<T, Proto>) {
      *response = *result;
    } else {
      ToProto(*result, response);
    }
  }
  return result.status();
}

template <typename T, typename Proto, typename Start>
grpc::ServerUnaryReactor* ServeLater(Guard* guard,
                                     grpc::CallbackServerContext* context,
                                     const std::string& method,
                                     const google::protobuf::Message& request,
                                     const std::string& resource_id,
                                     Proto* response, Start start) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  guard->RunHandler([guard, context, reactor, method, request = &request,
                     resource_id, response,
                     start = std::move(start)]() mutable {
    absl::StatusOr<Caller> caller = guard->Admit(*context, method);
    guard->NoteResource(*context, resource_id);
    if (!caller.ok()) {
      reactor->Finish(ToGrpcStatus(caller.status()));
      return;
    }
    if (absl::Status ids = CheckIdFields(*request); !ids.ok()) {
      guard->AuditFailure(*caller, resource_id, ids);
      reactor->Finish(ToGrpcStatus(ids));
      return;
    }
    start(*caller, [guard, reactor, response, resource_id,
                    caller = *caller](absl::StatusOr<T> result) {
      if (!result.ok()) {
        guard->AuditFailure(caller, resource_id, result.status());
      }
      reactor->Finish(ToGrpcStatus(Fill(result, response)));
    });
  });
  return reactor;
}

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_SERVE_H_
