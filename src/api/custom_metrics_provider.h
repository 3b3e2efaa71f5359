#pragma once
// api::CustomMetricsProvider and ExternalMetricsProvider: the seam between the metrics API and
// where numbers come from, after custom-metrics-apiserver pkg/provider/interfaces.go.

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
  std::string namespace_name;        // "" for root-scoped
  std::optional<std::string> name;   // nullopt = "*"
  std::string metric;
  core::LabelSelector object_selector;  // labelSelector (wildcard reads only)
  core::LabelSelector metric_selector;  // metricLabelSelector
};

class CustomMetricsProvider {
 public:
  virtual ~CustomMetricsProvider() = default;

  /// GetMetricByName: exactly one value, or NotFound
  /// ("the server could not find the metric M for pods p1"). Thread-safe.
  [[nodiscard]] virtual core::Result<CustomMetricValue> get_metric_by_name(const MetricQuery& q) const = 0;

  /// GetMetricBySelector: every object matching the selectors; an empty list when the metric is
  /// known but nothing matches, NotFound when the metric has no data at all. Thread-safe.
  [[nodiscard]] virtual core::Result<std::vector<CustomMetricValue>> get_metric_by_selector(
      const MetricQuery& q) const = 0;

  /// ListAllMetrics: what discovery lists (fresh data only), sorted. Thread-safe, never blocks
  /// on a backend.
  virtual std::vector<CustomMetricInfo> list_all_metrics() const = 0;
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
