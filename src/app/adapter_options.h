#pragma once
// app::AdapterOptions → complete() → AdapterConfig: the adapter's flags as given, then validated
// and parsed, as the Kubernetes generic API server's Options → Config.Complete() → CompletedConfig.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/scrape_file.h"
#include "auth/authentication_config.h"
#include "auth/authorizer.h"
#include "core/errors.h"
#include "kube/kubeconfig.h"

namespace kscale::app {

struct AdapterOptions {
  std::string bind_address = "0.0.0.0";
  int secure_port = 6443;
  int http_port = 8080;
  std::string cert_dir = "apiserver.local.config/certificates";
  std::string tls_cert_file;
  std::string tls_private_key_file;
  std::vector<std::string> tls_sni;
  std::string objects_file;
  std::string scrape_config_file;
  bool scrape_annotated_pods = false;
  std::string scrape_annotated_pods_interval = "5s";
  std::string metrics_max_age = "5m";
  unsigned worker_threads = std::max(1u, std::thread::hardware_concurrency());
  uint64_t max_request_body_bytes = 4 * 1024 * 1024;
  /// How long SIGTERM waits for requests in progress before closing their connections (the
  /// graceful termination of Kubernetes' generic API server).
  std::chrono::milliseconds shutdown_grace{10'000};

  // Cluster mode (kubernetes-integration.md §1–2): the connection, its client-side limits, and
  // how often API discovery is refreshed.
  std::string kubeconfig;
  std::string context;
  double client_qps = 20;
  int client_burst = 40;
  std::string discovery_interval = "10m";

  // Delegated authentication (§3), with k8s.io/apiserver's flag names and defaults. Empty header
  // lists and prefix = take them from the extension-apiserver-authentication ConfigMap.
  std::string authentication_kubeconfig;
  bool authentication_skip_lookup = false;
  bool authentication_tolerate_lookup_failure = false;
  std::string authentication_token_webhook_cache_ttl = "10s";
  std::string client_ca_file;
  std::string requestheader_client_ca_file;
  std::vector<std::string> requestheader_allowed_names;
  std::vector<std::string> requestheader_username_headers;
  std::vector<std::string> requestheader_group_headers;
  std::string requestheader_extra_headers_prefix;
  std::vector<std::string> requestheader_uid_headers;

  // Delegated authorization (§4).
  std::string authorization_kubeconfig;
  std::vector<std::string> authorization_always_allow_paths{"/healthz", "/readyz", "/livez"};
  std::string authorization_webhook_cache_authorized_ttl = "10s";
  std::string authorization_webhook_cache_unauthorized_ttl = "10s";
  /// Authorize pushes on the secure port as a `create` on the metric's resource (issue 9).
  bool push_authorization = false;
};

struct AdapterConfig {
  AdapterOptions options;
  std::chrono::seconds max_age{};
  std::optional<ScrapeFile> scrape_file;                // with --scrape-config
  std::chrono::milliseconds annotated_pods_interval{};  // with --scrape-annotated-pods
  /// Cluster mode: the connection that resolved; nullopt = standalone (or --objects offline).
  std::optional<kube::ClientConfig> cluster;
  std::optional<kube::ClientConfig> authentication_cluster;  // --authentication-kubeconfig
  std::optional<kube::ClientConfig> authorization_cluster;   // --authorization-kubeconfig
  std::chrono::milliseconds discovery_interval{};
  auth::AuthenticationFlags authentication_flags;
  auth::AuthorizerOptions authorizer_options;
};

/// Validates the options and reads what they name (durations, the --scrape-config file); the
/// error's message names the flag and says what is wrong.
[[nodiscard]] core::Result<AdapterConfig> complete(const AdapterOptions& options);

}  // namespace kscale::app
