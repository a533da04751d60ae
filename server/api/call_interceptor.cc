#include "api/call_interceptor.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "core/types.h"

namespace codex_manager {
namespace {

using grpc::experimental::InterceptionHookPoints;

// Services whose handlers admit their own calls.
constexpr absl::string_view kOwnPrefix = "/codex_manager.v1.";
constexpr absl::string_view kHealthPrefix = "/grpc.health.v1.Health/";

class CallInterceptor : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(grpc::experimental::ServerRpcInfo* info, Guard* guard)
      : info_(info),
        guard_(guard),
        method_(info->method()),
        start_(absl::Now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* md = methods->GetRecvInitialMetadata();
      auto it = md->find("x-request-id");
      if (it != md->end() && !it->second.empty() && it->second.size() <= 128) {
        request_id_.assign(it->second.data(), it->second.size());
      } else {
        if (it != md->end()) md->erase(it);
        request_id_ = NewId("req_");
        // Points into this interceptor, which lives as long as the call.
        md->emplace("x-request-id", grpc::string_ref(request_id_));
      }
      if (!absl::StartsWith(method_, kOwnPrefix) &&
          !absl::StartsWith(method_, kHealthPrefix) &&
          !guard_->Admit(*info_->server_context(), method_).ok()) {
        info_->server_context()->TryCancel();
      }
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("x-request-id", request_id_);
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      Log(status.ok() || status.error_code() == grpc::StatusCode::CANCELLED
              ? LogLevel::kInfo
              : LogLevel::kWarning,
          "rpc",
          {{"method", method_},
           {"request_id", request_id_},
           {"code", static_cast<int>(status.error_code())},
           {"message", status.error_message()},
           {"ms", absl::ToDoubleMilliseconds(absl::Now() - start_)}});
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* const info_;
  Guard* const guard_;
  const std::string method_;
  const absl::Time start_;
  std::string request_id_;
};

}  // namespace

grpc::experimental::Interceptor*
CallInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallInterceptor(info, guard_);
}

}  // namespace codex_manager
