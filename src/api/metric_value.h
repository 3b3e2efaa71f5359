#pragma once
// The values the metrics API returns, independent of API version: one custom-metrics value of
// a described object, one external-metrics series value, and the discovery entries.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/group_resource.h"
#include "core/labels.h"
#include "core/quantity.h"

namespace kscale::api {

struct CustomMetricValue {
  core::ResourceInfo object;  // kind and apiVersion of describedObject
  std::string namespace_name; // "" for root-scoped objects
  std::string name;
  std::string metric;
  core::SystemTime timestamp;
  std::optional<std::chrono::seconds> window;
  core::Quantity value;
};

struct ExternalMetricValue {
  std::string metric;
  core::Labels labels;
  core::SystemTime timestamp;
  std::optional<std::chrono::seconds> window;
  core::Quantity value;
};

struct CustomMetricInfo {
  core::GroupResource group_resource;
  std::string metric;
  bool namespaced = true;
};

}  // namespace kscale::api
