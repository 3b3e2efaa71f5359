#pragma once
// The ReplicaDivision document (`kscale divide -f`): YAML or JSON in, a validated DivisionRequest
// out, with errors that name the offending field.

#include <string_view>

#include "core/errors.h"
#include "federation/division_request.h"

namespace kscale::federation {

/// apiVersion kscale.io/v1alpha1, kind ReplicaDivision; replicaScheduling is a Karmada
/// PropagationPolicy's spec.placement.replicaScheduling, defaulted as Karmada's webhook does
/// (Divided, Weighted). Unknown fields are rejected. Errors are BadRequest with `field` set and a
/// message that starts with the path, e.g.
/// "replicaScheduling.weightPreference.staticWeightList[0].weight: Invalid value: 0: must be
/// greater than or equal to 1".
[[nodiscard]] core::Result<DivisionRequest> decode_division_document(std::string_view text);

}  // namespace kscale::federation
