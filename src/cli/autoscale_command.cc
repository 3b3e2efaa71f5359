// `kscale autoscale --local -f deployment.yaml -f hpa.yaml`: flags → app::LocalAutoscalerOptions →
// app::LocalAutoscaler (the HPA controller's loop over the Deployment's pods as local processes).
// Exit 2 on invalid manifests or flags.

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "app/local_autoscaler.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "cli/logging.h"
#include "core/clock.h"

namespace kscale::cli {

namespace {

struct AutoscaleFlags {
  app::LocalAutoscalerOptions options;
  int verbosity = 0;
};

void run_autoscale(AutoscaleFlags& f) {
  f.options.table = &std::cout;
  auto config = app::complete(f.options);
  if (!config) {
    invalid(config.error().message);
  }
  configure_logging(f.verbosity);
  core::RealClock clock;
  auto autoscaler = app::LocalAutoscaler::create(std::move(*config), clock);
  if (!autoscaler) {
    invalid(autoscaler.error().message);
  }
  (*autoscaler)->run();
}

}  // namespace

void add_autoscale_command(CLI::App& app) {
  auto f = std::make_shared<AutoscaleFlags>();
  auto& o = f->options;
  auto* cmd = app.add_subcommand(
      "autoscale", "Run the HPA control loop (--local: the Deployment's pods as local processes)");
  cmd->add_flag("--local", o.local,
                "Run the Deployment's pod template as local processes (the replicas)");
  cmd->add_option("-f,--filename", o.files,
                  "A Deployment (apps/v1) and a HorizontalPodAutoscaler (autoscaling/v2) manifest")
      ->required();
  cmd->add_option(
      "--pods-file", o.pods_file,
      "Where the pods are written as a Kubernetes List (for kscale adapter --objects ... --scrape-annotated-pods)");
  cmd->add_option("--logs-dir", o.logs_dir, "Where each replica's output goes (<pod>.log)");
  cmd->add_option("--metrics-server", o.metrics_server,
                  "The metrics API, e.g. https://127.0.0.1:6443");
  cmd->add_option("--certificate-authority", o.certificate_authority,
                  "PEM file to verify the metrics server with");
  cmd->add_flag("--insecure-skip-tls-verify", o.insecure_skip_tls_verify,
                "Do not verify the metrics server's certificate");
  cmd->add_option("--token", o.token, "Bearer token for the metrics server");
  cmd->add_option("--sync-period,--horizontal-pod-autoscaler-sync-period", o.sync_period,
                  "How often the HPA reconciles")
      ->capture_default_str();
  cmd->add_option("--horizontal-pod-autoscaler-downscale-stabilization", o.downscale_stabilization,
                  "Scale-down stabilization window when the HPA sets no behavior")
      ->capture_default_str();
  cmd->add_option("--horizontal-pod-autoscaler-tolerance", o.tolerance,
                  "Ratio change below which nothing scales")
      ->capture_default_str();
  cmd->add_option("--timeline", o.timeline,
                  "Append one JSON line per sync and per replica event to this file");
  cmd->add_option("--v", f->verbosity, "Log verbosity")->capture_default_str();
  cmd->callback([f] { run_autoscale(*f); });
}

}  // namespace kscale::cli
