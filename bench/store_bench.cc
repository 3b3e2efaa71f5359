// SeriesStore hot paths: the metrics API's wildcard read for 100 pods (and a single object),
// with 100,000 other series in the store, and batch ingest (samples/s on one core; target
// >= 1,000,000).

#include <benchmark/benchmark.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/series_store.h"

namespace {

using kscale::core::GroupResource;
using kscale::core::Quantity;
using kscale::store::CustomPoint;
using kscale::store::CustomPointView;
using kscale::store::SeriesStore;

const GroupResource kPods{"pods", ""};

std::vector<CustomPoint> pods(const kscale::core::Clock& clock, const std::string& ns, size_t n,
                              int64_t milli) {
  std::vector<CustomPoint> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(
        CustomPoint{{kPods, ns, "web-7d9f8-" + std::to_string(10000 + i), "http_requests_qps", {}},
                    {clock.system_now(), Quantity::from_milli(milli), std::nullopt}});
  }
  return out;
}

// 100 pods in "default" plus 1,000 namespaces of 100 pods each.
struct Fixture {
  kscale::core::ManualClock clock;
  SeriesStore store{clock, kscale::store::StoreOptions{}};
  Fixture() {
    store.put_custom(pods(clock, "default", 100, 1500));
    for (int ns = 0; ns < 1000; ++ns) {
      store.put_custom(pods(clock, "team-" + std::to_string(ns), 100, 250));
    }
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_FindCustomWildcard100Pods(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    auto points = f.store.find_custom(kPods, "default", std::nullopt, "http_requests_qps");
    benchmark::DoNotOptimize(points.data());
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_FindCustomWildcard100Pods)->ThreadRange(1, 2)->UseRealTime();

void BM_VisitCustomWildcard100Pods(benchmark::State& state) {
  Fixture& f = fixture();
  const std::function<void(const CustomPointView&)> visit = [](const CustomPointView& v) {
    benchmark::DoNotOptimize(v.sample.value.milli_value());
  };
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        f.store.visit_custom(kPods, "default", std::nullopt, "http_requests_qps", {}, visit));
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_VisitCustomWildcard100Pods)->ThreadRange(1, 2)->UseRealTime();

void BM_FindCustomOnePod(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    auto points = f.store.find_custom(kPods, "default", "web-7d9f8-10042", "http_requests_qps");
    benchmark::DoNotOptimize(points.data());
  }
}
BENCHMARK(BM_FindCustomOnePod);

// Steady state: every batch refreshes existing series. The batch is built (strings copied)
// outside the timed region; BM_PutCustomBatchWithBuild times the caller's copy as well.
void BM_PutCustomBatch(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  kscale::core::ManualClock clock;
  SeriesStore store(clock, kscale::store::StoreOptions{});
  const auto batch = pods(clock, "default", n, 1500);
  store.put_custom(batch);
  for (auto _ : state) {
    state.PauseTiming();
    auto copy = batch;
    state.ResumeTiming();
    store.put_custom(std::move(copy));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_PutCustomBatch)->Arg(1000)->Arg(10000);

void BM_PutCustomBatchWithBuild(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  kscale::core::ManualClock clock;
  SeriesStore store(clock, kscale::store::StoreOptions{});
  const auto batch = pods(clock, "default", n, 1500);
  store.put_custom(batch);
  for (auto _ : state) {
    store.put_custom(batch);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_PutCustomBatchWithBuild)->Arg(1000)->Arg(10000);

// First writes: every point creates a series (the cost of a new deployment's pods appearing).
void BM_PutCustomNewSeries(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  kscale::core::ManualClock clock;
  std::unique_ptr<SeriesStore> store;
  for (auto _ : state) {
    state.PauseTiming();
    store = std::make_unique<SeriesStore>(clock, kscale::store::StoreOptions{});
    auto batch = pods(clock, "default", n, 1500);
    state.ResumeTiming();
    store->put_custom(std::move(batch));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_PutCustomNewSeries)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();
