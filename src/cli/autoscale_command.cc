// `kscale autoscale --local -f deployment.yaml -f hpa.yaml`: the HPA controller's loop on one
// machine — the Deployment's pod template runs as local processes, metrics are read through the
// metrics API over HTTPS as kube-controller-manager reads them. Exit 2 on invalid manifests.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "autoscaler/control_loop.h"
#include "autoscaler/local_process_group.h"
#include "autoscaler/metrics_client.h"
#include "cli/commands.h"
#include "cli/logging.h"
#include "core/clock.h"
#include "core/go_duration.h"
#include "hpa/reconcile.h"
#include "kube/deployment.h"
#include "kube/horizontal_pod_autoscaler.h"
#include "kube/manifest_document.h"

extern char** environ;

namespace kscale::cli {

namespace {

struct AutoscaleFlags {
  bool local = false;
  std::vector<std::string> files;
  std::string pods_file;
  std::string logs_dir;
  std::string metrics_server;
  std::string certificate_authority;
  bool insecure_skip_tls_verify = false;
  std::string token;
  std::string sync_period = "15s";
  std::string downscale_stabilization = "5m";
  double tolerance = 0.1;
  std::string timeline;
  int verbosity = 0;
};

std::atomic<int> g_signal{0};

void on_signal(int sig) { g_signal.store(sig); }

[[noreturn]] void invalid(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  throw CLI::RuntimeError(2);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    invalid("the path \"" + path + "\" does not exist or cannot be read");
  }
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::chrono::seconds duration_flag(const std::string& flag, const std::string& text) {
  auto d = core::parse_go_duration(text);
  if (!d || *d < std::chrono::seconds(0)) {
    invalid(flag + " " + text + ": " + (d ? "must not be negative" : d.error().message));
  }
  return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

void run_autoscale(const AutoscaleFlags& f) {
  if (!f.local) {
    invalid("only --local is implemented: run the Deployment's pods as local processes (add --local)");
  }
  std::optional<kube::Deployment> deployment;
  std::optional<hpa::HorizontalPodAutoscaler> hpa_object;
  std::string deployment_file;
  std::string hpa_file;
  for (const auto& file : f.files) {
    const std::string text = read_file(file);
    auto doc = kube::parse_document(text);
    if (!doc) {
      invalid(file + ": " + doc.error().message);
    }
    const auto* kind = doc->is_object() ? doc->as_object().if_contains("kind") : nullptr;
    const std::string k = kind != nullptr && kind->is_string() ? std::string(kind->as_string()) : "";
    if (k == "Deployment") {
      auto d = kube::read_deployment_manifest(text);
      if (!d) {
        invalid(file + ": " + d.error().message);
      }
      deployment = std::move(*d);
      deployment_file = file;
    } else if (k == "HorizontalPodAutoscaler") {
      auto h = kube::read_hpa_manifest(text, hpa::FeatureGates{});
      if (!h) {
        invalid(file + ": " + h.error().message);
      }
      hpa_object = std::move(*h);
      hpa_file = file;
    } else {
      invalid(file + ": kind: Unsupported value: \"" + k +
              "\": supported values: \"Deployment\" (apps/v1), \"HorizontalPodAutoscaler\" (autoscaling/v2)");
    }
  }
  if (!deployment || !hpa_object) {
    invalid(std::string("give both manifests: -f deployment.yaml -f hpa.yaml (missing the ") +
            (deployment ? "HorizontalPodAutoscaler" : "Deployment") + ")");
  }
  const auto& ref = hpa_object->spec.scale_target_ref;
  if (ref.kind != "Deployment" || ref.name != deployment->name || hpa_object->namespace_ != deployment->namespace_) {
    invalid(hpa_file + ": spec.scaleTargetRef: Invalid value: \"" + ref.kind + "/" + hpa_object->namespace_ + "/" +
            ref.name + "\": must name the Deployment in " + deployment_file + " (Deployment/" + deployment->namespace_ +
            "/" + deployment->name + ")");
  }
  if (f.metrics_server.empty()) {
    invalid("--metrics-server is required: the metrics API to read, e.g. https://127.0.0.1:6443 (kscale adapter)");
  }
  const auto sync_period = duration_flag("--sync-period", f.sync_period);
  if (sync_period.count() == 0) {
    invalid("--sync-period must be at least 1s");
  }
  hpa::ControllerConfig controller;
  controller.downscale_stabilization_window = duration_flag("--horizontal-pod-autoscaler-downscale-stabilization",
                                                            f.downscale_stabilization);
  controller.tolerance = f.tolerance;

  configure_logging(f.verbosity);
  auto metrics = autoscaler::MetricsClient::create(autoscaler::MetricsClientOptions{
      f.metrics_server, f.certificate_authority, f.insecure_skip_tls_verify, f.token, std::chrono::seconds(10)});
  if (!metrics) {
    invalid(metrics.error().message);
  }

  const auto state_dir = std::filesystem::temp_directory_path() /
                         ("kscale-" + deployment->namespace_ + "-" + deployment->name + "-" + std::to_string(getpid()));
  autoscaler::LocalProcessGroupOptions group_options;
  group_options.pods_file = f.pods_file.empty() ? state_dir / "pods.yaml" : std::filesystem::path(f.pods_file);
  group_options.logs_dir = f.logs_dir.empty() ? state_dir / "logs" : std::filesystem::path(f.logs_dir);
  std::error_code ec;
  std::filesystem::create_directories(group_options.logs_dir, ec);
  if (group_options.pods_file.has_parent_path()) {
    std::filesystem::create_directories(group_options.pods_file.parent_path(), ec);
  }
  for (char** e = environ; *e != nullptr; ++e) {
    group_options.base_env.emplace_back(*e);
  }

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  core::RealClock clock;
  spdlog::info("{}: {} replica(s) of Deployment/{} as local processes; pods in {}, their output in {}", hpa_object->name,
               deployment->replicas, deployment->name, group_options.pods_file.string(),
               group_options.logs_dir.string());
  spdlog::info("{}: metrics from {} every {}s", hpa_object->name, f.metrics_server, sync_period.count());
  autoscaler::LocalProcessGroup group(*deployment, group_options, clock);
  autoscaler::ControlLoopOptions loop_options{controller, f.timeline, &std::cout};
  autoscaler::ControlLoop loop(*hpa_object, group, **metrics, clock, loop_options);

  group.sync();
  loop.record(group.take_events());
  auto next_sync = clock.monotonic_now();
  while (g_signal.load() == 0) {
    group.sync();
    loop.record(group.take_events());
    const auto now = clock.monotonic_now();
    if (now >= next_sync) {
      loop.sync();
      next_sync += sync_period;
      if (next_sync < now) {
        next_sync = now + sync_period;
      }
      group.sync();  // apply a new scale at once rather than on the next tick
      loop.record(group.take_events());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  spdlog::info("received signal {}: stopping {} replica(s)", g_signal.load(), group.replicas().size());
  group.stop_all();
  loop.record(group.take_events());
  if (group.unexpected_exits() > 0) {
    spdlog::info("{} replica(s) ended on their own and were replaced", group.unexpected_exits());
  }
}

}  // namespace

void add_autoscale_command(CLI::App& app) {
  auto f = std::make_shared<AutoscaleFlags>();
  auto* cmd = app.add_subcommand("autoscale", "Run the HPA control loop (--local: the Deployment's pods as local processes)");
  cmd->add_flag("--local", f->local, "Run the Deployment's pod template as local processes (the replicas)");
  cmd->add_option("-f,--filename", f->files, "A Deployment (apps/v1) and a HorizontalPodAutoscaler (autoscaling/v2) manifest")
      ->required();
  cmd->add_option("--pods-file", f->pods_file,
                  "Where the pods are written as a Kubernetes List (for kscale adapter --objects ... --scrape-annotated-pods)");
  cmd->add_option("--logs-dir", f->logs_dir, "Where each replica's output goes (<pod>.log)");
  cmd->add_option("--metrics-server", f->metrics_server, "The metrics API, e.g. https://127.0.0.1:6443");
  cmd->add_option("--certificate-authority", f->certificate_authority, "PEM file to verify the metrics server with");
  cmd->add_flag("--insecure-skip-tls-verify", f->insecure_skip_tls_verify, "Do not verify the metrics server's certificate");
  cmd->add_option("--token", f->token, "Bearer token for the metrics server");
  cmd->add_option("--sync-period,--horizontal-pod-autoscaler-sync-period", f->sync_period, "How often the HPA reconciles")
      ->capture_default_str();
  cmd->add_option("--horizontal-pod-autoscaler-downscale-stabilization", f->downscale_stabilization,
                  "Scale-down stabilization window when the HPA sets no behavior")
      ->capture_default_str();
  cmd->add_option("--horizontal-pod-autoscaler-tolerance", f->tolerance, "Ratio change below which nothing scales")
      ->capture_default_str();
  cmd->add_option("--timeline", f->timeline, "Append one JSON line per sync and per replica event to this file");
  cmd->add_option("--v", f->verbosity, "Log verbosity")->capture_default_str();
  cmd->callback([f] { run_autoscale(*f); });
}

}  // namespace kscale::cli
