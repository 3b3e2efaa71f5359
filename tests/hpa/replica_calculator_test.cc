#include "hpa/replica_calculator.h"

#include <gtest/gtest.h>

#include "hpa_test_util.h"

// Vectors transcribed from upstream kubernetes pkg/controller/podautoscaler/
// replica_calculator_test.go (the upstream test or table row is named per case). Upstream tests
// run with a 2 min CPU initialization period and a 10 s readiness delay.

namespace kscale::hpa {
namespace {

using namespace testing;

struct Fixture {
  std::vector<Pod> pods;
  std::vector<const Pod*> ptrs;
  CalculatorContext ctx;

  explicit Fixture(std::vector<Pod> p, Tolerances t = {}) : pods(std::move(p)) {
    for (const auto& pod : pods) {
      ptrs.push_back(&pod);
    }
    ctx.pods = ptrs;
    ctx.namespace_ = "test-namespace";
    ctx.now = kNow;
    ctx.cpu_initialization_period = 2min;
    ctx.delay_of_initial_readiness_status = 10s;
    ctx.tolerances = t;
  }
};

std::vector<Pod> pods_with(int n, std::vector<PodOptions> opts = {}) {
  std::vector<Pod> out;
  const int count = std::max<int>(n, static_cast<int>(opts.size()));
  for (int i = 0; i < count; ++i) {
    out.push_back(make_pod(i, i < static_cast<int>(opts.size()) ? opts[i] : PodOptions{}));
  }
  return out;
}

PodOptions ready(ConditionStatus s) { return PodOptions{.ready = s}; }
PodOptions started(core::SystemTime t, ConditionStatus s = ConditionStatus::True) {
  return PodOptions{.ready = s, .start = t};
}
PodOptions phase(PodPhase p, ConditionStatus s = ConditionStatus::True) {
  return PodOptions{.ready = s, .phase = p};
}
PodOptions deleted(ConditionStatus s) { return PodOptions{.ready = s, .deleted = true}; }
constexpr auto T = ConditionStatus::True;
constexpr auto F = ConditionStatus::False;

struct ResourceCase {
  std::string name;  // upstream TestReplicaCalcResourceScale row or test function
  int current;
  std::vector<PodOptions> pods;
  std::vector<std::vector<int64_t>> levels;
  std::string container;
  int32_t target;
  int expected_replicas;
  int32_t expected_utilization;
  int64_t expected_raw;
};
// ctest and gtest name the case by its name, not as raw bytes.
void PrintTo(const ResourceCase& c, std::ostream* os) { *os << c.name; }

class ResourceReplicasTest : public ::testing::TestWithParam<ResourceCase> {};

TEST_P(ResourceReplicasTest, MatchesUpstream) {
  const auto& c = GetParam();
  Fixture f(pods_with(c.current, c.pods));
  auto r = resource_replicas(Replicas(c.current), c.target, "cpu", c.container,
                             cpu_metrics(c.levels), f.ctx);
  ASSERT_FALSE(r.error) << *r.error;
  EXPECT_EQ(r.replicas.value(), c.expected_replicas);
  EXPECT_EQ(r.utilization, c.expected_utilization);
  EXPECT_EQ(r.usage, c.expected_raw);
}

const std::vector<ResourceCase> kResourceCases = {
    {"ScaleUp", 3, {}, levels({300, 500, 700}), "", 30, 5, 50, 2 * 500},
    {"ScaleUpContainerMetric",
     3,
     {},
     {{1000, 300}, {1000, 500}, {1000, 700}},
     "container2",
     30,
     5,
     50,
     500},
    {"ScaleUpUnreadyPodScalesLess",
     3,
     {ready(F), ready(T), ready(T)},
     levels({300, 500, 700}),
     "",
     30,
     4,
     60,
     2 * 600},
    {"ScaleUpHotCpuContainerScalesLess",
     3,
     {started(kHot), started(kCool), started(kCool)},
     {{0, 300}, {0, 500}, {0, 700}},
     "container2",
     30,
     4,
     60,
     600},
    {"ScaleUpHotCpuPodScalesLess",
     3,
     {started(kHot), started(kCool), started(kCool)},
     levels({300, 500, 700}),
     "",
     30,
     4,
     60,
     2 * 600},
    {"NoScaleUnreadyPodsIgnored",
     3,
     {ready(T), ready(F), ready(F)},
     levels({400, 500, 700}),
     "",
     30,
     3,
     40,
     2 * 400},
    {"NoScaleHotCpuPodsIgnored",
     3,
     {started(kCool, T), started(kHot, F), started(kHot, F)},
     levels({400, 500, 700}),
     "",
     30,
     3,
     40,
     2 * 400},
    {"ScaleUpFailedPodsIgnored",
     2,
     {ready(T), ready(T), phase(PodPhase::Failed, F), phase(PodPhase::Failed, F)},
     levels({500, 700}),
     "",
     30,
     4,
     60,
     2 * 600},
    {"ScaleUpFailedPodsIgnoredWithMissingContainerMetric",
     2,
     {ready(T), ready(T), phase(PodPhase::Failed, F), phase(PodPhase::Failed, F)},
     {{1000, 500}, {9000, 700}, {1000}, {9000}},
     "container2",
     30,
     4,
     60,
     600},
    {"ScaleUpPodsBeingDeletedIgnored",
     2,
     {ready(T), ready(T), deleted(F), deleted(F)},
     levels({500, 700}),
     "",
     30,
     4,
     60,
     2 * 600},
    {"ScaleDown", 5, {}, levels({100, 300, 500, 250, 250}), "", 50, 3, 28, 2 * 280},
    {"ScaleDownContainerMetric",
     5,
     {},
     {{1000, 100}, {1000, 300}, {1000, 500}, {1000, 250}, {1000, 250}},
     "container2",
     50,
     3,
     28,
     280},
    {"ScaleDownExcludeUnreadyPods",
     5,
     {ready(T), ready(T), ready(T), ready(F), ready(F)},
     levels({100, 300, 500, 250, 250}),
     "",
     50,
     2,
     30,
     2 * 300},
    {"ScaleDownExcludeUnscheduledPods",
     5,
     {ready(T), phase(PodPhase::Pending, F), phase(PodPhase::Pending, F),
      phase(PodPhase::Pending, F), phase(PodPhase::Pending, F)},
     levels({100}),
     "",
     50,
     1,
     10,
     2 * 100},
    {"ScaleDownIgnoreHotCpuPods",
     5,
     {started(kCool), started(kCool), started(kCool), started(kHot), started(kHot)},
     levels({100, 300, 500, 250, 250}),
     "",
     50,
     2,
     30,
     2 * 300},
    {"ScaleDownFailedPodsIgnored",
     5,
     {ready(T), ready(T), ready(T), ready(T), ready(T), phase(PodPhase::Failed, F),
      phase(PodPhase::Failed, F)},
     levels({100, 300, 500, 250, 250}),
     "",
     50,
     3,
     28,
     2 * 280},
    {"ScaleDownStillRunningPodsBeingDeletedIgnored",
     5,
     {ready(T), ready(T), ready(T), ready(T), ready(T), deleted(F), deleted(F)},
     {{1000, 100}, {1000, 300}, {1000, 500}, {1000, 250}, {1000, 250}},
     "container2",
     50,
     3,
     28,
     280},
    // TestReplicaCalcSuperfluousMetrics: samples for pods outside the list count in len(metrics).
    {"SuperfluousMetrics",
     4,
     {},
     levels({4000, 9500, 3000, 7000, 3200, 2000}),
     "",
     100,
     24,
     587,
     2 * 5875},
    // TestReplicaCalcMissingMetrics.
    {"MissingMetricsScaleDown", 4, {}, levels({400, 95}), "", 100, 3, 24, 495},
    {"MissingMetricsNoChangeEq", 2, {}, levels({1000}), "", 100, 2, 100, 2 * 1000},
    {"MissingMetricsNoChangeGt", 2, {}, levels({1900}), "", 100, 2, 190, 2 * 1900},
    {"MissingMetricsNoChangeLt", 2, {}, levels({600}), "", 100, 2, 60, 2 * 600},
    {"MissingMetricsUnreadyChange",
     3,
     {ready(F), ready(T), ready(T)},
     levels({100, 450}),
     "",
     50,
     3,
     45,
     2 * 450},
    {"MissingMetricsHotCpuNoChange",
     3,
     {started(kHot), started(kCool), started(kCool)},
     levels({100, 450}),
     "",
     50,
     3,
     45,
     2 * 450},
    {"MissingMetricsUnreadyScaleUp",
     3,
     {ready(F), ready(T), ready(T)},
     levels({100, 2000}),
     "",
     50,
     4,
     200,
     2 * 2000},
    {"MissingMetricsHotCpuScaleUp",
     3,
     {started(kHot, F), started(kCool), started(kCool)},
     levels({100, 2000}),
     "",
     50,
     4,
     200,
     2 * 2000},
    {"MissingMetricsUnreadyScaleDown",
     4,
     {ready(F), ready(T), ready(T), ready(T)},
     levels({100, 100, 100}),
     "",
     50,
     3,
     10,
     2 * 100},
    {"DuringRollingUpdateWithMaxSurge",
     2,
     {ready(T), ready(T), ready(T)},
     levels({100, 100}),
     "",
     50,
     2,
     10,
     2 * 100},
};

INSTANTIATE_TEST_SUITE_P(Upstream, ResourceReplicasTest, ::testing::ValuesIn(kResourceCases),
                         [](const auto& info) { return info.param.name; });

// TestReplicaCalcMissingMetricsScaleDownTargetOver100: missing pods on a scale-down are
// assumed at max(100, target)% of their request.
TEST(ResourceReplicasTest, MissingPodsAssumedAtTargetAbove100Percent) {
  std::vector<Pod> pods = pods_with(4, {ready(F), ready(T), ready(T), ready(T)});
  pods[2].containers[0].requests = {{"cpu", 2000}};
  pods[2].containers[1].requests = {{"cpu", 2000}};
  pods[3].containers[0].requests = {{"cpu", 2000}};
  pods[3].containers[1].requests = {{"cpu", 2000}};
  Fixture f(std::move(pods));
  auto r =
      resource_replicas(Replicas(4), 300, "cpu", "", cpu_metrics(levels({200, 100, 100})), f.ctx);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.replicas.value(), 2);
  EXPECT_EQ(r.utilization, 6);
  EXPECT_EQ(r.usage, 2 * 100);
}

// TestReplicaCalcEmptyMetrics.
TEST(ResourceReplicasTest, EmptyMetricsListIsAnError) {
  Fixture f(pods_with(4));
  auto r = resource_replicas(Replicas(4), 100, "cpu", "", MetricSnapshot{}, f.ctx);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(
      *r.error,
      "unable to get metrics for resource cpu: no metrics returned from resource metrics API");
}

// TestReplicaCalcEmptyCPURequest.
TEST(ResourceReplicasTest, MissingRequestIsAnError) {
  Fixture f(pods_with(1, {PodOptions{.cpu_request_per_container = std::nullopt}}));
  auto r = resource_replicas(Replicas(1), 100, "cpu", "", cpu_metrics(levels({200})), f.ctx);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("missing request for cpu in container container1 of Pod test-pod-0"),
            std::string::npos);
}

// Spec §4.3: "no metrics" is checked before requests.
TEST(ResourceReplicasTest, NoReadyMetricsWinsOverMissingRequest) {
  Fixture f(pods_with(
      1, {PodOptions{.phase = PodPhase::Pending, .cpu_request_per_container = std::nullopt}}));
  auto r = resource_replicas(Replicas(1), 100, "cpu", "", cpu_metrics(levels({200})), f.ctx);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, "did not receive metrics for targeted pods (pods might be unready)");
}

TEST(ResourceReplicasTest, SidecarInitContainersCountTowardRequests) {
  std::vector<Pod> pods = pods_with(1);
  pods[0].init_containers.push_back(Container{"sidecar", {{"cpu", 1000}}, true});
  pods[0].init_containers.push_back(Container{"init", {{"cpu", 5000}}, false});
  Fixture f(std::move(pods));
  auto r = resource_replicas(Replicas(1), 100, "cpu", "", cpu_metrics(levels({1500})), f.ctx);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.utilization, 100);  // 3000m used of 3000m requested
}

TEST(ResourceReplicasTest, PodLevelRequestsUsedWhenGateOn) {
  std::vector<Pod> pods = pods_with(1);
  pods[0].pod_requests = ResourceList{{"cpu", 4000}};
  Fixture f(std::move(pods));
  auto r = resource_replicas(Replicas(1), 100, "cpu", "", cpu_metrics(levels({1000})), f.ctx);
  EXPECT_EQ(r.utilization, 50);
  f.ctx.pod_level_resources = false;
  r = resource_replicas(Replicas(1), 100, "cpu", "", cpu_metrics(levels({1000})), f.ctx);
  EXPECT_EQ(r.utilization, 100);
}

TEST(ResourceReplicasTest, PodMissingResourceInOneContainerCountsAsMissing) {
  Fixture f(pods_with(2));
  MetricSnapshot m = cpu_metrics(levels({1000, 1000}));
  m.pod_metrics[1].containers[1].usage.clear();
  auto r = resource_replicas(Replicas(2), 100, "cpu", "", m, f.ctx);
  ASSERT_TRUE(r.pods);
  EXPECT_EQ(r.pods->missing, std::vector<std::string>{"test-pod-1"});
}

// Spec §4.1: the band is inclusive; 110% does not scale since 1.33.
TEST(ResourceReplicasTest, RatioExactlyAtUpperToleranceDoesNotScale) {
  Fixture f(pods_with(1));
  auto r = resource_replicas(Replicas(1), 100, "cpu", "", cpu_metrics(levels({1100})), f.ctx);
  EXPECT_EQ(r.replicas.value(), 1);
  EXPECT_TRUE(r.within_tolerance);
}

// TestReplicaCalcComputedToleranceAlgImplementation.
TEST(ResourceReplicasTest, ComputedToleranceScalesJustOutsideAndHoldsJustInside) {
  const int start_pods = 10;
  const int64_t used = start_pods * 150;
  const int64_t per_pod_requested = 2 * used / start_pods;
  const double requested_to_used = 2.0;
  std::vector<Pod> pods = pods_with(start_pods);
  const int64_t jitter[] = {100, -100, 10, -10, 2, -2, 1, -1, 0, 0};
  for (int i = 0; i < start_pods; ++i) {
    const int64_t req = (per_pod_requested + jitter[i]);
    // Upstream sets the same request on both containers.
    pods[static_cast<std::size_t>(i)].containers[0].requests = {{"cpu", req}};
    pods[static_cast<std::size_t>(i)].containers[1].requests = {{"cpu", req}};
  }
  Fixture f(std::move(pods));
  std::vector<std::vector<int64_t>> lv(start_pods, std::vector<int64_t>{used / 10, used / 10});
  double target = 1 / (requested_to_used * (1 - 0.1)) + .01;
  const double used_ratio = static_cast<double>(used) / (static_cast<double>(2 * used) * target);
  const int final_pods = static_cast<int>(std::ceil(used_ratio * start_pods));
  auto r = resource_replicas(Replicas(start_pods), static_cast<int32_t>(target * 100), "cpu", "",
                             cpu_metrics(lv), f.ctx);
  EXPECT_EQ(r.replicas.value(), final_pods);
  EXPECT_EQ(r.utilization, static_cast<int32_t>(used * 100 / (2 * used)));
  target = 1 / (requested_to_used * (1 - 0.1)) + .004;
  r = resource_replicas(Replicas(start_pods), static_cast<int32_t>(target * 100), "cpu", "",
                        cpu_metrics(lv), f.ctx);
  EXPECT_EQ(r.replicas.value(), start_pods);
}

struct PlainCase {
  std::string name;
  int current;
  std::vector<PodOptions> pods;
  std::vector<int64_t> values;
  int64_t target;
  int expected_replicas;
  int64_t expected_usage;
};
// ctest and gtest name the case by its name, not as raw bytes.
void PrintTo(const PlainCase& c, std::ostream* os) { *os << c.name; }

class PodsMetricReplicasTest : public ::testing::TestWithParam<PlainCase> {};

TEST_P(PodsMetricReplicasTest, MatchesUpstream) {
  const auto& c = GetParam();
  Fixture f(pods_with(c.current, c.pods));
  MetricSnapshot s;
  for (std::size_t i = 0; i < c.values.size(); ++i) {
    s.values.push_back(
        MetricValue{"Pod", pod_name(static_cast<int>(i)), kLongAgo, std::nullopt, c.values[i]});
  }
  auto r = pods_metric_replicas(Replicas(c.current), c.target, "qps", s, f.ctx);
  ASSERT_FALSE(r.error) << *r.error;
  EXPECT_EQ(r.replicas.value(), c.expected_replicas);
  EXPECT_EQ(r.usage, c.expected_usage);
}

const std::vector<PlainCase> kPlainCases = {
    // TestReplicaCalcScaleUpCM
    {"ScaleUp", 3, {}, {20000, 10000, 30000}, 15000, 4, 20000},
    // TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale: readiness rules are CPU-only.
    {"UnreadyHotCpuDoesNotScaleLess",
     3,
     {started(kHot, T), started(kCool, T), started(kHot, F)},
     {50000, 10000, 30000},
     15000,
     6,
     30000},
    // TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown
    {"UnreadyHotCpuWouldScaleDown",
     3,
     {started(kHot, F), started(kCool, T), started(kHot, F)},
     {50000, 15000, 30000},
     15000,
     7,
     31666},
    // TestReplicaCalcScaleDownCM
    {"ScaleDown", 5, {}, {12000, 12000, 12000, 12000, 12000}, 20000, 3, 12000},
    // TestPlainMetricReplicaCalcMissingMetricsNoChangeEq
    {"MissingMetricsNoChangeEq", 5, {}, {20000, 19000, 21000}, 20000, 5, 20000},
    // TestReplicaCalcDuringRollingUpdateWithMaxSurgeCM
    {"DuringRollingUpdateWithMaxSurge",
     2,
     {ready(T), ready(T), ready(T)},
     {10000, 10000},
     17000,
     2,
     10000},
    // Spec §4.5: a pending pod counts as 0 on a scale-up.
    {"PendingPodCountsAsZeroOnScaleUp",
     2,
     {ready(T), phase(PodPhase::Pending, F)},
     {60000},
     30000,
     2,
     60000},
    // Spec §4.5: missing pods on a scale-down are assumed exactly at the target.
    {"MissingPodsAtTargetOnScaleDown", 4, {}, {10000, 10000}, 30000, 3, 10000},
};

INSTANTIATE_TEST_SUITE_P(Upstream, PodsMetricReplicasTest, ::testing::ValuesIn(kPlainCases),
                         [](const auto& info) { return info.param.name; });

TEST(PodsMetricReplicasTest, PodGroupsAreReportedSorted) {
  Fixture f(pods_with(4, {ready(T), phase(PodPhase::Pending, F), deleted(T), ready(T)}));
  auto r = pods_metric_replicas(Replicas(4), 1000, "qps", pod_values({1000}), f.ctx);
  ASSERT_TRUE(r.pods);
  EXPECT_EQ(r.pods->ready, 1);
  EXPECT_EQ(r.pods->unready, std::vector<std::string>{"test-pod-1"});
  EXPECT_EQ(r.pods->ignored, std::vector<std::string>{"test-pod-2"});
  EXPECT_EQ(r.pods->missing, std::vector<std::string>{"test-pod-3"});
}

TEST(PodsMetricReplicasTest, EmptyAnswerIsAnError) {
  Fixture f(pods_with(1));
  auto r = pods_metric_replicas(Replicas(1), 1000, "qps", MetricSnapshot{}, f.ctx);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, "unable to get metric qps: no metrics returned from custom metrics API");
}

MetricSpec object_spec() {
  MetricSpec s;
  s.type = MetricSourceType::Object;
  s.type_name = "Object";
  s.metric.name = "qps";
  s.described_object = {"Deployment", "some-deployment", "apps/v1"};
  return s;
}

MetricSpec external_spec() {
  MetricSpec s;
  s.type = MetricSourceType::External;
  s.type_name = "External";
  s.metric.name = "qps";
  return s;
}

// TestReplicaCalcScaleUpCMObject.
TEST(ObjectMetricReplicasTest, ValueTargetMultipliesByReadyPods) {
  Fixture f(pods_with(3));
  auto r = object_metric_replicas(Replicas(3), 15000, object_spec(), object_value(20000), f.ctx);
  EXPECT_EQ(r.replicas.value(), 4);
  EXPECT_EQ(r.usage, 20000);
  EXPECT_EQ(r.timestamp, core::SystemTime{});
}

// TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods.
TEST(ObjectMetricReplicasTest, ValueTargetIgnoresUnreadyPods) {
  Fixture f(pods_with(3, {ready(F), ready(T), ready(F)}));
  auto r = object_metric_replicas(Replicas(3), 10000, object_spec(), object_value(50000), f.ctx);
  EXPECT_EQ(r.replicas.value(), 5);
}

// TestReplicaCalcScaleDownCMObject.
TEST(ObjectMetricReplicasTest, ValueTargetScalesDown) {
  Fixture f(pods_with(5));
  auto r = object_metric_replicas(Replicas(5), 20000, object_spec(), object_value(12000), f.ctx);
  EXPECT_EQ(r.replicas.value(), 3);
}

// Spec §3: at zero replicas a Value target returns ceil(ratio), ignoring tolerance.
TEST(ObjectMetricReplicasTest, ValueTargetFromZeroReplicasIsCeilOfRatio) {
  Fixture f(pods_with(0));
  auto r = object_metric_replicas(Replicas(0), 10000, object_spec(), object_value(10500), f.ctx);
  EXPECT_EQ(r.replicas.value(), 2);
}

// TestReplicaCalcScaleUpCMPerPodObject.
TEST(ObjectMetricReplicasTest, AverageValueTargetUsesStatusReplicas) {
  Fixture f(pods_with(3));
  auto r =
      object_per_pod_metric_replicas(Replicas(3), 5000, object_spec(), object_value(20000), f.ctx);
  EXPECT_EQ(r.replicas.value(), 4);
  EXPECT_EQ(r.usage, 6667);
}

// TestReplicaCalcScaleDownPerPodCMObject.
TEST(ObjectMetricReplicasTest, AverageValueTargetScalesDown) {
  Fixture f(pods_with(5));
  auto r =
      object_per_pod_metric_replicas(Replicas(5), 2000, object_spec(), object_value(6000), f.ctx);
  EXPECT_EQ(r.replicas.value(), 3);
  EXPECT_EQ(r.usage, 1200);
}

// TestReplicaCalcConfigurableToleranceCMPerPodObject (scale-up tolerance 1%).
TEST(ObjectMetricReplicasTest, PerDirectionToleranceApplies) {
  Fixture f(pods_with(4), Tolerances{0.1, 0.01});
  auto r =
      object_per_pod_metric_replicas(Replicas(4), 5000, object_spec(), object_value(20208), f.ctx);
  EXPECT_EQ(r.replicas.value(), 5);
  EXPECT_EQ(r.usage, 5052);
}

TEST(ObjectMetricReplicasTest, FetchErrorNamesObjectAsUpstreamDoes) {
  Fixture f(pods_with(1));
  MetricSnapshot s;
  s.error = "boom";
  auto r = object_metric_replicas(Replicas(1), 1000, object_spec(), s, f.ctx);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error,
            "unable to get metric qps: Deployment on test-namespace some-deployment/unable to "
            "fetch metrics from custom metrics API: boom");
}

struct ExternalCase {
  std::string name;
  int current;
  std::vector<PodOptions> pods;
  int64_t level;
  int64_t target;
  bool per_pod;
  Tolerances tolerances;
  int expected_replicas;
  int64_t expected_usage;
};
// ctest and gtest name the case by its name, not as raw bytes.
void PrintTo(const ExternalCase& c, std::ostream* os) { *os << c.name; }

class ExternalMetricReplicasTest : public ::testing::TestWithParam<ExternalCase> {};

TEST_P(ExternalMetricReplicasTest, MatchesUpstream) {
  const auto& c = GetParam();
  Fixture f(pods_with(c.current, c.pods), c.tolerances);
  auto r = c.per_pod
               ? external_per_pod_metric_replicas(Replicas(c.current), c.target, external_spec(),
                                                  external_values({c.level}), f.ctx)
               : external_metric_replicas(Replicas(c.current), c.target, external_spec(),
                                          external_values({c.level}), f.ctx);
  ASSERT_FALSE(r.error) << *r.error;
  EXPECT_EQ(r.replicas.value(), c.expected_replicas);
  EXPECT_EQ(r.usage, c.expected_usage);
}

const std::vector<ExternalCase> kExternalCases = {
    // TestReplicaCalcScaleUpCMExternal
    {"ScaleUp", 1, {}, 8600, 4400, false, {}, 2, 8600},
    // TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods
    {"ScaleUpIgnoresUnreadyPods",
     3,
     {ready(F), ready(T), ready(F)},
     8600,
     4400,
     false,
     {},
     2,
     8600},
    // TestReplicaCalcScaleUpPerPodCMExternal
    {"PerPodScaleUp", 3, {}, 8600, 2150, true, {}, 4, 2867},
    // TestReplicaCalcScaleDownCMExternal
    {"ScaleDown", 5, {}, 8600, 14334, false, {}, 3, 8600},
    // TestReplicaCalcScaleDownPerPodCMExternal
    {"PerPodScaleDown", 5, {}, 8600, 2867, true, {}, 3, 1720},
    // TestReplicaCalcConfigurableToleranceCMExternal
    {"ConfigurableTolerance", 3, {}, 8900, 8800, false, {0.1, 0.01}, 4, 8900},
    // TestReplicaCalcConfigurableTolerancePerPodCMExternal
    {"ConfigurableTolerancePerPod", 3, {}, 8600, 2800, true, {0.1, 0.01}, 4, 2867},
};

INSTANTIATE_TEST_SUITE_P(Upstream, ExternalMetricReplicasTest, ::testing::ValuesIn(kExternalCases),
                         [](const auto& info) { return info.param.name; });

TEST(ExternalMetricReplicasTest, ValuesAreSummed) {
  Fixture f(pods_with(2));
  auto r = external_metric_replicas(Replicas(2), 1000, external_spec(),
                                    external_values({1000, 2000, 1000}), f.ctx);
  EXPECT_EQ(r.usage, 4000);
  EXPECT_EQ(r.replicas.value(), 8);
}

TEST(ExternalMetricReplicasTest, NoPodsIsAnErrorForValueTargets) {
  Fixture f(pods_with(0));
  auto r =
      external_metric_replicas(Replicas(2), 1000, external_spec(), external_values({5000}), f.ctx);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error,
            "unable to calculate ready pods: no pods returned by selector while calculating "
            "replica count");
}

// TestGroupPods rows.
TEST(GroupPodsTest, CpuReadyPodWithFreshMetricsDuringInitializationCounts) {
  std::vector<Pod> pods{make_pod(0, started(kNow - 1min))};
  pods[0].ready->last_transition_time = kNow - 30s;
  Fixture f(std::move(pods));
  MetricSnapshot m = cpu_metrics(levels({500}), kNow);
  m.pod_metrics[0].window = 30s;
  auto r = resource_replicas(Replicas(1), 50, "cpu", "", m, f.ctx);
  ASSERT_TRUE(r.pods);
  EXPECT_EQ(r.pods->ready, 1);
}

TEST(GroupPodsTest, CpuReadyPodWithStaleMetricsDuringInitializationIsUnready) {
  std::vector<Pod> pods{make_pod(0, started(kNow - 1min))};
  pods[0].ready->last_transition_time = kNow - 30s;
  Fixture f(std::move(pods));
  MetricSnapshot m = cpu_metrics(levels({500}), kNow);
  m.pod_metrics[0].window = 60s;
  auto r = resource_replicas(Replicas(1), 50, "cpu", "", m, f.ctx);
  ASSERT_TRUE(r.pods);
  EXPECT_EQ(r.pods->unready, std::vector<std::string>{"test-pod-0"});
}

TEST(GroupPodsTest, CpuPodUnreadyAfterHavingBeenReadyIsCounted) {
  std::vector<Pod> pods{make_pod(0, started(kNow - 10min, F))};
  pods[0].ready->last_transition_time = kNow - 9min;
  Fixture f(std::move(pods));
  auto r = resource_replicas(Replicas(1), 50, "cpu", "", cpu_metrics(levels({500})), f.ctx);
  ASSERT_TRUE(r.pods);
  EXPECT_EQ(r.pods->ready, 1);
}

TEST(GroupPodsTest, CpuPodWithoutReadyConditionIsUnready) {
  std::vector<Pod> pods{make_pod(0)};
  pods[0].ready.reset();
  Fixture f(std::move(pods));
  auto r = resource_replicas(Replicas(1), 50, "cpu", "", cpu_metrics(levels({500})), f.ctx);
  ASSERT_TRUE(r.pods);
  EXPECT_EQ(r.pods->unready, std::vector<std::string>{"test-pod-0"});
}

TEST(GroupPodsTest, MemoryUnreadyRunningPodIsCounted) {
  std::vector<Pod> pods{make_pod(0, ready(F))};
  for (auto& c : pods[0].containers) {
    c.requests = {{"memory", 1000}};
  }
  Fixture f(std::move(pods));
  MetricSnapshot m;
  m.pod_metrics.push_back(
      PodMetrics{pod_name(0),
                 kLongAgo,
                 1min,
                 {{"container1", {{"memory", 500}}}, {"container2", {{"memory", 500}}}}});
  auto r = resource_replicas(Replicas(1), 50, "memory", "", m, f.ctx);
  ASSERT_TRUE(r.pods);
  EXPECT_EQ(r.pods->ready, 1);
}

}  // namespace
}  // namespace kscale::hpa
