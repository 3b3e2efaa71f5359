// Resident memory of the series store at scale: inserts N custom series (default 1,000,000
// pods of one namespace, one metric, no metric labels, names like "web-7d9f8-abcde") and prints
// resident bytes per series from /proc/self/status VmRSS. Target: <= 256 bytes per series.
// Usage: store_memory_bench [series] [labelled|long-names|one-pod]; one-pod puts every series on
// one pod, each with its own label set {"id": "<i>"} (a scrape target's many label sets).

#include <malloc.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "store/series_store.h"

namespace {

using kscale::store::CustomPoint;

long vm_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtol(line.c_str() + 6, nullptr, 10);
    }
  }
  return -1;
}

// A pod name as a ReplicaSet makes them: "<deployment>-<hash>-<5 chars>", 15 characters here
// (the short-string buffer holds them); long_names adds a realistic 10-character hash.
std::string pod_name(size_t i, bool long_names) {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string suffix;
  for (int k = 0; k < 5; ++k) {
    suffix += kAlphabet[i % kAlphabet.size()];
    i /= kAlphabet.size();
  }
  return (long_names ? "web-7d9f8b6c5d-" : "web-7d9f8-") + suffix;
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1'000'000;
  const std::string_view variant = argc > 2 ? argv[2] : "";
  const bool labelled = variant == "labelled";
  const bool long_names = variant == "long-names";
  const bool one_pod = variant == "one-pod";
  constexpr size_t kBatch = 10'000;

  kscale::core::ManualClock clock;
  malloc_trim(0);
  const long before = vm_rss_kib();
  const auto start = std::chrono::steady_clock::now();
  {
    kscale::store::SeriesStore store(clock, kscale::store::StoreOptions{});
    std::chrono::steady_clock::duration in_put{};
    double put_cpu = 0;
    for (size_t base = 0; base < n; base += kBatch) {
      std::vector<CustomPoint> batch;
      batch.reserve(kBatch);
      for (size_t i = base; i < std::min(n, base + kBatch); ++i) {
        kscale::core::Labels labels;
        if (labelled) {
          labels = {{"method", i % 2 ? "GET" : "POST"}};
        } else if (one_pod) {
          labels = {{"id", std::to_string(i)}};
        }
        batch.push_back(CustomPoint{
            {{"pods", ""},
             "default",
             pod_name(one_pod ? 0 : i, long_names),
             "http_requests_qps",
             std::move(labels)},
            {clock.system_now(),
             kscale::core::Quantity::from_milli(static_cast<int64_t>(i % 100'000)), std::nullopt}});
      }
      const auto put_start = std::chrono::steady_clock::now();
      const double cpu_start = thread_cpu_seconds();
      store.put_custom(std::move(batch));
      put_cpu += thread_cpu_seconds() - cpu_start;
      in_put += std::chrono::steady_clock::now() - put_start;
    }
    const auto took = std::chrono::steady_clock::now() - start;
    malloc_trim(0);
    const long after = vm_rss_kib();
    const double bytes = static_cast<double>(after - before) * 1024.0;
    std::printf("series: %zu (stored %zu)%s\n", n, store.series_count(),
                labelled     ? ", 2 label sets"
                : one_pod    ? ", one pod, one label set each"
                : long_names ? ", 20-char names"
                             : "");
    std::printf("VmRSS before: %ld KiB, after: %ld KiB\n", before, after);
    std::printf("resident bytes per series: %.1f\n", bytes / static_cast<double>(n));
    std::printf(
        "insert: %.0f new series/s per CPU-second in put_custom; wall clock: %.0f/s in "
        "put_custom, %.0f/s with building the batches (batches of %zu)\n",
        static_cast<double>(n) / put_cpu,
        static_cast<double>(n) / std::chrono::duration<double>(in_put).count(),
        static_cast<double>(n) / std::chrono::duration<double>(took).count(), kBatch);
    size_t found = 0;
    for (size_t i = 0; i < (one_pod ? 1 : n); i += 1000) {
      found +=
          store.find_custom({"pods", ""}, "default", pod_name(i, long_names), "http_requests_qps")
              .size();
    }
    std::printf("spot check: found %zu of %zu\n", found, one_pod ? n : (n + 999) / 1000);
  }
  return 0;
}
