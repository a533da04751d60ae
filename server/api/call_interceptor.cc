#include "api/call_interceptor.h"

#include <cmath>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/library_logs.h"
#include "api/status.h"
#include "api/unparsed_request.h"
#include "auth/method_rules.h"
#include "common/log.h"
#include "common/server_metrics.h"
#include "core/types.h"

namespace codex_manager {
namespace {

using grpc::experimental::InterceptionHookPoints;

// Services whose handlers admit their own calls.
constexpr absl::string_view kOwnPrefix = "/codex_manager.v1.";
constexpr absl::string_view kHealthPrefix = "/grpc.health.v1.Health/";

// The gRPC metrics' labels of a call: type, service and method. A method
// the server does not know is "unknown", so callers cannot grow the
// metrics without bound.
std::vector<std::string> MetricLabels(
    const std::string& method, const void* rule,
    grpc::experimental::ServerRpcInfo::Type type) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  const char* kind = type == Type::UNARY              ? "unary"
                     : type == Type::SERVER_STREAMING ? "server_stream"
                     : type == Type::CLIENT_STREAMING ? "client_stream"
                                                      : "bidi_stream";
  const size_t slash = method.rfind('/');
  if (rule == nullptr || slash == 0 || slash == std::string::npos) {
    return {kind, "unknown", "unknown"};
  }
  return {kind, method.substr(1, slash - 1), method.substr(slash + 1)};
}

// The canonical name of a status code, as grpc_code labels use it.
std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[CallInterceptorFactory::CallMetrics::
                                      kStatusCodes] = {
      "OK",          "Canceled",          "Unknown",
      "InvalidArgument", "DeadlineExceeded", "NotFound",
      "AlreadyExists",   "PermissionDenied", "ResourceExhausted",
      "FailedPrecondition", "Aborted",      "OutOfRange",
      "Unimplemented",   "Internal",         "Unavailable",
      "DataLoss",        "Unauthenticated"};
  const auto i = static_cast<size_t>(code);
  return i < std::size(kNames) ? kNames[i] : "Unknown";
}

class CallInterceptor : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(grpc::experimental::ServerRpcInfo* info, Guard* guard,
                  std::atomic<int>* in_flight,
                  const CallInterceptorFactory::CallMetrics* metrics)
      : info_(info),
        guard_(guard),
        in_flight_(in_flight),
        metrics_(metrics),
        method_(info->method()),
        start_(absl::Now()) {
    in_flight_->fetch_add(1);
    metrics_->started->Add();
  }
  // A call that ends without sending a status (the client went away
  // first) is still counted and logged, with code CANCELLED, and leaves no
  // note behind: started always equals handled plus those in flight.
  ~CallInterceptor() override {
    if (!status_seen_) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                          refusal_.empty() ? "cancelled before a status was sent"
                                           : refusal_));
    }
    guard_->TakeNote(info_->server_context());
    in_flight_->fetch_sub(1);
  }

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
          !absl::StartsWith(method_, kHealthPrefix)) {
        absl::StatusOr<Caller> caller =
            guard_->Admit(*info_->server_context(), method_);
        if (!caller.ok()) {
          refusal_ = absl::StrCat("refused (cancelled): ",
                                  caller.status().message());
          info_->server_context()->TryCancel();
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // gRPC parsed the request on this thread just now; a stream's later
      // reads are not requests (and end with no message). Only a failed
      // parse looks at what Protobuf said: the rest of the calls pay
      // nothing here. (A field left by another call's failed parse is not
      // named unless this request holds it: UnparsedRequestStatus.)
      using Type = grpc::experimental::ServerRpcInfo::Type;
      if (methods->GetRecvMessage() == nullptr &&
          (info_->type() == Type::UNARY ||
           info_->type() == Type::SERVER_STREAMING)) {
        unparsed_ = true;
        invalid_utf8_field_ = TakeInvalidUtf8Field();
      }
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("x-request-id", request_id_);
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      status_seen_ = true;
      if (unparsed_ && refusal_.empty() &&
          methods->GetSendStatus().error_code() ==
              grpc::StatusCode::UNIMPLEMENTED) {
        // Admission may write an audit record: off gRPC's thread, as the
        // handlers' (the call waits for Proceed).
        guard_->RunHandler([this, methods] {
          const grpc::Status status = AnswerUnparsed();
          methods->ModifySendStatus(status);
          Finish(status);
          methods->Proceed();
        });
        return;
      }
      // A refused call was cancelled: whatever status its handler sends
      // after that (reflection's OK) never reaches the client.
      Finish(refusal_.empty()
                 ? methods->GetSendStatus()
                 : grpc::Status(grpc::StatusCode::CANCELLED, refusal_));
    }
    methods->Proceed();
  }

 private:
  // What a call whose request gRPC could not parse gets: what its handler
  // would have answered, as api/serve.h admits and audits.
  grpc::Status AnswerUnparsed() {
    absl::StatusOr<Caller> caller =
        guard_->Admit(*info_->server_context(), method_);
    if (!caller.ok()) return ToGrpcStatus(caller.status());
    const absl::Status status =
        UnparsedRequestStatus(method_, invalid_utf8_field_);
    guard_->AuditFailure(*caller, "", status);
    return ToGrpcStatus(status);
  }

  // Counts, times and logs the call's end with `status`.
  void Finish(const grpc::Status& status) {
    const absl::Duration elapsed = absl::Now() - start_;
    const double seconds = absl::ToDoubleSeconds(elapsed);
    metrics_->Handled(status.error_code()).Add();
    metrics_->handling_seconds->Observe(seconds);
    Guard::CallNote note = guard_->TakeNote(info_->server_context());
    // To the microsecond: "ms":1.432, not 1.4316710000000001.
    const double ms = std::round(absl::ToDoubleMicroseconds(elapsed)) / 1000;
    // A copy: grpc::Status::error_message() returns one by value, and the
    // fields below are views that must outlive this statement.
    const std::string message = status.error_message();
    std::vector<LogField> fields = {{"method", method_},
                                    {"request_id", request_id_},
                                    {"code", static_cast<int>(status.error_code())},
                                    {"message", message},
                                    {"ms", ms}};
    if (!note.token_name.empty()) {
      fields.emplace_back("principal", note.token_name);
      fields.emplace_back("token_id", note.token_id);
    }
    if (!note.resource_id.empty()) {
      fields.emplace_back("resource", note.resource_id);
    }
    // A client that hangs up is no fault; a refusal is, even one sent as
    // a cancel.
    const bool fault =
        !status.ok() &&
        (status.error_code() != grpc::StatusCode::CANCELLED || !refusal_.empty());
    // A refusal the audit log counts in a summary is one of a flood: its
    // line would be too (Guard::FlushRefusals logs the summary).
    Log(note.folded ? LogLevel::kDebug
        : fault     ? LogLevel::kWarning
                    : LogLevel::kInfo,
        "rpc", fields);
  }

  grpc::experimental::ServerRpcInfo* const info_;
  Guard* const guard_;
  std::atomic<int>* const in_flight_;
  const CallInterceptorFactory::CallMetrics* const metrics_;
  const std::string method_;
  const absl::Time start_;
  std::string request_id_;
  bool status_seen_ = false;
  std::string refusal_;  // why Admit refused a call not ours, if it did
  bool unparsed_ = false;  // gRPC could not parse the request
  std::string invalid_utf8_field_;  // and found this field not UTF-8
};

}  // namespace

grpc::experimental::Interceptor*
CallInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallInterceptor(info, guard_, &in_flight_, &MetricsFor(*info));
}

const CallInterceptorFactory::CallMetrics& CallInterceptorFactory::MetricsFor(
    const grpc::experimental::ServerRpcInfo& info) {
  const std::string method = info.method();
  const void* rule = FindMethodRule(method);
  const std::pair<const void*, int> key(rule, static_cast<int>(info.type()));
  absl::MutexLock lock(&mu_);
  std::unique_ptr<CallMetrics>& metrics = metrics_[key];
  if (metrics == nullptr) {
    metrics = std::make_unique<CallMetrics>();
    metrics->labels = MetricLabels(method, rule, info.type());
    metrics->started = &Metrics().grpc_started.With(metrics->labels);
    metrics->handling_seconds =
        &Metrics().grpc_handling_seconds.With(metrics->labels);
  }
  return *metrics;
}

Counter& CallInterceptorFactory::CallMetrics::Handled(
    grpc::StatusCode code) const {
  const auto i = static_cast<size_t>(code);
  const size_t index =
      i < kStatusCodes ? i : static_cast<size_t>(grpc::StatusCode::UNKNOWN);
  Counter* counter = handled[index].load(std::memory_order_acquire);
  if (counter == nullptr) {
    std::vector<std::string> values = labels;
    values.push_back(CodeName(static_cast<grpc::StatusCode>(index)));
    // Family::With returns the same child to every thread that asks.
    counter = &Metrics().grpc_handled.With(values);
    handled[index].store(counter, std::memory_order_release);
  }
  return *counter;
}

bool CallInterceptorFactory::WaitForNoCalls(absl::Time deadline) const {
  while (CallsInFlight() > 0) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

}  // namespace codex_manager
