#include "kube/horizontal_pod_autoscaler.h"

#include <fmt/format.h>

#include "core/json_reader.h"
#include "hpa/validation.h"
#include "kube/manifest_document.h"

namespace kscale::kube {

namespace {

using namespace core::json_reader;
using hpa::MetricSourceType;

core::Result<std::optional<int64_t>> optional_quantity(const boost::json::value& obj,
                                                       std::string_view key,
                                                       const std::string& path) {
  const auto* v = member(obj, key);
  if (v == nullptr) {
    return std::optional<int64_t>{};
  }
  KSCALE_TRY(q, as_quantity_milli(*v, child(path, key)));
  return std::optional<int64_t>{q};
}

core::Result<hpa::MetricTarget> decode_target(const boost::json::value& v,
                                              const std::string& path) {
  hpa::MetricTarget t;
  KSCALE_TRY(obj, as_object(v, path));
  (void)obj;
  if (const auto* type = member(v, "type")) {
    KSCALE_TRY(name, as_string(*type, child(path, "type")));
    t.type_name = name;
    t.type = hpa::parse_metric_target_type(name);
  }
  KSCALE_TRY(value, optional_quantity(v, "value", path));
  KSCALE_TRY(average, optional_quantity(v, "averageValue", path));
  t.value_milli = value;
  t.average_value_milli = average;
  if (const auto* u = member(v, "averageUtilization")) {
    KSCALE_TRY(util, as_int(*u, child(path, "averageUtilization")));
    t.average_utilization = static_cast<int32_t>(util);
  }
  return t;
}

core::Result<hpa::MetricIdentifier> decode_identifier(const boost::json::value& v,
                                                      const std::string& path) {
  hpa::MetricIdentifier id;
  if (const auto* n = member(v, "name")) {
    KSCALE_TRY(name, as_string(*n, child(path, "name")));
    id.name = name;
  }
  if (const auto* s = member(v, "selector")) {
    id.selector = *s;
  }
  return id;
}

std::string_view source_field(MetricSourceType t) {
  switch (t) {
    case MetricSourceType::Object:
      return "object";
    case MetricSourceType::Pods:
      return "pods";
    case MetricSourceType::Resource:
      return "resource";
    case MetricSourceType::ContainerResource:
      return "containerResource";
    case MetricSourceType::External:
      return "external";
    case MetricSourceType::Unknown:
      break;
  }
  return "";
}

core::Result<hpa::MetricSpec> decode_metric(const boost::json::value& v, const std::string& path) {
  hpa::MetricSpec m;
  KSCALE_TRY(obj, as_object(v, path));
  (void)obj;
  if (const auto* type = member(v, "type")) {
    KSCALE_TRY(name, as_string(*type, child(path, "type")));
    m.type_name = name;
    m.type = hpa::parse_metric_source_type(name);
  }
  if (m.type == MetricSourceType::Unknown) {
    return m;  // validation reports the type; the controller reports InvalidMetricSourceType
  }
  const std::string field(source_field(m.type));
  const std::string src_path = child(path, field);
  const auto* src = member(v, field);
  if (src == nullptr) {
    return core::fail(field_error(src_path,
                                  "Required value: must populate information for the "
                                  "given metric source"));
  }
  for (std::string_view other : {"object", "pods", "resource", "containerResource", "external"}) {
    if (other != field && member(v, other) != nullptr) {
      return core::fail(
          field_error(child(path, other), "Forbidden: must populate the given metric source only"));
    }
  }
  if (m.type == MetricSourceType::Resource || m.type == MetricSourceType::ContainerResource) {
    if (const auto* n = member(*src, "name")) {
      KSCALE_TRY(name, as_string(*n, child(src_path, "name")));
      m.resource_name = name;
    }
    if (const auto* c = member(*src, "container")) {
      KSCALE_TRY(container, as_string(*c, child(src_path, "container")));
      m.container = container;
    }
  } else if (const auto* metric = member(*src, "metric")) {
    KSCALE_TRY(id, decode_identifier(*metric, child(src_path, "metric")));
    m.metric = std::move(id);
  }
  if (m.type == MetricSourceType::Object) {
    if (const auto* d = member(*src, "describedObject")) {
      const std::string dp = child(src_path, "describedObject");
      for (auto [key, out] : {std::pair{"kind", &m.described_object.kind},
                              std::pair{"name", &m.described_object.name},
                              std::pair{"apiVersion", &m.described_object.api_version}}) {
        if (const auto* f = member(*d, key)) {
          KSCALE_TRY(s, as_string(*f, child(dp, key)));
          *out = s;
        }
      }
    }
  }
  const auto* target = member(*src, "target");
  if (target == nullptr) {
    return core::fail(
        field_error(child(src_path, "target"), "Required value: must specify a target"));
  }
  KSCALE_TRY(t, decode_target(*target, child(src_path, "target")));
  m.target = std::move(t);
  return m;
}

core::Result<hpa::ScalingRules> decode_rules(const boost::json::value& v, const std::string& path) {
  hpa::ScalingRules r;
  KSCALE_TRY(obj, as_object(v, path));
  (void)obj;
  if (const auto* w = member(v, "stabilizationWindowSeconds")) {
    KSCALE_TRY(secs, as_int(*w, child(path, "stabilizationWindowSeconds")));
    r.stabilization_window = std::chrono::seconds(secs);
  }
  if (const auto* s = member(v, "selectPolicy")) {
    KSCALE_TRY(name, as_string(*s, child(path, "selectPolicy")));
    if (name == "Max") {
      r.select_policy = hpa::SelectPolicy::Max;
    } else if (name == "Min") {
      r.select_policy = hpa::SelectPolicy::Min;
    } else if (name == "Disabled") {
      r.select_policy = hpa::SelectPolicy::Disabled;
    } else {
      return core::fail(field_error(
          child(path, "selectPolicy"),
          fmt::format("Unsupported value: \"{}\": supported values: \"Disabled\", \"Max\", \"Min\"",
                      name)));
    }
  }
  if (const auto* p = member(v, "policies")) {
    const std::string pp = child(path, "policies");
    KSCALE_TRY(arr, as_array(*p, pp));
    std::vector<hpa::ScalingPolicy> policies;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const auto& item = (*arr)[i];
      const std::string ip = index(pp, i);
      hpa::ScalingPolicy policy;
      const auto* type = member(item, "type");
      KSCALE_TRY(tname,
                 type ? as_string(*type, child(ip, "type"))
                      : core::Result<std::string>(core::fail(field_error(
                            child(ip, "type"), "Required value: must specify a policy type"))));
      if (tname == "Pods") {
        policy.type = hpa::ScalingPolicyType::Pods;
      } else if (tname == "Percent") {
        policy.type = hpa::ScalingPolicyType::Percent;
      } else {
        return core::fail(field_error(
            child(ip, "type"),
            fmt::format("Unsupported value: \"{}\": supported values: \"Percent\", \"Pods\"",
                        tname)));
      }
      if (const auto* val = member(item, "value")) {
        KSCALE_TRY(n, as_int(*val, child(ip, "value")));
        policy.value = static_cast<int32_t>(n);
      }
      if (const auto* per = member(item, "periodSeconds")) {
        KSCALE_TRY(n, as_int(*per, child(ip, "periodSeconds")));
        policy.period = std::chrono::seconds(n);
      }
      policies.push_back(policy);
    }
    r.policies = std::move(policies);
  }
  if (const auto* t = member(v, "tolerance")) {
    KSCALE_TRY(tol, as_quantity_double(*t, child(path, "tolerance")));
    r.tolerance = tol;
  }
  return r;
}

core::Result<hpa::Condition> decode_condition(const boost::json::value& v,
                                              const std::string& path) {
  hpa::Condition c;
  KSCALE_TRY(type, as_string(member(v, "type") ? *member(v, "type") : boost::json::value(""),
                             child(path, "type")));
  if (type == "AbleToScale") {
    c.type = hpa::ConditionType::AbleToScale;
  } else if (type == "ScalingActive") {
    c.type = hpa::ConditionType::ScalingActive;
  } else if (type == "ScalingLimited") {
    c.type = hpa::ConditionType::ScalingLimited;
  } else if (type == "ScaledToZero") {
    c.type = hpa::ConditionType::ScaledToZero;
  } else {
    return core::fail(
        field_error(child(path, "type"), fmt::format("Unsupported value: \"{}\"", type)));
  }
  if (const auto* s = member(v, "status")) {
    KSCALE_TRY(status, as_string(*s, child(path, "status")));
    c.status = status == "True"    ? hpa::ConditionStatus::True
               : status == "False" ? hpa::ConditionStatus::False
                                   : hpa::ConditionStatus::Unknown;
  }
  if (const auto* r = member(v, "reason")) {
    KSCALE_TRY(reason, as_string(*r, child(path, "reason")));
    c.reason = reason;
  }
  if (const auto* m = member(v, "message")) {
    KSCALE_TRY(message, as_string(*m, child(path, "message")));
    c.message = message;
  }
  if (const auto* t = member(v, "lastTransitionTime")) {
    KSCALE_TRY(time, as_time(*t, child(path, "lastTransitionTime")));
    c.last_transition_time = time;
  }
  return c;
}

core::Result<hpa::HpaStatus> decode_status(const boost::json::value& v, const std::string& path) {
  hpa::HpaStatus s;
  if (const auto* g = member(v, "observedGeneration")) {
    KSCALE_TRY(n, as_int(*g, child(path, "observedGeneration")));
    s.observed_generation = n;
  }
  if (const auto* t = member(v, "lastScaleTime")) {
    KSCALE_TRY(time, as_time(*t, child(path, "lastScaleTime")));
    s.last_scale_time = time;
  }
  if (const auto* c = member(v, "currentReplicas")) {
    KSCALE_TRY(n, as_int(*c, child(path, "currentReplicas")));
    s.current_replicas = hpa::Replicas(static_cast<int32_t>(n));
  }
  if (const auto* d = member(v, "desiredReplicas")) {
    KSCALE_TRY(n, as_int(*d, child(path, "desiredReplicas")));
    s.desired_replicas = hpa::Replicas(static_cast<int32_t>(n));
  }
  if (const auto* conds = member(v, "conditions")) {
    const std::string cp = child(path, "conditions");
    KSCALE_TRY(arr, as_array(*conds, cp));
    for (std::size_t i = 0; i < arr->size(); ++i) {
      KSCALE_TRY(c, decode_condition((*arr)[i], index(cp, i)));
      s.conditions.push_back(std::move(c));
    }
  }
  return s;
}

core::Result<hpa::HpaSpec> decode_spec(const boost::json::value& v, const std::string& path) {
  hpa::HpaSpec spec;
  KSCALE_TRY(obj, as_object(v, path));
  (void)obj;
  if (const auto* ref = member(v, "scaleTargetRef")) {
    const std::string rp = child(path, "scaleTargetRef");
    for (auto [key, out] : {std::pair{"kind", &spec.scale_target_ref.kind},
                            std::pair{"name", &spec.scale_target_ref.name},
                            std::pair{"apiVersion", &spec.scale_target_ref.api_version}}) {
      if (const auto* f = member(*ref, key)) {
        KSCALE_TRY(s, as_string(*f, child(rp, key)));
        *out = s;
      }
    }
  }
  if (const auto* m = member(v, "minReplicas")) {
    KSCALE_TRY(n, as_int(*m, child(path, "minReplicas")));
    spec.min_replicas = static_cast<int32_t>(n);
  }
  const auto* max = member(v, "maxReplicas");
  if (max == nullptr) {
    return core::fail(field_error(child(path, "maxReplicas"), "Required value"));
  }
  KSCALE_TRY(max_n, as_int(*max, child(path, "maxReplicas")));
  spec.max_replicas = static_cast<int32_t>(max_n);
  if (const auto* metrics = member(v, "metrics")) {
    const std::string mp = child(path, "metrics");
    KSCALE_TRY(arr, as_array(*metrics, mp));
    for (std::size_t i = 0; i < arr->size(); ++i) {
      KSCALE_TRY(m, decode_metric((*arr)[i], index(mp, i)));
      spec.metrics.push_back(std::move(m));
    }
  }
  if (const auto* b = member(v, "behavior")) {
    const std::string bp = child(path, "behavior");
    KSCALE_TRY(bobj, as_object(*b, bp));
    (void)bobj;
    hpa::Behavior behavior;
    if (const auto* up = member(*b, "scaleUp")) {
      KSCALE_TRY(r, decode_rules(*up, child(bp, "scaleUp")));
      behavior.scale_up = std::move(r);
    }
    if (const auto* down = member(*b, "scaleDown")) {
      KSCALE_TRY(r, decode_rules(*down, child(bp, "scaleDown")));
      behavior.scale_down = std::move(r);
    }
    spec.behavior = std::move(behavior);
  }
  return spec;
}

}  // namespace

core::Result<hpa::HorizontalPodAutoscaler> decode_hpa(const boost::json::value& v,
                                                      const std::string& path) {
  hpa::HorizontalPodAutoscaler h;
  KSCALE_TRY(obj, as_object(v, path.empty() ? std::string("(root)") : path));
  (void)obj;
  if (const auto* kind = member(v, "kind")) {
    KSCALE_TRY(k, as_string(*kind, child(path, "kind")));
    if (k != "HorizontalPodAutoscaler") {
      return core::fail(
          field_error(child(path, "kind"), fmt::format("Invalid value: \"{}\": expected "
                                                       "HorizontalPodAutoscaler",
                                                       k)));
    }
  }
  if (const auto* api = member(v, "apiVersion")) {
    KSCALE_TRY(a, as_string(*api, child(path, "apiVersion")));
    if (a != "autoscaling/v2") {
      return core::fail(field_error(child(path, "apiVersion"),
                                    fmt::format("Unsupported value: \"{}\": supported values: "
                                                "\"autoscaling/v2\"",
                                                a)));
    }
  }
  if (const auto* md = member(v, "metadata")) {
    const std::string mp = child(path, "metadata");
    if (const auto* n = member(*md, "name")) {
      KSCALE_TRY(name, as_string(*n, child(mp, "name")));
      h.name = name;
    }
    if (const auto* ns = member(*md, "namespace")) {
      KSCALE_TRY(nspace, as_string(*ns, child(mp, "namespace")));
      h.namespace_ = nspace;
    }
    if (const auto* g = member(*md, "generation")) {
      KSCALE_TRY(gen, as_int(*g, child(mp, "generation")));
      h.generation = gen;
    }
  }
  if (h.namespace_.empty()) {
    h.namespace_ = "default";
  }
  const auto* spec = member(v, "spec");
  if (spec == nullptr) {
    return core::fail(field_error(child(path, "spec"), "Required value"));
  }
  KSCALE_TRY(s, decode_spec(*spec, child(path, "spec")));
  h.spec = std::move(s);
  if (const auto* status = member(v, "status")) {
    KSCALE_TRY(st, decode_status(*status, child(path, "status")));
    h.status = std::move(st);
  }
  return h;
}

void apply_api_defaults(hpa::HpaSpec& spec) {
  if (!spec.min_replicas) {
    spec.min_replicas = 1;
  }
  if (spec.metrics.empty()) {
    hpa::MetricSpec cpu;
    cpu.type = MetricSourceType::Resource;
    cpu.type_name = "Resource";
    cpu.resource_name = "cpu";
    cpu.target = {hpa::MetricTargetType::Utilization, "Utilization", std::nullopt, std::nullopt,
                  80};
    spec.metrics.push_back(std::move(cpu));
  }
}

core::Result<hpa::HorizontalPodAutoscaler> read_hpa_manifest(std::string_view text,
                                                             const hpa::FeatureGates& gates) {
  KSCALE_TRY(doc, parse_document(text));
  KSCALE_TRY(h, decode_hpa(doc, ""));
  apply_api_defaults(h.spec);
  auto errors = hpa::validate_hpa_spec(h.spec, gates);
  if (!errors.empty()) {
    return core::fail(errors.front());
  }
  return h;
}

core::Result<int64_t> parse_quantity_milli(std::string_view text) {
  return as_quantity_milli(boost::json::value(text), "quantity");
}

}  // namespace kscale::kube
