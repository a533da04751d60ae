#include "api/session_service.h"

#include "api/reply.h"

namespace codex_manager {

grpc::ServerUnaryReactor* SessionServiceImpl::CreateSession(
    grpc::CallbackServerContext* context,
    const v1::CreateSessionRequest* request, v1::Session* response) {
  CreateSessionParams params;
  params.cwd = request->cwd();
  params.model = request->model();
  params.approval_policy = request->approval_policy();
  params.sandbox = request->sandbox();
  params.title = request->title();
  params.request_id = request->request_id();
  return Reply(context, manager_->CreateSession(params), response);
}

grpc::ServerUnaryReactor* SessionServiceImpl::GetSession(
    grpc::CallbackServerContext* context, const v1::GetSessionRequest* request,
    v1::Session* response) {
  return Reply(context, manager_->GetSession(request->session_id()), response);
}

grpc::ServerUnaryReactor* SessionServiceImpl::ListSessions(
    grpc::CallbackServerContext* context,
    const v1::ListSessionsRequest* request,
    v1::ListSessionsResponse* response) {
  absl::StatusOr<PageRequest> page =
      ToPageRequest(request->page_size(), request->page_token());
  if (!page.ok()) return Reply(context, page.status());
  absl::StatusOr<Page<Session>> result =
      manager_->ListSessions(request->include_archived(), *page);
  if (result.ok()) {
    for (const Session& s : result->items) ToProto(s, response->add_sessions());
    response->set_next_page_token(EncodePageToken(result->next));
  }
  return Reply(context, result.status());
}

grpc::ServerUnaryReactor* SessionServiceImpl::StopSession(
    grpc::CallbackServerContext* context, const v1::StopSessionRequest* request,
    v1::Session* response) {
  return Reply(context,
               manager_->StopSession(request->session_id(), request->force()),
               response);
}

grpc::ServerUnaryReactor* SessionServiceImpl::ResumeSession(
    grpc::CallbackServerContext* context,
    const v1::ResumeSessionRequest* request, v1::Session* response) {
  return Reply(context, manager_->ResumeSession(request->session_id()),
               response);
}

grpc::ServerUnaryReactor* SessionServiceImpl::ArchiveSession(
    grpc::CallbackServerContext* context,
    const v1::ArchiveSessionRequest* request, v1::Session* response) {
  return Reply(context, manager_->ArchiveSession(request->session_id()),
               response);
}

}  // namespace codex_manager
