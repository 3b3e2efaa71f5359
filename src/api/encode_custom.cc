// MetricValueList encoders for custom.metrics.k8s.io v1beta1 and v1beta2 (metrics-api.md §4.1–4.3).

#include <algorithm>
#include <chrono>
#include <optional>

#include <boost/json.hpp>

#include "api/detail/json_arena.h"
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

// json::serialize into a string reserved for the expected size: a big answer is written once
// instead of through a chain of doubling reallocations.
std::string serialize(const json::object& doc, size_t expected_bytes) {
  json::serializer sr;
  sr.reset(&doc);
  std::string out;
  out.reserve(expected_bytes);  // no zero-fill: chunks are appended
  char chunk[16 * 1024];
  while (!sr.done()) {
    out.append(sr.read(chunk, sizeof(chunk)));
  }
  return out;
}

// Why: a MetricValueList of n items is ~10 n JSON nodes. Building them in one arena (monotonic
// buffer, released at once when the document is done) instead of one malloc/free per node, with
// every object reserved to its final size, makes encoding several times cheaper; it is the
// dominant cost of a batch write's answer and of an uncached read.
class ItemEncoder {
 public:
  ItemEncoder(json::storage_ptr sp, const json::value& selector) : sp_(std::move(sp)), selector_(selector, sp_) {}

  // core/v1 ObjectReference with omitempty keys: kind, namespace, name, apiVersion. kscale emits
  // "v1" for core objects where the Go helper emits "/v1"; clients ignore the field (§4.3).
  json::object described_object(const CustomMetricValueRef& v) const {
    json::object o(sp_);
    o.reserve(4);
    o.emplace("kind", v.object->kind);
    if (!v.namespace_name.empty()) {
      o.emplace("namespace", v.namespace_name);
    }
    o.emplace("name", v.name);
    o.emplace("apiVersion", v.object->api_version);
    return o;
  }

  json::object v1beta1_item(const CustomMetricValueRef& v) {
    json::object o(sp_);
    o.reserve(6);
    o.emplace("describedObject", described_object(v));
    o.emplace("metricName", v.metric);
    o.emplace("timestamp", timestamp(v.timestamp));
    if (v.window) {
      o.emplace("window", v.window->count());
    }
    o.emplace("value", v.value->to_string());
    o.emplace("selector", selector_);
    return o;
  }

  json::object v1beta2_item(const CustomMetricValueRef& v) {
    json::object o(sp_);
    o.reserve(5);
    o.emplace("describedObject", described_object(v));
    json::object metric(sp_);
    metric.reserve(2);
    metric.emplace("name", v.metric);
    metric.emplace("selector", selector_);
    o.emplace("metric", std::move(metric));
    o.emplace("timestamp", timestamp(v.timestamp));
    if (v.window) {
      o.emplace("windowSeconds", v.window->count());
    }
    o.emplace("value", v.value->to_string());
    return o;
  }

 private:
  // Why: items of one write or one scrape share their timestamp (to the second, which is all
  // RFC 3339 here shows), and so do consecutive single writes; format each distinct second once
  // (per thread: the memo is a pure function of the second).
  const json::string& timestamp(core::SystemTime t) {
    const auto second = std::chrono::floor<std::chrono::seconds>(t);
    if (!last_second_ || *last_second_ != second) {
      thread_local std::optional<std::chrono::sys_seconds> formatted_second;
      thread_local std::string formatted;
      if (!formatted_second || *formatted_second != second) {
        formatted = core::format_rfc3339(t);
        formatted_second = second;
      }
      last_second_ = second;
      last_text_ = json::string(formatted, sp_);
    }
    return last_text_;
  }

  json::storage_ptr sp_;
  json::value selector_;
  std::optional<std::chrono::sys_seconds> last_second_;
  json::string last_text_{sp_};
};

}  // namespace

std::string encode_metric_value_list(CustomVersion version, const std::vector<CustomMetricValue>& items,
                                     const json::value& selector_echo) {
  std::vector<CustomMetricValueRef> refs;
  refs.reserve(items.size());
  for (const auto& v : items) {
    refs.push_back(CustomMetricValueRef{&v.object, v.namespace_name, v.name, v.metric, v.timestamp, v.window, &v.value});
  }
  return encode_metric_value_list_refs(version, refs, selector_echo);
}

std::string encode_metric_value_list_refs(CustomVersion version, std::span<const CustomMetricValueRef> items,
                                     const json::value& selector_echo) {
  // ~600 bytes of nodes per item.
  detail::JsonArena arena(detail::JsonArena::Slot::Encode, 1024 + items.size() * 640);
  const json::storage_ptr sp = arena.storage();
  ItemEncoder encoder(sp, selector_echo);
  json::array arr(sp);
  arr.reserve(items.size());
  for (const auto& v : items) {
    arr.emplace_back(version == CustomVersion::V1Beta1 ? encoder.v1beta1_item(v) : encoder.v1beta2_item(v));
  }
  json::object doc(sp);
  doc.reserve(4);
  doc.emplace("kind", "MetricValueList");
  doc.emplace("apiVersion", std::string("custom.metrics.k8s.io/") + std::string(version_name(version)));
  doc.emplace("metadata", json::object(sp));
  doc.emplace("items", std::move(arr));
  return serialize(doc, 256 + items.size() * 260);
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
