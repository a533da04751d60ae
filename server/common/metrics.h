// Prometheus metrics: counters, gauges and histograms with labels, and
// their text exposition (format 0.0.4, what `promtool check metrics`
// checks). Debian packages no Prometheus client library for C++, so this is
// the small part of one the server needs.
//
// Metric and label names follow Prometheus' rules (and, for gRPC, the
// go-grpc-prometheus names); units are in the names (_seconds, _bytes).
// Thread safety: every method is safe from any thread; updating a metric
// is lock-free once its labelled child exists.
#ifndef CODEX_MANAGER_SERVER_COMMON_METRICS_H_
#define CODEX_MANAGER_SERVER_COMMON_METRICS_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace codex_manager {

class Counter {
 public:
  void Add(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, ascending (+Inf is implied).
  explicit Histogram(const std::vector<double>* bounds);
  void Observe(double v);
  // Cumulative counts per bound, then the +Inf count; and the sum.
  std::vector<uint64_t> Counts() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double>* const bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // not cumulative
  std::atomic<double> sum_{0};
};

// One metric name with its label names; a child per distinct label values.
template <typename T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels,
         std::vector<double> bounds = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        labels_(std::move(labels)),
        bounds_(std::move(bounds)) {}

  // The child for `values` (one per label name, in order), created at its
  // first use; the reference stays valid for the family's life.
  T& With(const std::vector<std::string>& values) {
    absl::MutexLock lock(&mu_);
    auto it = children_.find(values);
    if (it == children_.end()) {
      it = children_.emplace(values, MakeChild()).first;
    }
    return *it->second;
  }
  // Drops every child (for gauges a collector refills from scratch).
  void Clear() {
    absl::MutexLock lock(&mu_);
    children_.clear();
  }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& labels() const { return labels_; }
  const std::vector<double>& bounds() const { return bounds_; }
  // Calls `fn(values, child)` for every child, in label order.
  template <typename Fn>
  void ForEach(Fn fn) {
    absl::MutexLock lock(&mu_);
    for (const auto& [values, child] : children_) fn(values, *child);
  }

 private:
  std::unique_ptr<T> MakeChild() {
    if constexpr (std::is_same_v<T, Histogram>) {
      return std::make_unique<T>(&bounds_);
    } else {
      return std::make_unique<T>();
    }
  }

  const std::string name_, help_;
  const std::vector<std::string> labels_;
  const std::vector<double> bounds_;
  absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_
      ABSL_GUARDED_BY(mu_);
};

class MetricsRegistry {
 public:
  Family<Counter>& AddCounter(std::string name, std::string help,
                              std::vector<std::string> labels = {});
  Family<Gauge>& AddGauge(std::string name, std::string help,
                          std::vector<std::string> labels = {});
  Family<Histogram>& AddHistogram(std::string name, std::string help,
                                  std::vector<std::string> labels,
                                  std::vector<double> bounds);
  // Runs before every exposition, e.g. to set gauges from current state.
  void AddCollector(std::function<void()> collect);

  // The text exposition of every family, in registration order.
  std::string Exposition();

 private:
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Family<Counter>>> counters_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Family<Gauge>>> gauges_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Family<Histogram>>> histograms_
      ABSL_GUARDED_BY(mu_);
  // (kind, index) in registration order: 0 counter, 1 gauge, 2 histogram.
  std::vector<std::pair<int, size_t>> order_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> collectors_ ABSL_GUARDED_BY(mu_);
};

// Bucket bounds for latencies, in seconds: 0.5 ms to 10 s.
const std::vector<double>& LatencyBuckets();

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_METRICS_H_
