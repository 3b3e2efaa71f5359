#include "autoscaler/control_loop.h"

#include <gtest/gtest.h>

#include <sstream>

#include <boost/asio/io_context.hpp>

#include "core/clock.h"
#include "fakes/fake_metrics_source.h"
#include "fakes/fake_scale_target.h"
#include "support/run_awaitable.h"

namespace kscale::autoscaler {
namespace {

using fakes::FakeMetricsSource;
using fakes::FakeScaleTarget;

// An HPA on one Pods metric with an AverageValue target of 10 per pod, 1..10 replicas.
hpa::HorizontalPodAutoscaler pods_hpa() {
  hpa::HorizontalPodAutoscaler h;
  h.name = "web";
  h.namespace_ = "default";
  h.spec.scale_target_ref = {"Deployment", "web", "apps/v1"};
  h.spec.min_replicas = 1;
  h.spec.max_replicas = 10;
  hpa::MetricSpec m;
  m.type = hpa::MetricSourceType::Pods;
  m.type_name = "Pods";
  m.metric.name = "http_requests_qps";
  m.target.type = hpa::MetricTargetType::AverageValue;
  m.target.type_name = "AverageValue";
  m.target.average_value_milli = 10'000;
  h.spec.metrics.push_back(m);
  return h;
}

hpa::Pod ready_pod(const std::string& name, core::SystemTime started) {
  hpa::Pod p;
  p.name = name;
  p.labels = {{"app", "web"}};
  p.phase = hpa::PodPhase::Running;
  p.ready = hpa::PodReadyCondition{hpa::ConditionStatus::True, started};
  p.start_time = started;
  return p;
}

class ControlLoopSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    target_.spec_replicas = 2;
    const auto long_ago = clock_.system_now() - std::chrono::minutes(10);
    target_.pods = {ready_pod("web-0", long_ago), ready_pod("web-1", long_ago)};
  }
  hpa::Decision sync(ControlLoop& loop) { return testing::run_awaitable(ioc_, loop.sync()); }

  boost::asio::io_context ioc_;
  core::ManualClock clock_;
  FakeScaleTarget target_;
  FakeMetricsSource metrics_;
};

TEST_F(ControlLoopSyncTest, ScalesUpWhenTheMetricIsAboveTarget) {
  metrics_.snapshots = {FakeMetricsSource::pods_value({"web-0", "web-1"}, 30'000)};
  std::ostringstream table;
  ControlLoop loop(pods_hpa(), target_, metrics_, clock_, ControlLoopOptions{{}, {}, &table});
  const auto d = sync(loop);
  EXPECT_TRUE(d.scale_updated);
  // ceil(2 * 30/10) = 6, limited to the default scale-up rate: max(2 * 2, 4) = 4.
  EXPECT_EQ(d.scale_replicas.value(), 4);
  EXPECT_EQ(target_.scales, std::vector<int32_t>{4});
  ASSERT_EQ(metrics_.selectors.size(), 1u);
  EXPECT_EQ(metrics_.selectors[0], "app=web");
  EXPECT_NE(table.str().find("30/10"), std::string::npos) << table.str();
}

TEST_F(ControlLoopSyncTest, KeepsTheScaleWithinTolerance) {
  metrics_.snapshots = {FakeMetricsSource::pods_value({"web-0", "web-1"}, 10'500)};
  ControlLoop loop(pods_hpa(), target_, metrics_, clock_, ControlLoopOptions{});
  const auto d = sync(loop);
  EXPECT_FALSE(d.scale_updated);
  EXPECT_TRUE(target_.scales.empty());
}

TEST_F(ControlLoopSyncTest, AMetricErrorDoesNotScale) {
  metrics_.snapshots.resize(1);
  metrics_.snapshots[0].error = "unable to fetch metrics";
  ControlLoop loop(pods_hpa(), target_, metrics_, clock_, ControlLoopOptions{});
  const auto d = sync(loop);
  EXPECT_FALSE(d.scale_updated);
  EXPECT_TRUE(target_.scales.empty());
}

TEST_F(ControlLoopSyncTest, AFailedGetScaleDoesNotReadMetrics) {
  target_.get_error = core::Error::not_found("deployments.apps \"web\" not found");
  ControlLoop loop(pods_hpa(), target_, metrics_, clock_, ControlLoopOptions{});
  const auto d = sync(loop);
  EXPECT_FALSE(d.scale_updated);
  EXPECT_TRUE(metrics_.selectors.empty());
}

}  // namespace
}  // namespace kscale::autoscaler
