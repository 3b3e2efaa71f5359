#pragma once
// API-server validation of an autoscaling/v2 HorizontalPodAutoscaler spec, as
// kubernetes pkg/apis/autoscaling/validation/validation.go reports it: one error per field,
// each naming the field path (e.g. "spec.metrics[0].pods.target.averageValue").

#include <vector>

#include "core/errors.h"
#include "hpa/hpa_spec.h"
#include "hpa/reconcile.h"

namespace kscale::hpa {

/// Every validation error, in field order; empty when the spec is valid. Each error is
/// core::Error::invalid(field, "<field>: <kind>: <detail>").
[[nodiscard]] std::vector<core::Error> validate_hpa_spec(const HpaSpec& spec,
                                                         const FeatureGates& gates);

}  // namespace kscale::hpa
