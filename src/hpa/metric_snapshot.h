#pragma once
// hpa::MetricSnapshot: what the metrics APIs answered for one hpa.spec.metrics[i] at the instant
// of a reconcile (metrics.k8s.io PodMetrics, custom.metrics.k8s.io MetricValues,
// external.metrics.k8s.io ExternalMetricValues), or the error the call failed with.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/labels.h"
#include "hpa/pod.h"

namespace kscale::hpa {

/// metrics.k8s.io/v1beta1 PodMetrics: usage per container, milli-values.
struct PodMetrics {
  std::string name;
  core::SystemTime timestamp{};
  std::chrono::milliseconds window{0};
  struct ContainerUsage {
    std::string name;
    ResourceList usage;
  };
  std::vector<ContainerUsage> containers;
};

/// custom.metrics.k8s.io MetricValue (v1beta1 or v1beta2).
struct MetricValue {
  std::string described_kind;
  std::string described_name;
  core::SystemTime timestamp{};
  std::optional<std::chrono::seconds> window;
  int64_t value_milli = 0;
};

/// external.metrics.k8s.io/v1beta1 ExternalMetricValue.
struct ExternalMetricValue {
  core::Labels labels;
  core::SystemTime timestamp{};
  int64_t value_milli = 0;
};

/// One metrics API answer. Which list is read depends on the metric's source type:
/// Resource/ContainerResource → pod_metrics, Pods/Object → values, External → external_values.
struct MetricSnapshot {
  std::optional<std::string> error;
  std::vector<PodMetrics> pod_metrics;
  std::vector<MetricValue> values;
  std::vector<ExternalMetricValue> external_values;
};

}  // namespace kscale::hpa
