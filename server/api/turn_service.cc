#include "api/turn_service.h"

#include "api/reply.h"

namespace codex_manager {

grpc::ServerUnaryReactor* TurnServiceImpl::StartTurn(
    grpc::CallbackServerContext* context, const v1::StartTurnRequest* request,
    v1::Turn* response) {
  return Reply(context,
               manager_->StartTurn(request->session_id(), request->prompt(),
                                   request->request_id()),
               response);
}

grpc::ServerUnaryReactor* TurnServiceImpl::InterruptTurn(
    grpc::CallbackServerContext* context,
    const v1::InterruptTurnRequest* request, v1::Turn* response) {
  return Reply(
      context,
      manager_->InterruptTurn(request->session_id(), request->turn_id()),
      response);
}

grpc::ServerUnaryReactor* TurnServiceImpl::GetTurn(
    grpc::CallbackServerContext* context, const v1::GetTurnRequest* request,
    v1::Turn* response) {
  return Reply(context, manager_->GetTurn(request->turn_id()), response);
}

grpc::ServerUnaryReactor* TurnServiceImpl::ListTurns(
    grpc::CallbackServerContext* context, const v1::ListTurnsRequest* request,
    v1::ListTurnsResponse* response) {
  absl::StatusOr<PageRequest> page =
      ToPageRequest(request->page_size(), request->page_token());
  if (!page.ok()) return Reply(context, page.status());
  absl::StatusOr<Page<Turn>> result =
      manager_->ListTurns(request->session_id(), *page);
  if (result.ok()) {
    for (const Turn& t : result->items) ToProto(t, response->add_turns());
    response->set_next_page_token(EncodePageToken(result->next));
  }
  return Reply(context, result.status());
}

}  // namespace codex_manager
