#pragma once
// api::CustomMetricsProvider and ExternalMetricsProvider: the seam between the metrics API and
// where numbers come from, after custom-metrics-apiserver pkg/provider/interfaces.go.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/metric_value.h"
#include "core/errors.h"
#include "core/label_selector.h"

namespace kscale::api {

/// One custom-metrics read, decoded from the path and query.
struct MetricQuery {
  core::ResourceInfo resource;
  std::string namespace_name;       // "" for root-scoped
  std::optional<std::string> name;  // nullopt = "*"
  std::string metric;
  core::LabelSelector object_selector;  // labelSelector (wildcard reads only)
  core::LabelSelector metric_selector;  // metricLabelSelector
};

/// The state of a provider's data at one instant, for callers that reuse encoded answers
/// (api::ReadCache). See CustomMetricsProvider::data_version.
struct DataVersion {
  uint64_t generation = 0;  // changes whenever a write may change an answer
  core::SystemTime now;     // the provider's clock, which judges freshness
  std::chrono::seconds
      max_age{};  // a value stamped t is served while now <= t + max_age; 0 = always
};

class CustomMetricsProvider {
 public:
  virtual ~CustomMetricsProvider() = default;

  /// GetMetricByName: exactly one value, or NotFound
  /// ("the server could not find the metric M for pods p1"). Thread-safe.
  [[nodiscard]] virtual core::Result<CustomMetricValue> get_metric_by_name(
      const MetricQuery& q) const = 0;

  /// GetMetricBySelector: every object matching the selectors; an empty list when the metric is
  /// known but nothing matches, NotFound when the metric has no data at all. Thread-safe.
  [[nodiscard]] virtual core::Result<std::vector<CustomMetricValue>> get_metric_by_selector(
      const MetricQuery& q) const = 0;

  /// ListAllMetrics: what discovery lists (fresh data only), sorted. Thread-safe, never blocks
  /// on a backend.
  virtual std::vector<CustomMetricInfo> list_all_metrics() const = 0;

  /// Optional, for answer caches. nullopt (the default) means answers must not be reused.
  /// Otherwise: an answer read after data_version() returned v is exactly what a new read
  /// would return for as long as data_version() keeps v.generation and its clock stays within
  /// [the time of the read, the oldest timestamp in the answer + max_age], provided
  /// answer_depends_only_on_data(q) held. Thread-safe, cheap (no lock).
  virtual std::optional<DataVersion> data_version() const { return std::nullopt; }

  /// False when the answer to `q` also depends on something data_version() does not track
  /// (e.g. object labels from a cluster view that reloads on its own).
  virtual bool answer_depends_only_on_data(const MetricQuery& /*q*/) const { return false; }
};

class ExternalMetricsProvider {
 public:
  virtual ~ExternalMetricsProvider() = default;

  /// GetExternalMetric: every series of `metric` whose labels match `selector`; empty when none
  /// match, NotFound when the metric has no data. Thread-safe.
  [[nodiscard]] virtual core::Result<std::vector<ExternalMetricValue>> get_external_metric(
      const std::string& namespace_name, const std::string& metric,
      const core::LabelSelector& selector) const = 0;

  /// ListAllExternalMetrics, sorted.
  virtual std::vector<std::string> list_all_external_metrics() const = 0;
};

}  // namespace kscale::api
