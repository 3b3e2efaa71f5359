#include "api/push_decode.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>

#include <boost/json.hpp>

#include "api/detail/json_arena.h"
#include "core/label_selector.h"
#include "core/time_format.h"

namespace kscale::api {

namespace json = boost::json;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

core::Result<core::Quantity> checked_quantity(std::string_view text) {
  auto q = core::Quantity::parse(text);
  if (!q) {
    return core::fail(core::Error::bad_request("invalid value \"" + std::string(text) +
                                               "\": want a number or a Kubernetes quantity such as 512.30, 1500m or 2k"));
  }
  if (!q->fits_milli()) {
    return core::fail(core::Error::bad_request("value \"" + std::string(text) +
                                               "\" is out of range: the HPA reads values as int64 milli-units "
                                               "(|value| must be at most 9223372036854775)"));
  }
  return q;
}

core::Result<core::Quantity> quantity_from_json(const json::value& v) {
  if (v.is_string()) {
    return checked_quantity(trim(v.get_string()));
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

core::Result<const json::object*> member_object(const json::object& o, std::string_view key, bool required) {
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

// A view into the parsed document (valid while it lives): items are copied once, into the key.
core::Result<std::string_view> member_string(const json::object& o, std::string_view key, bool required) {
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
      return core::fail(core::Error::bad_request(std::string(field) + "." + std::string(kv.key()) + ": must be a string"));
    }
    const std::string key(kv.key());
    const std::string value(kv.value().get_string());
    if (auto e = core::validate_label_key(key); !e.empty()) {
      return core::fail(core::Error::bad_request(std::string(field) + ": invalid label key \"" + key + "\": " + e));
    }
    if (auto e = core::validate_label_value(value); !e.empty()) {
      return core::fail(core::Error::bad_request(std::string(field) + "." + key + ": invalid label value \"" + value + "\": " + e));
    }
    labels.emplace(key, value);
  }
  return labels;
}

core::Result<std::optional<std::chrono::seconds>> window_from_json(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return std::optional<std::chrono::seconds>{};
  }
  if (!v->is_int64() && !v->is_uint64()) {
    return core::fail(core::Error::bad_request(std::string(key) + ": must be an integer number of seconds"));
  }
  const int64_t s = v->is_int64() ? v->get_int64() : static_cast<int64_t>(v->get_uint64());
  if (s < 0) {
    return core::fail(core::Error::bad_request(std::string(key) + ": must not be negative"));
  }
  return std::optional<std::chrono::seconds>{std::chrono::seconds{s}};
}

core::Result<core::SystemTime> timestamp_from_json(const json::object& o, core::SystemTime now) {
  auto text = member_string(o, "timestamp", false);
  if (!text) {
    return core::fail(text.error());
  }
  if (text->empty()) {
    return now;
  }
  auto t = core::parse_rfc3339(*text);
  if (!t) {
    return core::fail(t.error().with_context("timestamp"));
  }
  return *t;
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

core::Result<const json::array*> list_items(const json::value& doc, std::string_view kind,
                                            std::initializer_list<std::string_view> api_versions) {
  if (!doc.is_object()) {
    return core::fail(core::Error::bad_request("request body must be a " + std::string(kind) + " object"));
  }
  const auto& o = doc.get_object();
  const auto* k = o.if_contains("kind");
  if (k == nullptr || !k->is_string() || k->get_string() != kind) {
    return core::fail(core::Error::bad_request("kind: must be " + std::string(kind)));
  }
  const auto* av = o.if_contains("apiVersion");
  bool av_ok = false;
  for (auto want : api_versions) {
    av_ok = av_ok || (av != nullptr && av->is_string() && av->get_string() == want);
  }
  if (!av_ok) {
    std::string wants;
    for (auto want : api_versions) {
      wants += (wants.empty() ? "" : " or ") + std::string(want);
    }
    return core::fail(core::Error::bad_request("apiVersion: must be " + wants));
  }
  const auto* items = o.if_contains("items");
  if (items == nullptr || !items->is_array()) {
    return core::fail(core::Error::bad_request("items: required, must be an array"));
  }
  return &items->get_array();
}

template <class T>
core::Result<T> at_item(core::Result<T> r, size_t i) {
  if (!r) {
    return core::fail(r.error().with_context("items[" + std::to_string(i) + "]"));
  }
  return r;
}

// Why: the items of one batch almost always share kind, apiVersion, namespace and metric;
// resolving and validating each distinct value once instead of once per item.
struct BatchMemo {
  std::string kind;
  std::string api_version;
  std::optional<core::ResourceInfo> info;
  std::string valid_namespace;
  std::string valid_metric;
};

core::Result<store::CustomPoint> decode_custom_item(const json::value& v, bool v1beta1, core::SystemTime now,
                                                    BatchMemo& memo) {
  if (!v.is_object()) {
    return core::fail(core::Error::bad_request("must be an object"));
  }
  const auto& o = v.get_object();
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
  if (!memo.info || memo.kind != *kind || memo.api_version != *api_version) {
    auto resolved = core::resolve_kind(*kind, *api_version);
    if (!resolved) {
      return core::fail(resolved.error().with_context("describedObject.kind"));
    }
    // Why: an unknown kind's resource is a guess from its text ("A_B" -> "a_bs"); the point is
    // stored, read and answered by that group-resource, so it must name itself as a resource.
    if (auto by_resource = core::resolve_resource(resolved->group_resource.to_string());
        !by_resource || !(by_resource->group_resource == resolved->group_resource)) {
      return core::fail(core::Error::bad_request(
          "describedObject.kind: kind \"" + std::string(*kind) + "\" of apiVersion \"" + std::string(*api_version) +
          "\" does not map to a valid resource (guessed \"" + resolved->group_resource.to_string() + "\")"));
    }
    memo.info = std::move(*resolved);
    memo.kind = *kind;
    memo.api_version = *api_version;
  }
  const core::ResourceInfo& info = *memo.info;
  if (info.namespaced && ns->empty()) {
    return core::fail(
        core::Error::bad_request("describedObject.namespace: required for namespaced kind " + std::string(*kind)));
  }
  if (auto r = validate_object_name(*name); !r) {
    return core::fail(r.error().with_context("describedObject.name"));
  }
  if (info.namespaced && *ns != memo.valid_namespace) {
    if (auto r = validate_namespace(*ns); !r) {
      return core::fail(r.error().with_context("describedObject.namespace"));
    }
    memo.valid_namespace = *ns;
  }
  std::string_view metric;
  const json::object* selector = nullptr;
  if (v1beta1) {
    auto m = member_string(o, "metricName", true);
    auto s = member_object(o, "selector", false);
    if (!m || !s) {
      return core::fail(!m ? m.error() : s.error());
    }
    metric = *m;
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
    metric = *m;
    selector = *s;
  }
  if (metric != memo.valid_metric || metric.empty()) {
    if (auto r = validate_metric_name(metric); !r) {
      return core::fail(r.error().with_context(v1beta1 ? "metricName" : "metric.name"));
    }
    memo.valid_metric = metric;
  }
  const json::object* match_labels = nullptr;
  if (selector != nullptr) {
    auto ml = member_object(*selector, "matchLabels", false);
    if (!ml) {
      return core::fail(ml.error().with_context("selector"));
    }
    match_labels = *ml;
  }
  auto labels = labels_from_json(match_labels, v1beta1 ? "selector.matchLabels" : "metric.selector.matchLabels");
  const auto* value = o.if_contains("value");
  if (value == nullptr) {
    return core::fail(core::Error::bad_request("value: required"));
  }
  auto q = quantity_from_json(*value);
  auto ts = timestamp_from_json(o, now);
  auto window = window_from_json(o, v1beta1 ? "window" : "windowSeconds");
  if (!labels || !q || !ts || !window) {
    return core::fail(!labels ? labels.error()
                      : !q    ? q.error().with_context("value")
                      : !ts   ? ts.error()
                              : window.error());
  }
  return store::CustomPoint{
      store::CustomSeriesKey{info.group_resource, std::string(info.namespaced ? *ns : std::string_view{}),
                             std::string(*name), std::string(metric), std::move(*labels)},
      store::Sample{*ts, std::move(*q), *window}};
}

}  // namespace

core::Result<core::Quantity> decode_value_body(std::string_view body) {
  const std::string_view text = trim(body);
  if (text.empty()) {
    return core::fail(core::Error::bad_request("empty body: send the value, e.g. \"512.30\""));
  }
  if (text.front() == '"') {
    // Why: the seed's body is one short JSON string such as "512.30". When it holds only
    // printable ASCII other than '"' and '\\', its JSON value is exactly the text between the
    // quotes, so the parser is needed only for anything else (escapes, UTF-8, errors).
    if (text.size() >= 2 && text.back() == '"') {
      const std::string_view inner = text.substr(1, text.size() - 2);
      if (std::all_of(inner.begin(), inner.end(),
                      [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; })) {
        return checked_quantity(trim(inner));
      }
    }
    auto doc = parse_json(text);
    if (!doc) {
      return core::fail(doc.error());
    }
    if (!doc->is_string()) {
      return core::fail(core::Error::bad_request("body must be one JSON string, number or quantity"));
    }
    return checked_quantity(trim(doc->get_string()));
  }
  return checked_quantity(text);
}

core::Result<core::Labels> decode_labels_param(std::string_view text) {
  core::Labels labels;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view pair = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return core::fail(core::Error::bad_request("invalid labels \"" + std::string(pair) + "\": want k=v,k2=v2"));
    }
    const std::string key(trim(pair.substr(0, eq)));
    const std::string value(trim(pair.substr(eq + 1)));
    if (auto e = core::validate_label_key(key); !e.empty()) {
      return core::fail(core::Error::bad_request("invalid label key \"" + key + "\": " + e));
    }
    if (auto e = core::validate_label_value(value); !e.empty()) {
      return core::fail(core::Error::bad_request("invalid label value \"" + value + "\" for " + key + ": " + e));
    }
    labels[key] = value;
  }
  return labels;
}

core::Result<void> validate_object_name(std::string_view name) {
  if (name == "*") {
    return core::fail(core::Error::bad_request("invalid object name \"*\": a write names one object"));
  }
  if (auto e = core::validate_dns1123_subdomain(name); !e.empty()) {
    return core::fail(core::Error::bad_request("invalid object name \"" + std::string(name) + "\": " + e));
  }
  return {};
}

core::Result<void> validate_namespace(std::string_view name) {
  if (auto e = core::validate_dns1123_label(name); !e.empty()) {
    return core::fail(core::Error::bad_request("invalid namespace \"" + std::string(name) + "\": " + e));
  }
  return {};
}

// Metric names travel as one path segment and in Prometheus-style rules; kscale accepts the
// Prometheus metric-name characters plus '-' and '.', which adapters also use.
core::Result<void> validate_metric_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 253;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                c == ':' || c == '-' || c == '.');
  }
  if (!ok) {
    return core::fail(core::Error::bad_request("invalid metric name \"" + std::string(name) +
                                               "\": use letters, digits, '_', ':', '-' or '.' (e.g. http_requests_qps)"));
  }
  return {};
}

core::Result<std::vector<store::CustomPoint>> decode_metric_value_list(std::string_view body, core::SystemTime now) {
  // Why: the parsed document is thousands of small nodes that all die together at the end of
  // this function; one arena for them replaces a malloc/free pair per node.
  detail::JsonArena arena(detail::JsonArena::Slot::Decode, 4096 + body.size() * 3);
  auto doc = parse_json(body, arena.storage());
  if (!doc) {
    return core::fail(doc.error());
  }
  auto items = list_items(*doc, "MetricValueList",
                          {"custom.metrics.k8s.io/v1beta1", "custom.metrics.k8s.io/v1beta2"});
  if (!items) {
    return core::fail(items.error());
  }
  const bool v1beta1 = doc->get_object().at("apiVersion").get_string() == "custom.metrics.k8s.io/v1beta1";
  std::vector<store::CustomPoint> out;
  out.reserve((*items)->size());
  BatchMemo memo;
  for (size_t i = 0; i < (*items)->size(); ++i) {
    auto p = at_item(decode_custom_item((**items)[i], v1beta1, now, memo), i);
    if (!p) {
      return core::fail(p.error());
    }
    out.push_back(std::move(*p));
  }
  return out;
}

core::Result<std::vector<store::ExternalPoint>> decode_external_metric_value_list(std::string_view body,
                                                                                  const std::string& ns,
                                                                                  core::SystemTime now) {
  auto doc = parse_json(body);
  if (!doc) {
    return core::fail(doc.error());
  }
  auto items = list_items(*doc, "ExternalMetricValueList", {"external.metrics.k8s.io/v1beta1"});
  if (!items) {
    return core::fail(items.error());
  }
  std::vector<store::ExternalPoint> out;
  for (size_t i = 0; i < (*items)->size(); ++i) {
    const auto& v = (**items)[i];
    auto decode = [&]() -> core::Result<store::ExternalPoint> {
      if (!v.is_object()) {
        return core::fail(core::Error::bad_request("must be an object"));
      }
      const auto& o = v.get_object();
      auto metric = member_string(o, "metricName", true);
      if (!metric) {
        return core::fail(metric.error());
      }
      if (auto r = validate_metric_name(*metric); !r) {
        return core::fail(r.error().with_context("metricName"));
      }
      auto lo = member_object(o, "metricLabels", false);
      if (!lo) {
        return core::fail(lo.error());
      }
      auto labels = labels_from_json(*lo, "metricLabels");
      const auto* value = o.if_contains("value");
      if (value == nullptr) {
        return core::fail(core::Error::bad_request("value: required"));
      }
      auto q = quantity_from_json(*value);
      auto ts = timestamp_from_json(o, now);
      auto window = window_from_json(o, "window");
      if (!labels || !q || !ts || !window) {
        return core::fail(!labels ? labels.error() : !q ? q.error().with_context("value") : !ts ? ts.error() : window.error());
      }
      return store::ExternalPoint{store::ExternalSeriesKey{ns, std::string(*metric), std::move(*labels)},
                                  store::Sample{*ts, std::move(*q), *window}};
    };
    auto p = at_item(decode(), i);
    if (!p) {
      return core::fail(p.error());
    }
    out.push_back(std::move(*p));
  }
  return out;
}

}  // namespace kscale::api
