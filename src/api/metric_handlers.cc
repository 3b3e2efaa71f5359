#include "api/metric_handlers.h"

#include <algorithm>
#include <memory>

#include <boost/json.hpp>

#include "api/encoders.h"

namespace kscale::api {

namespace {

core::Result<core::LabelSelector> selector_param(const net::QueryParams& query,
                                                 std::string_view key) {
  const auto text = query.get(key);
  if (!text || text->empty()) {
    return core::LabelSelector{};
  }
  auto sel = core::LabelSelector::parse(*text);
  if (!sel) {
    return core::fail(core::Error::bad_request("invalid " + std::string(key) + " \"" +
                                               std::string(*text) + "\": " + sel.error().message));
  }
  return sel;
}

// The metricLabelSelector echo (§4.5); operators a metav1.LabelSelector cannot hold echo null.
boost::json::value selector_echo(const core::LabelSelector& sel) {
  if (sel.empty()) {
    return nullptr;
  }
  auto echo = sel.to_label_selector_json();
  return echo ? *echo : boost::json::value(nullptr);
}

// fieldSelector: only metadata.name=<name> is meaningful; a mismatch with the path is a 400.
core::Result<void> check_field_selector(const net::QueryParams& query, std::string_view name) {
  const auto fs = query.get("fieldSelector");
  if (!fs || fs->empty()) {
    return {};
  }
  constexpr std::string_view kPrefix = "metadata.name=";
  if (!fs->starts_with(kPrefix) || (name != "*" && fs->substr(kPrefix.size()) != name)) {
    return core::fail(core::Error::bad_request("fieldSelector \"" + std::string(*fs) +
                                               "\" does not match the requested name \"" +
                                               std::string(name) + "\""));
  }
  return {};
}

// The cached answer to this exact request target, when the cache can prove it current.
std::shared_ptr<const std::string> cached_answer(const net::RequestContext& ctx,
                                                 const CustomMetricsProvider& provider,
                                                 const ReadCache* cache) {
  if (cache == nullptr) {
    return nullptr;
  }
  const auto version = provider.data_version();
  return version ? cache->find(ctx.request.target(), *version) : nullptr;
}

core::Result<net::Response> serve_custom(const net::RequestContext& ctx,
                                         const CustomMetricsProvider& provider,
                                         CustomVersion version, MetricQuery q, ReadCache* cache) {
  auto metric_sel = selector_param(ctx.query, "metricLabelSelector");
  if (!metric_sel) {
    return core::fail(metric_sel.error());
  }
  q.metric_selector = std::move(*metric_sel);
  // Taken before the read: an answer is cached only if no write happened while it was read.
  std::optional<DataVersion> before;
  std::vector<CustomMetricValue> items;
  if (q.name) {
    if (cache != nullptr && provider.answer_depends_only_on_data(q)) {
      before = provider.data_version();
    }
    auto one = provider.get_metric_by_name(q);
    if (!one) {
      return core::fail(one.error());
    }
    items.push_back(std::move(*one));
  } else {
    auto obj_sel = selector_param(ctx.query, "labelSelector");
    if (!obj_sel) {
      return core::fail(obj_sel.error());
    }
    q.object_selector = std::move(*obj_sel);
    if (cache != nullptr && provider.answer_depends_only_on_data(q)) {
      before = provider.data_version();
    }
    auto many = provider.get_metric_by_selector(q);
    if (!many) {
      return core::fail(many.error());
    }
    items = std::move(*many);
  }
  std::string body = encode_metric_value_list(version, items, selector_echo(q.metric_selector));
  if (before && !items.empty()) {
    if (const auto after = provider.data_version()) {
      core::SystemTime oldest = items.front().timestamp;
      for (const auto& item : items) {
        oldest = std::min(oldest, item.timestamp);
      }
      cache->insert(ctx.request.target(), std::make_shared<const std::string>(body), *before,
                    *after, oldest);
    }
  }
  return net::json_response(std::move(body));
}

}  // namespace

core::Result<void> require_json_accept(const net::Request& request) {
  if (!net::accepts_json(request[net::http::field::accept])) {
    return core::fail(core::Error::not_acceptable(
        "only the following media types are accepted: application/json, */*"));
  }
  return {};
}

core::Result<net::Response> handle_custom_read(const net::RequestContext& ctx,
                                               const CustomMetricsProvider& provider,
                                               ReadCache* cache) {
  // The whole request target is the key: the same target always decodes to the same query.
  if (auto hit = cached_answer(ctx, provider, cache)) {
    return net::json_response(*hit);
  }
  const auto version = parse_custom_version(ctx.params.get("version"));
  if (!version) {
    return core::fail(core::Error::route_not_found());
  }
  const std::string_view ns = ctx.params.get("namespace");
  const std::string_view name = ctx.params.get("name");
  // P/namespaces/<ns>/<metric> matches the root-scoped pattern but is not a valid request
  // (custom-metrics-apiserver PR #141).
  if (ns.empty() && ctx.params.get("resource") == "namespaces") {
    return core::fail(core::Error::bad_request("invalid request path"));
  }
  auto info = core::resolve_resource(ctx.params.get("resource"));
  if (!info) {
    return core::fail(info.error());
  }
  if (auto fs = check_field_selector(ctx.query, name); !fs) {
    return core::fail(fs.error());
  }
  MetricQuery q{*info,
                std::string(info->namespaced ? ns : ""),
                name == "*" ? std::nullopt : std::optional<std::string>(name),
                std::string(ctx.params.get("metric")),
                {},
                {}};
  return serve_custom(ctx, provider, *version, std::move(q), cache);
}

core::Result<net::Response> handle_namespace_metric(const net::RequestContext& ctx,
                                                    const CustomMetricsProvider& provider,
                                                    ReadCache* cache) {
  if (auto hit = cached_answer(ctx, provider, cache)) {
    return net::json_response(*hit);
  }
  const auto version = parse_custom_version(ctx.params.get("version"));
  if (!version) {
    return core::fail(core::Error::route_not_found());
  }
  auto info = core::resolve_resource("namespaces");
  MetricQuery q{
      *info, "", std::string(ctx.params.get("namespace")), std::string(ctx.params.get("metric")),
      {},    {}};
  return serve_custom(ctx, provider, *version, std::move(q), cache);
}

core::Result<net::Response> handle_external_read(const net::RequestContext& ctx,
                                                 const ExternalMetricsProvider& provider) {
  if (ctx.query.get("watch") == "true") {
    return core::fail(core::Error::method_not_allowed());
  }
  auto sel = selector_param(ctx.query, "labelSelector");
  if (!sel) {
    return core::fail(sel.error());
  }
  auto items = provider.get_external_metric(std::string(ctx.params.get("namespace")),
                                            std::string(ctx.params.get("metric")), *sel);
  if (!items) {
    return core::fail(items.error());
  }
  return net::json_response(encode_external_metric_value_list(*items));
}

}  // namespace kscale::api
