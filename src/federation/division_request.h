#pragma once
// The input of one replica division: the total, the workload UID, a Karmada PropagationPolicy's
// placement.replicaScheduling, and the candidate clusters with their current assignment.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/label_selector.h"
#include "core/labels.h"

namespace kscale::federation {

/// Upstream: karmada pkg/apis/policy/v1alpha1/propagation_types.go, ClusterAffinity (without
/// fieldSelector). A cluster matches when it is not excluded, the selector (if any) matches its
/// labels, and clusterNames is empty or names it (pkg/util/selector.go, ClusterMatches).
struct ClusterAffinity {
  std::optional<core::LabelSelector> label_selector;
  std::vector<std::string> cluster_names;
  std::vector<std::string> exclude;

  bool matches(const std::string& name, const core::Labels& labels) const;
};

/// staticWeightList[i]: weight ≥ 1 for the clusters `target_cluster` matches.
struct StaticClusterWeight {
  ClusterAffinity target_cluster;
  int64_t weight = 1;
};

enum class ReplicaSchedulingType { Duplicated, Divided };
enum class ReplicaDivisionPreference { Aggregated, Weighted };

/// placement.replicaScheduling after Karmada's defaulting: type Divided, preference Weighted.
struct ReplicaScheduling {
  ReplicaSchedulingType type = ReplicaSchedulingType::Divided;
  ReplicaDivisionPreference preference = ReplicaDivisionPreference::Weighted;
  /// weightPreference.dynamicWeight: AvailableReplicas (the only factor upstream has).
  bool dynamic_weight = false;
  /// weightPreference.staticWeightList; ignored when dynamic_weight. A list no candidate
  /// matches weighs every candidate 1.
  std::vector<StaticClusterWeight> static_weights;
  /// Whether weightPreference was given. Without it every candidate weighs 1 (upstream
  /// getDefaultWeightPreference); the difference shows only in the legacy dispenser's tie-break.
  bool weight_preference = false;
};

/// A candidate cluster, after filtering, in the scheduler's order.
struct CandidateCluster {
  std::string name;
  core::Labels labels;
  /// What the scheduler-estimator says still fits; required by dynamic weights and Aggregated.
  std::optional<int32_t> available_replicas;
  /// The current assignment on this cluster (binding.spec.clusters); 0 when none.
  int32_t replicas = 0;
};

struct DivisionRequest {
  /// The total to place, ≥ 0.
  int32_t replicas = 0;
  /// The workload's UID; chooses the name order of Webster ties ("" = ascending).
  std::string uid;
  /// nullopt: no replicaScheduling, which upstream treats as Duplicated.
  std::optional<ReplicaScheduling> scheduling;
  /// Distinct names.
  std::vector<CandidateCluster> clusters;
  /// The pre-1.16 dispenser (floor plus remainder) instead of Webster.
  bool legacy = false;
  /// Fresh assignment mode (a manual reschedule): dynamic strategies ignore the current
  /// assignment except as extra capacity. Default: Steady.
  bool fresh = false;
};

}  // namespace kscale::federation
