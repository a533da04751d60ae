// CodexService on the gRPC callback API: a thin adapter over CodexCatalog
// (protos/codex_manager/v1/codex.proto). Every call finishes when its
// one-off Codex answered, never on the handler thread.
#ifndef CODEX_MANAGER_SERVER_API_CODEX_SERVICE_H_
#define CODEX_MANAGER_SERVER_API_CODEX_SERVICE_H_

#include "codex_manager/v1/codex.grpc.pb.h"
#include "api/guard.h"
#include "core/codex_catalog.h"
#include "core/store.h"

namespace codex_manager {

class CodexServiceImpl final : public v1::CodexService::CallbackService {
 public:
  CodexServiceImpl(CodexCatalog* catalog, Store* store, Guard* guard)
      : catalog_(catalog), store_(store), guard_(guard) {}

  grpc::ServerUnaryReactor* ListModels(grpc::CallbackServerContext* context,
                                       const v1::ListModelsRequest* request,
                                       v1::ListModelsResponse* response) override;
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

 private:
  CodexCatalog* const catalog_;
  Store* const store_;
  Guard* const guard_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_CODEX_SERVICE_H_
