#pragma once
// A small Prometheus registry for kscale's own /metrics (counters, gauges, histograms with
// labels) written in text format 0.0.4. prometheus-cpp, the library ARCHITECTURE.md names, is not
// packaged in Debian bookworm, so this is the minimal replacement; it is thread-safe.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kscale::net {

class Counter {
 public:
  void inc(double v = 1.0);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);
  /// Cumulative bucket counts (one per bound, then +Inf), sum and count.
  void snapshot(std::vector<uint64_t>& buckets, double& sum, uint64_t& count) const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0.0};
  std::atomic<uint64_t> count_{0};
};

class MetricsRegistry {
 public:
  enum class Type { Counter, Gauge, Histogram };

  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  /// Returns the child for `labels` (label name → value), creating it on first use. References
  /// stay valid for the registry's lifetime.
  Counter& counter(const std::string& name, const std::string& help,
                   const std::map<std::string, std::string>& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help,
               const std::map<std::string, std::string>& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help,
                       const std::vector<double>& bounds,
                       const std::map<std::string, std::string>& labels = {});
  /// A gauge read at scrape time (e.g. the store's series count).
  void gauge_callback(const std::string& name, const std::string& help, std::function<double()> fn);
  /// A counter whose value is kept elsewhere and read at scrape time (e.g. store evictions).
  void counter_callback(const std::string& name, const std::string& help,
                        std::function<double()> fn);

  /// Text exposition format 0.0.4, families sorted by name.
  std::string serialize() const;

  /// Default latency buckets in seconds (prometheus client default set).
  static std::vector<double> default_latency_buckets();

 private:
  struct Child;
  struct FamilyData;
  FamilyData& family(const std::string& name, const std::string& help, Type type);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<FamilyData>> families_;
};

}  // namespace kscale::net
