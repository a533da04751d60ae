// ApprovalService on the gRPC callback API: a thin adapter over
// SessionManager (protos/codex_manager/v1/approvals.proto).
#ifndef CODEX_MANAGER_SERVER_API_APPROVAL_SERVICE_H_
#define CODEX_MANAGER_SERVER_API_APPROVAL_SERVICE_H_

#include "codex_manager/v1/approvals.grpc.pb.h"
#include "api/guard.h"
#include "core/session_manager.h"

namespace codex_manager {

class ApprovalServiceImpl final : public v1::ApprovalService::CallbackService {
 public:
  ApprovalServiceImpl(SessionManager* manager, Guard* guard)
      : manager_(manager), guard_(guard) {}

  grpc::ServerUnaryReactor* ListApprovals(
      grpc::CallbackServerContext* context,
      const v1::ListApprovalsRequest* request,
      v1::ListApprovalsResponse* response) override;
  grpc::ServerUnaryReactor* ResolveApproval(
      grpc::CallbackServerContext* context,
      const v1::ResolveApprovalRequest* request,
      v1::Approval* response) override;

 private:
  SessionManager* const manager_;
  Guard* const guard_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_APPROVAL_SERVICE_H_
