#include "hpa/validation.h"

#include <fmt/format.h>

namespace kscale::hpa {

namespace {

// Upstream: MaxPeriodSeconds, MaxStabilizationWindowSeconds.
constexpr int64_t kMaxPeriodSeconds = 1800;
constexpr int64_t kMaxStabilizationWindowSeconds = 3600;

class Errors {
 public:
  void required(const std::string& field, std::string_view detail) {
    add(field, fmt::format("Required value: {}", detail));
  }
  void invalid(const std::string& field, std::string_view value, std::string_view detail) {
    add(field, fmt::format("Invalid value: {}: {}", value, detail));
  }
  void unsupported(const std::string& field, std::string_view value, std::string_view supported) {
    add(field, fmt::format("Unsupported value: \"{}\": supported values: {}", value, supported));
  }
  void add_forbidden(const std::string& field) {
    add(field,
        "Forbidden: tolerance is only allowed when the HPAConfigurableTolerance feature "
        "gate is enabled");
  }
  std::vector<core::Error> take() { return std::move(errors_); }

 private:
  void add(const std::string& field, std::string message) {
    errors_.push_back(core::Error::invalid(field, fmt::format("{}: {}", field, message)));
  }
  std::vector<core::Error> errors_;
};

std::string milli_text(int64_t milli) {
  if (milli % 1000 == 0) {
    return std::to_string(milli / 1000);
  }
  return fmt::format("{}m", milli);
}

// Upstream: validateMetricTarget.
void validate_target(const MetricTarget& t, const std::string& path, Errors& e) {
  if (t.type_name.empty()) {
    e.required(path + ".type", "must specify a metric target type");
  } else if (t.type == MetricTargetType::Unknown) {
    e.unsupported(path + ".type", t.type_name, "\"AverageValue\", \"Utilization\", \"Value\"");
  }
  if (t.value_milli && *t.value_milli <= 0) {
    e.invalid(path + ".value", milli_text(*t.value_milli), "must be positive");
  }
  if (t.average_value_milli && *t.average_value_milli <= 0) {
    e.invalid(path + ".averageValue", milli_text(*t.average_value_milli), "must be positive");
  }
  if (t.average_utilization && *t.average_utilization <= 0) {
    e.invalid(path + ".averageUtilization", std::to_string(*t.average_utilization),
              "must be greater than 0");
  }
}

void require_target_field(const MetricTarget& t, const std::string& path, Errors& e) {
  switch (t.type) {
    case MetricTargetType::Value:
      if (!t.value_milli) {
        e.required(path + ".value", "must set value when target type is Value");
      }
      break;
    case MetricTargetType::AverageValue:
      if (!t.average_value_milli) {
        e.required(path + ".averageValue",
                   "must set averageValue when target type is AverageValue");
      }
      break;
    case MetricTargetType::Utilization:
      if (!t.average_utilization) {
        e.required(path + ".averageUtilization",
                   "must set averageUtilization when target type is Utilization");
      }
      break;
    case MetricTargetType::Unknown:
      break;
  }
}

void allow_targets(const MetricTarget& t, const std::string& path, Errors& e,
                   std::initializer_list<MetricTargetType> allowed, std::string_view names) {
  if (t.type == MetricTargetType::Unknown) {
    return;
  }
  for (auto a : allowed) {
    if (a == t.type) {
      require_target_field(t, path, e);
      return;
    }
  }
  e.unsupported(path + ".type", t.type_name, names);
}

// A target's own rules, then whether its type is one the source allows.
void check_target(const MetricTarget& t, const std::string& path, Errors& e,
                  std::initializer_list<MetricTargetType> allowed, std::string_view names) {
  validate_target(t, path, e);
  allow_targets(t, path, e, allowed, names);
}

void validate_metric(const MetricSpec& m, const std::string& path, Errors& e) {
  const std::string src = path + ".";
  switch (m.type) {
    case MetricSourceType::Resource:
    case MetricSourceType::ContainerResource: {
      const std::string base =
          src + (m.type == MetricSourceType::Resource ? "resource" : "containerResource");
      if (m.resource_name.empty()) {
        e.required(base + ".name", "must specify a resource name");
      }
      if (m.type == MetricSourceType::ContainerResource && m.container.empty()) {
        e.required(base + ".container", "must specify a container");
      }
      check_target(m.target, base + ".target", e,
                   {MetricTargetType::Utilization, MetricTargetType::AverageValue},
                   "\"AverageValue\", \"Utilization\"");
      return;
    }
    case MetricSourceType::Pods:
      if (m.metric.name.empty()) {
        e.required(src + "pods.metric.name", "must specify a metric name");
      }
      check_target(m.target, src + "pods.target", e, {MetricTargetType::AverageValue},
                   "\"AverageValue\"");
      return;
    case MetricSourceType::Object:
      if (m.described_object.kind.empty()) {
        e.required(src + "object.describedObject.kind", "must specify a kind");
      }
      if (m.described_object.name.empty()) {
        e.required(src + "object.describedObject.name", "must specify a name");
      }
      if (m.metric.name.empty()) {
        e.required(src + "object.metric.name", "must specify a metric name");
      }
      check_target(m.target, src + "object.target", e,
                   {MetricTargetType::Value, MetricTargetType::AverageValue},
                   "\"AverageValue\", \"Value\"");
      return;
    case MetricSourceType::External:
      if (m.metric.name.empty()) {
        e.required(src + "external.metric.name", "must specify a metric name");
      }
      check_target(m.target, src + "external.target", e,
                   {MetricTargetType::Value, MetricTargetType::AverageValue},
                   "\"AverageValue\", \"Value\"");
      return;
    case MetricSourceType::Unknown:
      if (m.type_name.empty()) {
        e.required(src + "type", "must specify a metric source type");
      } else {
        e.unsupported(src + "type", m.type_name,
                      "\"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"");
      }
      return;
  }
}

// Upstream: validateScalingRules.
void validate_rules(const ScalingRules& r, const std::string& path, const FeatureGates& gates,
                    Errors& e) {
  if (r.stabilization_window) {
    const auto w = r.stabilization_window->count();
    if (w < 0) {
      e.invalid(path + ".stabilizationWindowSeconds", std::to_string(w),
                "must be greater than or equal to zero");
    } else if (w > kMaxStabilizationWindowSeconds) {
      e.invalid(path + ".stabilizationWindowSeconds", std::to_string(w),
                fmt::format("must be less than or equal to {}", kMaxStabilizationWindowSeconds));
    }
  }
  if (r.policies && r.policies->empty()) {
    e.required(path + ".policies", "must specify at least one Policy");
  }
  if (r.policies) {
    for (std::size_t i = 0; i < r.policies->size(); ++i) {
      const auto& p = (*r.policies)[i];
      const std::string pp = fmt::format("{}.policies[{}]", path, i);
      if (p.value <= 0) {
        e.invalid(pp + ".value", std::to_string(p.value), "must be greater than zero");
      }
      const auto period = p.period.count();
      if (period <= 0) {
        e.invalid(pp + ".periodSeconds", std::to_string(period), "must be greater than zero");
      } else if (period > kMaxPeriodSeconds) {
        e.invalid(pp + ".periodSeconds", std::to_string(period),
                  fmt::format("must be less than or equal to {}", kMaxPeriodSeconds));
      }
    }
  }
  if (r.tolerance) {
    if (!gates.hpa_configurable_tolerance) {
      e.add_forbidden(path + ".tolerance");
    } else if (*r.tolerance < 0) {
      e.invalid(path + ".tolerance", fmt::format("{}", *r.tolerance),
                "must be greater than or equal to 0");
    }
  }
}

bool has_object_or_external(const HpaSpec& spec) {
  for (const auto& m : spec.metrics) {
    if (m.type == MetricSourceType::Object || m.type == MetricSourceType::External) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<core::Error> validate_hpa_spec(const HpaSpec& spec, const FeatureGates& gates) {
  Errors e;
  if (spec.scale_target_ref.kind.empty()) {
    e.required("spec.scaleTargetRef.kind", "must specify a kind");
  }
  if (spec.scale_target_ref.name.empty()) {
    e.required("spec.scaleTargetRef.name", "must specify a name");
  }
  if (spec.min_replicas) {
    const int32_t lower = gates.hpa_scale_to_zero ? 0 : 1;
    if (*spec.min_replicas < lower) {
      e.invalid("spec.minReplicas", std::to_string(*spec.min_replicas),
                fmt::format("must be greater than or equal to {}", lower));
    } else if (*spec.min_replicas == 0 && !has_object_or_external(spec)) {
      e.invalid("spec.minReplicas", "0",
                "must specify at least one Object or External metric to support scaling to zero "
                "replicas");
    }
  }
  if (spec.max_replicas < 1) {
    e.invalid("spec.maxReplicas", std::to_string(spec.max_replicas), "must be greater than 0");
  }
  if (spec.min_replicas && spec.max_replicas < *spec.min_replicas) {
    e.invalid("spec.maxReplicas", std::to_string(spec.max_replicas),
              "must be greater than or equal to `minReplicas`");
  }
  for (std::size_t i = 0; i < spec.metrics.size(); ++i) {
    validate_metric(spec.metrics[i], fmt::format("spec.metrics[{}]", i), e);
  }
  if (spec.behavior) {
    if (spec.behavior->scale_up) {
      validate_rules(*spec.behavior->scale_up, "spec.behavior.scaleUp", gates, e);
    }
    if (spec.behavior->scale_down) {
      validate_rules(*spec.behavior->scale_down, "spec.behavior.scaleDown", gates, e);
    }
  }
  return e.take();
}

}  // namespace kscale::hpa
