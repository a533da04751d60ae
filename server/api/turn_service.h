// TurnService on the gRPC callback API: a thin adapter over SessionManager
// (protos/codex_manager/v1/turns.proto).
#ifndef CODEX_MANAGER_SERVER_API_TURN_SERVICE_H_
#define CODEX_MANAGER_SERVER_API_TURN_SERVICE_H_

#include "codex_manager/v1/turns.grpc.pb.h"
#include "api/guard.h"
#include "auth/admission.h"
#include "core/session_manager.h"

namespace codex_manager {

class TurnServiceImpl final : public v1::TurnService::CallbackService {
 public:
  TurnServiceImpl(SessionManager* manager, Guard* guard,
                  const Admission* admission)
      : manager_(manager), guard_(guard), admission_(admission) {}

  grpc::ServerUnaryReactor* StartTurn(grpc::CallbackServerContext* context,
                                      const v1::StartTurnRequest* request,
                                      v1::Turn* response) override;
  grpc::ServerUnaryReactor* InterruptTurn(
      grpc::CallbackServerContext* context,
      const v1::InterruptTurnRequest* request, v1::Turn* response) override;
  // Finishes when Codex answered turn/steer (not on the handler thread).
  grpc::ServerUnaryReactor* SteerTurn(grpc::CallbackServerContext* context,
                                      const v1::SteerTurnRequest* request,
                                      v1::Turn* response) override;
  grpc::ServerUnaryReactor* StartReview(grpc::CallbackServerContext* context,
                                        const v1::StartReviewRequest* request,
                                        v1::Turn* response) override;
  grpc::ServerUnaryReactor* RunShellCommand(
      grpc::CallbackServerContext* context,
      const v1::RunShellCommandRequest* request, v1::Turn* response) override;
  grpc::ServerUnaryReactor* GetTurn(grpc::CallbackServerContext* context,
                                    const v1::GetTurnRequest* request,
                                    v1::Turn* response) override;
  grpc::ServerUnaryReactor* ListTurns(grpc::CallbackServerContext* context,
                                      const v1::ListTurnsRequest* request,
                                      v1::ListTurnsResponse* response) override;

 private:
  SessionManager* const manager_;
  Guard* const guard_;
  const Admission* const admission_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_TURN_SERVICE_H_
