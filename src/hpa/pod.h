#pragma once
// hpa::Pod: the parts of a v1 Pod the HPA controller reads (labels, deletion, phase, Ready
// condition, start time, container requests), as the pod informer hands them to it.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/labels.h"
#include "hpa/hpa_spec.h"

namespace kscale::hpa {

enum class PodPhase { Pending, Running, Succeeded, Failed, Unknown };

/// Resource requests as (resource name, milli-value) pairs, e.g. {"cpu", 500}.
using ResourceList = std::vector<std::pair<std::string, int64_t>>;

/// Looks a resource up in a ResourceList; nullopt when it is not set.
std::optional<int64_t> find_resource(const ResourceList& list, std::string_view resource);

struct Container {
  std::string name;
  ResourceList requests;
  bool restart_policy_always = false;  // init containers only: a sidecar
};

/// The pod's Ready condition (status "True", "False" or "Unknown").
struct PodReadyCondition {
  ConditionStatus status = ConditionStatus::Unknown;
  core::SystemTime last_transition_time{};
};

struct Pod {
  std::string name;
  core::Labels labels;
  bool deleted = false;  // metadata.deletionTimestamp set
  PodPhase phase = PodPhase::Running;
  std::optional<PodReadyCondition> ready;
  std::optional<core::SystemTime> start_time;
  std::vector<Container> containers;
  std::vector<Container> init_containers;
  std::optional<ResourceList> pod_requests;  // spec.resources.requests (pod-level)
};

}  // namespace kscale::hpa
