#pragma once
// hpa::reconcile: one pass of upstream's HorizontalController.reconcileAutoscaler
// (kubernetes pkg/controller/podautoscaler/horizontal.go) as a pure function of the HPA, its
// target's scale, the pods, the metrics answers, the controller's history and `now`.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "hpa/behavior.h"
#include "hpa/hpa_spec.h"
#include "hpa/metric_snapshot.h"
#include "hpa/pod.h"
#include "hpa/replica_calculator.h"
#include "hpa/replicas.h"

namespace kscale::hpa {

/// Feature gates that change the controller's behaviour; defaults as in the current release.
struct FeatureGates {
  bool hpa_scale_to_zero = false;
  bool hpa_configurable_tolerance = true;
  bool pod_level_resources = true;
};

/// kube-controller-manager's HPA flags and constants (RecommendedDefaultHPAControllerConfiguration).
struct ControllerConfig {
  double tolerance = 0.1;  // 0 means the default, as upstream's configuration defaulting does
  std::chrono::seconds downscale_stabilization_window = std::chrono::minutes(5);
  std::chrono::nanoseconds cpu_initialization_period = std::chrono::minutes(5);
  std::chrono::nanoseconds initial_readiness_delay = std::chrono::seconds(30);
  double scale_up_limit_factor = 2.0;
  double scale_up_limit_minimum = 4.0;
  FeatureGates feature_gates;
};

/// The target's autoscaling/v1 Scale, plus how the /scale calls behave in this pass.
struct Scale {
  Replicas spec_replicas;
  Replicas status_replicas;
  std::string selector;
  std::optional<std::string> error;         // GET /scale failed with this message
  std::optional<std::string> update_error;  // PUT /scale fails with this message
  int32_t update_conflicts = 0;             // PUT answers 409 this many times first
};

/// A Kubernetes event the controller would emit.
struct Event {
  bool warning = false;
  std::string reason;
  std::string message;
};

/// One metric's part of the decision.
struct MetricResult {
  bool evaluated = false;
  MetricCalculation calculation;  // replicas, usage, pods, error
  std::optional<MetricStatus> status;
  std::string description;  // upstream's metric name proposal, e.g. "pods metric qps"
  std::optional<std::string> condition_message;
};

/// Which branch of reconcileAutoscaler ran.
enum class ReconcileBranch { FailedGetScale, ScalingDisabled, AboveMax, BelowMin, Metrics };

/// Everything one reconcile decided. `status` is the HorizontalPodAutoscalerStatus the
/// controller writes; `desired` equals status.desired_replicas.
struct Decision {
  ReconcileBranch branch = ReconcileBranch::Metrics;
  Replicas desired;
  bool scale_updated = false;
  Replicas scale_replicas;
  std::optional<std::string> scale_error;
  std::optional<std::string> reconcile_error;
  HpaStatus status;
  std::vector<MetricResult> metrics;
  /// The metrics' combined proposal (max over successful metrics), before normalization.
  std::optional<Replicas> metric_proposal;
  std::string metric_description;  // the winning metric
  /// The stabilized recommendation before limits; nullopt when metrics were not evaluated.
  std::optional<Replicas> recommendation;
  std::optional<Normalization> normalization;
  std::optional<ResolvedBehavior> behavior;  // set when spec.behavior is
  Tolerances tolerances;
  std::string rescale_reason;
  std::vector<Event> events;
};

/// One reconcile. `metrics[i]` answers `hpa.spec.metrics[i]` (a missing entry reads as an empty
/// answer). `state` is the controller's history for this HPA and is updated as upstream updates
/// its in-memory maps. Never fails: errors are reported in the Decision as upstream reports them.
/// Not thread-safe for the same `state`.
Decision reconcile(const HorizontalPodAutoscaler& hpa, const Scale& scale,
                   std::span<const Pod> pods, std::span<const MetricSnapshot> metrics,
                   ControllerState& state, const ControllerConfig& config, core::SystemTime now);

/// tolerancesForHpa: the cluster tolerance, overridden per direction by
/// behavior.scale{Up,Down}.tolerance when the HPAConfigurableTolerance gate is on.
Tolerances tolerances_for_hpa(const HpaSpec& spec, const ControllerConfig& config);

/// "Deployment/default/web", as upstream names the scale target in errors.
std::string target_reference(const HorizontalPodAutoscaler& hpa);

}  // namespace kscale::hpa
