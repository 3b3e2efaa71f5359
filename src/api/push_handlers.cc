#include "api/push_handlers.h"

#include <charconv>
#include <span>
#include <vector>

#include "api/encoders.h"
#include "api/push_decode.h"

namespace kscale::api {

namespace {

// JSON (the seed's Python), plain text (curl -d) and form posts (curl -d without -H) are
// accepted; anything else is a 415.
core::Result<void> check_content_type(const net::Request& req) {
  std::string_view ct = req[net::http::field::content_type];
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') {
    ct.remove_suffix(1);
  }
  if (ct.empty() || ct == "application/json" || ct == "text/plain" ||
      ct == "application/x-www-form-urlencoded") {
    return {};
  }
  return core::fail(core::Error::unsupported_media_type(
      "unsupported Content-Type \"" + std::string(ct) + "\": send application/json or text/plain"));
}

core::Result<std::optional<std::chrono::seconds>> window_param(const net::QueryParams& query) {
  const auto text = query.get("windowSeconds");
  if (!text) {
    return std::optional<std::chrono::seconds>{};
  }
  int64_t s = -1;
  const auto r = std::from_chars(text->data(), text->data() + text->size(), s);
  if (r.ec != std::errc{} || r.ptr != text->data() + text->size() || s < 0) {
    return core::fail(core::Error::bad_request("invalid windowSeconds \"" + std::string(*text) +
                                               "\": want a whole number of seconds"));
  }
  return std::optional<std::chrono::seconds>{std::chrono::seconds{s}};
}

core::Result<core::Labels> labels_param(const net::QueryParams& query) {
  const auto text = query.get("labels");
  return text ? decode_labels_param(*text) : core::Labels{};
}

// One value written by path: the body's value, ?labels= and ?windowSeconds=, at the server's clock.
struct SingleWrite {
  core::Labels labels;
  store::Sample sample;
};

core::Result<SingleWrite> decode_single_write(const net::RequestContext& ctx, const core::Clock& clock) {
  auto value = decode_value_body(ctx.request.body());
  auto labels = labels_param(ctx.query);
  auto window = window_param(ctx.query);
  if (!value || !labels || !window) {
    return core::fail(!value ? value.error() : !labels ? labels.error() : window.error());
  }
  return SingleWrite{std::move(*labels), store::Sample{clock.system_now(), std::move(*value), *window}};
}

// Counts the outcome once per request.
core::Result<net::Response> counted(core::Result<net::Response> r, const PushContext& push, size_t values) {
  if (r) {
    push.writes.inc(static_cast<double>(values));
  } else {
    push.rejected_writes.inc();
  }
  return r;
}

core::Result<net::Response> store_custom(std::vector<store::CustomPoint> points, const PushContext& push) {
  // The answer is encoded straight from the points (no copy into CustomMetricValue first), and
  // each distinct group-resource is resolved once: a batch is almost always one.
  size_t runs = 0;  // runs of one group-resource; sized first so `infos` never reallocates
  for (size_t i = 0; i < points.size(); ++i) {
    runs += i == 0 || !(points[i].key.group_resource == points[i - 1].key.group_resource) ? 1 : 0;
  }
  std::vector<core::ResourceInfo> infos;
  infos.reserve(runs);
  std::vector<CustomMetricValueRef> refs;
  refs.reserve(points.size());
  for (const auto& p : points) {
    if (infos.empty() || !(infos.back().group_resource == p.key.group_resource)) {
      infos.push_back(*core::resolve_resource(p.key.group_resource.to_string()));
    }
    refs.push_back(CustomMetricValueRef{&infos.back(), p.key.namespace_name, p.key.object_name, p.key.metric,
                                        p.sample.timestamp, p.sample.window, &p.sample.value});
  }
  auto doc = encode_metric_value_list_refs(CustomVersion::V1Beta2, refs, nullptr);
  refs.clear();
  const size_t n = points.size();
  push.store.put_custom(std::move(points));
  return counted(net::json_response(std::move(doc)), push, n);
}

core::Result<net::Response> decode_custom_value(const net::RequestContext& ctx, const PushContext& push) {
  if (auto ct = check_content_type(ctx.request); !ct) {
    return core::fail(ct.error());
  }
  const std::string_view ns = ctx.params.get("namespace");
  auto info = core::resolve_resource(ctx.params.get("resource"));
  if (!info) {
    return core::fail(info.error());
  }
  if (info->namespaced && ns.empty()) {
    return core::fail(core::Error::bad_request(info->group_resource.to_string() +
                                               " are namespaced: write to /write-metrics/namespaces/<namespace>/" +
                                               info->group_resource.to_string() + "/<name>/<metric>"));
  }
  if (!info->namespaced && !ns.empty()) {
    return core::fail(core::Error::bad_request(info->group_resource.to_string() +
                                               " are cluster-scoped: write to /write-metrics/" +
                                               info->group_resource.to_string() + "/<name>/<metric>"));
  }
  const std::string_view name = ctx.params.get("name");
  const std::string_view metric = ctx.params.get("metric");
  core::Result<void> valid = ns.empty() ? core::Result<void>{} : validate_namespace(ns);
  if (valid) {
    valid = validate_object_name(name);
  }
  if (valid) {
    valid = validate_metric_name(metric);
  }
  if (!valid) {
    return core::fail(valid.error());
  }
  auto write = decode_single_write(ctx, push.clock);
  if (!write) {
    return core::fail(write.error());
  }
  std::vector<store::CustomPoint> points;
  points.push_back(store::CustomPoint{
      store::CustomSeriesKey{info->group_resource, std::string(ns), std::string(name), std::string(metric),
                             std::move(write->labels)},
      std::move(write->sample)});
  return store_custom(std::move(points), push);
}

}  // namespace

core::Result<net::Response> handle_push_custom_value(const net::RequestContext& ctx, const PushContext& push) {
  auto r = decode_custom_value(ctx, push);
  if (!r) {
    push.rejected_writes.inc();
  }
  return r;
}

core::Result<net::Response> handle_push_custom_batch(const net::RequestContext& ctx, const PushContext& push) {
  if (auto ct = check_content_type(ctx.request); !ct) {
    return counted(core::fail(ct.error()), push, 0);
  }
  auto points = decode_metric_value_list(ctx.request.body(), push.clock.system_now());
  if (!points) {
    return counted(core::fail(points.error()), push, 0);
  }
  return store_custom(std::move(*points), push);
}

core::Result<net::Response> handle_push_external_value(const net::RequestContext& ctx, const PushContext& push) {
  auto run = [&]() -> core::Result<net::Response> {
    if (auto ct = check_content_type(ctx.request); !ct) {
      return core::fail(ct.error());
    }
    const std::string ns(ctx.params.get("namespace"));
    const std::string metric(ctx.params.get("metric"));
    auto valid = validate_namespace(ns);
    if (valid) {
      valid = validate_metric_name(metric);
    }
    if (!valid) {
      return core::fail(valid.error());
    }
    auto write = decode_single_write(ctx, push.clock);
    if (!write) {
      return core::fail(write.error());
    }
    store::ExternalPoint p{store::ExternalSeriesKey{ns, metric, std::move(write->labels)}, std::move(write->sample)};
    auto doc = encode_external_metric_value_list(
        {ExternalMetricValue{p.key.metric, p.key.metric_labels, p.sample.timestamp, p.sample.window, p.sample.value}});
    std::vector<store::ExternalPoint> points;
    points.push_back(std::move(p));
    push.store.put_external(std::move(points));
    return net::json_response(std::move(doc));
  };
  return counted(run(), push, 1);
}

core::Result<net::Response> handle_push_external_batch(const net::RequestContext& ctx, const PushContext& push) {
  if (auto ct = check_content_type(ctx.request); !ct) {
    return counted(core::fail(ct.error()), push, 0);
  }
  const std::string ns(ctx.params.get("namespace"));
  if (auto valid = validate_namespace(ns); !valid) {
    return counted(core::fail(valid.error()), push, 0);
  }
  auto points = decode_external_metric_value_list(ctx.request.body(), ns, push.clock.system_now());
  if (!points) {
    return counted(core::fail(points.error()), push, 0);
  }
  std::vector<ExternalMetricValue> values;
  for (const auto& p : *points) {
    values.push_back(ExternalMetricValue{p.key.metric, p.key.metric_labels, p.sample.timestamp, p.sample.window, p.sample.value});
  }
  const size_t n = points->size();
  push.store.put_external(std::move(*points));
  return counted(net::json_response(encode_external_metric_value_list(values)), push, n);
}

}  // namespace kscale::api
