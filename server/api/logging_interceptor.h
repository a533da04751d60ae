// A server interceptor that gives every RPC a request id and logs it: one
// JSON line per finished call with method, peer, gRPC status and duration.
// The id is the client's `x-request-id` metadata when present (at most 128
// characters), else a fresh one; it is echoed in the response's initial
// metadata as `x-request-id`.
#ifndef CODEX_MANAGER_SERVER_API_LOGGING_INTERCEPTOR_H_
#define CODEX_MANAGER_SERVER_API_LOGGING_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

namespace codex_manager {

class LoggingInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_LOGGING_INTERCEPTOR_H_
