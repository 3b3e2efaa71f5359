#include "kube/metric_value_list.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <initializer_list>

#include <boost/json.hpp>

#include "core/label_selector.h"
#include "core/text.h"
#include "core/time_format.h"
#include "kube/detail/json_arena.h"

namespace kscale::kube {

namespace json = boost::json;

namespace {

// Why not core::json_reader: that reader builds each field's path as it goes, which is the right
// trade for manifests but a dozen allocations per item of a push batch. Here the path is only
// spelled when something is wrong ("items[2]: describedObject: name: required").

core::Result<const json::object*> member_object(const json::object& o, std::string_view key,
                                                bool required) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) {
      return core::fail(core::Error::bad_request(std::string(key) + ": required"));
    }
    return nullptr;
  }
  if (!v->is_object()) {
    return core::fail(core::Error::bad_request(std::string(key) + ": must be an object"));
  }
  return &v->get_object();
}

// A view into the parsed document (valid while it lives).
core::Result<std::string_view> member_string(const json::object& o, std::string_view key,
                                             bool required) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) {
      return core::fail(core::Error::bad_request(std::string(key) + ": required"));
    }
    return std::string_view{};
  }
  if (!v->is_string()) {
    return core::fail(core::Error::bad_request(std::string(key) + ": must be a string"));
  }
  return std::string_view(v->get_string());
}

core::Result<core::Labels> labels_from_json(const json::object* o, std::string_view field) {
  core::Labels labels;
  if (o == nullptr) {
    return labels;
  }
  for (const auto& kv : *o) {
    if (!kv.value().is_string()) {
      return core::fail(core::Error::bad_request(std::string(field) + "." + std::string(kv.key()) +
                                                 ": must be a string"));
    }
    const std::string key(kv.key());
    const std::string value(kv.value().get_string());
    if (auto e = core::validate_label_key(key); !e.empty()) {
      return core::fail(core::Error::bad_request(std::string(field) + ": invalid label key \"" +
                                                 key + "\": " + e));
    }
    if (auto e = core::validate_label_value(value); !e.empty()) {
      return core::fail(core::Error::bad_request(std::string(field) + "." + key +
                                                 ": invalid label value \"" + value + "\": " + e));
    }
    labels.emplace(key, value);
  }
  return labels;
}

core::Result<std::optional<std::chrono::seconds>> window_from_json(const json::object& o,
                                                                   std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return std::optional<std::chrono::seconds>{};
  }
  if (!v->is_int64() && !v->is_uint64()) {
    return core::fail(
        core::Error::bad_request(std::string(key) + ": must be an integer number of seconds"));
  }
  const int64_t s = v->is_int64() ? v->get_int64() : static_cast<int64_t>(v->get_uint64());
  if (s < 0) {
    return core::fail(core::Error::bad_request(std::string(key) + ": must not be negative"));
  }
  return std::optional<std::chrono::seconds>{std::chrono::seconds{s}};
}

core::Result<std::optional<core::SystemTime>> timestamp_from_json(const json::object& o) {
  auto text = member_string(o, "timestamp", false);
  if (!text) {
    return core::fail(text.error());
  }
  if (text->empty()) {
    return std::optional<core::SystemTime>{};
  }
  auto t = core::parse_rfc3339(*text);
  if (!t) {
    return core::fail(t.error().with_context("timestamp"));
  }
  return std::optional<core::SystemTime>{*t};
}

// value, timestamp and window of either kind of item.
template <class Item>
core::Result<void> read_sample(const json::object& o, std::string_view window_key, Item& item) {
  const auto* value = o.if_contains("value");
  if (value == nullptr) {
    return core::fail(core::Error::bad_request("value: required"));
  }
  auto q = decode_quantity(*value);
  auto ts = timestamp_from_json(o);
  auto window = window_from_json(o, window_key);
  if (!q || !ts || !window) {
    return core::fail(!q ? q.error().with_context("value") : !ts ? ts.error() : window.error());
  }
  item.value = std::move(*q);
  item.timestamp = *ts;
  item.window = *window;
  return {};
}

core::Result<void> read_described_object(const json::object& o, MetricValueItem& item) {
  auto obj = member_object(o, "describedObject", true);
  if (!obj) {
    return core::fail(obj.error());
  }
  auto kind = member_string(**obj, "kind", true);
  auto api_version = member_string(**obj, "apiVersion", false);
  auto ns = member_string(**obj, "namespace", false);
  auto name = member_string(**obj, "name", true);
  for (auto* r : {&kind, &api_version, &ns, &name}) {
    if (!*r) {
      return core::fail(r->error().with_context("describedObject"));
    }
  }
  item.described_kind = *kind;
  item.described_api_version = *api_version;
  item.described_namespace = *ns;
  item.described_name = *name;
  return {};
}

core::Result<void> read_metric(const json::object& o, bool v1beta1, MetricValueItem& item) {
  const json::object* selector = nullptr;
  if (v1beta1) {
    auto m = member_string(o, "metricName", true);
    auto s = member_object(o, "selector", false);
    if (!m || !s) {
      return core::fail(!m ? m.error() : s.error());
    }
    item.metric = *m;
    selector = *s;
  } else {
    auto mo = member_object(o, "metric", true);
    if (!mo) {
      return core::fail(mo.error());
    }
    auto m = member_string(**mo, "name", true);
    auto s = member_object(**mo, "selector", false);
    if (!m || !s) {
      return core::fail((!m ? m.error() : s.error()).with_context("metric"));
    }
    item.metric = *m;
    selector = *s;
  }
  const json::object* match_labels = nullptr;
  if (selector != nullptr) {
    auto ml = member_object(*selector, "matchLabels", false);
    if (!ml) {
      return core::fail(ml.error().with_context("selector"));
    }
    match_labels = *ml;
  }
  auto labels = labels_from_json(match_labels,
                                 v1beta1 ? "selector.matchLabels" : "metric.selector.matchLabels");
  if (!labels) {
    return core::fail(labels.error());
  }
  item.selector = std::move(*labels);
  return {};
}

core::Result<void> decode_custom_item(const json::value& v, bool v1beta1, MetricValueItem& item) {
  if (!v.is_object()) {
    return core::fail(core::Error::bad_request("must be an object"));
  }
  const auto& o = v.get_object();
  if (auto r = read_described_object(o, item); !r) {
    return r;
  }
  if (auto r = read_metric(o, v1beta1, item); !r) {
    return r;
  }
  return read_sample(o, v1beta1 ? "window" : "windowSeconds", item);
}

core::Result<void> decode_external_item(const json::value& v, ExternalMetricValueItem& item) {
  if (!v.is_object()) {
    return core::fail(core::Error::bad_request("must be an object"));
  }
  const auto& o = v.get_object();
  auto metric = member_string(o, "metricName", true);
  if (!metric) {
    return core::fail(metric.error());
  }
  item.metric = *metric;
  auto lo = member_object(o, "metricLabels", false);
  if (!lo) {
    return core::fail(lo.error());
  }
  auto labels = labels_from_json(*lo, "metricLabels");
  if (!labels) {
    return core::fail(labels.error());
  }
  item.labels = std::move(*labels);
  return read_sample(o, "window", item);
}

core::Result<void> at_item(core::Result<void> r, size_t i) {
  if (!r) {
    return core::fail(r.error().with_context("items[" + std::to_string(i) + "]"));
  }
  return r;
}

core::Result<const json::array*> items_of(const json::value& list) {
  const auto* items = list.is_object() ? list.get_object().if_contains("items") : nullptr;
  if (items == nullptr || items->is_null()) {
    static const json::array kEmpty;
    return &kEmpty;
  }
  if (!items->is_array()) {
    return core::fail(core::Error::bad_request("items: must be an array"));
  }
  return &items->get_array();
}

// `sp`: where the document's nodes live (default: the heap).
core::Result<json::value> parse_json(std::string_view body, json::storage_ptr sp = {}) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec, std::move(sp));
  if (ec) {
    return core::fail(core::Error::bad_request("request body is not valid JSON: " + ec.message()));
  }
  return doc;
}

// The push API's check of a list's kind and apiVersion, and that it has items.
core::Result<std::string_view> check_list(const json::value& doc, std::string_view kind,
                                          std::initializer_list<std::string_view> api_versions) {
  if (!doc.is_object()) {
    return core::fail(
        core::Error::bad_request("request body must be a " + std::string(kind) + " object"));
  }
  const auto& o = doc.get_object();
  const auto* k = o.if_contains("kind");
  if (k == nullptr || !k->is_string() || k->get_string() != kind) {
    return core::fail(core::Error::bad_request("kind: must be " + std::string(kind)));
  }
  const auto* av = o.if_contains("apiVersion");
  for (auto want : api_versions) {
    if (av != nullptr && av->is_string() && av->get_string() == want) {
      const auto* items = o.if_contains("items");
      if (items == nullptr || !items->is_array()) {
        return core::fail(core::Error::bad_request("items: required, must be an array"));
      }
      return want;
    }
  }
  std::string wants;
  for (auto want : api_versions) {
    wants += (wants.empty() ? "" : " or ") + std::string(want);
  }
  return core::fail(core::Error::bad_request("apiVersion: must be " + wants));
}

core::Result<core::Quantity> checked_quantity(std::string_view text) {
  auto q = core::Quantity::parse(text);
  if (!q) {
    return core::fail(core::Error::bad_request(
        "invalid value \"" + std::string(text) +
        "\": want a number or a Kubernetes quantity such as 512.30, 1500m or 2k"));
  }
  if (!q->fits_milli()) {
    return core::fail(
        core::Error::bad_request("value \"" + std::string(text) +
                                 "\" is out of range: the HPA reads values as int64 milli-units "
                                 "(|value| must be at most 9223372036854775)"));
  }
  return q;
}

}  // namespace

core::Result<core::Quantity> decode_quantity_text(std::string_view text) {
  return checked_quantity(core::trim_space(text));
}

core::Result<core::Quantity> decode_quantity(const json::value& v) {
  if (v.is_string()) {
    return checked_quantity(core::trim_space(v.get_string()));
  }
  if (v.is_int64()) {
    return checked_quantity(std::to_string(v.get_int64()));
  }
  if (v.is_uint64()) {
    return checked_quantity(std::to_string(v.get_uint64()));
  }
  if (v.is_double() && std::isfinite(v.get_double())) {
    // Upstream parses a JSON number's own text (Quantity.UnmarshalJSON), which Boost.JSON does
    // not keep. The shortest text that round-trips, in plain notation where that is shortest
    // ("512.3", not serialize's "5.123E2" that Quantity would keep in exponent form,
    // "512300e-3"), is that text for numbers as people write them.
    std::array<char, 64> buf{};
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v.get_double());
    return checked_quantity(std::string_view(buf.data(), static_cast<size_t>(end - buf.data())));
  }
  if (v.is_number()) {
    // ±Inf from an overflowing literal such as 1e400: serialize writes "1e99999", which
    // checked_quantity reports as out of range.
    return checked_quantity(json::serialize(v));
  }
  return core::fail(core::Error::bad_request("value must be a string or a number"));
}

std::optional<CustomVersion> custom_list_version(std::string_view api_version) {
  constexpr std::string_view kGroup = "custom.metrics.k8s.io/";
  if (!api_version.starts_with(kGroup)) {
    return std::nullopt;
  }
  return parse_custom_version(api_version.substr(kGroup.size()));
}

core::Result<void> decode_metric_value_items(const json::value& list, CustomVersion version,
                                             const MetricValueSink& sink) {
  auto items = items_of(list);
  if (!items) {
    return core::fail(items.error());
  }
  const bool v1beta1 = version == CustomVersion::V1Beta1;
  for (size_t i = 0; i < (*items)->size(); ++i) {
    MetricValueItem item;
    item.version = version;
    auto r = decode_custom_item((**items)[i], v1beta1, item);
    if (r) {
      r = sink(item);
    }
    if (!r) {
      return at_item(std::move(r), i);
    }
  }
  return {};
}

core::Result<void> decode_external_metric_value_items(const json::value& list,
                                                      const ExternalMetricValueSink& sink) {
  auto items = items_of(list);
  if (!items) {
    return core::fail(items.error());
  }
  for (size_t i = 0; i < (*items)->size(); ++i) {
    ExternalMetricValueItem item;
    auto r = decode_external_item((**items)[i], item);
    if (r) {
      r = sink(item);
    }
    if (!r) {
      return at_item(std::move(r), i);
    }
  }
  return {};
}

core::Result<void> decode_metric_value_list(std::string_view body, const MetricValueSink& sink) {
  // Why: the parsed document is thousands of small nodes that all die together at the end of
  // this function; one arena for them replaces a malloc/free pair per node.
  detail::JsonArena arena(detail::JsonArena::Slot::Decode, 4096 + body.size() * 3);
  auto doc = parse_json(body, arena.storage());
  if (!doc) {
    return core::fail(doc.error());
  }
  auto api_version = check_list(*doc, "MetricValueList",
                                {"custom.metrics.k8s.io/v1beta1", "custom.metrics.k8s.io/v1beta2"});
  if (!api_version) {
    return core::fail(api_version.error());
  }
  return decode_metric_value_items(*doc, *custom_list_version(*api_version), sink);
}

core::Result<void> decode_external_metric_value_list(std::string_view body,
                                                     const ExternalMetricValueSink& sink) {
  auto doc = parse_json(body);
  if (!doc) {
    return core::fail(doc.error());
  }
  if (auto r = check_list(*doc, "ExternalMetricValueList", {"external.metrics.k8s.io/v1beta1"});
      !r) {
    return core::fail(r.error());
  }
  return decode_external_metric_value_items(*doc, sink);
}

}  // namespace kscale::kube
