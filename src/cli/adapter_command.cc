// `kscale adapter`: the custom and external metrics API server (HTTPS on --secure-port) with the
// push API, health and /metrics also on the plain --http-port; with --scrape-config it also
// scrapes pods' /metrics and serves the rates its rules compute.

#include <memory>
#include <stdexcept>

#include <CLI/CLI.hpp>

#include "app/adapter_server.h"
#include "cli/commands.h"
#include "cli/logging.h"
#include "core/clock.h"

namespace kscale::cli {

namespace {

void run_adapter(const app::AdapterOptions& o, int verbosity) {
  configure_logging(verbosity);
  auto config = app::complete(o);
  if (!config) {
    throw std::runtime_error(config.error().message);
  }
  core::RealClock clock;
  auto server = app::AdapterServer::create(std::move(*config), clock);
  if (!server) {
    throw std::runtime_error(server.error().message);
  }
  (*server)->run();
}

void add_cluster_flags(CLI::App& cmd, app::AdapterOptions& o) {
  cmd.add_option("--kubeconfig", o.kubeconfig,
                 "The cluster to watch and to delegate authentication and authorization to (else "
                 "KUBECONFIG, the in-cluster service account, ~/.kube/config; none: standalone)");
  cmd.add_option("--context", o.context, "The kubeconfig context to use instead of the current");
  cmd.add_option("--client-qps", o.client_qps,
                 "Requests per second to the API server (not watches)")
      ->capture_default_str();
  cmd.add_option("--client-burst", o.client_burst, "Burst of requests to the API server")
      ->capture_default_str();
  cmd.add_option("--discovery-interval", o.discovery_interval,
                 "How often API discovery is refreshed")
      ->capture_default_str();
}

void add_authentication_flags(CLI::App& cmd, app::AdapterOptions& o) {
  cmd.add_option(
      "--authentication-kubeconfig", o.authentication_kubeconfig,
      "kubeconfig for TokenReviews and the authentication ConfigMap (default: the cluster's)");
  cmd.add_flag("--authentication-skip-lookup", o.authentication_skip_lookup,
               "Do not read kube-system/extension-apiserver-authentication");
  cmd.add_flag("--authentication-tolerate-lookup-failure", o.authentication_tolerate_lookup_failure,
               "Start even when that ConfigMap cannot be read (requests may then be anonymous)");
  cmd.add_option("--authentication-token-webhook-cache-ttl",
                 o.authentication_token_webhook_cache_ttl,
                 "How long TokenReview answers are cached")
      ->capture_default_str();
  cmd.add_option("--client-ca-file", o.client_ca_file,
                 "Trust client certificates signed by this CA (user = CN, groups = O)");
  cmd.add_option("--requestheader-client-ca-file", o.requestheader_client_ca_file,
                 "Trust X-Remote-* headers from front proxies whose certificate this CA signed");
  cmd.add_option("--requestheader-allowed-names", o.requestheader_allowed_names,
                 "Front-proxy certificate common names allowed (empty: any)")
      ->delimiter(',');
  cmd.add_option("--requestheader-username-headers", o.requestheader_username_headers,
                 "Headers naming the user")
      ->delimiter(',');
  cmd.add_option("--requestheader-group-headers", o.requestheader_group_headers,
                 "Headers naming the groups")
      ->delimiter(',');
  cmd.add_option("--requestheader-extra-headers-prefix", o.requestheader_extra_headers_prefix,
                 "Prefix of the headers carrying extra user information");
  cmd.add_option("--requestheader-uid-headers", o.requestheader_uid_headers,
                 "Headers naming the user's UID")
      ->delimiter(',');
}

void add_authorization_flags(CLI::App& cmd, app::AdapterOptions& o) {
  cmd.add_option("--authorization-kubeconfig", o.authorization_kubeconfig,
                 "kubeconfig for SubjectAccessReviews (default: the cluster's)");
  cmd.add_option("--authorization-always-allow-paths", o.authorization_always_allow_paths,
                 "Paths served without authorization ('*' at the end: a prefix)")
      ->delimiter(',')
      ->capture_default_str();
  cmd.add_option("--authorization-webhook-cache-authorized-ttl",
                 o.authorization_webhook_cache_authorized_ttl,
                 "How long allowed answers are cached")
      ->capture_default_str();
  cmd.add_option("--authorization-webhook-cache-unauthorized-ttl",
                 o.authorization_webhook_cache_unauthorized_ttl, "How long denials are cached")
      ->capture_default_str();
  cmd.add_flag("--push-authorization", o.push_authorization,
               "Authorize pushes on the secure port as a create on the metric's resource (use in "
               "production; the plain --http-port is never authenticated)");
}

}  // namespace

void add_adapter_command(CLI::App& app) {
  auto opts = std::make_shared<app::AdapterOptions>();
  auto verbosity = std::make_shared<int>(0);
  auto* cmd = app.add_subcommand(
      "adapter", "Serve custom.metrics.k8s.io and external.metrics.k8s.io, with the push API");
  cmd->add_option("--bind-address", opts->bind_address, "Address to listen on")
      ->capture_default_str();
  cmd->add_option("--secure-port", opts->secure_port,
                  "HTTPS port of the metrics API (0 = any free port)")
      ->capture_default_str();
  cmd->add_option("--http-port", opts->http_port,
                  "Plain HTTP port of the push API and health (0 = any free port)")
      ->capture_default_str();
  cmd->add_option("--cert-dir", opts->cert_dir,
                  "Where a self-signed certificate is written when no TLS files are given")
      ->capture_default_str();
  cmd->add_option("--tls-cert-file", opts->tls_cert_file, "Serving certificate (PEM)");
  cmd->add_option("--tls-private-key-file", opts->tls_private_key_file,
                  "Serving private key (PEM)");
  cmd->add_option("--tls-sni,--advertise-names", opts->tls_sni,
                  "Extra names for the self-signed certificate (service DNS names)")
      ->delimiter(',');
  cmd->add_option(
      "--objects", opts->objects_file,
      "A Kubernetes List file (kubectl get -o yaml) giving object labels for labelSelector");
  cmd->add_option(
      "--scrape-config", opts->scrape_config_file,
      "Scrape pods' /metrics: rules (series to metrics: rate, increase, gauge) and targets (YAML; targets reloaded on change)");
  cmd->add_flag(
      "--scrape-annotated-pods", opts->scrape_annotated_pods,
      "Also scrape the pods in --objects annotated prometheus.io/scrape: \"true\" (prometheus.io/port, /path, /scheme), following the file");
  cmd->add_option("--scrape-annotated-pods-interval", opts->scrape_annotated_pods_interval,
                  "Scrape interval of the annotated pods")
      ->capture_default_str();
  cmd->add_option("--metrics-max-age", opts->metrics_max_age,
                  "Values older than this are not served (0 = never)")
      ->capture_default_str();
  cmd->add_option("--worker-threads", opts->worker_threads, "I/O threads")->capture_default_str();
  cmd->add_option("--max-request-body-bytes", opts->max_request_body_bytes,
                  "Larger request bodies get 413")
      ->capture_default_str();
  add_cluster_flags(*cmd, *opts);
  add_authentication_flags(*cmd, *opts);
  add_authorization_flags(*cmd, *opts);
  cmd->add_option("--v", *verbosity, "Log verbosity (2+: access log)")->capture_default_str();
  cmd->callback([opts, verbosity] { run_adapter(*opts, *verbosity); });
}

}  // namespace kscale::cli
