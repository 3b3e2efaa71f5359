#pragma once
// MetricValueList (custom.metrics.k8s.io v1beta1/v1beta2) and ExternalMetricValueList
// (external.metrics.k8s.io/v1beta1): the one decoder of each, used by the push API, the metrics
// client and decision documents, and the encoders the read and push APIs answer with.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/clock.h"
#include "core/errors.h"
#include "core/labels.h"
#include "core/quantity.h"
#include "kube/metric_value.h"

namespace kscale::kube {

/// One MetricValue as the decoder hands it over. The string views borrow from the parsed
/// document and are valid during the callback only; `selector` may be moved from.
struct MetricValueItem {
  CustomVersion version = CustomVersion::V1Beta2;  // the list's
  std::string_view described_kind;
  std::string_view described_api_version;
  std::string_view described_namespace;
  std::string_view described_name;
  std::string_view metric;  // v1beta1 metricName, v1beta2 metric.name
  core::Labels selector;    // the metric selector's matchLabels
  std::optional<core::SystemTime> timestamp;
  std::optional<std::chrono::seconds> window;  // v1beta1 window, v1beta2 windowSeconds
  core::Quantity value;
};

/// One ExternalMetricValue; same lifetime rules as MetricValueItem.
struct ExternalMetricValueItem {
  std::string_view metric;  // metricName
  core::Labels labels;      // metricLabels
  std::optional<core::SystemTime> timestamp;
  std::optional<std::chrono::seconds> window;
  core::Quantity value;
};

/// Called once per item, in order; an error stops decoding and is reported for that item.
using MetricValueSink = std::function<core::Result<void>(MetricValueItem&)>;
using ExternalMetricValueSink = std::function<core::Result<void>(ExternalMetricValueItem&)>;

/// A whole MetricValueList body: parsed in a per-thread arena (the push API's batches are
/// thousands of nodes), kind and apiVersion checked, then every item handed to `sink`. Errors
/// are BadRequest and name the item and field ("items[2]: value: ...", "kind: must be
/// MetricValueList", "request body is not valid JSON: ...").
[[nodiscard]] core::Result<void> decode_metric_value_list(std::string_view body,
                                                          const MetricValueSink& sink);
/// The same for an ExternalMetricValueList body.
[[nodiscard]] core::Result<void> decode_external_metric_value_list(
    std::string_view body, const ExternalMetricValueSink& sink);

/// The items of an already parsed list whose kind the caller has checked; `version` picks the
/// field names. Absent or null `items` is an empty list. Same errors as above.
[[nodiscard]] core::Result<void> decode_metric_value_items(const boost::json::value& list,
                                                           CustomVersion version,
                                                           const MetricValueSink& sink);
[[nodiscard]] core::Result<void> decode_external_metric_value_items(
    const boost::json::value& list, const ExternalMetricValueSink& sink);

/// The version named by a list's apiVersion ("custom.metrics.k8s.io/v1beta1"); nullopt otherwise.
std::optional<CustomVersion> custom_list_version(std::string_view api_version);

/// A value as a MetricValue carries it: a JSON string ("512.30") or number (512.3), read as
/// upstream's Quantity.UnmarshalJSON reads it. BadRequest for anything else, NaN, Inf, and values
/// whose milli-units do not fit in int64 (the HPA reads MilliValue()).
[[nodiscard]] core::Result<core::Quantity> decode_quantity(const boost::json::value& v);
/// The same rule for a quantity's text.
[[nodiscard]] core::Result<core::Quantity> decode_quantity_text(std::string_view text);

/// MetricValueList of custom.metrics.k8s.io/<v>. `selector_echo` is the metricLabelSelector as a
/// metav1.LabelSelector (null when none): v1beta1 puts it in `selector`, v1beta2 in
/// `metric.selector`.
std::string encode_metric_value_list(CustomVersion version,
                                     const std::vector<CustomMetricValue>& items,
                                     const boost::json::value& selector_echo);
/// The same document from references; byte-identical for the same values.
std::string encode_metric_value_list_refs(CustomVersion version,
                                          std::span<const CustomMetricValueRef> items,
                                          const boost::json::value& selector_echo);

/// ExternalMetricValueList of external.metrics.k8s.io/v1beta1.
std::string encode_external_metric_value_list(const std::vector<ExternalMetricValue>& items);

}  // namespace kscale::kube
