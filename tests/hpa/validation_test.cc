#include "hpa/validation.h"

#include <gtest/gtest.h>

// Upstream: pkg/apis/autoscaling/validation/validation_test.go (field paths and rules).

namespace kscale::hpa {
namespace {

HpaSpec valid_spec() {
  HpaSpec s;
  s.scale_target_ref = {"Deployment", "httpserver", "apps/v1"};
  s.min_replicas = 1;
  s.max_replicas = 10;
  MetricSpec m;
  m.type = MetricSourceType::Pods;
  m.type_name = "Pods";
  m.metric.name = "http_requests_qps";
  m.target = {MetricTargetType::AverageValue, "AverageValue", std::nullopt, 30000, std::nullopt};
  s.metrics.push_back(m);
  return s;
}

std::string first_field(const HpaSpec& s, FeatureGates g = {}) {
  auto errors = validate_hpa_spec(s, g);
  return errors.empty() ? "" : errors.front().field;
}

TEST(ValidateHpaSpecTest, SeedManifestIsValid) {
  EXPECT_TRUE(validate_hpa_spec(valid_spec(), {}).empty());
}

TEST(ValidateHpaSpecTest, MinAboveMaxNamesMaxReplicas) {
  HpaSpec s = valid_spec();
  s.min_replicas = 5;
  s.max_replicas = 3;
  EXPECT_EQ(first_field(s), "spec.maxReplicas");
}

TEST(ValidateHpaSpecTest, MinZeroNeedsTheGateAndAnObjectOrExternalMetric) {
  HpaSpec s = valid_spec();
  s.min_replicas = 0;
  EXPECT_EQ(first_field(s), "spec.minReplicas");
  FeatureGates g;
  g.hpa_scale_to_zero = true;
  EXPECT_EQ(first_field(s, g), "spec.minReplicas");
  s.metrics[0].type = MetricSourceType::External;
  s.metrics[0].type_name = "External";
  EXPECT_EQ(first_field(s, g), "");
}

TEST(ValidateHpaSpecTest, TargetTypeMustFitSource) {
  HpaSpec s = valid_spec();
  s.metrics[0].target.type = MetricTargetType::Value;
  s.metrics[0].target.type_name = "Value";
  s.metrics[0].target.value_milli = 1000;
  auto errors = validate_hpa_spec(s, {});
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].field, "spec.metrics[0].pods.target.type");
  EXPECT_NE(errors[0].message.find("Unsupported value: \"Value\""), std::string::npos);
}

TEST(ValidateHpaSpecTest, UnknownMetricTypeNamesTypeField) {
  HpaSpec s = valid_spec();
  s.metrics[0].type = MetricSourceType::Unknown;
  s.metrics[0].type_name = "Bogus";
  EXPECT_EQ(first_field(s), "spec.metrics[0].type");
}

TEST(ValidateHpaSpecTest, NegativeTargetIsRejected) {
  HpaSpec s = valid_spec();
  s.metrics[0].target.average_value_milli = -1000;
  EXPECT_EQ(first_field(s), "spec.metrics[0].pods.target.averageValue");
}

TEST(ValidateHpaSpecTest, BehaviorRulesAreChecked) {
  HpaSpec s = valid_spec();
  s.behavior = Behavior{};
  s.behavior->scale_up = ScalingRules{std::chrono::seconds(4000), std::nullopt,
                                      std::vector<ScalingPolicy>{}, std::nullopt};
  auto errors = validate_hpa_spec(s, {});
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].field, "spec.behavior.scaleUp.stabilizationWindowSeconds");
  EXPECT_EQ(errors[1].field, "spec.behavior.scaleUp.policies");
}

TEST(ValidateHpaSpecTest, ToleranceNeedsTheGate) {
  HpaSpec s = valid_spec();
  s.behavior = Behavior{};
  s.behavior->scale_down = ScalingRules{std::nullopt, std::nullopt, std::nullopt, 0.05};
  EXPECT_EQ(first_field(s), "");
  FeatureGates g;
  g.hpa_configurable_tolerance = false;
  EXPECT_EQ(first_field(s, g), "spec.behavior.scaleDown.tolerance");
}

}  // namespace
}  // namespace kscale::hpa
