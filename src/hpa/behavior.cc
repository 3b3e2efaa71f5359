#include "hpa/behavior.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kscale::hpa {

namespace {

using std::chrono::seconds;

// Upstream: pkg/apis/autoscaling/v2/defaults.go, GenerateHPAScaleUpRules.
ResolvedRules default_scale_up_rules() {
  return ResolvedRules{seconds(0),
                       SelectPolicy::Max,
                       {ScalingPolicy{ScalingPolicyType::Pods, 4, seconds(15)},
                        ScalingPolicy{ScalingPolicyType::Percent, 100, seconds(15)}},
                       std::nullopt};
}

// Upstream: GenerateHPAScaleDownRules. The window is left unset for the controller to fill.
ResolvedRules default_scale_down_rules(seconds downscale_window) {
  return ResolvedRules{downscale_window,
                       SelectPolicy::Max,
                       {ScalingPolicy{ScalingPolicyType::Percent, 100, seconds(15)}},
                       std::nullopt};
}

// Upstream: copyHPAScalingRules: each set field of `from` overrides the default.
ResolvedRules copy_rules(const std::optional<ScalingRules>& from, ResolvedRules to) {
  if (!from) {
    return to;
  }
  if (from->select_policy) {
    to.select_policy = *from->select_policy;
  }
  if (from->stabilization_window) {
    to.stabilization_window = *from->stabilization_window;
  }
  if (from->policies) {
    to.policies = *from->policies;
  }
  to.tolerance = from->tolerance;
  return to;
}

int32_t saturate_i32(int64_t v) {
  return static_cast<int32_t>(std::clamp<int64_t>(v, std::numeric_limits<int32_t>::min(),
                                                  std::numeric_limits<int32_t>::max()));
}

// Upstream: getReplicasChangePerPeriod (events strictly after now − period count).
int32_t replicas_change_per_period(seconds period, const std::vector<ScaleEvent>& events,
                                   core::SystemTime now) {
  const auto cutoff = now - period;
  int32_t change = 0;
  for (const auto& e : events) {
    if (e.timestamp > cutoff) {
      change += e.replica_change.value();
    }
  }
  return change;
}

// Upstream: the replica count at the start of a policy period, current − added + removed.
int64_t period_start_replicas(Replicas current, seconds period, const ControllerState& events,
                              core::SystemTime now) {
  return int64_t{current.value()} -
         replicas_change_per_period(period, events.scale_up_events, now) +
         replicas_change_per_period(period, events.scale_down_events, now);
}

seconds longest_policy_period(const ResolvedRules& rules) {
  seconds longest{0};
  for (const auto& p : rules.policies) {
    longest = std::max(longest, p.period);
  }
  return longest;
}

// Upstream: markScaleEventsOutdated, then storeScaleEvent's overwrite-the-last-outdated rule.
void store_event(std::vector<ScaleEvent>& events, seconds longest_period, Replicas change,
                 core::SystemTime now) {
  const auto cutoff = now - longest_period;
  std::optional<std::size_t> old_index;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].timestamp < cutoff) {
      events[i].outdated = true;
    }
    if (events[i].outdated) {
      old_index = i;
    }
  }
  const ScaleEvent event{change, now, false};
  if (old_index) {
    events[*old_index] = event;
  } else {
    events.push_back(event);
  }
}

// Upstream: stabilizeRecommendation (legacy): entries at or after the cutoff count; the last
// entry before it is overwritten with the new proposal.
Replicas stabilize_legacy(std::vector<TimestampedRecommendation>& history, Replicas proposal,
                          seconds window, core::SystemTime now) {
  Replicas max_recommendation = proposal;
  std::optional<std::size_t> old_index;
  const auto cutoff = now - window;
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (history[i].timestamp < cutoff) {
      old_index = i;
    } else if (history[i].replicas > max_recommendation) {
      max_recommendation = history[i].replicas;
    }
  }
  const TimestampedRecommendation rec{proposal, now};
  if (old_index) {
    history[*old_index] = rec;
  } else {
    history.push_back(rec);
  }
  return max_recommendation;
}

// Upstream: stabilizeRecommendationWithBehaviors.
Replicas stabilize_with_behaviors(std::vector<TimestampedRecommendation>& history,
                                  const ResolvedBehavior& b, Replicas current, Replicas desired,
                                  core::SystemTime now) {
  Replicas up_recommendation = desired;
  Replicas down_recommendation = desired;
  const auto up_cutoff = now - b.scale_up.stabilization_window;
  const auto down_cutoff = now - b.scale_down.stabilization_window;
  const auto obsolete_cutoff =
      now - std::max(b.scale_up.stabilization_window, b.scale_down.stabilization_window);
  std::optional<std::size_t> old_index;
  for (std::size_t i = 0; i < history.size(); ++i) {
    const auto& rec = history[i];
    if (rec.timestamp > up_cutoff) {
      up_recommendation = std::min(rec.replicas, up_recommendation);
    }
    if (rec.timestamp > down_cutoff) {
      down_recommendation = std::max(rec.replicas, down_recommendation);
    }
    if (rec.timestamp < obsolete_cutoff) {
      old_index = i;
    }
  }
  const TimestampedRecommendation rec{desired, now};
  if (old_index) {
    history[*old_index] = rec;
  } else {
    history.push_back(rec);
  }
  Replicas recommendation = current;
  if (recommendation < up_recommendation) {
    recommendation = up_recommendation;
  }
  if (recommendation > down_recommendation) {
    recommendation = down_recommendation;
  }
  return recommendation;
}

constexpr std::string_view kUpLimitMessage =
    "the desired replica count is increasing faster than the maximum scale rate";
constexpr std::string_view kDownLimitMessage =
    "the desired replica count is decreasing faster than the maximum scale rate";
constexpr std::string_view kTooManyMessage =
    "the desired replica count is more than the maximum replica count";
constexpr std::string_view kTooFewMessage =
    "the desired replica count is less than the minimum replica count";
constexpr std::string_view kWithinRangeMessage = "the desired count is within the acceptable range";

void set_limit(Normalization& n, Replicas desired, ConditionReason reason,
               std::string_view message) {
  n.desired = desired;
  n.limited_reason = reason;
  n.limited_message = message;
}

// Upstream: convertDesiredReplicasWithBehaviorRate.
void convert_with_behavior_rate(Normalization& n, const ControllerState& events,
                                const ResolvedBehavior& b, Replicas current, Replicas min_replicas,
                                Replicas max_replicas, core::SystemTime now) {
  const Replicas desired = n.stabilized;
  set_limit(n, desired, ConditionReason::DesiredWithinRange, kWithinRangeMessage);
  if (desired > current) {
    const Replicas up_limit = std::max(scale_up_limit(current, events, b.scale_up, now), current);
    const bool rate = max_replicas > up_limit;
    const Replicas max_allowed = rate ? up_limit : max_replicas;
    if (desired > max_allowed) {
      set_limit(n, max_allowed,
                rate ? ConditionReason::ScaleUpLimit : ConditionReason::TooManyReplicas,
                rate ? kUpLimitMessage : kTooManyMessage);
    }
  } else if (desired < current) {
    const Replicas down_limit =
        std::min(scale_down_limit(current, events, b.scale_down, now), current);
    const bool rate = min_replicas < down_limit;
    const Replicas min_allowed = rate ? down_limit : min_replicas;
    if (desired < min_allowed) {
      set_limit(n, min_allowed,
                rate ? ConditionReason::ScaleDownLimit : ConditionReason::TooFewReplicas,
                rate ? kDownLimitMessage : kTooFewMessage);
    }
  }
  n.limited = n.desired != n.stabilized;
}

}  // namespace

ResolvedBehavior resolve_behavior(const Behavior& behavior, seconds downscale_window) {
  return ResolvedBehavior{
      copy_rules(behavior.scale_up, default_scale_up_rules()),
      copy_rules(behavior.scale_down, default_scale_down_rules(downscale_window))};
}

namespace {

// One policy's bound on the replicas from those at the start of its period: a scale-up percentage
// is rounded up, or a small one could never add a pod; a scale-down one truncates toward zero,
// as Go's int32(float) does.
int64_t policy_bound(bool scale_up, const ScalingPolicy& p, int64_t period_start) {
  if (p.type == ScalingPolicyType::Pods) {
    return scale_up ? period_start + p.value : period_start - p.value;
  }
  const double percent = static_cast<double>(p.value) / 100;
  if (scale_up) {
    return static_cast<int64_t>(std::ceil(static_cast<double>(period_start) * (1 + percent)));
  }
  return static_cast<int64_t>(std::trunc(static_cast<double>(period_start) * (1 - percent)));
}

// Upstream: calculateScaleUpLimitWithScalingRules and calculateScaleDownLimitWithBehaviors:
// selectPolicy Max picks the bound that allows the largest change (the most replicas up, the
// fewest down), Min the smallest.
Replicas scaling_limit(bool scale_up, Replicas current, const ControllerState& events,
                       const ResolvedRules& rules, core::SystemTime now) {
  if (rules.select_policy == SelectPolicy::Disabled) {
    return current;
  }
  const bool take_min = (rules.select_policy == SelectPolicy::Min) == scale_up;
  int64_t result =
      take_min ? std::numeric_limits<int32_t>::max() : std::numeric_limits<int32_t>::min();
  for (const auto& p : rules.policies) {
    const int64_t period_start = period_start_replicas(current, p.period, events, now);
    const int64_t proposed = policy_bound(scale_up, p, period_start);
    result = take_min ? std::min(result, proposed) : std::max(result, proposed);
  }
  return Replicas(saturate_i32(result));
}

}  // namespace

Replicas scale_up_limit(Replicas current, const ControllerState& events, const ResolvedRules& rules,
                        core::SystemTime now) {
  return scaling_limit(/*scale_up=*/true, current, events, rules, now);
}

Replicas scale_down_limit(Replicas current, const ControllerState& events,
                          const ResolvedRules& rules, core::SystemTime now) {
  return scaling_limit(/*scale_up=*/false, current, events, rules, now);
}

namespace {

// The AbleToScale reason once the recommendation is stabilized: ready when stabilization kept
// it, else which direction was held back (the legacy path only ever holds a scale-down).
void set_able_reason(Normalization& n, Replicas prenormalized, bool scale_up_held) {
  if (n.stabilized == prenormalized) {
    n.able_reason = ConditionReason::ReadyForNewScale;
    n.able_message = "recommended size matches current size";
  } else if (scale_up_held) {
    n.able_reason = ConditionReason::ScaleUpStabilized;
    n.able_message =
        "recent recommendations were lower than current one, applying the lowest recent "
        "recommendation";
  } else {
    n.able_reason = ConditionReason::ScaleDownStabilized;
    n.able_message =
        "recent recommendations were higher than current one, applying the highest recent "
        "recommendation";
  }
}

}  // namespace

Normalization normalize_desired_replicas(std::vector<TimestampedRecommendation>& history,
                                         Replicas current, Replicas prenormalized,
                                         Replicas min_replicas, Replicas max_replicas,
                                         const LegacyLimits& limits, core::SystemTime now) {
  Normalization n;
  n.stabilized = stabilize_legacy(history, prenormalized, limits.downscale_window, now);
  set_able_reason(n, prenormalized, /*scale_up_held=*/false);
  // Upstream: convertDesiredReplicasWithRules and calculateScaleUpLimit.
  const auto cap = static_cast<int32_t>(
      std::max(limits.scale_up_limit_factor * static_cast<double>(current.value()),
               limits.scale_up_limit_minimum));
  const bool rate = max_replicas.value() > cap;
  const Replicas max_allowed = rate ? Replicas(cap) : max_replicas;
  set_limit(n, n.stabilized, ConditionReason::DesiredWithinRange, kWithinRangeMessage);
  if (n.stabilized < min_replicas) {
    set_limit(n, min_replicas, ConditionReason::TooFewReplicas, kTooFewMessage);
  } else if (n.stabilized > max_allowed) {
    set_limit(n, max_allowed,
              rate ? ConditionReason::ScaleUpLimit : ConditionReason::TooManyReplicas,
              rate ? kUpLimitMessage : kTooManyMessage);
  }
  n.limited = n.desired != n.stabilized;
  return n;
}

Normalization normalize_desired_replicas_with_behaviors(
    std::vector<TimestampedRecommendation>& history, const ControllerState& events,
    const ResolvedBehavior& behavior, Replicas current, Replicas prenormalized,
    Replicas min_replicas, Replicas max_replicas, core::SystemTime now) {
  Normalization n;
  n.stabilized = stabilize_with_behaviors(history, behavior, current, prenormalized, now);
  set_able_reason(n, prenormalized, /*scale_up_held=*/prenormalized >= current);
  convert_with_behavior_rate(n, events, behavior, current, min_replicas, max_replicas, now);
  return n;
}

void store_scale_event(const ResolvedBehavior* behavior, ControllerState& state, Replicas previous,
                       Replicas next, core::SystemTime now) {
  if (behavior == nullptr) {
    return;
  }
  if (next > previous) {
    store_event(state.scale_up_events, longest_policy_period(behavior->scale_up),
                Replicas(next.value() - previous.value()), now);
  } else {
    store_event(state.scale_down_events, longest_policy_period(behavior->scale_down),
                Replicas(previous.value() - next.value()), now);
  }
}

}  // namespace kscale::hpa
