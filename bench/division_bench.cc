// Replica division speed: one divide() over 10 member clusters (target ≥ 1,000,000 divisions/s
// on one core). No peer binary exists for this (Karmada's scheduler runs it inside a control
// plane), so the figure is compared with the target; see bench/README.md.

#include <benchmark/benchmark.h>

#include <string>

#include "federation/division.h"

namespace {

using namespace kscale::federation;

constexpr int kClusters = 10;

DivisionRequest make_request(int32_t replicas, bool dynamic, bool with_previous) {
  DivisionRequest r;
  r.replicas = replicas;
  r.uid = "d43fdeeb-d750-4e2b-bee3-64eb94534f4c";
  ReplicaScheduling s;
  s.weight_preference = true;
  s.dynamic_weight = dynamic;
  for (int i = 0; i < kClusters; ++i) {
    CandidateCluster c;
    c.name = "member" + std::to_string(i + 1);
    c.available_replicas = 50 + 7 * i;
    c.replicas = with_previous ? 2 + i % 3 : 0;
    r.clusters.push_back(c);
    StaticClusterWeight w;
    w.target_cluster.cluster_names = {c.name};
    w.weight = 1 + i % 4;
    s.static_weights.push_back(w);
  }
  r.scheduling = s;
  return r;
}

void run(benchmark::State& state, const DivisionRequest& r) {
  for (auto _ : state) {
    auto result = divide(r);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}

// Static weights 1:2:3:4:…, the whole total divided by Webster.
void BM_DivideStatic10(benchmark::State& state) {
  run(state, make_request(static_cast<int32_t>(state.range(0)), false, false));
}
BENCHMARK(BM_DivideStatic10)->Arg(12)->Arg(100)->Arg(1000);

// Dynamic weights, a scale-up from a previous layout of 30 replicas: only the delta is divided.
void BM_DivideDynamicScaleUp10(benchmark::State& state) {
  run(state, make_request(static_cast<int32_t>(state.range(0)), true, true));
}
BENCHMARK(BM_DivideDynamicScaleUp10)->Arg(40)->Arg(130);

// The legacy (pre-1.16) dispenser over the same static weights.
void BM_DivideLegacyStatic10(benchmark::State& state) {
  auto r = make_request(static_cast<int32_t>(state.range(0)), false, false);
  r.legacy = true;
  run(state, r);
}
BENCHMARK(BM_DivideLegacyStatic10)->Arg(100);

}  // namespace

BENCHMARK_MAIN();
