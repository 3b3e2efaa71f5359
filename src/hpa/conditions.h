#pragma once
// HPA status conditions: the reasons the controller writes (spelled as upstream) and
// setConditionInList's update-in-place rule (kubernetes pkg/controller/podautoscaler/horizontal.go).

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "hpa/hpa_spec.h"

namespace kscale::hpa {

enum class ConditionReason {
  FailedGetScale,
  SucceededGetScale,
  ReadyForNewScale,
  ScaleDownStabilized,
  ScaleUpStabilized,
  SucceededRescale,
  FailedUpdateScale,
  ValidMetricFound,
  ScalingDisabled,
  InvalidSelector,
  AmbiguousSelector,
  FailedGetResourceMetric,
  FailedGetContainerResourceMetric,
  FailedGetPodsMetric,
  FailedGetObjectMetric,
  FailedGetExternalMetric,
  InvalidMetricSourceType,
  DesiredWithinRange,
  TooFewReplicas,
  TooManyReplicas,
  ScaleUpLimit,
  ScaleDownLimit,
  ScaledToZero,
  NotScaledToZero,
};

std::string_view condition_reason_name(ConditionReason reason);

/// Upstream setConditionInList: updates the condition of that type in place (appending it when
/// absent); lastTransitionTime changes only when the status changes.
void set_condition(std::vector<Condition>& conditions, ConditionType type, ConditionStatus status,
                   ConditionReason reason, std::string message, core::SystemTime now);

/// Removes the condition of that type, if present.
void remove_condition(std::vector<Condition>& conditions, ConditionType type);

/// The condition of that type, or nullptr.
const Condition* find_condition(const std::vector<Condition>& conditions, ConditionType type);

}  // namespace kscale::hpa
