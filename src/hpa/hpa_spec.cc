#include "hpa/hpa_spec.h"

namespace kscale::hpa {

std::string_view metric_source_type_name(MetricSourceType type) {
  switch (type) {
    case MetricSourceType::Object:
      return "Object";
    case MetricSourceType::Pods:
      return "Pods";
    case MetricSourceType::Resource:
      return "Resource";
    case MetricSourceType::ContainerResource:
      return "ContainerResource";
    case MetricSourceType::External:
      return "External";
    case MetricSourceType::Unknown:
      break;
  }
  return "";
}

std::string_view metric_target_type_name(MetricTargetType type) {
  switch (type) {
    case MetricTargetType::Utilization:
      return "Utilization";
    case MetricTargetType::Value:
      return "Value";
    case MetricTargetType::AverageValue:
      return "AverageValue";
    case MetricTargetType::Unknown:
      break;
  }
  return "";
}

MetricSourceType parse_metric_source_type(std::string_view name) {
  for (auto t : {MetricSourceType::Object, MetricSourceType::Pods, MetricSourceType::Resource,
                 MetricSourceType::ContainerResource, MetricSourceType::External}) {
    if (metric_source_type_name(t) == name) {
      return t;
    }
  }
  return MetricSourceType::Unknown;
}

MetricTargetType parse_metric_target_type(std::string_view name) {
  for (auto t :
       {MetricTargetType::Utilization, MetricTargetType::Value, MetricTargetType::AverageValue}) {
    if (metric_target_type_name(t) == name) {
      return t;
    }
  }
  return MetricTargetType::Unknown;
}

std::string_view condition_type_name(ConditionType type) {
  switch (type) {
    case ConditionType::AbleToScale:
      return "AbleToScale";
    case ConditionType::ScalingActive:
      return "ScalingActive";
    case ConditionType::ScalingLimited:
      return "ScalingLimited";
    case ConditionType::ScaledToZero:
      return "ScaledToZero";
  }
  return "";
}

std::string_view condition_status_name(ConditionStatus status) {
  switch (status) {
    case ConditionStatus::True:
      return "True";
    case ConditionStatus::False:
      return "False";
    case ConditionStatus::Unknown:
      return "Unknown";
  }
  return "";
}

}  // namespace kscale::hpa
