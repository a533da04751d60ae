#include "api/session_service.h"

#include "api/serve.h"
#include "api/transcript_export.h"
#include "common/status_macros.h"

namespace codex_manager {



grpc::ServerUnaryReactor* SessionServiceImpl::CreateSession(
    grpc::CallbackServerContext* context,
    const v1::CreateSessionRequest* request, v1::Session* response) {
  static const std::string kMethod = FullMethod<v1::SessionService>("CreateSession");
  return Serve(guard_, context, kMethod, "", [&](const Caller& caller) {
    // Admission: where the agent may work, and how freely.
    ASSIGN_OR_RETURN(std::string cwd, admission_->AdmitCwd(request->cwd()));
    RETURN_IF_ERROR(admission_->AdmitSandbox(request->sandbox(), caller.role));
    CreateSessionParams params;
    params.cwd = std::move(cwd);
    params.model = request->model();
    params.approval_policy = request->approval_policy();
    params.sandbox = request->sandbox();
    params.title = request->title();
    params.request_id = request->request_id();
    return Fill(manager_->CreateSession(params, caller), response);
  });
}

grpc::ServerUnaryReactor* SessionServiceImpl::GetSession(
    grpc::CallbackServerContext* context, const v1::GetSessionRequest* request,
    v1::Session* response) {
  static const std::string kMethod = FullMethod<v1::SessionService>("GetSession");
  return Serve(guard_, context, kMethod, request->session_id(),
               [&](const Caller&) {
                 return Fill(manager_->GetSession(request->session_id()),
                             response);
               });
}

grpc::ServerUnaryReactor* SessionServiceImpl::ListSessions(
    grpc::CallbackServerContext* context,
    const v1::ListSessionsRequest* request,
    v1::ListSessionsResponse* response) {
  static const std::string kMethod = FullMethod<v1::SessionService>("ListSessions");
  return Serve(guard_, context, kMethod, "", [&](const Caller&) {
    ASSIGN_OR_RETURN(PageRequest page, ToPageRequest(request->page_size(),
                                                     request->page_token()));
    ASSIGN_OR_RETURN(Page<Session> result,
                     manager_->ListSessions(request->include_archived(), page));
    for (const Session& s : result.items) ToProto(s, response->add_sessions());
    response->set_next_page_token(EncodePageToken(result.next));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SessionServiceImpl::StopSession(
    grpc::CallbackServerContext* context, const v1::StopSessionRequest* request,
    v1::Session* response) {
  static const std::string kMethod = FullMethod<v1::SessionService>("StopSession");
  return Serve(guard_, context, kMethod, request->session_id(),
               [&](const Caller& caller) {
                 return Fill(manager_->StopSession(request->session_id(),
                                                   request->force(), caller),
                             response);
               });
}

grpc::ServerUnaryReactor* SessionServiceImpl::ResumeSession(
    grpc::CallbackServerContext* context,
    const v1::ResumeSessionRequest* request, v1::Session* response) {
  static const std::string kMethod = FullMethod<v1::SessionService>("ResumeSession");
  return Serve(
      guard_, context, kMethod, request->session_id(),
      [&](const Caller& caller) {
        return Fill(manager_->ResumeSession(request->session_id(), caller),
                    response);
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::UpdateSession(
    grpc::CallbackServerContext* context,
    const v1::UpdateSessionRequest* request, v1::Session* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("UpdateSession");
  return Serve(
      guard_, context, kMethod, request->session_id(),
      [&](const Caller& caller) -> absl::Status {
        SessionUpdate update;
        if (request->has_title()) update.title = request->title();
        if (request->has_model()) update.model = request->model();
        if (request->has_effort()) update.effort = request->effort();
        if (request->has_approval_policy()) {
          update.approval_policy = request->approval_policy();
        }
        if (request->has_sandbox()) {
          RETURN_IF_ERROR(
              admission_->AdmitSandbox(request->sandbox(), caller.role));
          update.sandbox = request->sandbox();
        }
        return Fill(manager_->UpdateSession(request->session_id(), update,
                                            caller),
                    response);
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::CompactSession(
    grpc::CallbackServerContext* context,
    const v1::CompactSessionRequest* request, v1::Session* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("CompactSession");
  return ServeLater<Session>(
      guard_, context, kMethod, request->session_id(), response,
      [&](const Caller& caller, auto finish) {
        manager_->CompactSession(request->session_id(), caller,
                                 std::move(finish));
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::ArchiveSession(
    grpc::CallbackServerContext* context,
    const v1::ArchiveSessionRequest* request, v1::Session* response) {
  static const std::string kMethod = FullMethod<v1::SessionService>("ArchiveSession");
  return Serve(
      guard_, context, kMethod, request->session_id(),
      [&](const Caller& caller) {
        return Fill(manager_->ArchiveSession(request->session_id(), caller),
                    response);
      });
}

grpc::ServerWriteReactor<v1::TranscriptChunk>*
SessionServiceImpl::ExportTranscript(
    grpc::CallbackServerContext* context,
    const v1::ExportTranscriptRequest* request) {
  return codex_manager::ExportTranscript(manager_, log_, store_, guard_,
                                         context, request);
}

}  // namespace codex_manager
