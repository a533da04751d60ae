// The text exposition: names, labels (escaped), cumulative histogram
// buckets, and collectors run at each scrape.
#include "common/metrics.h"

#include "gtest/gtest.h"

namespace codex_manager {
namespace {

TEST(MetricsTest, CountersGaugesAndHistogramsInTheTextFormat) {
  MetricsRegistry registry;
  auto& calls = registry.AddCounter("calls_total", "Calls.\nAll of them.",
                                    {"method", "code"});
  calls.With({"Get", "OK"}).Add();
  calls.With({"Get", "OK"}).Add(2);
  calls.With({"say \"hi\"\\\n", "NotFound"}).Add();
  auto& live = registry.AddGauge("live", "Live ones.");
  int scrapes = 0;
  registry.AddCollector([&] { live.With({}).Set(++scrapes); });
  auto& latency = registry.AddHistogram("latency_seconds", "Latency.", {},
                                        {0.1, 1});
  latency.With({}).Observe(0.05);
  latency.With({}).Observe(0.5);
  latency.With({}).Observe(7);

  const std::string text = registry.Exposition();
  EXPECT_EQ(text,
            "# HELP calls_total Calls.\\nAll of them.\n"
            "# TYPE calls_total counter\n"
            "calls_total{method=\"Get\",code=\"OK\"} 3\n"
            "calls_total{method=\"say \\\"hi\\\"\\\\\\n\",code=\"NotFound\"} 1\n"
            "# HELP live Live ones.\n"
            "# TYPE live gauge\n"
            "live 1\n"
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{le=\"0.1\"} 1\n"
            "latency_seconds_bucket{le=\"1\"} 2\n"
            "latency_seconds_bucket{le=\"+Inf\"} 3\n"
            "latency_seconds_sum 7.55\n"
            "latency_seconds_count 3\n");
  EXPECT_NE(registry.Exposition().find("live 2\n"), std::string::npos);
}

TEST(MetricsTest, AValueKeepsEveryDigitItHas) {
  MetricsRegistry registry;
  auto& stamp = registry.AddGauge("stamp_seconds", "A Unix time.");
  stamp.With({}).Set(1796454688.25);  // "%.9g" wrote 1.79645469e+09
  EXPECT_NE(registry.Exposition().find("stamp_seconds 1796454688.25\n"),
            std::string::npos)
      << registry.Exposition();
  stamp.With({}).Set(0.1 + 0.2);  // read back exactly, as Go's client writes
  EXPECT_NE(registry.Exposition().find("stamp_seconds 0.30000000000000004\n"),
            std::string::npos);
}

}  // namespace
}  // namespace codex_manager
