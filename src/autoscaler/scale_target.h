#pragma once
// autoscaler::ScaleTarget: what the control loop scales (STYLE.md §3 seam) — the /scale
// subresource and the pods it selects, for Kubernetes, local processes or federated clusters.

#include <string>
#include <vector>

#include "core/errors.h"
#include "hpa/pod.h"
#include "hpa/replicas.h"

namespace kscale::autoscaler {

/// autoscaling/v1 Scale as the HPA controller reads it.
struct ScaleStatus {
  hpa::Replicas spec_replicas;    // what was asked for
  hpa::Replicas status_replicas;  // pods that exist and are not terminating
  std::string selector;           // status.selector, canonical label selector text
};

class ScaleTarget {
 public:
  virtual ~ScaleTarget() = default;

  /// GET /scale. Errors are reported by the HPA as FailedGetScale.
  [[nodiscard]] virtual core::Result<ScaleStatus> get_scale() = 0;
  /// PUT /scale with spec.replicas; the target converges asynchronously (pods start, become
  /// Ready, or terminate gracefully). Errors are reported as FailedUpdateScale.
  [[nodiscard]] virtual core::Result<void> set_scale(hpa::Replicas replicas) = 0;
  /// The pods the scale's selector selects, terminating ones included (deleted = true), with
  /// phase, Ready condition and start time, as the HPA's pod lister returns them.
  [[nodiscard]] virtual core::Result<std::vector<hpa::Pod>> list_pods() = 0;
};

}  // namespace kscale::autoscaler
