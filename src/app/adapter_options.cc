#include "app/adapter_options.h"

#include <tuple>

#include "core/go_duration.h"

namespace kscale::app {

namespace {

// Cluster mode: the connection (controller-runtime's order), the explicit review kubeconfigs,
// and the authentication and authorization settings in the types auth/ takes.
core::Result<void> complete_cluster(const AdapterOptions& o, AdapterConfig& config) {
  auto cluster = kube::resolve_client_config(kube::ClientConfigOptions{o.kubeconfig, o.context});
  if (!cluster) {
    return core::fail(cluster.error().with_context("--kubeconfig"));
  }
  config.cluster = std::move(*cluster);
  for (auto [path, out, flag] :
       {std::tuple{&o.authentication_kubeconfig, &config.authentication_cluster,
                   "--authentication-kubeconfig"},
        std::tuple{&o.authorization_kubeconfig, &config.authorization_cluster,
                   "--authorization-kubeconfig"}}) {
    if (path->empty()) {
      continue;
    }
    auto loaded = kube::load_kubeconfig(*path, "");
    if (!loaded) {
      return core::fail(loaded.error().with_context(flag));
    }
    *out = std::move(*loaded);
  }
  auto duration = [](const std::string& text,
                     const char* flag) -> core::Result<std::chrono::milliseconds> {
    auto d = core::parse_go_duration(text);
    if (!d) {
      return core::fail(d.error().with_context(flag));
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  };
  auto discovery = duration(o.discovery_interval, "--discovery-interval");
  auto token_ttl = duration(o.authentication_token_webhook_cache_ttl,
                            "--authentication-token-webhook-cache-ttl");
  auto allowed_ttl = duration(o.authorization_webhook_cache_authorized_ttl,
                              "--authorization-webhook-cache-authorized-ttl");
  auto denied_ttl = duration(o.authorization_webhook_cache_unauthorized_ttl,
                             "--authorization-webhook-cache-unauthorized-ttl");
  for (const auto* r : {&discovery, &token_ttl, &allowed_ttl, &denied_ttl}) {
    if (!*r) {
      return core::fail(r->error());
    }
  }
  if (o.client_qps < 0 || o.client_burst < 1) {
    return core::fail(core::Error::bad_request("--client-qps must be ≥ 0 and --client-burst ≥ 1"));
  }
  config.discovery_interval = *discovery;
  auto& f = config.authentication_flags;
  f.client_ca_file = o.client_ca_file;
  f.requestheader_client_ca_file = o.requestheader_client_ca_file;
  f.requestheader_allowed_names = o.requestheader_allowed_names;
  // Upstream's flag defaults apply only where the flag was not given.
  if (!o.requestheader_username_headers.empty()) {
    f.requestheader_username_headers = o.requestheader_username_headers;
  }
  if (!o.requestheader_group_headers.empty()) {
    f.requestheader_group_headers = o.requestheader_group_headers;
  }
  if (!o.requestheader_extra_headers_prefix.empty()) {
    f.requestheader_extra_headers_prefix = {o.requestheader_extra_headers_prefix};
  }
  f.requestheader_uid_headers = o.requestheader_uid_headers;
  f.authentication_kubeconfig = o.authentication_kubeconfig;
  f.authentication_skip_lookup = o.authentication_skip_lookup;
  f.authentication_tolerate_lookup_failure = o.authentication_tolerate_lookup_failure;
  f.token_webhook_cache_ttl = std::chrono::duration_cast<std::chrono::seconds>(*token_ttl);
  auto& a = config.authorizer_options;
  a.always_allow_paths = o.authorization_always_allow_paths;
  a.authorized_ttl = *allowed_ttl;
  a.unauthorized_ttl = *denied_ttl;
  a.push_authorization = o.push_authorization;
  return {};
}

}  // namespace

core::Result<AdapterConfig> complete(const AdapterOptions& o) {
  auto port_ok = [](int p) { return p >= 0 && p <= 65535; };
  if (!port_ok(o.secure_port) || !port_ok(o.http_port)) {
    return core::fail(
        core::Error::bad_request("--secure-port and --http-port must be between 0 and 65535"));
  }
  if (o.worker_threads == 0) {
    return core::fail(core::Error::bad_request("--worker-threads must be at least 1"));
  }
  AdapterConfig config{o};
  const auto max_age = core::parse_go_duration(o.metrics_max_age);
  if (!max_age) {
    return core::fail(max_age.error().with_context("--metrics-max-age"));
  }
  config.max_age = std::chrono::duration_cast<std::chrono::seconds>(*max_age);
  // --objects is the offline mode: the cluster is neither watched nor asked.
  if (!o.objects_file.empty() && !o.kubeconfig.empty()) {
    return core::fail(core::Error::bad_request(
        "--objects (offline mode) and --kubeconfig (cluster mode) exclude each other: choose one"));
  }
  if (o.objects_file.empty()) {
    if (auto r = complete_cluster(o, config); !r) {
      return core::fail(r.error());
    }
  }
  if (o.scrape_annotated_pods &&
      ((o.objects_file.empty() && !config.cluster) || o.scrape_config_file.empty())) {
    return core::fail(core::Error::bad_request(
        "--scrape-annotated-pods needs a cluster or --objects (the pods to scrape) and --scrape-config (the rules)"));
  }
  if (!o.scrape_config_file.empty()) {
    auto file = read_scrape_file(o.scrape_config_file);
    if (!file) {
      return core::fail(file.error().with_context("--scrape-config " + o.scrape_config_file));
    }
    config.scrape_file = std::move(*file);
  }
  if (o.scrape_annotated_pods) {
    const auto interval = sources::parse_prometheus_duration(o.scrape_annotated_pods_interval);
    if (!interval) {
      return core::fail(interval.error().with_context("--scrape-annotated-pods-interval"));
    }
    config.annotated_pods_interval = *interval;
  }
  return config;
}

}  // namespace kscale::app
