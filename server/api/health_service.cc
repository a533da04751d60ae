#include "api/health_service.h"

#include <utility>

namespace codex_manager {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// One Watch call: writes the status now and after every change, one write
// in flight; ends when the client cancels or the service shuts down.
class HealthServiceImpl::Watcher final
    : public grpc::ServerWriteReactor<HealthCheckResponse> {
 public:
  Watcher(HealthServiceImpl* service, std::string name)
      : service_(service), name_(std::move(name)) {
    absl::MutexLock lock(&service_->mu_);
    if (service_->shut_down_) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "shutting down"));
      return;
    }
    service_->watchers_.insert(this);
    registered_ = true;
    UpdateLocked();
  }

  // With the service's mu_ held: sends the current status if it changed.
  void UpdateLocked() {
    if (finished_) return;
    const Status status = service_->StatusOf(name_);
    if (has_last_ && status == last_) return;
    last_ = status;
    has_last_ = true;
    if (writing_) {
      dirty_ = true;
      return;
    }
    WriteLocked();
  }

  void EndLocked() {
    if (finished_) return;
    finished_ = true;
    Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "shutting down"));
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&service_->mu_);
    writing_ = false;
    if (!ok) {
      EndLocked();
      return;
    }
    if (dirty_) WriteLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&service_->mu_);
    if (!finished_) {
      finished_ = true;
      Finish(grpc::Status::CANCELLED);
    }
  }

  void OnDone() override {
    {
      absl::MutexLock lock(&service_->mu_);
      if (registered_) service_->watchers_.erase(this);
    }
    delete this;
  }

 private:
  void WriteLocked() {
    dirty_ = false;
    writing_ = true;
    response_.set_status(last_);
    StartWrite(&response_);
  }

  HealthServiceImpl* const service_;
  const std::string name_;
  HealthCheckResponse response_;
  Status last_ = HealthCheckResponse::UNKNOWN;
  bool has_last_ = false;
  bool writing_ = false;
  bool dirty_ = false;
  bool finished_ = false;
  bool registered_ = false;
};

HealthServiceImpl::HealthServiceImpl(std::vector<std::string> services)
    : services_(services.begin(), services.end()) {}

HealthServiceImpl::~HealthServiceImpl() { Shutdown(); }

HealthServiceImpl::Status HealthServiceImpl::StatusOf(
    const std::string& service) {
  if (!service.empty() && !services_.contains(service)) {
    return HealthCheckResponse::SERVICE_UNKNOWN;
  }
  return serving_ ? HealthCheckResponse::SERVING
                  : HealthCheckResponse::NOT_SERVING;
}

void HealthServiceImpl::SetServing(bool serving) {
  absl::MutexLock lock(&mu_);
  serving_ = serving;
  for (Watcher* w : watchers_) w->UpdateLocked();
}

void HealthServiceImpl::Shutdown() {
  absl::MutexLock lock(&mu_);
  shut_down_ = true;
  for (Watcher* w : watchers_) w->EndLocked();
}

grpc::ServerUnaryReactor* HealthServiceImpl::Check(
    grpc::CallbackServerContext* context, const HealthCheckRequest* request,
    HealthCheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::MutexLock lock(&mu_);
  Status status = StatusOf(request->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    reactor->Finish(grpc::Status(
        grpc::StatusCode::NOT_FOUND,
        "unknown service \"" + request->service() + "\""));
    return reactor;
  }
  response->set_status(status);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<HealthCheckResponse>* HealthServiceImpl::Watch(
    grpc::CallbackServerContext* context, const HealthCheckRequest* request) {
  return new Watcher(this, request->service());
}

}  // namespace codex_manager
