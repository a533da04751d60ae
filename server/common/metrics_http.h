// The HTTP endpoint Prometheus scrapes (--metrics-listen): GET /metrics
// answers the registry's text exposition (Content-Type
// "text/plain; version=0.0.4"); any other path is 404, any other method
// 405. No token: it is meant for loopback or a scrape network, on a port of
// its own, so probes never hold an API token. Boost.Beast, one thread; a
// request must arrive within 5 s, its header within 8 KiB and its body
// (ignored) within 4 KiB; at most 16 connections at once.
#ifndef CODEX_MANAGER_SERVER_COMMON_METRICS_HTTP_H_
#define CODEX_MANAGER_SERVER_COMMON_METRICS_HTTP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/metrics.h"

namespace codex_manager {

class MetricsHttpServer {
 public:
  // Listens on `address` ("host:port"; port 0 picks one) and serves
  // `registry` until destroyed. INVALID_ARGUMENT for a bad address,
  // UNAVAILABLE when it cannot listen.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      const std::string& address, MetricsRegistry* registry);
  ~MetricsHttpServer();

  // The port it listens on.
  int port() const;

 private:
  struct Impl;
  explicit MetricsHttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_METRICS_HTTP_H_
