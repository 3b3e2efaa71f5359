#include "hpa/conditions.h"

#include <algorithm>
#include <array>

namespace kscale::hpa {

namespace {

constexpr std::array<std::string_view, 24> kReasonNames = {
    "FailedGetScale",
    "SucceededGetScale",
    "ReadyForNewScale",
    "ScaleDownStabilized",
    "ScaleUpStabilized",
    "SucceededRescale",
    "FailedUpdateScale",
    "ValidMetricFound",
    "ScalingDisabled",
    "InvalidSelector",
    "AmbiguousSelector",
    "FailedGetResourceMetric",
    "FailedGetContainerResourceMetric",
    "FailedGetPodsMetric",
    "FailedGetObjectMetric",
    "FailedGetExternalMetric",
    "InvalidMetricSourceType",
    "DesiredWithinRange",
    "TooFewReplicas",
    "TooManyReplicas",
    "ScaleUpLimit",
    "ScaleDownLimit",
    "ScaledToZero",
    "NotScaledToZero",
};

}  // namespace

std::string_view condition_reason_name(ConditionReason reason) {
  return kReasonNames[static_cast<std::size_t>(reason)];
}

void set_condition(std::vector<Condition>& conditions, ConditionType type, ConditionStatus status,
                   ConditionReason reason, std::string message, core::SystemTime now) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [type](const Condition& c) { return c.type == type; });
  if (it == conditions.end()) {
    conditions.push_back(Condition{type, ConditionStatus::Unknown, {}, {}, std::nullopt});
    it = conditions.end() - 1;
    // A new condition has an empty status upstream, so it always gets a transition time.
    it->last_transition_time = now;
  } else if (it->status != status) {
    it->last_transition_time = now;
  }
  it->status = status;
  it->reason = condition_reason_name(reason);
  it->message = std::move(message);
}

void remove_condition(std::vector<Condition>& conditions, ConditionType type) {
  std::erase_if(conditions, [type](const Condition& c) { return c.type == type; });
}

const Condition* find_condition(const std::vector<Condition>& conditions, ConditionType type) {
  for (const auto& c : conditions) {
    if (c.type == type) {
      return &c;
    }
  }
  return nullptr;
}

}  // namespace kscale::hpa
