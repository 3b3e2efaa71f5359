#pragma once
// The wire documents of the metrics APIs (shared/specs/metrics-api.md §3–§4), one function per
// document and version. Field order follows Go's struct order.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "api/metric_value.h"

namespace kscale::api {

enum class CustomVersion { V1Beta1, V1Beta2 };

/// "v1beta1" / "v1beta2"; nullopt for anything else.
std::optional<CustomVersion> parse_custom_version(std::string_view text);
std::string_view version_name(CustomVersion v);

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

/// MetricValueList of custom.metrics.k8s.io/<v>. `selector_echo` is the metricLabelSelector as a
/// metav1.LabelSelector (null when none): v1beta1 puts it in `selector`, v1beta2 in
/// `metric.selector`.
std::string encode_metric_value_list(CustomVersion version, const std::vector<CustomMetricValue>& items,
                                     const boost::json::value& selector_echo);
/// The same document from references; byte-identical for the same values.
std::string encode_metric_value_list_refs(CustomVersion version, std::span<const CustomMetricValueRef> items,
                                     const boost::json::value& selector_echo);

/// ExternalMetricValueList of external.metrics.k8s.io/v1beta1.
std::string encode_external_metric_value_list(const std::vector<ExternalMetricValue>& items);

/// Discovery: /apis, /apis/<group>, /apis/<group>/<version>.
std::string encode_api_group_list();
std::string encode_custom_api_group();
std::string encode_external_api_group();
std::string encode_custom_resource_list(CustomVersion version, const std::vector<CustomMetricInfo>& metrics);
std::string encode_external_resource_list(const std::vector<std::string>& metrics);

}  // namespace kscale::api
