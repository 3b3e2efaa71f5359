#include "hpa/reconcile.h"

#include <gtest/gtest.h>

#include "hpa/conditions.h"
#include "hpa_test_util.h"

// One reconcile end to end. Scenarios follow upstream kubernetes
// pkg/controller/podautoscaler/horizontal_test.go (test named per case) and the spec's §2–§8.

namespace kscale::hpa {
namespace {

using namespace testing;

MetricSpec pods_metric(int64_t target_milli) {
  MetricSpec m;
  m.type = MetricSourceType::Pods;
  m.type_name = "Pods";
  m.metric.name = "qps";
  m.target = {MetricTargetType::AverageValue, "AverageValue", std::nullopt, target_milli,
              std::nullopt};
  return m;
}

MetricSpec cpu_metric(int32_t utilization) {
  MetricSpec m;
  m.type = MetricSourceType::Resource;
  m.type_name = "Resource";
  m.resource_name = "cpu";
  m.target = {MetricTargetType::Utilization, "Utilization", std::nullopt, std::nullopt,
              utilization};
  return m;
}

MetricSpec external_metric(int64_t target_value_milli) {
  MetricSpec m;
  m.type = MetricSourceType::External;
  m.type_name = "External";
  m.metric.name = "queue_length";
  m.target = {MetricTargetType::Value, "Value", target_value_milli, std::nullopt, std::nullopt};
  return m;
}

HorizontalPodAutoscaler make_hpa(int min, int max, std::vector<MetricSpec> metrics) {
  HorizontalPodAutoscaler h;
  h.name = "test-hpa";
  h.namespace_ = "test-namespace";
  h.spec.scale_target_ref = {"Deployment", "test-deployment", "apps/v1"};
  h.spec.min_replicas = min;
  h.spec.max_replicas = max;
  h.spec.metrics = std::move(metrics);
  return h;
}

Scale make_scale(int replicas) {
  return Scale{Replicas(replicas), Replicas(replicas), "name=test-pod", {}, {}, 0};
}

std::vector<Pod> running_pods(int n) {
  std::vector<Pod> pods;
  for (int i = 0; i < n; ++i) {
    pods.push_back(make_pod(i));
  }
  return pods;
}

/// A history whose recommendations have all expired, so scale-down is not held back.
ControllerState expired_history(int replicas) {
  ControllerState s;
  s.recommendations = std::vector<TimestampedRecommendation>{{Replicas(replicas), kNow - 1h}};
  return s;
}

const Condition& condition(const Decision& d, ConditionType t) {
  const Condition* c = find_condition(d.status.conditions, t);
  EXPECT_NE(c, nullptr) << condition_type_name(t);
  static const Condition kMissing;
  return c ? *c : kMissing;
}

std::vector<std::string> reasons(const Decision& d) {
  std::vector<std::string> out;
  for (const auto& c : d.status.conditions) {
    out.push_back(std::string(condition_type_name(c.type)) + "=" + c.reason);
  }
  return out;
}

Decision run(const HorizontalPodAutoscaler& hpa, const Scale& scale, const std::vector<Pod>& pods,
             const std::vector<MetricSnapshot>& metrics, ControllerState& state,
             ControllerConfig config = {}) {
  return reconcile(hpa, scale, pods, metrics, state, config, kNow);
}

// TestScaleUp.
TEST(ReconcileTest, ScaleUpOnCpuUtilization) {
  auto hpa = make_hpa(2, 6, {cpu_metric(30)});
  ControllerState state;
  const Decision d =
      run(hpa, make_scale(3), running_pods(3), {cpu_metrics(levels({300, 500, 700}))}, state);
  EXPECT_EQ(d.desired.value(), 5);
  EXPECT_TRUE(d.scale_updated);
  EXPECT_EQ(d.scale_replicas.value(), 5);
  EXPECT_FALSE(d.reconcile_error);
  EXPECT_EQ(reasons(d), (std::vector<std::string>{"AbleToScale=SucceededRescale",
                                                  "ScalingActive=ValidMetricFound",
                                                  "ScalingLimited=DesiredWithinRange"}));
  EXPECT_EQ(d.status.last_scale_time, kNow);
  ASSERT_TRUE(d.status.current_metrics);
  EXPECT_EQ((*d.status.current_metrics)[0].current.average_utilization, 50);
  EXPECT_EQ(d.rescale_reason, "cpu resource utilization (percentage of request) above target");
  EXPECT_EQ(d.events.back().message,
            "New size: 5; reason: cpu resource utilization (percentage of request) above target");
}

// TestScaleUpCM.
TEST(ReconcileTest, ScaleUpOnPodsMetric) {
  auto hpa = make_hpa(2, 6, {pods_metric(15000)});
  ControllerState state;
  const Decision d =
      run(hpa, make_scale(3), running_pods(3), {pod_values({20000, 10000, 30000})}, state);
  EXPECT_EQ(d.desired.value(), 4);
  EXPECT_EQ(d.metrics[0].calculation.replicas.value(), 4);
  EXPECT_EQ(d.recommendation->value(), 4);
}

// Spec §11.5: the seeded history blocks the first scale-down.
TEST(ReconcileTest, FirstReconcileNeverScalesDown) {
  auto hpa = make_hpa(1, 10, {pods_metric(20000)});
  ControllerState state;
  const Decision d = run(hpa, make_scale(5), running_pods(5),
                         {pod_values({12000, 12000, 12000, 12000, 12000})}, state);
  EXPECT_EQ(d.desired.value(), 5);
  EXPECT_FALSE(d.scale_updated);
  EXPECT_EQ(condition(d, ConditionType::AbleToScale).reason, "ScaleDownStabilized");
  EXPECT_EQ(d.recommendation->value(), 5);
  ASSERT_TRUE(state.recommendations);
  EXPECT_EQ(state.recommendations->size(), 2u);
}

// TestScaleDownCM, with an expired history.
TEST(ReconcileTest, ScaleDownAfterWindowExpired) {
  auto hpa = make_hpa(1, 10, {pods_metric(20000)});
  ControllerState state = expired_history(5);
  const Decision d = run(hpa, make_scale(5), running_pods(5),
                         {pod_values({12000, 12000, 12000, 12000, 12000})}, state);
  EXPECT_EQ(d.desired.value(), 3);
  EXPECT_EQ(d.rescale_reason, "All metrics below target");
  EXPECT_EQ(condition(d, ConditionType::AbleToScale).reason, "SucceededRescale");
  // The expired entry is overwritten in place.
  EXPECT_EQ(state.recommendations->size(), 1u);
}

// TestScaleUpCapped (legacy limit, factor 2, minimum 4).
TEST(ReconcileTest, LegacyScaleUpCapDoublesAtMost) {
  auto hpa = make_hpa(1, 100, {pods_metric(1000)});
  ControllerState state;
  const Decision d =
      run(hpa, make_scale(3), running_pods(3), {pod_values({8000, 8000, 8000})}, state);
  EXPECT_EQ(d.metrics[0].calculation.replicas.value(), 24);
  EXPECT_EQ(d.desired.value(), 6);
  EXPECT_EQ(condition(d, ConditionType::ScalingLimited).reason, "ScaleUpLimit");
  EXPECT_EQ(condition(d, ConditionType::ScalingLimited).status, ConditionStatus::True);
  EXPECT_EQ(d.recommendation->value(), 24);
}

TEST(ReconcileTest, ScaleUpLimitFactorIsConfigurable) {
  auto hpa = make_hpa(1, 100, {pods_metric(1000)});
  ControllerState state;
  ControllerConfig config;
  config.scale_up_limit_factor = 8;  // as upstream's test package sets it
  const Decision d =
      run(hpa, make_scale(3), running_pods(3), {pod_values({8000, 8000, 8000})}, state, config);
  EXPECT_EQ(d.desired.value(), 24);
}

// TestScaleUpBehavior-style: `behavior: {}` switches to the default policies.
TEST(ReconcileTest, EmptyBehaviorUsesDefaultPolicies) {
  auto hpa = make_hpa(1, 100, {pods_metric(1000)});
  hpa.spec.behavior = Behavior{};
  ControllerState state;
  const Decision d =
      run(hpa, make_scale(3), running_pods(3), {pod_values({8000, 8000, 8000})}, state);
  EXPECT_EQ(d.desired.value(), 7);  // max(3 + 4 pods, 3 × 200%)
  EXPECT_EQ(condition(d, ConditionType::ScalingLimited).reason, "ScaleUpLimit");
  ASSERT_EQ(state.scale_up_events.size(), 1u);
  EXPECT_EQ(state.scale_up_events[0].replica_change.value(), 4);
}

// TestMinReplicas.
TEST(ReconcileTest, MetricsBelowMinClampToMin) {
  auto hpa = make_hpa(2, 5, {pods_metric(10000)});
  ControllerState state = expired_history(3);
  const Decision d = run(hpa, make_scale(3), running_pods(3), {pod_values({100, 100, 100})}, state);
  EXPECT_EQ(d.desired.value(), 2);
  EXPECT_EQ(condition(d, ConditionType::ScalingLimited).reason, "TooFewReplicas");
}

// TestTooFewReplicas: below min, no metrics read, only AbleToScale set.
TEST(ReconcileTest, CurrentBelowMinScalesToMinWithoutMetrics) {
  auto hpa = make_hpa(3, 5, {pods_metric(10000)});
  ControllerState state;
  const Decision d = run(hpa, make_scale(2), running_pods(2), {}, state);
  EXPECT_EQ(d.branch, ReconcileBranch::BelowMin);
  EXPECT_EQ(d.desired.value(), 3);
  EXPECT_EQ(reasons(d), std::vector<std::string>{"AbleToScale=SucceededRescale"});
  EXPECT_FALSE(d.metrics[0].evaluated);
  EXPECT_FALSE(d.recommendation);
  EXPECT_FALSE(d.status.current_metrics);
}

// TestTooManyReplicas.
TEST(ReconcileTest, CurrentAboveMaxScalesToMax) {
  auto hpa = make_hpa(3, 5, {pods_metric(10000)});
  ControllerState state;
  const Decision d = run(hpa, make_scale(10), running_pods(10), {}, state);
  EXPECT_EQ(d.branch, ReconcileBranch::AboveMax);
  EXPECT_EQ(d.desired.value(), 5);
  EXPECT_EQ(d.rescale_reason, "Current number of replicas above Spec.MaxReplicas");
}

// TestZeroReplicas.
TEST(ReconcileTest, ZeroReplicasDisablesScaling) {
  auto hpa = make_hpa(3, 5, {pods_metric(10000)});
  ControllerState state;
  const Decision d = run(hpa, make_scale(0), {}, {}, state);
  EXPECT_EQ(d.branch, ReconcileBranch::ScalingDisabled);
  EXPECT_EQ(d.desired.value(), 0);
  EXPECT_FALSE(d.scale_updated);
  EXPECT_EQ(condition(d, ConditionType::ScalingActive).reason, "ScalingDisabled");
}

// TestScaleUpOneMetricInvalid.
TEST(ReconcileTest, ScaleUpProceedsWhenAnotherMetricFails) {
  MetricSpec bogus;
  bogus.type_name = "CheddarCheese";
  auto hpa = make_hpa(1, 10, {bogus, pods_metric(15000)});
  ControllerState state;
  const Decision d = run(hpa, make_scale(3), running_pods(3),
                         {MetricSnapshot{}, pod_values({20000, 10000, 30000})}, state);
  EXPECT_EQ(d.desired.value(), 4);
  EXPECT_EQ(condition(d, ConditionType::ScalingActive).reason, "ValidMetricFound");
  ASSERT_TRUE(d.reconcile_error);
  EXPECT_EQ(*d.reconcile_error,
            "invalid metrics (1 invalid out of 2), first error is: unknown metric source type "
            "\"CheddarCheese\"");
  ASSERT_TRUE(d.status.current_metrics);
  EXPECT_TRUE((*d.status.current_metrics)[0].empty());
  EXPECT_FALSE((*d.status.current_metrics)[1].empty());
}

// TestScaleDownOneMetricInvalid: a failed metric blocks scale-down.
TEST(ReconcileTest, ScaleDownBlockedWhenAnotherMetricFails) {
  MetricSpec bogus;
  bogus.type_name = "CheddarCheese";
  auto hpa = make_hpa(1, 10, {pods_metric(20000), bogus});
  hpa.status.desired_replicas = Replicas(5);
  ControllerState state = expired_history(5);
  const Decision d =
      run(hpa, make_scale(5), running_pods(5),
          {pod_values({12000, 12000, 12000, 12000, 12000}), MetricSnapshot{}}, state);
  EXPECT_FALSE(d.scale_updated);
  EXPECT_EQ(d.desired.value(), 5);
  const Condition& active = condition(d, ConditionType::ScalingActive);
  EXPECT_EQ(active.status, ConditionStatus::False);
  EXPECT_EQ(active.reason, "InvalidMetricSourceType");
  EXPECT_EQ(active.message,
            "the HPA was unable to compute the replica count: unknown metric source type "
            "\"CheddarCheese\"");
  ASSERT_TRUE(d.reconcile_error);
  EXPECT_EQ(d.reconcile_error->rfind("failed to compute desired number of replicas based on listed "
                                     "metrics for Deployment/test-namespace/test-deployment: ",
                                     0),
            0u);
}

// TestMissingMetrics-style total failure: old desiredReplicas kept.
TEST(ReconcileTest, AllMetricsFailedKeepsOldDesiredReplicas) {
  auto hpa = make_hpa(1, 10, {pods_metric(20000)});
  hpa.status.desired_replicas = Replicas(7);
  ControllerState state;
  MetricSnapshot failed;
  failed.error = "the server could not find the metric qps";
  const Decision d = run(hpa, make_scale(3), running_pods(3), {failed}, state);
  EXPECT_EQ(d.desired.value(), 7);
  EXPECT_EQ(d.status.current_replicas.value(), 3);
  const Condition& active = condition(d, ConditionType::ScalingActive);
  EXPECT_EQ(active.reason, "FailedGetPodsMetric");
  EXPECT_EQ(active.message,
            "the HPA was unable to compute the replica count: unable to get metric qps: unable to "
            "fetch metrics from custom metrics API: the server could not find the metric qps");
  EXPECT_EQ(*d.metrics[0].calculation.error,
            "unable to get metric qps: unable to fetch metrics from custom metrics API: the server "
            "could not find the metric qps");
  EXPECT_FALSE(d.recommendation);
}

TEST(ReconcileTest, EmptySelectorIsInvalidSelector) {
  auto hpa = make_hpa(1, 10, {pods_metric(20000)});
  ControllerState state;
  Scale scale = make_scale(3);
  scale.selector.clear();
  const Decision d = run(hpa, scale, running_pods(3), {pod_values({1})}, state);
  EXPECT_EQ(condition(d, ConditionType::ScalingActive).reason, "InvalidSelector");
  EXPECT_EQ(condition(d, ConditionType::ScalingActive).message,
            "the HPA target's scale is missing a selector");
  EXPECT_FALSE(d.scale_updated);
}

TEST(ReconcileTest, PodsOutsideTheSelectorAreNotCounted) {
  auto hpa = make_hpa(1, 10, {pods_metric(10000)});
  ControllerState state;
  std::vector<Pod> pods = running_pods(3);
  pods[2].labels = {{"name", "other"}};
  const Decision d = run(hpa, make_scale(2), pods, {pod_values({20000, 20000, 99000})}, state);
  ASSERT_TRUE(d.metrics[0].calculation.pods);
  EXPECT_EQ(d.metrics[0].calculation.pods->ready, 2);
  // The third sample is superfluous and stays in the average.
  EXPECT_EQ(d.metrics[0].calculation.usage, 46333);
}

// TestFailedGetScale / TestEventNotCreated-style failure paths.
TEST(ReconcileTest, FailedGetScaleSetsAbleToScaleFalse) {
  auto hpa = make_hpa(1, 10, {pods_metric(20000)});
  ControllerState state;
  Scale scale = make_scale(3);
  scale.error = "deployments.apps \"test-deployment\" not found";
  const Decision d = run(hpa, scale, running_pods(3), {}, state);
  EXPECT_EQ(d.branch, ReconcileBranch::FailedGetScale);
  const Condition& able = condition(d, ConditionType::AbleToScale);
  EXPECT_EQ(able.status, ConditionStatus::False);
  EXPECT_EQ(able.reason, "FailedGetScale");
  EXPECT_FALSE(state.recommendations);
}

TEST(ReconcileTest, FailedUpdateScaleKeepsOldDesired) {
  auto hpa = make_hpa(1, 10, {pods_metric(10000)});
  hpa.status.desired_replicas = Replicas(2);
  ControllerState state;
  Scale scale = make_scale(2);
  scale.update_error = "forbidden";
  const Decision d = run(hpa, scale, running_pods(2), {pod_values({20000, 20000})}, state);
  EXPECT_FALSE(d.scale_updated);
  EXPECT_EQ(d.desired.value(), 2);
  EXPECT_EQ(condition(d, ConditionType::AbleToScale).reason, "FailedUpdateScale");
  EXPECT_EQ(*d.reconcile_error,
            "failed to rescale Deployment/test-namespace/test-deployment: forbidden");
}

TEST(ReconcileTest, UpdateConflictsAreRetried) {
  auto hpa = make_hpa(1, 10, {pods_metric(10000)});
  ControllerState state;
  Scale scale = make_scale(2);
  scale.update_conflicts = 2;
  Decision d = run(hpa, scale, running_pods(2), {pod_values({20000, 20000})}, state);
  EXPECT_TRUE(d.scale_updated);
  scale.update_conflicts = 5;
  ControllerState fresh;
  d = run(hpa, scale, running_pods(2), {pod_values({20000, 20000})}, fresh);
  EXPECT_FALSE(d.scale_updated);
  EXPECT_NE(d.scale_error->find("the object has been modified"), std::string::npos);
}

TEST(ReconcileTest, ConditionsKeepOrderAndTransitionTimes) {
  auto hpa = make_hpa(1, 10, {pods_metric(10000)});
  const core::SystemTime earlier = kNow - 1h;
  hpa.status.conditions = {
      Condition{ConditionType::ScalingLimited, ConditionStatus::False, "DesiredWithinRange", "",
                earlier},
      Condition{ConditionType::AbleToScale, ConditionStatus::True, "ReadyForNewScale", "", earlier},
  };
  ControllerState state;
  const Decision d = run(hpa, make_scale(2), running_pods(2), {pod_values({10000, 10000})}, state);
  EXPECT_EQ(reasons(d), (std::vector<std::string>{"ScalingLimited=DesiredWithinRange",
                                                  "AbleToScale=ReadyForNewScale",
                                                  "ScalingActive=ValidMetricFound"}));
  EXPECT_EQ(d.status.conditions[0].last_transition_time, earlier);
  EXPECT_EQ(d.status.conditions[2].last_transition_time, kNow);
}

TEST(ReconcileTest, ControllerToleranceZeroMeansDefault) {
  auto hpa = make_hpa(1, 10, {pods_metric(10000)});
  ControllerConfig config;
  config.tolerance = 0;
  EXPECT_DOUBLE_EQ(tolerances_for_hpa(hpa.spec, config).scale_up, 0.1);
}

TEST(ReconcileTest, PerHpaToleranceOnlyWithGate) {
  auto hpa = make_hpa(1, 20, {pods_metric(10000)});
  hpa.spec.behavior = Behavior{};
  hpa.spec.behavior->scale_up = ScalingRules{std::nullopt, std::nullopt, std::nullopt, 0.0};
  ControllerConfig config;
  EXPECT_DOUBLE_EQ(tolerances_for_hpa(hpa.spec, config).scale_up, 0.0);
  EXPECT_DOUBLE_EQ(tolerances_for_hpa(hpa.spec, config).scale_down, 0.1);
  ControllerState state;
  Decision d =
      run(hpa, make_scale(10), running_pods(10),
          {pod_values({10500, 10500, 10500, 10500, 10500, 10500, 10500, 10500, 10500, 10500})},
          state, config);
  EXPECT_EQ(d.desired.value(), 11);
  config.feature_gates.hpa_configurable_tolerance = false;
  ControllerState fresh;
  d = run(hpa, make_scale(10), running_pods(10),
          {pod_values({10500, 10500, 10500, 10500, 10500, 10500, 10500, 10500, 10500, 10500})},
          fresh, config);
  EXPECT_EQ(d.desired.value(), 10);
}

// Spec §3: with HPAScaleToZero the HPA may scale an External-metric target to zero and back.
TEST(ReconcileTest, ScaleToZeroAndBackWithGate) {
  auto hpa = make_hpa(0, 10, {external_metric(10000)});
  hpa.spec.behavior = Behavior{};
  hpa.spec.behavior->scale_down =
      ScalingRules{std::chrono::seconds(0), std::nullopt, std::nullopt, std::nullopt};
  ControllerConfig config;
  config.feature_gates.hpa_scale_to_zero = true;
  ControllerState state;
  Decision d = run(hpa, make_scale(2), running_pods(2), {external_values({0})}, state, config);
  EXPECT_EQ(d.desired.value(), 0);
  EXPECT_EQ(condition(d, ConditionType::ScaledToZero).reason, "ScaledToZero");

  hpa.status = d.status;
  d = run(hpa, make_scale(0), {}, {external_values({25000})}, state, config);
  EXPECT_EQ(d.branch, ReconcileBranch::Metrics);
  EXPECT_EQ(d.metrics[0].calculation.replicas.value(), 3);  // ceil(2.5), no tolerance
  EXPECT_EQ(d.desired.value(), 3);
  EXPECT_EQ(condition(d, ConditionType::ScaledToZero).reason, "NotScaledToZero");
}

TEST(ReconcileTest, ManualScaleToZeroPausesEvenWithGate) {
  auto hpa = make_hpa(0, 10, {external_metric(10000)});
  ControllerConfig config;
  config.feature_gates.hpa_scale_to_zero = true;
  ControllerState state;
  const Decision d = run(hpa, make_scale(0), {}, {external_values({25000})}, state, config);
  EXPECT_EQ(d.branch, ReconcileBranch::ScalingDisabled);
}

TEST(ReconcileTest, ScaledToZeroConditionRemovedWithoutGate) {
  auto hpa = make_hpa(1, 10, {pods_metric(10000)});
  hpa.status.conditions = {Condition{ConditionType::ScaledToZero, ConditionStatus::False,
                                     "NotScaledToZero", "", kNow - 1h}};
  ControllerState state;
  const Decision d = run(hpa, make_scale(2), running_pods(2), {pod_values({20000, 20000})}, state);
  EXPECT_TRUE(d.scale_updated);
  EXPECT_EQ(find_condition(d.status.conditions, ConditionType::ScaledToZero), nullptr);
}

TEST(ReconcileTest, MultipleMetricsTakeTheMaximum) {
  auto hpa = make_hpa(1, 20, {pods_metric(10000), external_metric(1000)});
  ControllerState state;
  const Decision d = run(hpa, make_scale(2), running_pods(2),
                         {pod_values({20000, 20000}), external_values({3000})}, state);
  EXPECT_EQ(d.metrics[0].calculation.replicas.value(), 4);
  EXPECT_EQ(d.metrics[1].calculation.replicas.value(), 6);
  EXPECT_EQ(d.desired.value(), 4);  // legacy cap max(2×2, 4)
  EXPECT_EQ(d.metric_description, "external metric queue_length(nil)");
}

}  // namespace
}  // namespace kscale::hpa
