#pragma once
// The values of the metrics APIs' lists, independent of API version: one custom-metrics value of
// a described object (custom.metrics.k8s.io MetricValue) and one external-metrics series value.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/group_resource.h"
#include "core/labels.h"
#include "core/quantity.h"

namespace kscale::kube {

/// custom.metrics.k8s.io versions; item field names differ (v1beta1 metricName/window, v1beta2
/// metric.name/windowSeconds).
enum class CustomVersion { V1Beta1, V1Beta2 };

/// "v1beta1" / "v1beta2"; nullopt for anything else.
std::optional<CustomVersion> parse_custom_version(std::string_view text);
std::string_view version_name(CustomVersion v);

struct CustomMetricValue {
  core::ResourceInfo object;   // kind and apiVersion of describedObject
  std::string namespace_name;  // "" for root-scoped objects
  std::string name;
  std::string metric;
  core::SystemTime timestamp;
  std::optional<std::chrono::seconds> window;
  core::Quantity value;
};

/// One custom-metrics value by reference, for encoding values that live elsewhere without
/// copying them first (the push API answers with the points it has just decoded). The pointed-to
/// data must outlive the encode call.
struct CustomMetricValueRef {
  const core::ResourceInfo* object;
  std::string_view namespace_name;  // "" for root-scoped objects
  std::string_view name;
  std::string_view metric;
  core::SystemTime timestamp;
  std::optional<std::chrono::seconds> window;
  const core::Quantity* value;
};

struct ExternalMetricValue {
  std::string metric;
  core::Labels labels;
  core::SystemTime timestamp;
  std::optional<std::chrono::seconds> window;
  core::Quantity value;
};

}  // namespace kscale::kube
