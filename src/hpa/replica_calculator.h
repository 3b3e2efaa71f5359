#pragma once
// The per-metric replica proposal of upstream's ReplicaCalculator
// (kubernetes pkg/controller/podautoscaler/replica_calculator.go and metrics/utilization.go),
// as pure functions over the selected pods and one metrics API answer.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "hpa/hpa_spec.h"
#include "hpa/metric_snapshot.h"
#include "hpa/pod.h"
#include "hpa/replicas.h"

namespace kscale::hpa {

/// Upstream Tolerances: a usage ratio r is within tolerance when
/// (1 − scale_down) ≤ r ≤ (1 + scale_up), both ends inclusive, in IEEE double arithmetic.
struct Tolerances {
  double scale_down = 0.1;
  double scale_up = 0.1;

  bool is_within(double usage_ratio) const {
    return (1.0 - scale_down) <= usage_ratio && usage_ratio <= (1.0 + scale_up);
  }
};

/// How groupPods classified the pods for one metric; names sorted.
struct PodGroups {
  int32_t ready = 0;
  std::vector<std::string> unready;
  std::vector<std::string> missing;
  std::vector<std::string> ignored;
};

/// Everything a calculation reads besides the metric answer. `pods` are the pods that match
/// the scale's selector, in list order.
struct CalculatorContext {
  std::span<const Pod* const> pods;
  std::string_view namespace_;  // the HPA's namespace, for error messages
  core::SystemTime now{};
  std::chrono::nanoseconds cpu_initialization_period = std::chrono::minutes(5);
  std::chrono::nanoseconds delay_of_initial_readiness_status = std::chrono::seconds(30);
  Tolerances tolerances;
  bool pod_level_resources = true;  // feature gate PodLevelResources
};

/// The outcome of one metric's calculation. On failure `error` holds upstream's message and
/// the other fields hold what was known before the failure (`pods` once pods were grouped).
struct MetricCalculation {
  std::optional<std::string> error;
  Replicas replicas;
  /// Average per pod (Resource, Pods), the value (Object/External Value) or the per-pod
  /// average reported in the status (Object/External AverageValue), in milli-units.
  int64_t usage = 0;
  std::optional<int32_t> utilization;      // Resource Utilization: the truncated percentage
  core::SystemTime timestamp{};            // zero time for Object/External Value, as upstream
  double usage_ratio = 0.0;                // first-pass ratio, for explanations
  std::optional<double> rebalanced_ratio;  // after missing/unready pods were filled in
  bool within_tolerance = false;
  std::optional<PodGroups> pods;
  int64_t ready_running_pods = -1;  // Object/External Value: the R multiplier; -1 if unused
};

/// GetResourceReplicas: Resource/ContainerResource with an averageUtilization target.
/// `container` empty means the whole pod.
MetricCalculation resource_replicas(Replicas current, int32_t target_utilization,
                                    std::string_view resource, std::string_view container,
                                    const MetricSnapshot& snapshot, const CalculatorContext& ctx);

/// GetRawResourceReplicas: Resource/ContainerResource with an averageValue target (milli).
MetricCalculation raw_resource_replicas(Replicas current, int64_t target_usage,
                                        std::string_view resource, std::string_view container,
                                        const MetricSnapshot& snapshot,
                                        const CalculatorContext& ctx);

/// GetMetricReplicas: a Pods metric with an averageValue target (milli).
MetricCalculation pods_metric_replicas(Replicas current, int64_t target_usage,
                                       std::string_view metric_name, const MetricSnapshot& snapshot,
                                       const CalculatorContext& ctx);

/// GetObjectMetricReplicas: an Object metric with a value target (milli).
MetricCalculation object_metric_replicas(Replicas current, int64_t target_usage,
                                         const MetricSpec& spec, const MetricSnapshot& snapshot,
                                         const CalculatorContext& ctx);

/// GetObjectPerPodMetricReplicas: an Object metric with an averageValue target (milli).
MetricCalculation object_per_pod_metric_replicas(Replicas status_replicas,
                                                 int64_t target_average_usage,
                                                 const MetricSpec& spec,
                                                 const MetricSnapshot& snapshot,
                                                 const CalculatorContext& ctx);

/// GetExternalMetricReplicas: an External metric with a value target (milli).
MetricCalculation external_metric_replicas(Replicas current, int64_t target_usage,
                                           const MetricSpec& spec, const MetricSnapshot& snapshot,
                                           const CalculatorContext& ctx);

/// GetExternalPerPodMetricReplicas: an External metric with an averageValue target (milli).
MetricCalculation external_per_pod_metric_replicas(Replicas status_replicas,
                                                   int64_t target_usage_per_pod,
                                                   const MetricSpec& spec,
                                                   const MetricSnapshot& snapshot,
                                                   const CalculatorContext& ctx);

}  // namespace kscale::hpa
