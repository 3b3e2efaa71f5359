#pragma once
// The HPA decision document of `kscale replicas` (shared/specs/hpa-decision.md): decoding the
// kscale.io/v1alpha1 HPADecision input and encoding the HPADecisionResult, plus a plain-text
// explanation of a decision for people.

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "core/clock.h"
#include "core/errors.h"
#include "hpa/reconcile.h"

namespace kscale::autoscaler {

struct DecisionDocument {
  core::SystemTime now{};
  hpa::ControllerConfig controller;
  hpa::HorizontalPodAutoscaler hpa;
  hpa::Scale scale;
  std::vector<hpa::Pod> pods;
  std::vector<hpa::MetricSnapshot> metrics;
  hpa::ControllerState state;
};

/// Decodes an HPADecision. Unless `skip_validation`, the HPA is validated as the API server
/// would; errors name the field ("hpa.spec.metrics[0].pods.target.type: ...").
[[nodiscard]] core::Result<DecisionDocument> decode_decision(const boost::json::value& doc,
                                                             bool skip_validation);

/// The HPADecisionResult for a decision; `state` is the history after the reconcile.
boost::json::value encode_decision(const DecisionDocument& doc, const hpa::Decision& decision,
                                   const hpa::ControllerState& state);

/// An explanation for a person: per metric the value, target, ratio and pods counted, then
/// stabilization, limits and the result.
std::string explain_decision(const DecisionDocument& doc, const hpa::Decision& decision);

/// autoscaling/v2 MetricStatus JSON (as in status.currentMetrics).
boost::json::value encode_metric_status(const hpa::MetricStatus& s);

/// A milli-value as Kubernetes prints the quantity ("30", "1500m", "64Mi").
std::string quantity_text(int64_t milli, bool binary_si = false);

}  // namespace kscale::autoscaler
