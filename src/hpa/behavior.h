#pragma once
// Normalization of the metrics' proposal: the legacy path for HPAs without `behavior`
// (stabilizeRecommendation, convertDesiredReplicasWithRules) and the behavior path with API
// defaults, stabilization windows, rate-limit policies and scale events
// (kubernetes pkg/controller/podautoscaler/horizontal.go, pkg/apis/autoscaling/v2/defaults.go).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "hpa/conditions.h"
#include "hpa/hpa_spec.h"
#include "hpa/replicas.h"

namespace kscale::hpa {

/// Upstream timestampedRecommendation.
struct TimestampedRecommendation {
  Replicas replicas;
  core::SystemTime timestamp{};

  bool operator==(const TimestampedRecommendation&) const = default;
};

/// Upstream timestampedScaleEvent; `replica_change` is |new − previous|.
struct ScaleEvent {
  Replicas replica_change;
  core::SystemTime timestamp{};
  bool outdated = false;

  bool operator==(const ScaleEvent&) const = default;
};

/// The controller's in-memory history for one HPA. `recommendations` is nullopt until the
/// first reconcile records the current count (upstream's nil slice, distinct from empty).
struct ControllerState {
  std::optional<std::vector<TimestampedRecommendation>> recommendations;
  std::vector<ScaleEvent> scale_up_events;
  std::vector<ScaleEvent> scale_down_events;
};

/// HPAScalingRules after defaulting; every field set.
struct ResolvedRules {
  std::chrono::seconds stabilization_window{0};
  SelectPolicy select_policy = SelectPolicy::Max;
  std::vector<ScalingPolicy> policies;
  std::optional<double> tolerance;
};

struct ResolvedBehavior {
  ResolvedRules scale_up;
  ResolvedRules scale_down;
};

/// GenerateHPAScaleUpRules / GenerateHPAScaleDownRules, then the controller's
/// maybeInitScaleDownStabilizationWindow (an unset scale-down window becomes
/// `downscale_window`).
ResolvedBehavior resolve_behavior(const Behavior& behavior, std::chrono::seconds downscale_window);

/// What a normalization decided, with the AbleToScale and ScalingLimited conditions it sets.
struct Normalization {
  Replicas desired;
  Replicas stabilized;  // the recommendation before limits
  ConditionReason able_reason = ConditionReason::ReadyForNewScale;
  std::string able_message;
  ConditionReason limited_reason = ConditionReason::DesiredWithinRange;
  std::string limited_message;
  bool limited = false;  // ScalingLimited status True
};

struct LegacyLimits {
  std::chrono::seconds downscale_window = std::chrono::minutes(5);
  double scale_up_limit_factor = 2.0;
  double scale_up_limit_minimum = 4.0;
};

/// normalizeDesiredReplicas: legacy scale-down stabilization over `history` (updated in
/// place), then min/max and the max(factor × current, minimum) scale-up cap.
Normalization normalize_desired_replicas(std::vector<TimestampedRecommendation>& history,
                                         Replicas current, Replicas prenormalized,
                                         Replicas min_replicas, Replicas max_replicas,
                                         const LegacyLimits& limits, core::SystemTime now);

/// normalizeDesiredReplicasWithBehaviors: both-direction stabilization over `history` (updated
/// in place), then the policies' rate limits against the recorded scale events.
Normalization normalize_desired_replicas_with_behaviors(
    std::vector<TimestampedRecommendation>& history, const ControllerState& events,
    const ResolvedBehavior& behavior, Replicas current, Replicas prenormalized,
    Replicas min_replicas, Replicas max_replicas, core::SystemTime now);

/// calculateScaleUpLimitWithScalingRules: the policies' limit given the period-start count
/// (current − scale-ups + scale-downs within each policy period).
Replicas scale_up_limit(Replicas current, const ControllerState& events, const ResolvedRules& rules,
                        core::SystemTime now);

/// calculateScaleDownLimitWithBehaviors.
Replicas scale_down_limit(Replicas current, const ControllerState& events,
                          const ResolvedRules& rules, core::SystemTime now);

/// storeScaleEvent: records a successful rescale in the direction's list, overwriting the last
/// outdated event. Does nothing without behavior.
void store_scale_event(const ResolvedBehavior* behavior, ControllerState& state, Replicas previous,
                       Replicas next, core::SystemTime now);

}  // namespace kscale::hpa
