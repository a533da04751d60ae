#include "common/metrics.h"

#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace codex_manager {
namespace {

// A sample value as Prometheus writes it.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return absl::StrFormat("%.0f", v);
  }
  // The shortest text that reads back as `v` (as Go's client writes it:
  // strconv 'g', -1): a Unix time keeps its fraction of a second.
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end)
                           : absl::StrFormat("%.17g", v);
}

// Label values escape backslash, double quote and line feed.
std::string EscapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// HELP text escapes backslash and line feed.
std::string EscapeHelp(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string LabelSet(const std::vector<std::string>& names,
                     const std::vector<std::string>& values,
                     const std::string& extra_name = "",
                     const std::string& extra_value = "") {
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    absl::StrAppend(&out, out.empty() ? "" : ",", names[i], "=\"",
                    EscapeLabel(values[i]), "\"");
  }
  if (!extra_name.empty()) {
    absl::StrAppend(&out, out.empty() ? "" : ",", extra_name, "=\"",
                    extra_value, "\"");
  }
  return out.empty() ? "" : absl::StrCat("{", out, "}");
}

template <typename T>
void Header(Family<T>& family, const char* type, std::string* out) {
  absl::StrAppend(out, "# HELP ", family.name(), " ",
                  EscapeHelp(family.help()), "\n# TYPE ", family.name(), " ",
                  type, "\n");
}

}  // namespace

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds),
      buckets_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds_->size(); ++i) buckets_[i] = 0;
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_->size() && v > (*bounds_)[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::Counts() const {
  std::vector<uint64_t> out(bounds_->size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_->size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

Family<Counter>& MetricsRegistry::AddCounter(std::string name,
                                             std::string help,
                                             std::vector<std::string> labels) {
  absl::MutexLock lock(&mu_);
  counters_.push_back(std::make_unique<Family<Counter>>(
      std::move(name), std::move(help), std::move(labels)));
  order_.emplace_back(0, counters_.size() - 1);
  return *counters_.back();
}

Family<Gauge>& MetricsRegistry::AddGauge(std::string name, std::string help,
                                         std::vector<std::string> labels) {
  absl::MutexLock lock(&mu_);
  gauges_.push_back(std::make_unique<Family<Gauge>>(
      std::move(name), std::move(help), std::move(labels)));
  order_.emplace_back(1, gauges_.size() - 1);
  return *gauges_.back();
}

Family<Histogram>& MetricsRegistry::AddHistogram(
    std::string name, std::string help, std::vector<std::string> labels,
    std::vector<double> bounds) {
  absl::MutexLock lock(&mu_);
  histograms_.push_back(std::make_unique<Family<Histogram>>(
      std::move(name), std::move(help), std::move(labels), std::move(bounds)));
  order_.emplace_back(2, histograms_.size() - 1);
  return *histograms_.back();
}

void MetricsRegistry::AddCollector(std::function<void()> collect) {
  absl::MutexLock lock(&mu_);
  collectors_.push_back(std::move(collect));
}

std::string MetricsRegistry::Exposition() {
  std::vector<std::function<void()>> collectors;
  {
    absl::MutexLock lock(&mu_);
    collectors = collectors_;
  }
  for (const auto& collect : collectors) collect();
  absl::MutexLock lock(&mu_);
  std::string out;
  for (const auto& [kind, index] : order_) {
    if (kind == 0) {
      Family<Counter>& f = *counters_[index];
      Header(f, "counter", &out);
      f.ForEach([&](const std::vector<std::string>& values, Counter& c) {
        absl::StrAppend(&out, f.name(), LabelSet(f.labels(), values), " ",
                        FormatValue(c.Value()), "\n");
      });
    } else if (kind == 1) {
      Family<Gauge>& f = *gauges_[index];
      Header(f, "gauge", &out);
      f.ForEach([&](const std::vector<std::string>& values, Gauge& g) {
        absl::StrAppend(&out, f.name(), LabelSet(f.labels(), values), " ",
                        FormatValue(g.Value()), "\n");
      });
    } else {
      Family<Histogram>& f = *histograms_[index];
      Header(f, "histogram", &out);
      f.ForEach([&](const std::vector<std::string>& values, Histogram& h) {
        const std::vector<uint64_t> counts = h.Counts();
        for (size_t i = 0; i < counts.size(); ++i) {
          const std::string le =
              i < f.bounds().size() ? FormatValue(f.bounds()[i]) : "+Inf";
          absl::StrAppend(&out, f.name(), "_bucket",
                          LabelSet(f.labels(), values, "le", le), " ",
                          counts[i], "\n");
        }
        absl::StrAppend(&out, f.name(), "_sum", LabelSet(f.labels(), values),
                        " ", FormatValue(h.Sum()), "\n", f.name(), "_count",
                        LabelSet(f.labels(), values), " ", counts.back(),
                        "\n");
      });
    }
  }
  return out;
}

const std::vector<double>& LatencyBuckets() {
  static const auto* buckets = new std::vector<double>{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return *buckets;
}

}  // namespace codex_manager
