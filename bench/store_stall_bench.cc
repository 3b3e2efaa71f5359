// The writer-stall scenario of issue 12: a writer re-pushes 8,000 label sets of one metric to a
// pod holding 200,000 while a reader loops over an ordinary 100-pod read. Reports the reader's
// worst latency during the writes (target <= 50 ms) and the writer's time per batch.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "store/series_store.h"

namespace {

using kscale::core::GroupResource;
using kscale::core::Quantity;
using kscale::store::CustomPoint;
using kscale::store::SeriesStore;
using Clock = std::chrono::steady_clock;

const GroupResource kPods{"pods", ""};
constexpr int kHeld = 200'000;
constexpr int kRepushed = 8'000;

std::vector<CustomPoint> label_sets(const kscale::core::Clock& clock, int from, int to,
                                    int64_t value) {
  std::vector<CustomPoint> out;
  out.reserve(static_cast<size_t>(to - from));
  for (int i = from; i < to; ++i) {
    out.push_back(CustomPoint{{kPods,
                               "scraped",
                               "exporter-0",
                               "requests_total",
                               {{"path", "/api/v1/item/" + std::to_string(i)}, {"code", "200"}}},
                              {clock.system_now(), Quantity::from_int(value), std::nullopt}});
  }
  return out;
}

void BM_ReaderWorstLatencyWhileRepushing(benchmark::State& state) {
  kscale::core::ManualClock clock;
  SeriesStore store{clock, kscale::store::StoreOptions{}};
  store.put_custom(label_sets(clock, 0, kHeld, 1));
  std::vector<CustomPoint> readers_pods;
  for (int i = 0; i < 100; ++i) {
    readers_pods.push_back(CustomPoint{{kPods, "default", "web-" + std::to_string(i), "qps", {}},
                                       {clock.system_now(), Quantity::from_int(1), std::nullopt}});
  }
  store.put_custom(std::move(readers_pods));

  std::atomic<bool> stop{false};
  std::atomic<int64_t> worst_ns{0};
  std::atomic<int64_t> reads{0};
  std::thread reader([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      const auto start = Clock::now();
      auto points = store.find_custom(kPods, "default", std::nullopt, "qps");
      benchmark::DoNotOptimize(points.data());
      const int64_t took = std::chrono::nanoseconds(Clock::now() - start).count();
      worst_ns.store(std::max(worst_ns.load(std::memory_order_relaxed), took),
                     std::memory_order_relaxed);
      reads.fetch_add(1, std::memory_order_relaxed);
    }
  });
  // The batches are built before the clock starts: only the store's work is measured.
  int64_t value = 2;
  int64_t batches = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<CustomPoint> batch = label_sets(clock, kHeld - kRepushed, kHeld, value++);
    state.ResumeTiming();
    store.put_custom(std::move(batch));
    ++batches;
  }
  stop.store(true);
  reader.join();
  state.counters["reader_worst_ms"] = static_cast<double>(worst_ns.load()) / 1e6;
  state.counters["reads"] = static_cast<double>(reads.load());
  state.counters["label_sets_per_s"] =
      benchmark::Counter(static_cast<double>(batches * kRepushed), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ReaderWorstLatencyWhileRepushing)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
