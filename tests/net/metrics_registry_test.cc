#include "net/metrics_registry.h"

#include <gtest/gtest.h>

namespace kscale::net {
namespace {

TEST(MetricsRegistryTest, WritesTextFormatWithHelpAndType) {
  MetricsRegistry r;
  r.counter("a_total", "A things.", {{"k", "v\"q"}}).inc(3);
  r.gauge("b", "B level.").set(1.5);
  r.gauge_callback("c", "C read late.", [] { return 7.0; });
  auto& h = r.histogram("d_seconds", "D latency.", {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  const std::string text = r.serialize();
  EXPECT_NE(
      text.find("# HELP a_total A things.\n# TYPE a_total counter\na_total{k=\"v\\\"q\"} 3\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE b gauge\nb 1.5\n"), std::string::npos);
  EXPECT_NE(text.find("c 7\n"), std::string::npos);
  EXPECT_NE(text.find("d_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_bucket{le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("d_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("d_seconds_count 3\n"), std::string::npos);
}

TEST(MetricsRegistryTest, SameLabelsReturnSameChild) {
  MetricsRegistry r;
  Counter& a = r.counter("x_total", "X.", {{"k", "1"}});
  Counter& b = r.counter("x_total", "X.", {{"k", "1"}});
  EXPECT_EQ(&a, &b);
}

}  // namespace
}  // namespace kscale::net
