#include "api/approval_service.h"

#include <map>
#include <string>

#include "api/reply.h"

namespace codex_manager {

grpc::ServerUnaryReactor* ApprovalServiceImpl::ListApprovals(
    grpc::CallbackServerContext* context,
    const v1::ListApprovalsRequest* request,
    v1::ListApprovalsResponse* response) {
  absl::StatusOr<PageRequest> page =
      ToPageRequest(request->page_size(), request->page_token());
  if (!page.ok()) return Reply(context, page.status());
  absl::StatusOr<Page<Approval>> result = manager_->ListApprovals(
      request->session_id(), !request->include_resolved(), *page);
  if (result.ok()) {
    for (const Approval& a : result->items) {
      ToProto(a, response->add_approvals());
    }
    response->set_next_page_token(EncodePageToken(result->next));
  }
  return Reply(context, result.status());
}

grpc::ServerUnaryReactor* ApprovalServiceImpl::ResolveApproval(
    grpc::CallbackServerContext* context,
    const v1::ResolveApprovalRequest* request, v1::Approval* response) {
  if (!v1::Decision_IsValid(request->decision())) {
    return Reply(context,
                 absl::InvalidArgumentError("decision: unknown value"));
  }
  std::map<std::string, std::string> answers(request->answers().begin(),
                                             request->answers().end());
  return Reply(
      context,
      manager_->ResolveApproval(request->approval_id(),
                                static_cast<Decision>(request->decision()),
                                answers, request->request_id()),
      response);
}

}  // namespace codex_manager
