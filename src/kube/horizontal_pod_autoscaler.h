#pragma once
// Decoding autoscaling/v2 HorizontalPodAutoscaler objects and manifests (YAML or JSON, as kubectl
// accepts them) into hpa::HorizontalPodAutoscaler, with kubectl-style field paths in every error.

#include <string_view>

#include <boost/json/value.hpp>

#include "core/errors.h"
#include "hpa/hpa_spec.h"
#include "hpa/reconcile.h"

namespace kscale::kube {

/// Decodes a HorizontalPodAutoscaler object. `path` prefixes field paths ("hpa" in a decision
/// document, empty for a manifest). Structural errors only; see validate.
[[nodiscard]] core::Result<hpa::HorizontalPodAutoscaler> decode_hpa(const boost::json::value& v,
                                                                    const std::string& path);

/// SetDefaults_HorizontalPodAutoscaler's general defaults: minReplicas 1 and, for an empty
/// metrics list, cpu at 80% utilization.
void apply_api_defaults(hpa::HpaSpec& spec);

/// A manifest as `kubectl apply` would take it: decoded, defaulted and validated. The first
/// validation error is returned (its message names the field).
[[nodiscard]] core::Result<hpa::HorizontalPodAutoscaler> read_hpa_manifest(
    std::string_view text, const hpa::FeatureGates& gates);

/// A Kubernetes quantity as MilliValue().
[[nodiscard]] core::Result<int64_t> parse_quantity_milli(std::string_view text);

}  // namespace kscale::kube
