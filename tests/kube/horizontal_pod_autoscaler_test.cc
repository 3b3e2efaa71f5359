#include "kube/horizontal_pod_autoscaler.h"

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

namespace kscale::kube {
namespace {

std::string read(const std::string& rel) {
  std::ifstream in(std::string(KSCALE_SOURCE_DIR) + "/" + rel);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(HpaManifestTest, SeedManifestReadsAsIs) {
  auto h = read_hpa_manifest(read("examples/hpa-http-requests-qps.yaml"), {});
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->name, "httpserver-hpa");
  EXPECT_EQ(h->spec.max_replicas, 10);
  ASSERT_EQ(h->spec.metrics.size(), 1u);
  EXPECT_EQ(h->spec.metrics[0].type, hpa::MetricSourceType::Pods);
  EXPECT_EQ(h->spec.metrics[0].metric.name, "http_requests_qps");
  EXPECT_EQ(h->spec.metrics[0].target.average_value_milli, 30000);
}

struct BadCase {
  std::string name;
  std::string from, to;
  std::string field;
};
// ctest and gtest name the case by its name, not as raw bytes.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class HpaManifestErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(HpaManifestErrorTest, NamesTheField) {
  const auto& c = GetParam();
  std::string text = read("examples/hpa-http-requests-qps.yaml");
  const auto at = text.find(c.from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, c.from.size(), c.to);
  auto h = read_hpa_manifest(text, {});
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().field, c.field) << h.error().message;
  EXPECT_NE(h.error().message.find(c.field), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Manifests, HpaManifestErrorTest,
    ::testing::Values(
        BadCase{"UnknownMetricType", "type: Pods", "type: Bogus", "spec.metrics[0].type"},
        BadCase{"TargetTypeNotFittingSource", "type: AverageValue", "type: Value",
                "spec.metrics[0].pods.target.type"},
        BadCase{"MinAboveMax", "minReplicas: 1", "minReplicas: 11", "spec.maxReplicas"},
        BadCase{"NegativeTarget", "averageValue: 30", "averageValue: -30",
                "spec.metrics[0].pods.target.averageValue"},
        BadCase{"BadQuantity", "averageValue: 30", "averageValue: abc",
                "spec.metrics[0].pods.target.averageValue"},
        BadCase{"SourceMissing", "- pods:", "- podz:", "spec.metrics[0].pods"}),
    [](const auto& info) { return info.param.name; });

TEST(HpaManifestTest, EmptyMetricsDefaultToCpu80) {
  auto h = read_hpa_manifest(
      "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: x}\n"
      "spec: {maxReplicas: 3, scaleTargetRef: {kind: Deployment, name: x, apiVersion: apps/v1}}\n",
      {});
  ASSERT_TRUE(h) << h.error().message;
  ASSERT_EQ(h->spec.metrics.size(), 1u);
  EXPECT_EQ(h->spec.metrics[0].resource_name, "cpu");
  EXPECT_EQ(h->spec.metrics[0].target.average_utilization, 80);
  EXPECT_EQ(h->spec.min_replicas, 1);
}

}  // namespace
}  // namespace kscale::kube
