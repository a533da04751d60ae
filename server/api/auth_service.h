// AuthService and AuditService on the gRPC callback API (auth.proto): thin
// adapters over TokenRegistry and the store's audit log, behind the Guard.
#ifndef CODEX_MANAGER_SERVER_API_AUTH_SERVICE_H_
#define CODEX_MANAGER_SERVER_API_AUTH_SERVICE_H_

#include "api/guard.h"
#include "auth/token_registry.h"
#include "codex_manager/v1/auth.grpc.pb.h"
#include "core/store.h"

namespace codex_manager {

class AuthServiceImpl final : public v1::AuthService::CallbackService {
 public:
  AuthServiceImpl(TokenRegistry* tokens, Guard* guard)
      : tokens_(tokens), guard_(guard) {}

  grpc::ServerUnaryReactor* CreateToken(
      grpc::CallbackServerContext* context,
      const v1::CreateTokenRequest* request,
      v1::CreateTokenResponse* response) override;
  grpc::ServerUnaryReactor* ListTokens(
      grpc::CallbackServerContext* context,
      const v1::ListTokensRequest* request,
      v1::ListTokensResponse* response) override;
  grpc::ServerUnaryReactor* RevokeToken(grpc::CallbackServerContext* context,
                                        const v1::RevokeTokenRequest* request,
                                        v1::Token* response) override;
  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* context,
                                   const v1::WhoAmIRequest* request,
                                   v1::WhoAmIResponse* response) override;

 private:
  TokenRegistry* const tokens_;
  Guard* const guard_;
};

class AuditServiceImpl final : public v1::AuditService::CallbackService {
 public:
  AuditServiceImpl(Store* store, Guard* guard) : store_(store), guard_(guard) {}

  grpc::ServerUnaryReactor* ListAuditEvents(
      grpc::CallbackServerContext* context,
      const v1::ListAuditEventsRequest* request,
      v1::ListAuditEventsResponse* response) override;

 private:
  Store* const store_;
  Guard* const guard_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_AUTH_SERVICE_H_
