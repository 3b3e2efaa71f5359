#pragma once
// store::SeriesStore: the latest value (and a short history) of every metric series kscale
// knows, whatever source wrote it (push, scrape, Prometheus). Values expire after max_age so the
// HPA never acts on a number nobody refreshes. Thread-safe: any number of concurrent readers and
// writers (one writer-preferring reader-writer lock; writers hold it only to swap values in).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/errors.h"
#include "core/group_resource.h"
#include "core/labels.h"
#include "core/quantity.h"

namespace kscale::store {

/// One stored value with its time and optional window (MetricValue.timestamp / windowSeconds).
struct Sample {
  core::SystemTime timestamp;
  core::Quantity value;
  std::optional<std::chrono::seconds> window;
};

/// A custom-metrics series: the metric of one described object, with its metric labels.
struct CustomSeriesKey {
  core::GroupResource group_resource;  // normalised plural: pods, deployments.apps
  std::string namespace_name;          // "" for root-scoped objects (nodes, namespaces)
  std::string object_name;
  std::string metric;
  core::Labels metric_labels;
};

struct CustomPoint {
  CustomSeriesKey key;
  Sample sample;
};

/// An external-metrics series: metric name plus labels, scoped to a namespace.
struct ExternalSeriesKey {
  std::string namespace_name;
  std::string metric;
  core::Labels metric_labels;
};

struct ExternalPoint {
  ExternalSeriesKey key;
  Sample sample;
};

/// What discovery lists: one entry per (group-resource, metric) with data.
struct CustomMetricInfo {
  core::GroupResource group_resource;
  std::string metric;
  auto operator<=>(const CustomMetricInfo&) const = default;
};

/// A stored custom series as a visitor sees it: views into the store, valid only during the
/// visitor call.
struct CustomPointView {
  const core::GroupResource& group_resource;
  std::string_view namespace_name;
  std::string_view object_name;
  std::string_view metric;
  const core::Labels& metric_labels;
  const Sample& sample;
};

struct ExternalPointView {
  std::string_view namespace_name;
  std::string_view metric;
  const core::Labels& metric_labels;
  const Sample& sample;
};

struct StoreOptions {
  /// Values older than this (by their timestamp, against the clock) are not returned and are
  /// evicted. Zero means never.
  std::chrono::seconds max_age{300};
};

class SeriesStore {
 public:
  SeriesStore(const core::Clock& clock, StoreOptions options);
  ~SeriesStore();
  SeriesStore(const SeriesStore&) = delete;
  SeriesStore& operator=(const SeriesStore&) = delete;

  /// Stores every point under one lock, replacing the latest value of each series (a later
  /// point for the same series in one batch wins). Callers validate the whole batch first, so a
  /// batch is stored all-or-nothing; this never fails.
  void put_custom(std::vector<CustomPoint> points);
  void put_external(std::vector<ExternalPoint> points);

  /// Latest fresh value of every series of `metric` on objects of `gr` in `namespace_name`
  /// ("" for root-scoped). `object_name` nullopt = every object. Series whose metric labels
  /// fail `metric_filter` (when given) are skipped; the filter must be a pure function of the
  /// labels (its answer is reused for series with the same label set) and must not call into
  /// this store (it runs under the read lock). Order is unspecified.
  /// Cost: one lookup of (gr, namespace, metric), then one per object (or the one named
  /// object); never a scan of other series.
  std::vector<CustomPoint> find_custom(
      const core::GroupResource& gr, std::string_view namespace_name,
      std::optional<std::string_view> object_name, std::string_view metric,
      const std::function<bool(const core::Labels&)>& metric_filter = {}) const;

  std::vector<ExternalPoint> find_external(
      std::string_view namespace_name, std::string_view metric,
      const std::function<bool(const core::Labels&)>& label_filter = {}) const;

  /// As find_custom / find_external, but hands each series to `visit` as views instead of
  /// copying keys, for callers that encode straight from the store. `visit` runs under the read
  /// lock: it must not call into this store and should be quick. Returns the number visited.
  size_t visit_custom(const core::GroupResource& gr, std::string_view namespace_name,
                      std::optional<std::string_view> object_name, std::string_view metric,
                      const std::function<bool(const core::Labels&)>& metric_filter,
                      const std::function<void(const CustomPointView&)>& visit) const;
  size_t visit_external(std::string_view namespace_name, std::string_view metric,
                        const std::function<bool(const core::Labels&)>& label_filter,
                        const std::function<void(const ExternalPointView&)>& visit) const;

  /// True when any fresh series of `metric` exists for `gr` (in any namespace).
  bool has_custom_metric(const core::GroupResource& gr, std::string_view metric) const;
  bool has_external_metric(std::string_view metric) const;

  /// Sorted, de-duplicated lists of what has fresh data, for discovery.
  std::vector<CustomMetricInfo> list_custom_metrics() const;
  std::vector<std::string> list_external_metrics() const;

  /// Drops values older than max_age; returns how many series were evicted. Holds the write
  /// lock for a pass over the namespaces/metrics whose oldest value may be stale.
  size_t evict_stale();

  /// A counter that every put_custom / put_external advances (under the write lock, before it
  /// is released), so a reader can tell whether anything it read may have been superseded:
  /// read the generation, then read; while generation() still returns that value, no write has
  /// happened since. Eviction does not advance it: it removes only values reads already skip.
  /// Lock-free; acquire ordering.
  uint64_t generation() const noexcept;
  /// The freshness limit reads apply (StoreOptions::max_age; zero = values never go stale): a
  /// value stamped t is returned while clock().system_now() <= t + max_age.
  std::chrono::seconds max_age() const noexcept { return options_.max_age; }
  /// The clock freshness is judged by.
  const core::Clock& clock() const noexcept { return clock_; }

  /// Number of stored series (custom + external), fresh or not yet evicted.
  size_t series_count() const;
  /// Total series evicted since start.
  uint64_t evictions() const;

 private:
  struct State;
  const core::Clock& clock_;
  StoreOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace kscale::store
