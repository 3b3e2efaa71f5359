// `kscale simulate -f hpa.yaml --load TRACE`: replays a load trace through the HPA engine and
// writes the timeline (CSV or JSON), a summary, and optionally an SVG plot. Exit 2 on invalid input.

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "autoscaler/load_trace.h"
#include "autoscaler/simulator.h"
#include "autoscaler/svg_plot.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "core/go_duration.h"
#include "kube/horizontal_pod_autoscaler.h"

namespace kscale::cli {

namespace {

struct SimulateFlags {
  std::string file;
  std::string load;
  std::string output = "csv";
  std::string out_file;
  std::string plot;
  std::string sync_period = "15s";
  std::string startup_delay = "30s";
  std::string duration;
  int initial_replicas = -1;
  double noise = 0;
  uint64_t seed = 1;
  double tolerance = 0.1;
  std::string downscale_window = "5m";
  std::string cpu_init = "5m";
  std::string readiness_delay = "30s";
  double scale_up_factor = 2;
  double scale_up_minimum = 4;
  bool scale_to_zero = false;
  bool configurable_tolerance = true;
  std::string cpu_request = "1";
};

std::chrono::seconds duration_flag(const std::string& flag, const std::string& text) {
  auto d = core::parse_go_duration(text);
  if (!d || d->count() < 0) {
    invalid(
        fmt::format("--{}: invalid duration \"{}\" (use Go syntax: 15s, 5m, 1h30m)", flag, text));
  }
  return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

void run_simulate(const SimulateFlags& f) {
  autoscaler::SimulationOptions o;
  o.controller.feature_gates.hpa_scale_to_zero = f.scale_to_zero;
  o.controller.feature_gates.hpa_configurable_tolerance = f.configurable_tolerance;
  auto hpa = kube::read_hpa_manifest(read_input(f.file), o.controller.feature_gates);
  if (!hpa) {
    invalid(f.file + ": " + hpa.error().message);
  }
  auto trace = autoscaler::parse_load_trace(read_input(f.load));
  if (!trace) {
    invalid(f.load + ": " + trace.error().message);
  }
  o.sync_period = duration_flag("sync-period", f.sync_period);
  o.startup_delay = duration_flag("startup-delay", f.startup_delay);
  if (!f.duration.empty()) {
    o.duration = duration_flag("duration", f.duration);
  }
  if (f.initial_replicas >= 0) {
    o.initial_replicas = f.initial_replicas;
  }
  if (f.noise < 0) {
    invalid("--noise: must not be negative");
  }
  if (f.tolerance < 0) {
    invalid("--horizontal-pod-autoscaler-tolerance: must not be negative");
  }
  o.noise = f.noise;
  o.seed = f.seed;
  o.controller.tolerance = f.tolerance;
  o.controller.downscale_stabilization_window =
      duration_flag("horizontal-pod-autoscaler-downscale-stabilization", f.downscale_window);
  o.controller.cpu_initialization_period =
      duration_flag("horizontal-pod-autoscaler-cpu-initialization-period", f.cpu_init);
  o.controller.initial_readiness_delay =
      duration_flag("horizontal-pod-autoscaler-initial-readiness-delay", f.readiness_delay);
  o.controller.scale_up_limit_factor = f.scale_up_factor;
  o.controller.scale_up_limit_minimum = f.scale_up_minimum;
  auto request = kube::parse_quantity_milli(f.cpu_request);
  if (!request || *request <= 0) {
    invalid("--pod-cpu-request: must be a positive quantity");
  }
  o.cpu_request_milli = *request;
  auto result = autoscaler::simulate(*hpa, *trace, o);
  if (!result) {
    invalid(f.file + ": " + result.error().message);
  }
  const auto& s = result->summary;
  if (f.output == "json") {
    write_output(f.out_file, boost::json::serialize(autoscaler::to_json(*result)) + "\n");
  } else {
    write_output(f.out_file, autoscaler::to_csv(*result));
  }
  if (!f.plot.empty()) {
    write_output(f.plot, autoscaler::render_svg(
                             *result, fmt::format("{}: {} over time", hpa->name, f.load)));
  }
  std::cerr << fmt::format(
      "summary: {} scale events, peak {} replicas, {:.0f} s above target, {:.0f} replica-seconds\n",
      s.scale_events, s.peak_replicas, s.seconds_above_target, s.replica_seconds);
}

}  // namespace

void add_simulate_command(CLI::App& app) {
  auto f = std::make_shared<SimulateFlags>();
  CLI::App* cmd = app.add_subcommand("simulate", "Replay a load trace through the HPA engine");
  cmd->add_option("-f,--filename", f->file, "autoscaling/v2 HorizontalPodAutoscaler manifest")
      ->required();
  cmd->add_option("--load", f->load, "CSV trace: time_s,<metric>... (total load per metric)")
      ->required();
  cmd->add_option("-o,--output", f->output, "Timeline format")
      ->check(CLI::IsMember({"csv", "json"}));
  cmd->add_option("--out", f->out_file, "Write the timeline here instead of stdout");
  cmd->add_option("--plot", f->plot, "Write an SVG plot here");
  cmd->add_option("--sync-period", f->sync_period, "HPA sync period")->capture_default_str();
  cmd->add_option("--startup-delay", f->startup_delay, "Time from pod creation until Ready")
      ->capture_default_str();
  cmd->add_option("--duration", f->duration, "Simulated time (default: the trace's end)");
  cmd->add_option("--initial-replicas", f->initial_replicas,
                  "Replicas at time 0 (default minReplicas)");
  cmd->add_option("--noise", f->noise, "Relative standard deviation of per-sample noise")
      ->capture_default_str();
  cmd->add_option("--seed", f->seed, "Noise seed")->capture_default_str();
  cmd->add_option("--pod-cpu-request", f->cpu_request, "CPU request per pod for Resource metrics")
      ->capture_default_str();
  cmd->add_option("--horizontal-pod-autoscaler-tolerance", f->tolerance)->capture_default_str();
  cmd->add_option("--horizontal-pod-autoscaler-downscale-stabilization", f->downscale_window)
      ->capture_default_str();
  cmd->add_option("--horizontal-pod-autoscaler-cpu-initialization-period", f->cpu_init)
      ->capture_default_str();
  cmd->add_option("--horizontal-pod-autoscaler-initial-readiness-delay", f->readiness_delay)
      ->capture_default_str();
  cmd->add_option("--scale-up-limit-factor", f->scale_up_factor)->capture_default_str();
  cmd->add_option("--scale-up-limit-minimum", f->scale_up_minimum)->capture_default_str();
  cmd->add_flag("--feature-gate-hpa-scale-to-zero", f->scale_to_zero, "Enable HPAScaleToZero");
  cmd->add_flag("!--no-configurable-tolerance", f->configurable_tolerance,
                "Disable HPAConfigurableTolerance");
  cmd->callback([f] { run_simulate(*f); });
}

}  // namespace kscale::cli
