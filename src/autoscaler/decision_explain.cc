// The plain-text explanation of an HPA decision for people (`kscale replicas -o text`).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "autoscaler/decision_document.h"

namespace kscale::autoscaler {

namespace {

// How metric `i` was evaluated: its value against the target, the ratio, the pods counted and
// the replicas it proposes.
void explain_metric(std::string& out, std::size_t i, const hpa::MetricSpec& spec,
                    const hpa::MetricResult& m) {
  const std::string name = spec.metric.name.empty() ? spec.resource_name : spec.metric.name;
  out += fmt::format("\nmetric {} ({} {}, target {}):\n", i, spec.type_name, name,
                     spec.target.type_name);
  if (!m.evaluated) {
    out += "  not evaluated\n";
    return;
  }
  if (m.calculation.error) {
    out += fmt::format("  failed: {}\n", *m.calculation.error);
    return;
  }
  const auto& c = m.calculation;
  if (c.utilization) {
    out += fmt::format("  current utilization {}% of requests (average {}), target {}%\n",
                       *c.utilization, quantity_text(c.usage),
                       spec.target.average_utilization.value_or(0));
  } else {
    const int64_t target =
        spec.target.average_value_milli.value_or(spec.target.value_milli.value_or(0));
    out +=
        fmt::format("  current {} vs target {}\n", quantity_text(c.usage), quantity_text(target));
  }
  out += fmt::format("  usage ratio {:.4f}{}\n", c.usage_ratio,
                     c.within_tolerance && !c.rebalanced_ratio ? " (within tolerance: no change)"
                                                               : "");
  if (c.pods) {
    out += fmt::format("  pods: {} ready", c.pods->ready);
    auto list = [&](std::string_view what, const std::vector<std::string>& names) {
      if (!names.empty()) {
        out += fmt::format(", {} {} ({})", names.size(), what, fmt::join(names, " "));
      }
    };
    list("unready", c.pods->unready);
    list("missing a sample", c.pods->missing);
    list("ignored", c.pods->ignored);
    out += "\n";
  }
  if (c.rebalanced_ratio) {
    out += fmt::format(
        "  missing/unready pods filled in conservatively: ratio {:.4f} after rebalancing\n",
        *c.rebalanced_ratio);
  }
  if (c.ready_running_pods >= 0) {
    out += fmt::format("  multiplied by {} running and ready pods\n", c.ready_running_pods);
  }
  out += fmt::format("  proposes {} replicas\n", c.replicas.value());
}

// The proposal, stabilization, limits, result and conditions.
void explain_outcome(std::string& out, const DecisionDocument& doc, const hpa::Decision& d) {
  const auto& h = doc.hpa;
  if (d.metric_proposal) {
    out += fmt::format("metrics propose {} replicas (from {})\n", d.metric_proposal->value(),
                       d.metric_description);
  }
  if (d.normalization) {
    const auto& n = *d.normalization;
    out += fmt::format("stabilization: {} → {} ({})\n", d.metric_proposal->value(),
                       n.stabilized.value(), hpa::condition_reason_name(n.able_reason));
    out += fmt::format("limits: {} → {} ({}: {})\n", n.stabilized.value(), n.desired.value(),
                       hpa::condition_reason_name(n.limited_reason), n.limited_message);
  }
  if (d.scale_updated) {
    out += fmt::format("result: scale {} from {} to {} ({})\n", h.spec.scale_target_ref.name,
                       doc.scale.spec_replicas.value(), d.scale_replicas.value(), d.rescale_reason);
  } else {
    out += fmt::format("result: no change, {} replicas\n", d.desired.value());
  }
  if (d.reconcile_error) {
    out += fmt::format("reconcile error: {}\n", *d.reconcile_error);
  }
  out += "conditions:\n";
  for (const auto& c : d.status.conditions) {
    out += fmt::format("  {}={} {}: {}\n", hpa::condition_type_name(c.type),
                       hpa::condition_status_name(c.status), c.reason, c.message);
  }
}

}  // namespace

std::string explain_decision(const DecisionDocument& doc, const hpa::Decision& d) {
  std::string out;
  const auto& h = doc.hpa;
  out += fmt::format("HPA {}/{} → {} ({}): {} replicas now, min {}, max {}\n", h.namespace_, h.name,
                     h.spec.scale_target_ref.kind, h.spec.scale_target_ref.name,
                     doc.scale.spec_replicas.value(), h.spec.min_replicas.value_or(1),
                     h.spec.max_replicas);
  out += fmt::format("tolerance: scale down below {:.3g}, scale up above {:.3g}\n",
                     1 - d.tolerances.scale_down, 1 + d.tolerances.scale_up);
  for (std::size_t i = 0; i < d.metrics.size(); ++i) {
    explain_metric(out, i, h.spec.metrics[i], d.metrics[i]);
  }
  out += "\n";
  explain_outcome(out, doc, d);
  return out;
}

}  // namespace kscale::autoscaler
