// grpc.health.v1.Health (the standard health checking protocol,
// grpc/doc/health-checking.md) on the callback API. The server registers
// this one itself, instead of gRPC's built-in default, so that server
// reflection lists it like every other service. It answers without a token
// (probes); the service name "" means the whole server.
//
// Thread safety: safe from any thread.
#ifndef CODEX_MANAGER_SERVER_API_HEALTH_SERVICE_H_
#define CODEX_MANAGER_SERVER_API_HEALTH_SERVICE_H_

#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace codex_manager {

class HealthServiceImpl final : public grpc::health::v1::Health::CallbackService {
 public:
  // `services`: the full service names Check and Watch know besides "".
  explicit HealthServiceImpl(std::vector<std::string> services);
  ~HealthServiceImpl() override;

  // SERVING or NOT_SERVING for every known service; open Watch calls get the
  // new status.
  void SetServing(bool serving);
  // Ends every open Watch call (before the server shuts down).
  void Shutdown();

  grpc::ServerUnaryReactor* Check(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest* request,
      grpc::health::v1::HealthCheckResponse* response) override;
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest* request) override;

  class Watcher;

 private:
  friend class Watcher;
  using Status = grpc::health::v1::HealthCheckResponse::ServingStatus;
  Status StatusOf(const std::string& service)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::set<std::string> services_;
  absl::Mutex mu_;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::set<Watcher*> watchers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_HEALTH_SERVICE_H_
