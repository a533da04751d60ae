#include "api/turn_service.h"

#include "api/serve.h"
#include "common/status_macros.h"

namespace codex_manager {



grpc::ServerUnaryReactor* TurnServiceImpl::StartTurn(
    grpc::CallbackServerContext* context, const v1::StartTurnRequest* request,
    v1::Turn* response) {
  static const std::string kMethod = FullMethod<v1::TurnService>("StartTurn");
  return Serve(guard_, context, kMethod, request->session_id(),
               [&](const Caller& caller) {
                 return Fill(manager_->StartTurn(request->session_id(),
                                                 request->prompt(),
                                                 request->request_id(), caller),
                             response);
               });
}

grpc::ServerUnaryReactor* TurnServiceImpl::InterruptTurn(
    grpc::CallbackServerContext* context,
    const v1::InterruptTurnRequest* request, v1::Turn* response) {
  static const std::string kMethod = FullMethod<v1::TurnService>("InterruptTurn");
  return Serve(guard_, context, kMethod,
               request->turn_id().empty() ? request->session_id()
                                          : request->turn_id(),
               [&](const Caller& caller) {
                 return Fill(manager_->InterruptTurn(request->session_id(),
                                                     request->turn_id(), caller),
                             response);
               });
}

grpc::ServerUnaryReactor* TurnServiceImpl::SteerTurn(
    grpc::CallbackServerContext* context, const v1::SteerTurnRequest* request,
    v1::Turn* response) {
  static const std::string kMethod = FullMethod<v1::TurnService>("SteerTurn");
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const std::string resource =
      request->turn_id().empty() ? request->session_id() : request->turn_id();
  absl::StatusOr<Caller> caller = guard_->Admit(*context, kMethod);
  guard_->NoteResource(*context, resource);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  manager_->SteerTurn(
      request->session_id(), request->turn_id(), request->prompt(), *caller,
      [this, reactor, response, resource,
       caller = *caller](absl::StatusOr<Turn> turn) {
        if (!turn.ok()) guard_->AuditFailure(caller, resource, turn.status());
        reactor->Finish(ToGrpcStatus(Fill(turn, response)));
      });
  return reactor;
}

grpc::ServerUnaryReactor* TurnServiceImpl::GetTurn(
    grpc::CallbackServerContext* context, const v1::GetTurnRequest* request,
    v1::Turn* response) {
  static const std::string kMethod = FullMethod<v1::TurnService>("GetTurn");
  return Serve(guard_, context, kMethod, request->turn_id(),
               [&](const Caller&) {
                 return Fill(manager_->GetTurn(request->turn_id()), response);
               });
}

grpc::ServerUnaryReactor* TurnServiceImpl::ListTurns(
    grpc::CallbackServerContext* context, const v1::ListTurnsRequest* request,
    v1::ListTurnsResponse* response) {
  static const std::string kMethod = FullMethod<v1::TurnService>("ListTurns");
  return Serve(guard_, context, kMethod, request->session_id(),
               [&](const Caller&) {
                 ASSIGN_OR_RETURN(PageRequest page,
                                  ToPageRequest(request->page_size(),
                                                request->page_token()));
                 ASSIGN_OR_RETURN(
                     Page<Turn> result,
                     manager_->ListTurns(request->session_id(), page));
                 for (const Turn& t : result.items) {
                   ToProto(t, response->add_turns());
                 }
                 response->set_next_page_token(EncodePageToken(result.next));
                 return absl::OkStatus();
               });
}

}  // namespace codex_manager
