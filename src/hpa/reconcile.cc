#include "hpa/reconcile.h"

#include <algorithm>
#include <cctype>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "core/label_selector.h"
#include "hpa/conditions.h"

namespace kscale::hpa {

namespace {

constexpr double kDefaultTolerance = 0.1;
// Upstream: retry.DefaultRetry has 5 steps.
constexpr int32_t kUpdateRetrySteps = 5;

struct Pass {
  const HorizontalPodAutoscaler& hpa;
  const Scale& scale;
  const ControllerConfig& config;
  core::SystemTime now;
  Decision& d;
  ControllerState& state;

  void condition(ConditionType type, ConditionStatus status, ConditionReason reason,
                 std::string message) {
    set_condition(d.status.conditions, type, status, reason, std::move(message), now);
  }
  void event(bool warning, std::string_view reason, std::string message) {
    d.events.push_back(Event{warning, std::string(reason), std::move(message)});
  }
};

std::string selector_text(const boost::json::value& selector) {
  return selector.is_null() ? std::string("nil") : boost::json::serialize(selector);
}

// One metric's outcome before it is folded into the decision: the calculation plus the
// condition upstream would set if it is the first failure.
struct MetricOutcome {
  ConditionReason failure_reason = ConditionReason::InvalidMetricSourceType;
  std::string error;  // the error computeReplicasForMetric returns
};

std::string unable_message(const std::string& err) {
  return "the HPA was unable to compute the replica count: " + err;
}

MetricValueStatus resource_value_status(const MetricCalculation& c, std::string_view resource) {
  // Upstream formats memory quantities in BinarySI (buildQuantity).
  MetricValueStatus v;
  v.average_value_milli = c.usage;
  v.average_utilization = c.utilization;
  v.binary_si = resource == "memory";
  return v;
}

// Upstream: computeStatusForResourceMetric / computeStatusForContainerResourceMetric and
// computeStatusForResourceMetricGeneric.
void compute_resource(const MetricSpec& spec, const MetricSnapshot& snap, Replicas current,
                      const CalculatorContext& ctx, MetricResult& r, MetricOutcome& o) {
  const bool container = spec.type == MetricSourceType::ContainerResource;
  o.failure_reason = container ? ConditionReason::FailedGetContainerResourceMetric
                               : ConditionReason::FailedGetResourceMetric;
  const std::string_view kind = container ? "container resource" : "resource";
  if (spec.target.average_value_milli) {
    r.calculation = raw_resource_replicas(current, *spec.target.average_value_milli,
                                          spec.resource_name, spec.container, snap, ctx);
    if (r.calculation.error) {
      o.error = fmt::format("failed to get {} usage: {}", spec.resource_name, *r.calculation.error);
    }
    r.description = fmt::format("{} {}", spec.resource_name, kind);
  } else if (spec.target.average_utilization) {
    r.calculation = resource_replicas(current, *spec.target.average_utilization, spec.resource_name,
                                      spec.container, snap, ctx);
    if (r.calculation.error) {
      o.error =
          fmt::format("failed to get {} utilization: {}", spec.resource_name, *r.calculation.error);
    }
    r.description =
        fmt::format("{} {} utilization (percentage of request)", spec.resource_name, kind);
  } else {
    o.error =
        "invalid resource metric source: neither an average utilization target nor an average "
        "value (usage) target was set";
    r.calculation.error = o.error;
  }
  if (!o.error.empty()) {
    r.condition_message = unable_message(o.error);
    return;
  }
  MetricStatus s;
  s.type = spec.type;
  s.type_name = spec.type_name;
  s.resource_name = spec.resource_name;
  s.container = spec.container;
  s.current = resource_value_status(r.calculation, spec.resource_name);
  if (spec.target.average_value_milli) {
    s.current.average_utilization.reset();
  }
  r.status = std::move(s);
}

MetricStatus identifier_status(const MetricSpec& spec) {
  MetricStatus s;
  s.type = spec.type;
  s.type_name = spec.type_name;
  s.metric = spec.metric;
  return s;
}

// Upstream: computeStatusForPodsMetric.
void compute_pods(const MetricSpec& spec, const MetricSnapshot& snap, Replicas current,
                  const CalculatorContext& ctx, MetricResult& r, MetricOutcome& o) {
  o.failure_reason = ConditionReason::FailedGetPodsMetric;
  if (!spec.target.average_value_milli) {
    r.calculation.error = "invalid pods metric source: no average value target was set";
  } else {
    r.calculation = pods_metric_replicas(current, *spec.target.average_value_milli,
                                         spec.metric.name, snap, ctx);
  }
  if (r.calculation.error) {
    r.condition_message = unable_message(*r.calculation.error);
    o.error = fmt::format("failed to get pods metric value: {}", *r.calculation.error);
    return;
  }
  r.description = fmt::format("pods metric {}", spec.metric.name);
  MetricStatus s = identifier_status(spec);
  s.current.average_value_milli = r.calculation.usage;
  r.status = std::move(s);
}

// Upstream: computeStatusForObjectMetric.
void compute_object(const MetricSpec& spec, const MetricSnapshot& snap, Replicas spec_replicas,
                    Replicas status_replicas, const CalculatorContext& ctx, MetricResult& r,
                    MetricOutcome& o) {
  o.failure_reason = ConditionReason::FailedGetObjectMetric;
  const bool value = spec.target.type == MetricTargetType::Value && spec.target.value_milli;
  const bool average =
      spec.target.type == MetricTargetType::AverageValue && spec.target.average_value_milli;
  if (value) {
    r.calculation =
        object_metric_replicas(spec_replicas, *spec.target.value_milli, spec, snap, ctx);
  } else if (average) {
    r.calculation = object_per_pod_metric_replicas(
        status_replicas, *spec.target.average_value_milli, spec, snap, ctx);
  } else {
    r.calculation.error =
        "invalid object metric source: neither a value target nor an average value target was set";
  }
  if (r.calculation.error) {
    r.condition_message = unable_message(*r.calculation.error);
    std::string err = *r.calculation.error;
    if (average) {
      err = fmt::format("failed to get {} object metric: {}", spec.metric.name, err);
    }
    o.error = fmt::format("failed to get object metric value: {}", err);
    return;
  }
  MetricStatus s = identifier_status(spec);
  if (value) {
    s.described_object = spec.described_object;
    s.current.value_milli = r.calculation.usage;
    r.description = fmt::format("{} metric {}", spec.described_object.kind, spec.metric.name);
  } else {
    s.current.average_value_milli = r.calculation.usage;
    // Upstream labels Object AverageValue as an external metric.
    r.description = fmt::format("external metric {}({})", spec.metric.name,
                                selector_text(spec.metric.selector));
  }
  r.status = std::move(s);
}

// Upstream: computeStatusForExternalMetric.
void compute_external(const MetricSpec& spec, const MetricSnapshot& snap, Replicas spec_replicas,
                      Replicas status_replicas, const CalculatorContext& ctx, MetricResult& r,
                      MetricOutcome& o) {
  o.failure_reason = ConditionReason::FailedGetExternalMetric;
  const bool average = spec.target.average_value_milli.has_value();
  if (average) {
    r.calculation = external_per_pod_metric_replicas(
        status_replicas, *spec.target.average_value_milli, spec, snap, ctx);
  } else if (spec.target.value_milli) {
    r.calculation =
        external_metric_replicas(spec_replicas, *spec.target.value_milli, spec, snap, ctx);
  } else {
    o.error =
        "invalid external metric source: neither a value target nor an average value target was set";
    r.calculation.error = o.error;
    r.condition_message = unable_message(o.error);
    return;
  }
  if (r.calculation.error) {
    r.condition_message = unable_message(*r.calculation.error);
    o.error = average ? fmt::format("failed to get {} external metric: {}", spec.metric.name,
                                    *r.calculation.error)
                      : fmt::format("failed to get external metric {}: {}", spec.metric.name,
                                    *r.calculation.error);
    return;
  }
  MetricStatus s = identifier_status(spec);
  if (average) {
    s.current.average_value_milli = r.calculation.usage;
  } else {
    s.current.value_milli = r.calculation.usage;
  }
  r.status = std::move(s);
  r.description =
      fmt::format("external metric {}({})", spec.metric.name, selector_text(spec.metric.selector));
}

// Upstream: computeReplicasForMetric.
MetricOutcome compute_metric(const MetricSpec& spec, const MetricSnapshot& snap, const Scale& scale,
                             const CalculatorContext& ctx, MetricResult& r) {
  MetricOutcome o;
  r.evaluated = true;
  switch (spec.type) {
    case MetricSourceType::Resource:
    case MetricSourceType::ContainerResource:
      compute_resource(spec, snap, scale.spec_replicas, ctx, r, o);
      break;
    case MetricSourceType::Pods:
      compute_pods(spec, snap, scale.spec_replicas, ctx, r, o);
      break;
    case MetricSourceType::Object:
      compute_object(spec, snap, scale.spec_replicas, scale.status_replicas, ctx, r, o);
      break;
    case MetricSourceType::External:
      compute_external(spec, snap, scale.spec_replicas, scale.status_replicas, ctx, r, o);
      break;
    case MetricSourceType::Unknown:
      o.failure_reason = ConditionReason::InvalidMetricSourceType;
      o.error = fmt::format("unknown metric source type \"{}\"", spec.type_name);
      r.calculation.error = o.error;
      r.condition_message = unable_message(o.error);
      break;
  }
  return o;
}

struct MetricsOutcome {
  std::optional<Replicas> replicas;  // nullopt: total failure (upstream's -1)
  std::optional<std::string> error;
};

// Upstream: validateAndParseSelector (the AmbiguousSelector check needs the other HPAs and is
// left to the caller). Returns the error when the selector is unusable.
std::optional<std::string> select_pods(Pass& p, std::vector<const Pod*>& selected,
                                       std::span<const Pod> pods) {
  if (p.scale.selector.empty()) {
    p.event(true, "SelectorRequired", "selector is required");
    p.condition(ConditionType::ScalingActive, ConditionStatus::False,
                ConditionReason::InvalidSelector, "the HPA target's scale is missing a selector");
    return std::string("selector is required");
  }
  auto selector = core::LabelSelector::parse(p.scale.selector);
  if (!selector) {
    std::string msg =
        fmt::format("couldn't convert selector into a corresponding internal selector object: {}",
                    selector.error().message);
    p.event(true, "InvalidSelector", msg);
    p.condition(ConditionType::ScalingActive, ConditionStatus::False,
                ConditionReason::InvalidSelector, msg);
    return msg;
  }
  selected.reserve(pods.size());
  for (const Pod& pod : pods) {
    if (selector->matches(pod.labels)) {
      selected.push_back(&pod);
    }
  }
  return std::nullopt;
}

// Upstream: computeReplicasForMetrics.
MetricsOutcome compute_replicas_for_metrics(Pass& p, std::span<const Pod> pods,
                                            std::span<const MetricSnapshot> snapshots) {
  const auto& specs = p.hpa.spec.metrics;
  p.d.metrics.resize(specs.size());
  std::vector<const Pod*> selected;
  if (auto err = select_pods(p, selected, pods)) {
    return {std::nullopt, std::move(err)};
  }
  CalculatorContext ctx{selected,
                        p.hpa.namespace_,
                        p.now,
                        p.config.cpu_initialization_period,
                        p.config.initial_readiness_delay,
                        p.d.tolerances,
                        p.config.feature_gates.pod_level_resources};
  const MetricSnapshot empty;
  std::vector<MetricStatus> statuses(specs.size());
  int invalid = 0;
  std::optional<MetricOutcome> first_invalid;
  std::size_t first_invalid_index = 0;
  int32_t replicas = 0;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    MetricResult& r = p.d.metrics[i];
    const MetricSnapshot& snap = i < snapshots.size() ? snapshots[i] : empty;
    MetricOutcome o = compute_metric(specs[i], snap, p.scale, ctx, r);
    if (!o.error.empty()) {
      p.event(true, condition_reason_name(o.failure_reason), *r.calculation.error);
      if (!first_invalid) {
        first_invalid = o;
        first_invalid_index = i;
      }
      ++invalid;
      r.status.reset();
      continue;
    }
    if (r.status) {
      statuses[i] = *r.status;
    }
    if (replicas == 0 || r.calculation.replicas.value() > replicas) {
      replicas = r.calculation.replicas.value();
      p.d.metric_description = r.description;
    }
  }
  p.d.status.current_metrics = std::move(statuses);
  if (invalid == 0) {
    p.condition(ConditionType::ScalingActive, ConditionStatus::True,
                ConditionReason::ValidMetricFound,
                "the HPA was able to successfully calculate a replica count from " +
                    p.d.metric_description);
    return {Replicas(replicas), std::nullopt};
  }
  const std::string err = fmt::format("invalid metrics ({} invalid out of {}), first error is: {}",
                                      invalid, specs.size(), first_invalid->error);
  const bool total =
      static_cast<std::size_t>(invalid) >= specs.size() || replicas < p.scale.spec_replicas.value();
  if (total) {
    p.condition(ConditionType::ScalingActive, ConditionStatus::False, first_invalid->failure_reason,
                *p.d.metrics[first_invalid_index].condition_message);
    return {std::nullopt, err};
  }
  p.condition(
      ConditionType::ScalingActive, ConditionStatus::True, ConditionReason::ValidMetricFound,
      "the HPA was able to successfully calculate a replica count from " + p.d.metric_description);
  return {Replicas(replicas), err};
}

bool has_object_or_external(const HpaSpec& spec) {
  return std::any_of(spec.metrics.begin(), spec.metrics.end(), [](const MetricSpec& m) {
    return m.type == MetricSourceType::Object || m.type == MetricSourceType::External;
  });
}

bool scaled_to_zero(const HpaStatus& status) {
  const Condition* c = find_condition(status.conditions, ConditionType::ScaledToZero);
  return c != nullptr && c->status == ConditionStatus::True;
}

// Upstream: shouldComputeMetricsForZeroReplicas (gate HPAScaleToZero).
bool compute_metrics_at_zero(const Pass& p, Replicas min_replicas) {
  if (!p.config.feature_gates.hpa_scale_to_zero || !scaled_to_zero(p.hpa.status)) {
    return false;
  }
  return min_replicas.value() != 0 || has_object_or_external(p.hpa.spec);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string conflict_message(const HorizontalPodAutoscaler& hpa) {
  const auto& ref = hpa.spec.scale_target_ref;
  std::string group;
  if (auto slash = ref.api_version.find('/'); slash != std::string::npos) {
    group = "." + ref.api_version.substr(0, slash);
  }
  return fmt::format(
      "Operation cannot be fulfilled on {}s{} \"{}\": the object has been modified; please apply "
      "your changes to the latest version and try again",
      lower(ref.kind), group, ref.name);
}

void record_status(Decision& d, Replicas current, Replicas desired) {
  d.status.current_replicas = current;
  d.status.desired_replicas = desired;
  d.desired = desired;
}

// Upstream: the metric branch of reconcileAutoscaler. Returns false on total failure.
bool metrics_branch(Pass& p, std::span<const Pod> pods, std::span<const MetricSnapshot> snapshots,
                    Replicas current, Replicas min_replicas, Replicas& desired) {
  Decision& d = p.d;
  MetricsOutcome m = compute_replicas_for_metrics(p, pods, snapshots);
  if (!m.replicas) {
    record_status(d, current, p.hpa.status.desired_replicas);
    const std::string err = m.error.value_or("");
    p.event(true, "FailedComputeMetricsReplicas", err);
    d.reconcile_error = fmt::format(
        "failed to compute desired number of replicas based on listed metrics for {}: {}",
        target_reference(p.hpa), err);
    return false;
  }
  if (m.error) {
    d.reconcile_error = *m.error;
  }
  d.metric_proposal = m.replicas;
  desired = std::max(Replicas(0), *m.replicas);
  if (desired > current) {
    d.rescale_reason = fmt::format("{} above target", d.metric_description);
  } else if (desired < current) {
    d.rescale_reason = "All metrics below target";
  }
  auto& history = *p.state.recommendations;
  const Replicas max_replicas(p.hpa.spec.max_replicas);
  Normalization n =
      d.behavior
          ? normalize_desired_replicas_with_behaviors(history, p.state, *d.behavior, current,
                                                      desired, min_replicas, max_replicas, p.now)
          : normalize_desired_replicas(history, current, desired, min_replicas, max_replicas,
                                       LegacyLimits{p.config.downscale_stabilization_window,
                                                    p.config.scale_up_limit_factor,
                                                    p.config.scale_up_limit_minimum},
                                       p.now);
  p.condition(ConditionType::AbleToScale, ConditionStatus::True, n.able_reason, n.able_message);
  p.condition(ConditionType::ScalingLimited,
              n.limited ? ConditionStatus::True : ConditionStatus::False, n.limited_reason,
              n.limited_message);
  desired = n.desired;
  d.recommendation = n.stabilized;
  d.normalization = std::move(n);
  // Upstream (v1.36): scaling from zero never lands below minReplicas.
  if (current.value() == 0 && min_replicas.value() != 0 &&
      p.config.feature_gates.hpa_scale_to_zero && scaled_to_zero(p.hpa.status) &&
      desired < min_replicas) {
    desired = min_replicas;
  }
  return true;
}

void update_scaled_to_zero(Pass& p, Replicas current, Replicas desired, Replicas min_replicas) {
  if (!p.config.feature_gates.hpa_scale_to_zero) {
    remove_condition(p.d.status.conditions, ConditionType::ScaledToZero);
    return;
  }
  if (current.value() > 0 && desired.value() == 0 && min_replicas.value() == 0 &&
      has_object_or_external(p.hpa.spec)) {
    p.condition(ConditionType::ScaledToZero, ConditionStatus::True, ConditionReason::ScaledToZero,
                "the HPA scaled the target to zero replicas");
  } else {
    p.condition(ConditionType::ScaledToZero, ConditionStatus::False,
                ConditionReason::NotScaledToZero, "the target is not scaled to zero by the HPA");
  }
}

// Upstream: the `if rescale` block of reconcileAutoscaler. Returns false when the update failed.
bool rescale(Pass& p, Replicas current, Replicas desired, Replicas min_replicas) {
  Decision& d = p.d;
  std::optional<std::string> err = p.scale.update_error;
  if (!err && p.scale.update_conflicts >= kUpdateRetrySteps) {
    err = conflict_message(p.hpa);
  }
  if (err) {
    p.event(true, "FailedRescale",
            fmt::format("New size: {}; reason: {}; error: {}", desired.value(), d.rescale_reason,
                        *err));
    p.condition(ConditionType::AbleToScale, ConditionStatus::False,
                ConditionReason::FailedUpdateScale,
                "the HPA controller was unable to update the target scale: " + *err);
    record_status(d, current, p.hpa.status.desired_replicas);
    d.scale_error = err;
    d.reconcile_error = fmt::format("failed to rescale {}: {}", target_reference(p.hpa), *err);
    return false;
  }
  p.condition(
      ConditionType::AbleToScale, ConditionStatus::True, ConditionReason::SucceededRescale,
      fmt::format("the HPA controller was able to update the target scale to {}", desired.value()));
  p.event(false, "SuccessfulRescale",
          fmt::format("New size: {}; reason: {}", desired.value(), d.rescale_reason));
  store_scale_event(d.behavior ? &*d.behavior : nullptr, p.state, current, desired, p.now);
  update_scaled_to_zero(p, current, desired, min_replicas);
  d.status.last_scale_time = p.now;
  d.scale_updated = true;
  d.scale_replicas = desired;
  return true;
}

}  // namespace

Tolerances tolerances_for_hpa(const HpaSpec& spec, const ControllerConfig& config) {
  const double t = config.tolerance == 0.0 ? kDefaultTolerance : config.tolerance;
  Tolerances out{t, t};
  if (!spec.behavior || !config.feature_gates.hpa_configurable_tolerance) {
    return out;
  }
  if (spec.behavior->scale_down && spec.behavior->scale_down->tolerance) {
    out.scale_down = *spec.behavior->scale_down->tolerance;
  }
  if (spec.behavior->scale_up && spec.behavior->scale_up->tolerance) {
    out.scale_up = *spec.behavior->scale_up->tolerance;
  }
  return out;
}

std::string target_reference(const HorizontalPodAutoscaler& hpa) {
  return fmt::format("{}/{}/{}", hpa.spec.scale_target_ref.kind, hpa.namespace_,
                     hpa.spec.scale_target_ref.name);
}

Decision reconcile(const HorizontalPodAutoscaler& hpa, const Scale& scale,
                   std::span<const Pod> pods, std::span<const MetricSnapshot> metrics,
                   ControllerState& state, const ControllerConfig& config, core::SystemTime now) {
  Decision d;
  d.status = hpa.status;
  d.metrics.resize(hpa.spec.metrics.size());
  d.tolerances = tolerances_for_hpa(hpa.spec, config);
  if (hpa.spec.behavior) {
    d.behavior = resolve_behavior(*hpa.spec.behavior, config.downscale_stabilization_window);
  }
  d.scale_replicas = scale.spec_replicas;
  d.desired = hpa.status.desired_replicas;
  Pass p{hpa, scale, config, now, d, state};

  if (scale.error) {
    d.branch = ReconcileBranch::FailedGetScale;
    p.event(true, "FailedGetScale", *scale.error);
    p.condition(ConditionType::AbleToScale, ConditionStatus::False, ConditionReason::FailedGetScale,
                "the HPA controller was unable to get the target's current scale: " + *scale.error);
    d.reconcile_error = fmt::format("failed to query scale subresource for {}: {}",
                                    target_reference(hpa), *scale.error);
    return d;
  }
  p.condition(ConditionType::AbleToScale, ConditionStatus::True, ConditionReason::SucceededGetScale,
              "the HPA controller was able to get the target's current scale");
  const Replicas current = scale.spec_replicas;
  if (!state.recommendations) {
    state.recommendations = std::vector<TimestampedRecommendation>{{current, now}};
  }
  const Replicas min_replicas(hpa.spec.min_replicas.value_or(1));
  const Replicas max_replicas(hpa.spec.max_replicas);
  d.status.current_metrics.reset();

  Replicas desired(0);
  if (current.value() == 0 && !compute_metrics_at_zero(p, min_replicas)) {
    d.branch = ReconcileBranch::ScalingDisabled;
    p.condition(ConditionType::ScalingActive, ConditionStatus::False,
                ConditionReason::ScalingDisabled,
                "scaling is disabled since the replica count of the target is zero");
    remove_condition(d.status.conditions, ConditionType::ScaledToZero);
    record_status(d, current, Replicas(0));
    return d;
  }
  if (current.value() != 0 && current > max_replicas) {
    d.branch = ReconcileBranch::AboveMax;
    d.rescale_reason = "Current number of replicas above Spec.MaxReplicas";
    desired = max_replicas;
  } else if (current.value() != 0 && current < min_replicas) {
    d.branch = ReconcileBranch::BelowMin;
    d.rescale_reason = "Current number of replicas below Spec.MinReplicas";
    desired = min_replicas;
  } else if (!metrics_branch(p, pods, metrics, current, min_replicas, desired)) {
    return d;
  }

  if (desired != current) {
    if (!rescale(p, current, desired, min_replicas)) {
      return d;
    }
  } else {
    desired = current;
  }
  record_status(d, current, desired);
  return d;
}

}  // namespace kscale::hpa
