#pragma once
// Fixtures shared by the hpa tests: pods and metric answers built the way upstream's
// replica_calculator_test.go builds its fakes (pods "test-pod-<i>", two containers, label
// name=test-pod).

#include <chrono>
#include <string>
#include <vector>

#include "hpa/metric_snapshot.h"
#include "hpa/pod.h"

namespace kscale::hpa::testing {

using namespace std::chrono_literals;

inline const core::SystemTime kNow = core::SystemTime{std::chrono::seconds{1'800'000'000}};
/// Go's zero time stands for "long ago" in the upstream fixtures.
inline const core::SystemTime kLongAgo = core::SystemTime{};
/// Upstream: hotCPUCreationTime (inside the 2 min test initialization period) and
/// coolCPUCreationTime (past it).
inline const core::SystemTime kHot = kNow - 1min;
inline const core::SystemTime kCool = kNow - 3min;

inline std::string pod_name(int i) { return "test-pod-" + std::to_string(i); }

struct PodOptions {
  ConditionStatus ready = ConditionStatus::True;
  core::SystemTime start = kLongAgo;
  PodPhase phase = PodPhase::Running;
  bool deleted = false;
  std::optional<int64_t> cpu_request_per_container = 1000;
};

inline Pod make_pod(int i, const PodOptions& o = {}) {
  Pod p;
  p.name = pod_name(i);
  p.labels = {{"name", "test-pod"}};
  p.phase = o.phase;
  p.deleted = o.deleted;
  p.start_time = o.start;
  p.ready = PodReadyCondition{o.ready, kLongAgo};
  for (const char* c : {"container1", "container2"}) {
    Container container{c, {}, false};
    if (o.cpu_request_per_container) {
      container.requests.push_back({"cpu", *o.cpu_request_per_container});
    }
    p.containers.push_back(container);
  }
  return p;
}

/// metrics.k8s.io answer: one PodMetrics per entry of `levels`, one usage per container.
inline MetricSnapshot cpu_metrics(const std::vector<std::vector<int64_t>>& levels,
                                  core::SystemTime ts = kLongAgo) {
  MetricSnapshot s;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    PodMetrics m{pod_name(static_cast<int>(i)), ts, 1min, {}};
    for (std::size_t j = 0; j < levels[i].size(); ++j) {
      m.containers.push_back({"container" + std::to_string(j + 1), {{"cpu", levels[i][j]}}});
    }
    s.pod_metrics.push_back(m);
  }
  return s;
}

/// makePodMetricLevels: every one of the two containers reports the same usage.
inline std::vector<std::vector<int64_t>> levels(std::initializer_list<int64_t> per_container) {
  std::vector<std::vector<int64_t>> out;
  for (int64_t v : per_container) {
    out.push_back({v, v});
  }
  return out;
}

/// custom.metrics.k8s.io answer for pods test-pod-0..n-1.
inline MetricSnapshot pod_values(std::initializer_list<int64_t> values,
                                 core::SystemTime ts = kLongAgo) {
  MetricSnapshot s;
  int i = 0;
  for (int64_t v : values) {
    s.values.push_back(MetricValue{"Pod", pod_name(i++), ts, std::nullopt, v});
  }
  return s;
}

inline MetricSnapshot object_value(int64_t v, core::SystemTime ts = kLongAgo) {
  MetricSnapshot s;
  s.values.push_back(MetricValue{"Deployment", "some-deployment", ts, std::nullopt, v});
  return s;
}

inline MetricSnapshot external_values(std::initializer_list<int64_t> values,
                                      core::SystemTime ts = kLongAgo) {
  MetricSnapshot s;
  for (int64_t v : values) {
    s.external_values.push_back(ExternalMetricValue{{}, ts, v});
  }
  return s;
}

}  // namespace kscale::hpa::testing
