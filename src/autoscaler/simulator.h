#pragma once
// autoscaler::simulate: replays a load trace through the HPA engine on a core::ManualClock, one
// reconcile per sync period, with pods that take a start-up delay to become Ready.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "autoscaler/load_trace.h"
#include "core/errors.h"
#include "hpa/reconcile.h"

namespace kscale::autoscaler {

struct SimulationOptions {
  std::chrono::seconds sync_period{15};
  std::chrono::seconds startup_delay{30};   // from pod creation until Running and Ready
  std::optional<int32_t> initial_replicas;  // default: minReplicas
  double noise = 0.0;                       // relative standard deviation per sample
  uint64_t seed = 1;
  std::optional<std::chrono::seconds> duration;      // default: the trace's last time
  int64_t cpu_request_milli = 1000;                  // per pod, for Resource utilization metrics
  int64_t memory_request_milli = 1'073'741'824'000;  // 1Gi per pod
  hpa::ControllerConfig controller;
};

struct SimulationStep {
  double time_s = 0;
  std::vector<double> load;  // total per HPA metric
  int32_t ready_pods = 0;
  std::vector<double> value;   // per metric, what the HPA saw (units, not milli)
  std::vector<double> target;  // per metric, in the same units
  std::optional<int32_t> recommendation;
  int32_t desired = 0;
  int32_t replicas = 0;  // after this reconcile
  std::string reasons;   // "AbleToScale/ScalingActive/ScalingLimited" reasons
};

struct SimulationSummary {
  int scale_events = 0;
  int32_t peak_replicas = 0;
  double seconds_above_target = 0;
  double replica_seconds = 0;
};

struct SimulationResult {
  std::vector<std::string> metric_names;
  std::vector<std::string> target_kinds;  // "AverageValue", "Utilization", "Value"
  int32_t min_replicas = 1;
  int32_t max_replicas = 1;
  std::vector<SimulationStep> steps;
  SimulationSummary summary;
};

/// Runs the simulation. Fails (naming the field) when a metric of the HPA has no trace column.
[[nodiscard]] core::Result<SimulationResult> simulate(const hpa::HorizontalPodAutoscaler& hpa,
                                                      const LoadTrace& trace,
                                                      const SimulationOptions& options);

/// One CSV row per sync period, with a header.
std::string to_csv(const SimulationResult& result);
/// {"metrics": [...], "steps": [...], "summary": {...}}.
boost::json::value to_json(const SimulationResult& result);

}  // namespace kscale::autoscaler
