#include "sources/push_decode.h"

#include <algorithm>
#include <optional>

#include <boost/json.hpp>

#include "core/label_selector.h"
#include "core/object_names.h"
#include "core/text.h"
#include "kube/metric_value_list.h"

namespace kscale::sources {

namespace json = boost::json;

namespace {

// Why: the items of one batch almost always share kind, apiVersion, namespace and metric;
// resolving and validating each distinct value once instead of once per item.
struct BatchMemo {
  std::string kind;
  std::string api_version;
  std::optional<std::size_t> resource;  // index into CustomWrite::resources
  std::string valid_namespace;
  std::string valid_metric;
};

core::Result<std::size_t> resolve_described_kind(const kube::MetricValueItem& item, BatchMemo& memo,
                                                 std::vector<core::ResourceInfo>& resources) {
  if (memo.resource && memo.kind == item.described_kind &&
      memo.api_version == item.described_api_version) {
    return *memo.resource;
  }
  auto resolved = core::resolve_kind(item.described_kind, item.described_api_version);
  if (!resolved) {
    return core::fail(resolved.error().with_context("describedObject.kind"));
  }
  // Why: an unknown kind's resource is a guess from its text ("A_B" -> "a_bs"); the point is
  // stored, read and answered by that group-resource, so it must name itself as a resource.
  if (auto by_resource = core::resolve_resource(resolved->group_resource.to_string());
      !by_resource || !(by_resource->group_resource == resolved->group_resource)) {
    return core::fail(core::Error::bad_request(
        "describedObject.kind: kind \"" + std::string(item.described_kind) + "\" of apiVersion \"" +
        std::string(item.described_api_version) +
        "\" does not map to a valid resource (guessed \"" + resolved->group_resource.to_string() +
        "\")"));
  }
  auto same = std::find_if(resources.begin(), resources.end(), [&](const core::ResourceInfo& r) {
    return r.group_resource == resolved->group_resource;
  });
  if (same == resources.end()) {
    resources.push_back(std::move(*resolved));
    same = resources.end() - 1;
  }
  memo.resource = static_cast<std::size_t>(same - resources.begin());
  memo.kind = item.described_kind;
  memo.api_version = item.described_api_version;
  return *memo.resource;
}

core::Result<void> validate_custom_item(const kube::MetricValueItem& item,
                                        const core::ResourceInfo& info, bool v1beta1,
                                        BatchMemo& memo) {
  const std::string_view ns = item.described_namespace;
  if (info.namespaced && ns.empty()) {
    return core::fail(
        core::Error::bad_request("describedObject.namespace: required for namespaced kind " +
                                 std::string(item.described_kind)));
  }
  if (auto r = core::validate_object_name(item.described_name); !r) {
    return core::fail(r.error().with_context("describedObject.name"));
  }
  if (info.namespaced && ns != memo.valid_namespace) {
    if (auto r = core::validate_namespace(ns); !r) {
      return core::fail(r.error().with_context("describedObject.namespace"));
    }
    memo.valid_namespace = ns;
  }
  if (item.metric != memo.valid_metric || item.metric.empty()) {
    if (auto r = core::validate_metric_name(item.metric); !r) {
      return core::fail(r.error().with_context(v1beta1 ? "metricName" : "metric.name"));
    }
    memo.valid_metric = item.metric;
  }
  return {};
}

}  // namespace

core::Result<core::Quantity> decode_value_body(std::string_view body) {
  const std::string_view text = core::trim_space(body);
  if (text.empty()) {
    return core::fail(core::Error::bad_request("empty body: send the value, e.g. \"512.30\""));
  }
  if (text.front() != '"') {
    return kube::decode_quantity_text(text);
  }
  // Why: the seed's body is one short JSON string such as "512.30". When it holds only
  // printable ASCII other than '"' and '\\', its JSON value is exactly the text between the
  // quotes, so the parser is needed only for anything else (escapes, UTF-8, errors).
  if (text.size() >= 2 && text.back() == '"') {
    const std::string_view inner = text.substr(1, text.size() - 2);
    if (std::all_of(inner.begin(), inner.end(),
                    [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; })) {
      return kube::decode_quantity_text(inner);
    }
  }
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec) {
    return core::fail(core::Error::bad_request("request body is not valid JSON: " + ec.message()));
  }
  if (!doc.is_string()) {
    return core::fail(core::Error::bad_request("body must be one JSON string, number or quantity"));
  }
  return kube::decode_quantity(doc);
}

core::Result<core::Labels> decode_labels_param(std::string_view text) {
  core::Labels labels;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view pair = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return core::fail(
          core::Error::bad_request("invalid labels \"" + std::string(pair) + "\": want k=v,k2=v2"));
    }
    const std::string key(core::trim_space(pair.substr(0, eq)));
    const std::string value(core::trim_space(pair.substr(eq + 1)));
    if (auto e = core::validate_label_key(key); !e.empty()) {
      return core::fail(core::Error::bad_request("invalid label key \"" + key + "\": " + e));
    }
    if (auto e = core::validate_label_value(value); !e.empty()) {
      return core::fail(
          core::Error::bad_request("invalid label value \"" + value + "\" for " + key + ": " + e));
    }
    labels[key] = value;
  }
  return labels;
}

core::Result<CustomWrite> decode_custom_write(std::string_view body, core::SystemTime now) {
  CustomWrite out;
  BatchMemo memo;
  const kube::MetricValueSink sink = [&](kube::MetricValueItem& item) -> core::Result<void> {
    auto resource = resolve_described_kind(item, memo, out.resources);
    if (!resource) {
      return core::fail(resource.error());
    }
    const core::ResourceInfo& info = out.resources[*resource];
    if (auto r =
            validate_custom_item(item, info, item.version == kube::CustomVersion::V1Beta1, memo);
        !r) {
      return r;
    }
    out.points.push_back(store::CustomPoint{
        store::CustomSeriesKey{
            info.group_resource,
            std::string(info.namespaced ? item.described_namespace : std::string_view{}),
            std::string(item.described_name), std::string(item.metric), std::move(item.selector)},
        store::Sample{item.timestamp.value_or(now), std::move(item.value), item.window}});
    out.resource_of.push_back(*resource);
    return {};
  };
  if (auto r = kube::decode_metric_value_list(body, sink); !r) {
    return core::fail(r.error());
  }
  return out;
}

core::Result<std::vector<store::CustomPoint>> decode_metric_value_list(std::string_view body,
                                                                       core::SystemTime now) {
  return decode_custom_write(body, now).map([](CustomWrite&& w) { return std::move(w.points); });
}

core::Result<std::vector<store::ExternalPoint>> decode_external_metric_value_list(
    std::string_view body, const std::string& ns, core::SystemTime now) {
  std::vector<store::ExternalPoint> out;
  const kube::ExternalMetricValueSink sink =
      [&](kube::ExternalMetricValueItem& item) -> core::Result<void> {
    if (auto r = core::validate_metric_name(item.metric); !r) {
      return core::fail(r.error().with_context("metricName"));
    }
    out.push_back(store::ExternalPoint{
        store::ExternalSeriesKey{ns, std::string(item.metric), std::move(item.labels)},
        store::Sample{item.timestamp.value_or(now), std::move(item.value), item.window}});
    return {};
  };
  if (auto r = kube::decode_external_metric_value_list(body, sink); !r) {
    return core::fail(r.error());
  }
  return out;
}

}  // namespace kscale::sources
