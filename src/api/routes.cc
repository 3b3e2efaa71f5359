#include "api/routes.h"

#include <boost/json.hpp>

#include "api/encoders.h"
#include "api/metric_handlers.h"

namespace kscale::api {

namespace {

using net::http::verb;
constexpr std::string_view kCustom = "/apis/custom.metrics.k8s.io";
constexpr std::string_view kExternal = "/apis/external.metrics.k8s.io";

// Every metrics-API route answers JSON only; 406 when the client accepts nothing of it.
template <class Fn>
net::Handler json_route(Fn fn) {
  return [fn](const net::RequestContext& ctx) -> core::Result<net::Response> {
    if (auto ok = require_json_accept(ctx.request); !ok) {
      return core::fail(ok.error());
    }
    return fn(ctx);
  };
}

std::string path(std::string_view prefix, std::string_view rest) {
  return std::string(prefix) + std::string(rest);
}

}  // namespace

void install_metrics_api_routes(net::Router& router, const CustomMetricsProvider& custom,
                                const ExternalMetricsProvider& external) {
  router.add(verb::get, "/apis", json_route([](const auto&) -> core::Result<net::Response> {
               return net::json_response(encode_api_group_list());
             }));
  router.add(verb::get, std::string(kCustom),
             json_route([](const auto&) -> core::Result<net::Response> {
               return net::json_response(encode_custom_api_group());
             }));
  router.add(verb::get, std::string(kExternal),
             json_route([](const auto&) -> core::Result<net::Response> {
               return net::json_response(encode_external_api_group());
             }));
  router.add(verb::get, path(kCustom, "/{version}"),
             json_route([&custom](const net::RequestContext& ctx) -> core::Result<net::Response> {
               const auto v = parse_custom_version(ctx.params.get("version"));
               if (!v) {
                 return core::fail(core::Error::route_not_found());
               }
               return net::json_response(
                   encode_custom_resource_list(*v, custom.list_all_metrics()));
             }));
  router.add(verb::get, path(kExternal, "/v1beta1"),
             json_route([&external](const auto&) -> core::Result<net::Response> {
               return net::json_response(
                   encode_external_resource_list(external.list_all_external_metrics()));
             }));
  // Shared by the copies of the read handlers (std::function copies its lambda), mutable because
  // it is a cache; it lives as long as the router holds those handlers. See api::ReadCache.
  auto cache = std::make_shared<ReadCache>();
  const auto custom_read = json_route([&custom, cache](const net::RequestContext& ctx) {
    return handle_custom_read(ctx, custom, cache.get());
  });
  router.add(verb::get, path(kCustom, "/{version}/namespaces/{namespace}/metrics/{metric}"),
             json_route([&custom, cache](const net::RequestContext& ctx) {
               return handle_namespace_metric(ctx, custom, cache.get());
             }));
  router.add(verb::get,
             path(kCustom, "/{version}/namespaces/{namespace}/{resource}/{name}/{metric}"),
             custom_read);
  router.add(verb::get, path(kCustom, "/{version}/{resource}/{name}/{metric}"), custom_read);
  router.add(verb::get, path(kExternal, "/v1beta1/namespaces/{namespace}/{metric}"),
             json_route([&external](const net::RequestContext& ctx) {
               return handle_external_read(ctx, external);
             }));
}

void install_health_routes(net::Router& router, const ServerInfo& info,
                           const net::MetricsRegistry& registry) {
  for (const char* p : {"/healthz", "/livez", "/readyz"}) {
    const bool readiness = std::string_view(p) == "/readyz";
    auto check = [&info, readiness](const net::RequestContext& ctx) -> core::Result<net::Response> {
      const bool ok = !readiness || info.ready();
      const bool verbose = ctx.query.has("verbose");
      const std::string& name = readiness ? info.ready_check : std::string("store");
      std::string body =
          ok ? (verbose ? "[+]ping ok\n[+]" + name + " ok\nhealthz check passed\n" : "ok")
             : "[+]ping ok\n[-]" + name + " failed: reason withheld\nhealthz check failed\n";
      return net::text_response(std::move(body), ok ? net::http::status::ok
                                                    : net::http::status::internal_server_error);
    };
    router.add(verb::get, p, check);
    router.add(verb::get, std::string(p) + "/{check}",
               [&info, readiness](const net::RequestContext& ctx) -> core::Result<net::Response> {
                 const auto c = ctx.params.get("check");
                 if (c != "ping" && c != "store" && c != info.ready_check) {
                   return core::fail(core::Error::route_not_found());
                 }
                 if (readiness && c == info.ready_check && !info.ready()) {
                   return net::text_response("[-]" + info.ready_check +
                                                 " failed: reason withheld\n",
                                             net::http::status::internal_server_error);
                 }
                 return net::text_response("ok");
               });
  }
  router.add(verb::get, "/version", [&info](const auto&) -> core::Result<net::Response> {
    return net::json_response(
        boost::json::serialize(boost::json::object{{"major", "0"},
                                                   {"minor", "1"},
                                                   {"gitVersion", info.git_version},
                                                   {"platform", "linux/amd64"}}));
  });
  router.add(verb::get, "/metrics", [&registry](const auto&) -> core::Result<net::Response> {
    return net::text_response(registry.serialize(), net::http::status::ok,
                              "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace kscale::api
