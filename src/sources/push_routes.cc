#include "sources/push_routes.h"

#include <charconv>
#include <initializer_list>
#include <vector>

#include "core/object_names.h"
#include "kube/metric_value_list.h"
#include "sources/push_decode.h"

namespace kscale::sources {

namespace {

using net::http::verb;

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

core::Result<SingleWrite> decode_single_write(const net::RequestContext& ctx,
                                              const core::Clock& clock) {
  auto value = decode_value_body(ctx.request.body());
  auto labels = labels_param(ctx.query);
  auto window = window_param(ctx.query);
  if (!value || !labels || !window) {
    return core::fail(!value ? value.error() : !labels ? labels.error() : window.error());
  }
  return SingleWrite{std::move(*labels),
                     store::Sample{clock.system_now(), std::move(*value), *window}};
}

// The first failed check, else the single write.
core::Result<SingleWrite> checked_single_write(const net::RequestContext& ctx,
                                               const core::Clock& clock,
                                               std::initializer_list<core::Result<void>> checks) {
  for (const auto& check : checks) {
    if (!check) {
      return core::fail(check.error());
    }
  }
  return decode_single_write(ctx, clock);
}

// A stored write: the answer and how many values it stored.
struct Stored {
  net::Response response;
  size_t values = 0;
};

using PushHandler = core::Result<Stored> (*)(const net::RequestContext&, const PushContext&);

// The one place writes are counted: every push route is wrapped here, and each request counts
// once, as stored values or as one rejected request.
net::Handler counted(PushHandler handler, const PushContext& push) {
  return [handler, &push](const net::RequestContext& ctx) -> core::Result<net::Response> {
    auto stored = handler(ctx, push);
    if (!stored) {
      push.rejected_writes.inc();
      return core::fail(stored.error());
    }
    push.writes.inc(static_cast<double>(stored->values));
    return std::move(stored->response);
  };
}

core::Result<Stored> store_custom(CustomWrite write, const PushContext& push) {
  // The answer is encoded straight from the points (no copy into CustomMetricValue first), with
  // the resources the decoder resolved.
  std::vector<kube::CustomMetricValueRef> refs;
  refs.reserve(write.points.size());
  for (size_t i = 0; i < write.points.size(); ++i) {
    const auto& p = write.points[i];
    refs.push_back(kube::CustomMetricValueRef{
        &write.resources[write.resource_of[i]], p.key.namespace_name, p.key.object_name,
        p.key.metric, p.sample.timestamp, p.sample.window, &p.sample.value});
  }
  auto doc = kube::encode_metric_value_list_refs(kube::CustomVersion::V1Beta2, refs, nullptr);
  refs.clear();
  const size_t n = write.points.size();
  push.store.put_custom(std::move(write.points));
  return Stored{net::json_response(std::move(doc)), n};
}

core::Result<Stored> push_custom_value(const net::RequestContext& ctx, const PushContext& push) {
  if (auto ct = check_content_type(ctx.request); !ct) {
    return core::fail(ct.error());
  }
  const std::string_view ns = ctx.params.get("namespace");
  auto info = core::resolve_resource(ctx.params.get("resource"));
  if (!info) {
    return core::fail(info.error());
  }
  const std::string resource = info->group_resource.to_string();
  if (info->namespaced && ns.empty()) {
    return core::fail(core::Error::bad_request(
        resource + " are namespaced: write to /write-metrics/namespaces/<namespace>/" + resource +
        "/<name>/<metric>"));
  }
  if (!info->namespaced && !ns.empty()) {
    return core::fail(core::Error::bad_request(resource +
                                               " are cluster-scoped: write to /write-metrics/" +
                                               resource + "/<name>/<metric>"));
  }
  const std::string_view name = ctx.params.get("name");
  const std::string_view metric = ctx.params.get("metric");
  auto single =
      checked_single_write(ctx, push.clock,
                           {ns.empty() ? core::Result<void>{} : core::validate_namespace(ns),
                            core::validate_object_name(name), core::validate_metric_name(metric)});
  if (!single) {
    return core::fail(single.error());
  }
  CustomWrite write;
  write.points.push_back(store::CustomPoint{
      store::CustomSeriesKey{info->group_resource, std::string(ns), std::string(name),
                             std::string(metric), std::move(single->labels)},
      std::move(single->sample)});
  write.resources.push_back(std::move(*info));
  write.resource_of.push_back(0);
  return store_custom(std::move(write), push);
}

core::Result<Stored> push_custom_batch(const net::RequestContext& ctx, const PushContext& push) {
  if (auto ct = check_content_type(ctx.request); !ct) {
    return core::fail(ct.error());
  }
  auto write = decode_custom_write(ctx.request.body(), push.clock.system_now());
  if (!write) {
    return core::fail(write.error());
  }
  return store_custom(std::move(*write), push);
}

core::Result<Stored> store_external(std::vector<store::ExternalPoint> points,
                                    const PushContext& push) {
  std::vector<kube::ExternalMetricValue> values;
  values.reserve(points.size());
  for (const auto& p : points) {
    values.push_back(kube::ExternalMetricValue{
        p.key.metric, p.key.metric_labels, p.sample.timestamp, p.sample.window, p.sample.value});
  }
  const size_t n = points.size();
  push.store.put_external(std::move(points));
  return Stored{net::json_response(kube::encode_external_metric_value_list(values)), n};
}

core::Result<Stored> push_external_value(const net::RequestContext& ctx, const PushContext& push) {
  if (auto ct = check_content_type(ctx.request); !ct) {
    return core::fail(ct.error());
  }
  const std::string ns(ctx.params.get("namespace"));
  const std::string metric(ctx.params.get("metric"));
  auto single = checked_single_write(
      ctx, push.clock, {core::validate_namespace(ns), core::validate_metric_name(metric)});
  if (!single) {
    return core::fail(single.error());
  }
  std::vector<store::ExternalPoint> points;
  points.push_back(store::ExternalPoint{
      store::ExternalSeriesKey{ns, metric, std::move(single->labels)}, std::move(single->sample)});
  return store_external(std::move(points), push);
}

core::Result<Stored> push_external_batch(const net::RequestContext& ctx, const PushContext& push) {
  if (auto ct = check_content_type(ctx.request); !ct) {
    return core::fail(ct.error());
  }
  const std::string ns(ctx.params.get("namespace"));
  if (auto valid = core::validate_namespace(ns); !valid) {
    return core::fail(valid.error());
  }
  auto points = decode_external_metric_value_list(ctx.request.body(), ns, push.clock.system_now());
  if (!points) {
    return core::fail(points.error());
  }
  return store_external(std::move(*points), push);
}

}  // namespace

void install_push_routes(net::Router& router, const PushContext& push) {
  router.add(verb::post, "/write-metrics", counted(push_custom_batch, push));
  router.add(verb::post, "/write-metrics/namespaces/{namespace}/{resource}/{name}/{metric}",
             counted(push_custom_value, push));
  router.add(verb::post, "/write-metrics/{resource}/{name}/{metric}",
             counted(push_custom_value, push));
  router.add(verb::post, "/write-external-metrics/namespaces/{namespace}",
             counted(push_external_batch, push));
  router.add(verb::post, "/write-external-metrics/namespaces/{namespace}/{metric}",
             counted(push_external_value, push));
}

}  // namespace kscale::sources
