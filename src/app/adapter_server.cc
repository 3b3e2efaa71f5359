#include "app/adapter_server.h"

#include <boost/asio/ssl/context.hpp>
#include <spdlog/spdlog.h>

#include "app/periodic.h"
#include "kube/object_list_file.h"
#include "net/process_collector.h"
#include "net/tls.h"

namespace kscale::app {

namespace asio = boost::asio;

namespace {

// --push-authorization: the plain port cannot tell who pushes, so it takes no pushes; they go to
// the secure port, where each is authorized as a create on the metric's resource.
asio::awaitable<std::optional<net::Response>> refuse_unauthenticated_pushes(net::Request& request,
                                                                            const net::Peer&) {
  const std::string_view target = request.target();
  if (!target.starts_with("/write-metrics") && !target.starts_with("/write-external-metrics")) {
    co_return std::nullopt;
  }
  co_return net::error_response(core::Error{
      core::StatusReason::Forbidden, 403,
      "--push-authorization is set: push to the secure port with credentials that may create the "
      "metric (the plain HTTP port is not authenticated)"});
}

}  // namespace

core::Result<std::unique_ptr<AdapterServer>> AdapterServer::create(AdapterConfig config,
                                                                   const core::Clock& clock) {
  auto server = std::make_unique<AdapterServer>(std::move(config), clock);
  auto access = ClusterAccess::open(server->config_, server->runtime_.io_context(),
                                    server->runtime_.tasks(), clock);
  if (!access) {
    return core::fail(access.error());
  }
  server->cluster_access_ = std::move(*access);
  if (server->cluster_access_) {
    server->cluster_ = &server->cluster_access_->cache();
    server->info_.ready = [access = server->cluster_access_.get()] { return access->synced(); };
    server->info_.ready_check = "informer-sync";
  } else if (auto r = server->open_objects(clock); !r) {
    return core::fail(r.error());
  }
  server->provider_ =
      std::make_unique<api::StoreMetricsProvider>(server->store_, *server->cluster_);
  if (auto r = server->start_listeners(); !r) {
    return core::fail(r.error());
  }
  if (auto r = server->start_scraper(); !r) {
    return core::fail(r.error());
  }
  return server;
}

AdapterServer::AdapterServer(AdapterConfig config, const core::Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      store_(clock, store::StoreOptions{config_.max_age}) {}

AdapterServer::~AdapterServer() = default;

// Standalone: object labels from --objects (offline), or the scraped pods' labels, or none.
core::Result<void> AdapterServer::open_objects(const core::Clock& clock) {
  const auto& o = config_.options;
  if (!o.objects_file.empty()) {
    auto objects = kube::ObjectListFile::open(o.objects_file, clock);
    if (!objects) {
      return core::fail(objects.error().with_context("--objects"));
    }
    offline_ = std::move(*objects);
  } else if (config_.scrape_file) {
    auto view = std::make_unique<kube::StaticClusterView>();
    scraped_pods_ = view.get();
    offline_ = std::move(view);
    spdlog::warn(
        "standalone (no cluster connection, no --objects): labelSelector selects among the scraped pods, by their labels in --scrape-config; no caller is authenticated");
  } else {
    offline_ = std::make_unique<kube::EmptyClusterView>();
    spdlog::warn(
        "standalone (no cluster connection, no --objects): labelSelector cannot be evaluated, every object with data is served, and no caller is authenticated");
  }
  cluster_ = offline_.get();
  return {};
}

// The one place that wires the routes: the metrics APIs, the push API (sources/) and health.
void AdapterServer::install_routes(net::Router& router) {
  net::register_process_collector(registry_);
  registry_.gauge_callback("kscale_store_series", "Series held in the store.",
                           [this] { return static_cast<double>(store_.series_count()); });
  registry_.counter_callback("kscale_store_evictions_total",
                             "Series evicted because nobody refreshed them.",
                             [this] { return static_cast<double>(store_.evictions()); });
  push_ = std::make_unique<sources::PushContext>(sources::PushContext{
      store_, clock_,
      registry_.counter("kscale_push_writes_total", "Metric values stored through the push API."),
      registry_.counter("kscale_push_rejected_writes_total",
                        "Push requests rejected as invalid.")});
  api::install_metrics_api_routes(router, *provider_, *provider_);
  sources::install_push_routes(router, *push_);
  api::install_health_routes(router, info_, registry_);
}

core::Result<void> AdapterServer::start_listeners() {
  const auto& o = config_.options;
  auto router = std::make_shared<net::Router>(&registry_);
  install_routes(*router);
  net::Limits limits;
  limits.body_limit = o.max_request_body_bytes;
  server_ = std::make_unique<net::Server>(runtime_.io_context(), router, limits, o.worker_threads);
  auto tls = net::make_server_tls_context(
      net::TlsOptions{o.tls_cert_file, o.tls_private_key_file, o.cert_dir, o.tls_sni});
  if (!tls) {
    return core::fail(tls.error().with_context("TLS"));
  }
  net::ListenOptions secure_options;
  if (cluster_access_) {
    // Every request of the secure port is authenticated and authorized (k8s.io/apiserver's
    // delegated filters); the handshake asks for, but does not require, a client certificate.
    secure_options.request_client_certificate = true;
    secure_options.gate = cluster_access_->gate();
  }
  const auto secure =
      server_->listen(o.bind_address, static_cast<uint16_t>(o.secure_port), *tls, secure_options);
  if (!secure) {
    return core::fail(secure.error().with_context("--secure-port"));
  }
  secure_port_ = *secure;
  spdlog::info("serving custom.metrics.k8s.io and external.metrics.k8s.io on https://{}:{}",
               o.bind_address, *secure);
  if (o.http_port != 0 || o.secure_port == 0) {
    net::ListenOptions plain_options;
    if (o.push_authorization) {
      plain_options.gate = refuse_unauthenticated_pushes;
    }
    const auto plain =
        server_->listen(o.bind_address, static_cast<uint16_t>(o.http_port), nullptr, plain_options);
    if (!plain) {
      return core::fail(plain.error().with_context("--http-port"));
    }
    http_port_ = *plain;
    spdlog::info("serving the push API and health on http://{}:{}", o.bind_address, *plain);
  }
  return {};
}

core::Result<void> AdapterServer::start_scraper() {
  if (!config_.scrape_file) {
    return {};
  }
  const auto& o = config_.options;
  auto& file = *config_.scrape_file;
  scraper_ = std::make_unique<sources::Scraper>(
      runtime_.io_context().get_executor(), runtime_.tasks(), store_, clock_,
      std::make_shared<const sources::ScrapeRules>(file.config.rules), &registry_);
  if (auto r = apply_targets(*scraper_, scraped_pods_, file.config.targets); !r) {
    return core::fail(r.error().with_context("--scrape-config " + o.scrape_config_file));
  }
  spdlog::info("--scrape-config {}: {} rules, {} targets", o.scrape_config_file,
               file.config.rules.size(), file.config.targets.size());
  if (o.scrape_annotated_pods) {
    pod_discovery_ =
        PodDiscovery{o.objects_file,      {}, config_.annotated_pods_interval, file.config.targets,
                     file.config.targets, {}};
    discover_pods(*pod_discovery_, *scraper_);
  }
  return {};
}

void AdapterServer::run() {
  // Drops values nobody refreshes so that memory follows what is live.
  runtime_.spawn(every(std::chrono::seconds(10),
                       [this] {
                         if (const size_t n = store_.evict_stale(); n > 0) {
                           spdlog::debug("evicted {} stale series", n);
                         }
                       }),
                 "eviction loop");
  if (scraper_) {
    runtime_.spawn(
        every(std::chrono::seconds(1),
              [this] { reload_scrape_file(*config_.scrape_file, *scraper_, scraped_pods_); }),
        "--scrape-config reload loop");
  }
  if (cluster_access_) {
    cluster_access_->start();
  }
  if (pod_discovery_) {
    runtime_.spawn(every(std::chrono::milliseconds(250),
                         [this] {
                           if (cluster_access_) {
                             discover_cluster_pods(*pod_discovery_, cluster_access_->cache(),
                                                   *scraper_);
                           } else {
                             discover_pods(*pod_discovery_, *scraper_);
                           }
                         }),
                   "--scrape-annotated-pods loop");
  }
  runtime_.run(config_.options.worker_threads, {server_.get()}, config_.options.shutdown_grace);
}

void AdapterServer::stop() { runtime_.stop(); }

}  // namespace kscale::app
