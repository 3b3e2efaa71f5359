// MetricValueList and ExternalMetricValueList encoders for custom.metrics.k8s.io v1beta1 and v1beta2 (metrics-api.md §4.1–4.3).

#include <algorithm>
#include <chrono>
#include <optional>

#include <boost/json.hpp>

#include "core/time_format.h"
#include "kube/detail/json_text.h"
#include "kube/metric_value_list.h"

namespace kscale::kube {

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

std::string_view version_name(CustomVersion v) {
  return v == CustomVersion::V1Beta1 ? "v1beta1" : "v1beta2";
}

namespace {

// Why text, not a json::value serialized: a batch write's answer echoes every item (~200 bytes
// each) and an uncached read answers ~100 items; building ~10 JSON nodes per item and then
// serializing them was a fifth of a batch write's cost. Keys, order and escaping are those of
// the Boost.JSON rendering this replaced (tests/kube/metric_value_list_encode_test.cc pins the bytes).
class ItemWriter {
 public:
  ItemWriter(std::string& out, const json::value& selector)
      : out_(out), selector_(json::serialize(selector)) {}

  void v1beta1_item(const CustomMetricValueRef& v) {
    out_.append(R"({"describedObject":)");
    described_object(v);
    out_.append(R"(,"metricName":)");
    detail::append_json_string(out_, v.metric);
    timestamp_window_value(v, R"(,"window":)");
    out_.append(R"(,"selector":)").append(selector_).push_back('}');
  }

  void v1beta2_item(const CustomMetricValueRef& v) {
    out_.append(R"({"describedObject":)");
    described_object(v);
    out_.append(R"(,"metric":{"name":)");
    detail::append_json_string(out_, v.metric);
    out_.append(R"(,"selector":)").append(selector_).push_back('}');
    timestamp_window_value(v, R"(,"windowSeconds":)");
    out_.push_back('}');
  }

 private:
  // core/v1 ObjectReference with omitempty keys: kind, namespace, name, apiVersion. kscale emits
  // "v1" for core objects where the Go helper emits "/v1"; clients ignore the field (§4.3).
  void described_object(const CustomMetricValueRef& v) {
    out_.append(R"({"kind":)");
    detail::append_json_string(out_, v.object->kind);
    if (!v.namespace_name.empty()) {
      out_.append(R"(,"namespace":)");
      detail::append_json_string(out_, v.namespace_name);
    }
    out_.append(R"(,"name":)");
    detail::append_json_string(out_, v.name);
    out_.append(R"(,"apiVersion":)");
    detail::append_json_string(out_, v.object->api_version);
    out_.push_back('}');
  }

  void timestamp_window_value(const CustomMetricValueRef& v, std::string_view window_key) {
    out_.append(R"(,"timestamp":)");
    detail::append_json_string(out_, timestamp(v.timestamp));
    if (v.window) {
      out_.append(window_key).append(std::to_string(v.window->count()));
    }
    out_.append(R"(,"value":)");
    detail::append_json_string(out_, v.value->to_string());
  }

  // Why: items of one write or one scrape share their timestamp (to the second, which is all
  // RFC 3339 here shows), and so do consecutive single writes; format each distinct second once
  // (per thread: the memo is a pure function of the second).
  static const std::string& timestamp(core::SystemTime t) {
    const auto second = std::chrono::floor<std::chrono::seconds>(t);
    thread_local std::optional<std::chrono::sys_seconds> formatted_second;
    thread_local std::string formatted;
    if (!formatted_second || *formatted_second != second) {
      formatted = core::format_rfc3339(t);
      formatted_second = second;
    }
    return formatted;
  }

  std::string& out_;
  const std::string selector_;
};

}  // namespace

std::string encode_metric_value_list(CustomVersion version,
                                     const std::vector<CustomMetricValue>& items,
                                     const json::value& selector_echo) {
  std::vector<CustomMetricValueRef> refs;
  refs.reserve(items.size());
  for (const auto& v : items) {
    refs.push_back(CustomMetricValueRef{&v.object, v.namespace_name, v.name, v.metric, v.timestamp,
                                        v.window, &v.value});
  }
  return encode_metric_value_list_refs(version, refs, selector_echo);
}

std::string encode_metric_value_list_refs(CustomVersion version,
                                          std::span<const CustomMetricValueRef> items,
                                          const json::value& selector_echo) {
  std::string out;
  out.reserve(128 + items.size() * 280);
  out.append(R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/)")
      .append(version_name(version))
      .append(R"(","metadata":{},"items":[)");
  ItemWriter writer(out, selector_echo);
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out.push_back(',');
    }
    if (version == CustomVersion::V1Beta1) {
      writer.v1beta1_item(items[i]);
    } else {
      writer.v1beta2_item(items[i]);
    }
  }
  out.append("]}");
  return out;
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

}  // namespace kscale::kube
