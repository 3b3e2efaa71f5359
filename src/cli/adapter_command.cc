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
  cmd->add_option("--v", *verbosity, "Log verbosity (2+: access log)")->capture_default_str();
  cmd->callback([opts, verbosity] { run_adapter(*opts, *verbosity); });
}

}  // namespace kscale::cli
