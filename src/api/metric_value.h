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
#include "kube/metric_value.h"

namespace kscale::api {

using kube::CustomMetricValue;
using kube::ExternalMetricValue;

struct CustomMetricInfo {
  core::GroupResource group_resource;
  std::string metric;
  bool namespaced = true;
};

}  // namespace kscale::api
