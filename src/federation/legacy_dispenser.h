#pragma once
// The division rule Karmada used from v1.8 to v1.15 (Dispenser.TakeByWeight), kept as a
// compatibility option: floor of the proportional share, then the remainder one by one.

#include <cstdint>
#include <string>
#include <vector>

#include "federation/webster.h"

namespace kscale::federation {

/// A cluster's weight and the replicas it held in the previous assignment.
struct LegacyWeight {
  std::string name;
  int64_t weight = 0;
  int32_t last_replicas = 0;
};

/// Upstream: karmada v1.15 pkg/util/helper/binding.go, Dispenser.TakeByWeight. Each cluster gets
/// floor(replicas·weight/Σweight); the remainder goes one replica each to clusters ordered by
/// weight (descending), then last replicas (descending), then name (ascending). Upstream breaks
/// that last tie at random (v1.8+; by name before); kscale keeps the name order so the result is
/// reproducible. Returns the clusters in that order with their new replicas (seats), or an empty
/// vector when Σweight is 0 (upstream leaves the result untouched).
std::vector<Party> legacy_take_by_weight(int32_t replicas, std::vector<LegacyWeight> weights);

}  // namespace kscale::federation
