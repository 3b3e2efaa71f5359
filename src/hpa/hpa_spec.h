#pragma once
// The autoscaling/v2 HorizontalPodAutoscaler as the engine sees it: spec, status and conditions,
// with quantities already converted to int64 milli-units as the upstream controller uses them.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "core/clock.h"
#include "hpa/replicas.h"

namespace kscale::hpa {

/// autoscaling/v2 MetricSourceType. Unknown keeps the raw type text in MetricSpec::type_name.
enum class MetricSourceType { Object, Pods, Resource, ContainerResource, External, Unknown };

/// autoscaling/v2 MetricTargetType.
enum class MetricTargetType { Utilization, Value, AverageValue, Unknown };

std::string_view metric_source_type_name(MetricSourceType type);
std::string_view metric_target_type_name(MetricTargetType type);
MetricSourceType parse_metric_source_type(std::string_view name);
MetricTargetType parse_metric_target_type(std::string_view name);

/// autoscaling/v2 CrossVersionObjectReference.
struct ObjectReference {
  std::string kind;
  std::string name;
  std::string api_version;
};

/// autoscaling/v2 MetricIdentifier. The metric label selector is kept as written (a
/// metav1.LabelSelector JSON object, or null) because the engine only echoes it in the status.
struct MetricIdentifier {
  std::string name;
  boost::json::value selector;
};

/// autoscaling/v2 MetricTarget; quantities in milli-units (Quantity.MilliValue()).
struct MetricTarget {
  MetricTargetType type = MetricTargetType::Unknown;
  std::string type_name;
  std::optional<int64_t> value_milli;
  std::optional<int64_t> average_value_milli;
  std::optional<int32_t> average_utilization;
};

/// autoscaling/v2 MetricSpec, flattened: which fields are meaningful depends on `type`.
struct MetricSpec {
  MetricSourceType type = MetricSourceType::Unknown;
  std::string type_name;
  std::string resource_name;         // Resource, ContainerResource
  std::string container;             // ContainerResource
  MetricIdentifier metric;           // Pods, Object, External
  ObjectReference described_object;  // Object
  MetricTarget target;
};

enum class ScalingPolicyType { Pods, Percent };
enum class SelectPolicy { Max, Min, Disabled };

struct ScalingPolicy {
  ScalingPolicyType type = ScalingPolicyType::Pods;
  int32_t value = 0;
  std::chrono::seconds period{0};
};

/// autoscaling/v2 HPAScalingRules; unset fields are nullopt until defaults are applied.
struct ScalingRules {
  std::optional<std::chrono::seconds> stabilization_window;
  std::optional<SelectPolicy> select_policy;
  std::optional<std::vector<ScalingPolicy>> policies;
  std::optional<double> tolerance;  // Quantity.AsApproximateFloat64()
};

struct Behavior {
  std::optional<ScalingRules> scale_up;
  std::optional<ScalingRules> scale_down;
};

struct HpaSpec {
  ObjectReference scale_target_ref;
  std::optional<int32_t> min_replicas;
  int32_t max_replicas = 0;
  std::vector<MetricSpec> metrics;
  std::optional<Behavior> behavior;
};

enum class ConditionType { AbleToScale, ScalingActive, ScalingLimited, ScaledToZero };
enum class ConditionStatus { True, False, Unknown };

std::string_view condition_type_name(ConditionType type);
std::string_view condition_status_name(ConditionStatus status);

/// autoscaling/v2 HorizontalPodAutoscalerCondition. The reason is a string because a status
/// read back from the API may carry any reason; the engine writes the ones in conditions.h.
struct Condition {
  ConditionType type = ConditionType::AbleToScale;
  ConditionStatus status = ConditionStatus::Unknown;
  std::string reason;
  std::string message;
  std::optional<core::SystemTime> last_transition_time;

  bool operator==(const Condition&) const = default;
};

/// autoscaling/v2 MetricValueStatus in milli-units. `binary_si` marks memory quantities, which
/// upstream formats in BinarySI.
struct MetricValueStatus {
  std::optional<int64_t> value_milli;
  std::optional<int64_t> average_value_milli;
  std::optional<int32_t> average_utilization;
  bool binary_si = false;

  bool operator==(const MetricValueStatus&) const = default;
};

/// autoscaling/v2 MetricStatus. A default-constructed one (type Unknown, empty type_name) is
/// the zero value upstream leaves for a metric that failed.
struct MetricStatus {
  MetricSourceType type = MetricSourceType::Unknown;
  std::string type_name;
  std::string resource_name;
  std::string container;
  MetricIdentifier metric;
  std::optional<ObjectReference> described_object;
  MetricValueStatus current;

  bool empty() const { return type_name.empty(); }
};

struct HpaStatus {
  std::optional<int64_t> observed_generation;
  std::optional<core::SystemTime> last_scale_time;
  Replicas current_replicas;
  Replicas desired_replicas;
  std::optional<std::vector<MetricStatus>> current_metrics;
  std::vector<Condition> conditions;
};

struct HorizontalPodAutoscaler {
  std::string name;
  std::string namespace_;
  std::optional<int64_t> generation;
  HpaSpec spec;
  HpaStatus status;
};

}  // namespace kscale::hpa
