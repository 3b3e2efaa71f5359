// MetricValueList encoders for custom.metrics.k8s.io v1beta1 and v1beta2 (metrics-api.md §4.1–4.3).

#include <boost/json.hpp>

#include "api/encoders.h"
#include "core/time_format.h"

namespace kscale::api {

namespace json = boost::json;

std::optional<CustomVersion> parse_custom_version(std::string_view text) {
  if (text == "v1beta1") {
    return CustomVersion::V1Beta1;
  }
  if (text == "v1beta2") {
    return CustomVersion::V1Beta2;
  }
  return std::nullopt;
}

std::string_view version_name(CustomVersion v) { return v == CustomVersion::V1Beta1 ? "v1beta1" : "v1beta2"; }

namespace {

// core/v1 ObjectReference with omitempty keys: kind, namespace, name, apiVersion. kscale emits
// "v1" for core objects where the Go helper emits "/v1"; clients ignore the field (§4.3).
json::object described_object(const CustomMetricValue& v) {
  json::object o;
  o["kind"] = v.object.kind;
  if (!v.namespace_name.empty()) {
    o["namespace"] = v.namespace_name;
  }
  o["name"] = v.name;
  o["apiVersion"] = v.object.api_version;
  return o;
}

json::object v1beta1_item(const CustomMetricValue& v, const json::value& selector) {
  json::object o;
  o["describedObject"] = described_object(v);
  o["metricName"] = v.metric;
  o["timestamp"] = core::format_rfc3339(v.timestamp);
  if (v.window) {
    o["window"] = v.window->count();
  }
  o["value"] = v.value.to_string();
  o["selector"] = selector;
  return o;
}

json::object v1beta2_item(const CustomMetricValue& v, const json::value& selector) {
  json::object o;
  o["describedObject"] = described_object(v);
  o["metric"] = json::object{{"name", v.metric}, {"selector", selector}};
  o["timestamp"] = core::format_rfc3339(v.timestamp);
  if (v.window) {
    o["windowSeconds"] = v.window->count();
  }
  o["value"] = v.value.to_string();
  return o;
}

}  // namespace

std::string encode_metric_value_list(CustomVersion version, const std::vector<CustomMetricValue>& items,
                                     const json::value& selector_echo) {
  json::object doc;
  doc["kind"] = "MetricValueList";
  doc["apiVersion"] = std::string("custom.metrics.k8s.io/") + std::string(version_name(version));
  doc["metadata"] = json::object();
  json::array arr;
  arr.reserve(items.size());
  for (const auto& v : items) {
    arr.push_back(version == CustomVersion::V1Beta1 ? v1beta1_item(v, selector_echo)
                                                    : v1beta2_item(v, selector_echo));
  }
  doc["items"] = std::move(arr);
  return json::serialize(doc);
}

std::string encode_external_metric_value_list(const std::vector<ExternalMetricValue>& items) {
  json::object doc;
  doc["kind"] = "ExternalMetricValueList";
  doc["apiVersion"] = "external.metrics.k8s.io/v1beta1";
  doc["metadata"] = json::object();
  json::array arr;
  arr.reserve(items.size());
  for (const auto& v : items) {
    json::object o;
    o["metricName"] = v.metric;
    json::object labels;
    for (const auto& [k, val] : v.labels) {
      labels[k] = val;
    }
    o["metricLabels"] = std::move(labels);
    o["timestamp"] = core::format_rfc3339(v.timestamp);
    if (v.window) {
      o["window"] = v.window->count();
    }
    o["value"] = v.value.to_string();
    arr.push_back(std::move(o));
  }
  doc["items"] = std::move(arr);
  return json::serialize(doc);
}

}  // namespace kscale::api
