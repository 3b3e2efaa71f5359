#pragma once
// The metrics API's route table: every URL path the read API, discovery and health answer
// (after custom-metrics-apiserver installer/cmhandlers.go and emhandlers.go).

#include <functional>
#include <string>

#include "api/custom_metrics_provider.h"
#include "net/metrics_registry.h"
#include "net/router.h"

namespace kscale::api {

struct ServerInfo {
  std::string git_version = "v0.1.0";
  /// Readiness: false until the first data source has been started.
  std::function<bool()> ready = [] { return true; };
  /// The name /readyz gives that check ("informer-sync" while a cluster watch is not synced).
  std::string ready_check = "store";
};

/// Discovery, custom (v1beta1, v1beta2) and external (v1beta1) reads. Providers must outlive the
/// router.
void install_metrics_api_routes(net::Router& router, const CustomMetricsProvider& custom,
                                const ExternalMetricsProvider& external);

/// /healthz, /livez, /readyz (+ /<check>), /version, /metrics, and 404 for /openapi/v2|v3.
void install_health_routes(net::Router& router, const ServerInfo& info,
                           const net::MetricsRegistry& registry);

}  // namespace kscale::api
