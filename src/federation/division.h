#pragma once
// divide(): Karmada's replica assignment (pkg/scheduler/core assignment.go, division_algorithm.go,
// common.go) as one pure function from a DivisionRequest to per-cluster replicas.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"
#include "federation/division_request.h"
#include "federation/webster.h"

namespace kscale::federation {

/// Upstream strategy names (assignment.go).
enum class Strategy { Duplicated, Aggregated, StaticWeight, DynamicWeight };
std::string_view strategy_name(Strategy s);

/// How the dynamic strategies treated the current assignment.
enum class AssignmentMode { Whole, ScaleUp, ScaleDown, Unchanged, Fresh };
std::string_view assignment_mode_name(AssignmentMode m);

struct TargetCluster {
  std::string name;
  int32_t replicas = 0;

  friend bool operator==(const TargetCluster&, const TargetCluster&) = default;
};

/// One cluster's weight in the last division step and the replicas that step gave it.
struct DivisionStep {
  /// Index into DivisionRequest::clusters.
  uint32_t cluster = 0;
  int64_t weight = 0;
  int32_t placed = 0;

  friend bool operator==(const DivisionStep&, const DivisionStep&) = default;
};

/// The result, with what the explanation needs.
struct Assignment {
  /// Clusters with replicas > 0, sorted by name (what the scheduler writes to the binding).
  std::vector<TargetCluster> clusters;
  Strategy strategy = Strategy::StaticWeight;
  AssignmentMode mode = AssignmentMode::Whole;
  NameOrder tie_order = NameOrder::Ascending;
  /// The replicas the last division step placed (the delta on a dynamic scale-up).
  int32_t divided = 0;
  /// The weights that step used, in the order it saw them (empty for Duplicated/Unchanged).
  std::vector<DivisionStep> weights;
};

/// Errors: unschedulable placements are BadRequest errors whose message starts with
/// "unschedulable: " and says why (no candidates; capacity below what must be placed).
/// Preconditions (checked by decode_division_document, not here): replicas ≥ 0, distinct
/// cluster names, weights ≥ 1, available_replicas set where the strategy needs it (treated as 0
/// when missing). Thread safety: pure; no shared state.
[[nodiscard]] core::Result<Assignment> divide(const DivisionRequest& request);

/// True for the errors divide() returns when the replicas cannot be placed.
bool is_unschedulable(const core::Error& error);

}  // namespace kscale::federation
