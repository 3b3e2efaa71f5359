#pragma once
// app::AdapterServer: the custom and external metrics API server (HTTPS) with the push API,
// health and /metrics also on plain HTTP, and (with a scrape config) the scraper, its target
// reload and annotated-pod discovery; built from an AdapterConfig, run until SIGTERM, drained.

#include <cstdint>
#include <memory>
#include <optional>

#include "api/routes.h"
#include "api/store_metrics_provider.h"
#include "app/adapter_options.h"
#include "app/cluster_access.h"
#include "app/pod_discovery.h"
#include "app/runtime.h"
#include "core/clock.h"
#include "core/errors.h"
#include "kube/cluster_view.h"
#include "kube/static_cluster_view.h"
#include "net/metrics_registry.h"
#include "net/server.h"
#include "sources/push_routes.h"
#include "sources/scraper.h"
#include "store/series_store.h"

namespace kscale::app {

class AdapterServer {
 public:
  /// Opens what the config names (the --objects file, TLS), binds the listeners and sets the
  /// scrape targets; nothing runs before run(). `clock` must outlive the server.
  [[nodiscard]] static core::Result<std::unique_ptr<AdapterServer>> create(
      AdapterConfig config, const core::Clock& clock);
  ~AdapterServer();
  AdapterServer(const AdapterServer&) = delete;
  AdapterServer& operator=(const AdapterServer&) = delete;

  /// Serves on --worker-threads threads until SIGTERM, SIGINT or stop(); then stops accepting,
  /// lets requests in progress finish (up to the shutdown grace), cancels the background loops
  /// and returns.
  void run();
  /// Starts the shutdown; safe from any thread.
  void stop();

  uint16_t secure_port() const { return secure_port_; }
  /// The plain HTTP port; nullopt when none is served.
  std::optional<uint16_t> http_port() const { return http_port_; }

  AdapterServer(AdapterConfig config, const core::Clock& clock);  // use create()

 private:
  [[nodiscard]] core::Result<void> open_objects(const core::Clock& clock);
  [[nodiscard]] core::Result<void> start_listeners();
  [[nodiscard]] core::Result<void> start_scraper();
  void install_routes(net::Router& router);

  AdapterConfig config_;
  const core::Clock& clock_;
  Runtime runtime_;  // first: its io_context outlives everything below
  store::SeriesStore store_;
  std::unique_ptr<ClusterAccess> cluster_access_;    // cluster mode
  std::unique_ptr<kube::ClusterView> offline_;       // --objects, or the scraped pods' labels
  const kube::ClusterView* cluster_ = nullptr;       // the cluster cache or offline_
  kube::StaticClusterView* scraped_pods_ = nullptr;  // owned by offline_; without --objects
  std::unique_ptr<api::StoreMetricsProvider> provider_;
  net::MetricsRegistry registry_;
  std::unique_ptr<sources::PushContext> push_;
  api::ServerInfo info_;
  std::unique_ptr<net::Server> server_;
  std::unique_ptr<sources::Scraper> scraper_;
  std::optional<PodDiscovery> pod_discovery_;
  uint16_t secure_port_ = 0;
  std::optional<uint16_t> http_port_;
};

}  // namespace kscale::app
