#include "api/approval_service.h"

#include <map>
#include <string>

#include "api/request_digest.h"
#include "api/serve.h"
#include "common/status_macros.h"

namespace codex_manager {



grpc::ServerUnaryReactor* ApprovalServiceImpl::ListApprovals(
    grpc::CallbackServerContext* context,
    const v1::ListApprovalsRequest* request,
    v1::ListApprovalsResponse* response) {
  static const std::string kMethod = FullMethod<v1::ApprovalService>("ListApprovals");
  return Serve(guard_, context, kMethod, *request, request->session_id(),
               [=, this](const Caller&) {
                 ASSIGN_OR_RETURN(PageRequest page,
                                  ToPageRequest(request->page_size(),
                                                request->page_token()));
                 ASSIGN_OR_RETURN(Page<Approval> result,
                                  manager_->ListApprovals(
                                      request->session_id(),
                                      !request->include_resolved(), page));
                 for (const Approval& a : result.items) {
                   ToProto(a, response->add_approvals());
                 }
                 response->set_next_page_token(EncodePageToken(result.next));
                 return absl::OkStatus();
               });
}

grpc::ServerUnaryReactor* ApprovalServiceImpl::ResolveApproval(
    grpc::CallbackServerContext* context,
    const v1::ResolveApprovalRequest* request, v1::Approval* response) {
  static const std::string kMethod = FullMethod<v1::ApprovalService>("ResolveApproval");
  return Serve(
      guard_, context, kMethod, *request, request->approval_id(),
      [=, this](const Caller& caller) -> absl::Status {
        if (!v1::Decision_IsValid(request->decision())) {
          return absl::InvalidArgumentError("decision: unknown value");
        }
        std::map<std::string, std::string> answers(
            request->answers().begin(), request->answers().end());
        return Fill(
            manager_->ResolveApproval(
                request->approval_id(),
                static_cast<Decision>(request->decision()), answers,
                request->request_id(),
                WithRequestDigest(caller, *request, request->request_id())),
            response);
      });
}

}  // namespace codex_manager
