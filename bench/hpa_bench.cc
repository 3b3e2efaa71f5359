// HPA engine speed: one reconcile with one Pods metric over 10 and 1,000 pods (targets
// ≥ 1,000,000/s and ≥ 20,000/s on one core), and `kscale simulate` of 7 days at a 15 s sync
// period over a 1,000-point trace including the SVG (target < 1 s).

#include <benchmark/benchmark.h>

#include <cmath>
#include <string>

#include "autoscaler/load_trace.h"
#include "autoscaler/simulator.h"
#include "autoscaler/svg_plot.h"
#include "hpa/reconcile.h"
#include "kube/horizontal_pod_autoscaler.h"

namespace {

using namespace kscale;

struct Setup {
  hpa::HorizontalPodAutoscaler hpa;
  hpa::Scale scale;
  std::vector<hpa::Pod> pods;
  std::vector<hpa::MetricSnapshot> metrics;
  core::SystemTime now{std::chrono::seconds{1'800'000'000}};
};

Setup make_setup(int n) {
  Setup s;
  s.hpa.name = "web";
  s.hpa.namespace_ = "default";
  s.hpa.spec.scale_target_ref = {"Deployment", "web", "apps/v1"};
  s.hpa.spec.min_replicas = 1;
  s.hpa.spec.max_replicas = 2000;
  hpa::MetricSpec m;
  m.type = hpa::MetricSourceType::Pods;
  m.type_name = "Pods";
  m.metric.name = "http_requests_qps";
  m.target = {hpa::MetricTargetType::AverageValue, "AverageValue", std::nullopt, 30000,
              std::nullopt};
  s.hpa.spec.metrics.push_back(m);
  s.scale = hpa::Scale{hpa::Replicas(n), hpa::Replicas(n), "app=web", {}, {}, 0};
  hpa::MetricSnapshot snap;
  for (int i = 0; i < n; ++i) {
    hpa::Pod p;
    p.name = "web-" + std::to_string(i);
    p.labels = {{"app", "web"}};
    p.phase = hpa::PodPhase::Running;
    p.ready = hpa::PodReadyCondition{hpa::ConditionStatus::True, s.now - std::chrono::hours(1)};
    p.start_time = s.now - std::chrono::hours(1);
    s.pods.push_back(p);
    snap.values.push_back(
        hpa::MetricValue{"Pod", p.name, s.now, std::nullopt, 31000 + (i % 7) * 100});
  }
  s.metrics.push_back(std::move(snap));
  return s;
}

void BM_ReconcilePodsMetric(benchmark::State& state) {
  const Setup s = make_setup(static_cast<int>(state.range(0)));
  const hpa::ControllerConfig config;
  hpa::ControllerState history;
  // One reconcile per sync period, as the controller runs it: the history stays bounded by the
  // 300 s window (about 20 entries).
  core::SystemTime now = s.now;
  for (auto _ : state) {
    now += std::chrono::seconds(15);
    auto d = hpa::reconcile(s.hpa, s.scale, s.pods, s.metrics, history, config, now);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReconcilePodsMetric)->Arg(10)->Arg(1000);

void BM_Simulate7Days(benchmark::State& state) {
  auto h = kube::read_hpa_manifest(
      "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n"
      "spec:\n  minReplicas: 1\n  maxReplicas: 10\n"
      "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
      "  metrics:\n  - type: Pods\n    pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: 30}}\n",
      {});
  std::string csv = "time_s,qps\n";
  const double week = 7 * 86400.0;
  for (int i = 0; i < 1000; ++i) {
    const double t = week * i / 999.0;
    csv +=
        std::to_string(t) + "," + std::to_string(150 - 120 * std::cos(2 * M_PI * t / 86400)) + "\n";
  }
  auto trace = autoscaler::parse_load_trace(csv);
  autoscaler::SimulationOptions o;
  o.noise = 0.05;
  for (auto _ : state) {
    auto r = autoscaler::simulate(*h, *trace, o);
    auto csv_out = autoscaler::to_csv(*r);
    auto svg = autoscaler::render_svg(*r, "week");
    benchmark::DoNotOptimize(csv_out);
    benchmark::DoNotOptimize(svg);
    state.counters["reconciles"] = static_cast<double>(r->steps.size());
  }
}
BENCHMARK(BM_Simulate7Days)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
