// A server interceptor that sees every call, whichever service serves it:
// - gives it a request id: the client's `x-request-id` metadata when present
//   (at most 128 characters), else a fresh one, which it adds to the
//   received metadata (so handlers and the audit log see the same id) and
//   echoes in the response's initial metadata;
// - logs one JSON line per finished call (method, request id, status,
//   duration) and counts it in the grpc_server_* metrics;
// - admits calls to services this server does not implement itself (server
//   reflection, and any method without an authorization rule) through the
//   Guard. gRPC's C++ interceptors cannot finish a call with a status of
//   their own, so a refused call is cancelled: the client sees CANCELLED,
//   and the audit log records the real reason. The services of
//   codex_manager.v1 admit their calls in their handlers (api/serve.h) and
//   answer UNAUTHENTICATED / PERMISSION_DENIED properly;
// - answers a unary or server-streaming call of ours whose request could
//   not be parsed (a string field that is not UTF-8, a broken encoding)
//   with what its handler would have: the Guard's refusal when the caller
//   is not admitted, else INVALID_ARGUMENT naming the field
//   (api/unparsed_request.h), a failed mutation audited as the handlers'
//   are. gRPC's callback API never runs the handler of such a call and
//   would answer an empty UNIMPLEMENTED, as for a method that does not
//   exist;
// - counts the calls in flight, so a stopping server can let them finish
//   before it closes its connections (main.cc).
#ifndef CODEX_MANAGER_SERVER_API_CALL_INTERCEPTOR_H_
#define CODEX_MANAGER_SERVER_API_CALL_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>
#include <grpcpp/support/status.h>

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "api/guard.h"
#include "common/metrics.h"

namespace codex_manager {

class CallInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(Guard* guard) : guard_(guard) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  // Calls begun and not yet done with (gRPC destroys a call's interceptor
  // once the call has ended and its reactor is done).
  int CallsInFlight() const { return in_flight_.load(); }
  // Waits until no call is in flight, or until `deadline`; returns whether
  // none is. Polls every 5 ms: for shutdown, not for hot paths.
  bool WaitForNoCalls(absl::Time deadline) const;

  // The grpc_server_* metrics' children of one kind of call (its method,
  // or "unknown", and its call type), looked up once per kind rather than
  // by label values on every call.
  struct CallMetrics {
    std::vector<std::string> labels;  // grpc_type, grpc_service, grpc_method
    Counter* started = nullptr;
    Histogram* handling_seconds = nullptr;
    // gRPC's status codes: OK (0) to UNAUTHENTICATED (16).
    static constexpr size_t kStatusCodes =
        static_cast<size_t>(grpc::StatusCode::UNAUTHENTICATED) + 1;
    // grpc_server_handled_total by status code, made at first use.
    mutable std::array<std::atomic<Counter*>, kStatusCodes> handled{};
    Counter& Handled(grpc::StatusCode code) const;
  };

 private:
  const CallMetrics& MetricsFor(const grpc::experimental::ServerRpcInfo& info);

  Guard* const guard_;
  std::atomic<int> in_flight_{0};
  absl::Mutex mu_;
  // Keyed by the method's rule (nullptr: unknown) and call type, so a
  // client cannot grow it.
  std::map<std::pair<const void*, int>, std::unique_ptr<CallMetrics>> metrics_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_CALL_INTERCEPTOR_H_
