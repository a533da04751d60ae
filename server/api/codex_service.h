// CodexService on the gRPC callback API: a thin adapter over CodexCatalog
// and CodexLogins
// (protos/codex_manager/v1/codex.proto). Every call finishes when its
// one-off Codex answered, never on the handler thread.
#ifndef CODEX_MANAGER_SERVER_API_CODEX_SERVICE_H_
#define CODEX_MANAGER_SERVER_API_CODEX_SERVICE_H_

#include "api/guard.h"
#include "codex_manager/v1/codex.grpc.pb.h"
#include "core/codex_catalog.h"
#include "core/codex_login.h"
#include "core/store.h"

namespace codex_manager {

class CodexServiceImpl final : public v1::CodexService::CallbackService {
 public:
  CodexServiceImpl(CodexCatalog* catalog, CodexLogins* logins, Store* store,
                   Guard* guard)
      : catalog_(catalog), logins_(logins), store_(store), guard_(guard) {}

  grpc::ServerUnaryReactor* ListModels(grpc::CallbackServerContext* context,
                                       const v1::ListModelsRequest* request,
                                       v1::ListModelsResponse* response) override;
  grpc::ServerUnaryReactor* ListModelProviders(
      grpc::CallbackServerContext* context,
      const v1::ListModelProvidersRequest* request,
      v1::ListModelProvidersResponse* response) override;
  grpc::ServerUnaryReactor* GetAccount(grpc::CallbackServerContext* context,
                                       const v1::GetAccountRequest* request,
                                       v1::Account* response) override;
  grpc::ServerUnaryReactor* ListCodexThreads(
      grpc::CallbackServerContext* context,
      const v1::ListCodexThreadsRequest* request,
      v1::ListCodexThreadsResponse* response) override;
  grpc::ServerUnaryReactor* ListCodexHooks(
      grpc::CallbackServerContext* context,
      const v1::ListCodexHooksRequest* request,
      v1::ListCodexHooksResponse* response) override;
  grpc::ServerUnaryReactor* TrustCodexHooks(
      grpc::CallbackServerContext* context,
      const v1::TrustCodexHooksRequest* request,
      v1::TrustCodexHooksResponse* response) override;
  grpc::ServerUnaryReactor* ListCodexFeatures(
      grpc::CallbackServerContext* context,
      const v1::ListCodexFeaturesRequest* request,
      v1::ListCodexFeaturesResponse* response) override;
  grpc::ServerUnaryReactor* SetCodexFeature(
      grpc::CallbackServerContext* context,
      const v1::SetCodexFeatureRequest* request,
      v1::SetCodexFeatureResponse* response) override;
  grpc::ServerUnaryReactor* StartCodexLogin(
      grpc::CallbackServerContext* context,
      const v1::StartCodexLoginRequest* request,
      v1::CodexLogin* response) override;
  grpc::ServerUnaryReactor* GetCodexLogin(
      grpc::CallbackServerContext* context,
      const v1::GetCodexLoginRequest* request,
      v1::CodexLogin* response) override;
  grpc::ServerUnaryReactor* CancelCodexLogin(
      grpc::CallbackServerContext* context,
      const v1::CancelCodexLoginRequest* request,
      v1::CodexLogin* response) override;
  grpc::ServerUnaryReactor* LogoutCodex(
      grpc::CallbackServerContext* context,
      const v1::LogoutCodexRequest* request,
      v1::LogoutCodexResponse* response) override;

 private:
  // Records a change made to Codex's own files: whatever the store says,
  // it happened (an error is logged).
  void AuditDone(const Caller& caller, const std::string& resource,
                 const char* method);

  CodexCatalog* const catalog_;
  CodexLogins* const logins_;
  Store* const store_;
  Guard* const guard_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_CODEX_SERVICE_H_
