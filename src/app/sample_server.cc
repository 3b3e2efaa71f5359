#include "app/sample_server.h"

#include <array>
#include <string_view>

#include <spdlog/spdlog.h>

#include "net/process_collector.h"
#include "net/router.h"

namespace kscale::app {

// http_requests_total children resolved once, so that counting a request is one atomic add.
// Labels as client_golang's promhttp.InstrumentHandlerCounter writes them: lower-case method,
// numeric code.
class RequestCounters {
 public:
  explicit RequestCounters(net::MetricsRegistry& registry) {
    for (size_t m = 0; m < kMethods.size(); ++m) {
      for (size_t c = 0; c < kCodes.size(); ++c) {
        counters_[m][c] = &registry.counter(
            "http_requests_total", "Count of all HTTP requests.",
            {{"method", std::string(kMethods[m])}, {"code", std::string(kCodes[c])}});
      }
    }
  }
  void inc(net::http::verb verb, bool found) {
    const size_t m = verb == net::http::verb::get ? 0 : verb == net::http::verb::head ? 1 : 2;
    counters_[m][found ? 0 : 1]->inc();
  }

 private:
  static constexpr std::array<std::string_view, 3> kMethods = {"get", "head", "post"};
  static constexpr std::array<std::string_view, 2> kCodes = {"200", "404"};
  std::array<std::array<net::Counter*, 2>, 3> counters_{};
};

namespace {

net::Response metrics_response(const net::MetricsRegistry& registry) {
  return net::text_response(registry.serialize(), net::http::status::ok,
                            "text/plain; version=0.0.4; charset=utf-8");
}

// Every request on the service port is counted, /metrics included (the seeds load-test
// /metrics itself), except /healthz, so that kubelet probes do not look like traffic.
// `counters` and `registry` outlive the router.
void install_service_routes(net::Router& router, RequestCounters& counters,
                            const net::MetricsRegistry& registry, bool serve_metrics) {
  auto handler = [&counters, &registry,
                  serve_metrics](const net::RequestContext& ctx) -> core::Result<net::Response> {
    const std::string_view path = ctx.params.get("path");
    if (path == "healthz") {
      return net::text_response("ok");
    }
    if (path.empty()) {
      counters.inc(ctx.request.method(), true);
      return net::text_response("Hello from kscale httpserver\n");
    }
    if (path == "metrics" && serve_metrics) {
      counters.inc(ctx.request.method(), true);
      return metrics_response(registry);
    }
    counters.inc(ctx.request.method(), false);
    return net::text_response("404 page not found\n", net::http::status::not_found);
  };
  router.add(net::http::verb::get, "/{path...}", handler);
  router.add(net::http::verb::post, "/{path...}", handler);
}

}  // namespace

SampleServer::SampleServer(SampleServerOptions options)
    : options_(std::move(options)), counters_(std::make_unique<RequestCounters>(registry_)) {
  net::register_process_collector(registry_);
}

SampleServer::~SampleServer() = default;

core::Result<std::unique_ptr<SampleServer>> SampleServer::create(SampleServerOptions o) {
  auto port_ok = [](int p) { return p >= 0 && p <= 65535; };
  if (!port_ok(o.port) || !(o.metrics_port == -1 || port_ok(o.metrics_port))) {
    return core::fail(
        core::Error::bad_request("--port and --metrics-port must be between 0 and 65535"));
  }
  if (o.threads == 0) {
    return core::fail(core::Error::bad_request("--threads must be at least 1"));
  }
  auto server = std::make_unique<SampleServer>(std::move(o));
  if (auto r = server->listen(); !r) {
    return core::fail(r.error());
  }
  return server;
}

core::Result<void> SampleServer::listen() {
  const auto& o = options_;
  const bool separate_metrics = o.metrics_port != -1;
  auto service_router = std::make_shared<net::Router>();
  install_service_routes(*service_router, *counters_, registry_, !separate_metrics);
  service_ = std::make_unique<net::Server>(runtime_.io_context(), service_router, net::Limits{},
                                           o.threads);
  const auto port = service_->listen(o.bind_address, static_cast<uint16_t>(o.port), nullptr,
                                     net::ListenOptions{.reuse_port = o.reuse_port});
  if (!port) {
    return core::fail(port.error().with_context("--port"));
  }
  port_ = *port;
  spdlog::info("listening on http://{}:{}{}", o.bind_address, *port,
               o.reuse_port ? " (SO_REUSEPORT)" : "");
  if (!separate_metrics) {
    spdlog::info("serving metrics on http://{}:{}/metrics", o.bind_address, *port);
    return {};
  }
  auto router = std::make_shared<net::Router>();
  router->add(net::http::verb::get, "/metrics",
              [this](const net::RequestContext&) -> core::Result<net::Response> {
                return metrics_response(registry_);
              });
  router->add(net::http::verb::get, "/healthz",
              [](const net::RequestContext&) -> core::Result<net::Response> {
                return net::text_response("ok");
              });
  metrics_ = std::make_unique<net::Server>(runtime_.io_context(), router, net::Limits{}, o.threads);
  const auto mport =
      metrics_->listen(o.bind_address, static_cast<uint16_t>(o.metrics_port), nullptr);
  if (!mport) {
    return core::fail(mport.error().with_context("--metrics-port"));
  }
  spdlog::info("serving metrics on http://{}:{}/metrics", o.bind_address, *mport);
  return {};
}

void SampleServer::run() {
  std::vector<net::Server*> servers{service_.get()};
  if (metrics_) {
    servers.push_back(metrics_.get());
  }
  runtime_.run(options_.threads, std::move(servers), options_.shutdown_grace);
}

void SampleServer::stop() { runtime_.stop(); }

}  // namespace kscale::app
