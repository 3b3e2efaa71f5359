// Decoding the kscale.io/v1alpha1 HPADecision document of `kscale replicas`; the Kubernetes
// objects inside it are read by kube's decoders.

#include <fmt/format.h>

#include "autoscaler/decision_document.h"
#include "core/json_reader.h"
#include "hpa/validation.h"
#include "kube/horizontal_pod_autoscaler.h"
#include "kube/metric_value_list.h"
#include "kube/pod.h"
#include "kube/scale.h"

namespace kscale::autoscaler {

namespace {

using namespace core::json_reader;
namespace json = boost::json;

core::Result<const json::array*> items_of(const json::value& list, const std::string& path) {
  const auto* items = member(list, "items");
  if (items == nullptr) {
    static const json::array kEmpty;
    return &kEmpty;
  }
  return as_array(*items, child(path, "items"));
}

core::Result<hpa::MetricSnapshot> decode_pod_metrics(const json::value& v,
                                                     const std::string& path) {
  hpa::MetricSnapshot s;
  KSCALE_TRY(items, items_of(v, path));
  for (std::size_t i = 0; i < items->size(); ++i) {
    const auto& item = (*items)[i];
    const std::string ip = index(child(path, "items"), i);
    hpa::PodMetrics m;
    if (const auto* md = member(item, "metadata")) {
      if (const auto* n = member(*md, "name")) {
        KSCALE_TRY(name, as_string(*n, child(child(ip, "metadata"), "name")));
        m.name = name;
      }
    }
    if (const auto* t = member(item, "timestamp")) {
      KSCALE_TRY(time, as_time(*t, child(ip, "timestamp")));
      m.timestamp = time;
    }
    if (const auto* w = member(item, "window")) {
      KSCALE_TRY(window, as_duration(*w, child(ip, "window")));
      m.window = std::chrono::duration_cast<std::chrono::milliseconds>(window);
    }
    if (const auto* cs = member(item, "containers")) {
      KSCALE_TRY(arr, as_array(*cs, child(ip, "containers")));
      for (std::size_t j = 0; j < arr->size(); ++j) {
        const std::string cp = index(child(ip, "containers"), j);
        hpa::PodMetrics::ContainerUsage cu;
        if (const auto* n = member((*arr)[j], "name")) {
          KSCALE_TRY(name, as_string(*n, child(cp, "name")));
          cu.name = name;
        }
        if (const auto* u = member((*arr)[j], "usage")) {
          KSCALE_TRY(usage, kube::decode_resource_list(*u, child(cp, "usage")));
          cu.usage = std::move(usage);
        }
        m.containers.push_back(std::move(cu));
      }
    }
    s.pod_metrics.push_back(std::move(m));
  }
  return s;
}

// A kube decoder's error ("items[0]: value: required") placed under the document's `path`.
core::Error at_path(const core::Error& e, const std::string& path) {
  return core::Error::invalid(path, e.message.starts_with("items[") ? path + "." + e.message
                                                                    : path + ": " + e.message);
}

// A MetricValueList as `kubectl get --raw` prints it; the version from its apiVersion
// (v1beta2 when absent).
core::Result<hpa::MetricSnapshot> decode_metric_values(const json::value& v,
                                                       const std::string& path) {
  KSCALE_TRY(obj, as_object(v, path));
  (void)obj;
  const auto* api_version = member(v, "apiVersion");
  const auto version = api_version != nullptr && api_version->is_string()
                           ? kube::custom_list_version(api_version->as_string())
                           : std::nullopt;
  hpa::MetricSnapshot s;
  auto decoded = kube::decode_metric_value_items(
      v, version.value_or(kube::CustomVersion::V1Beta2), [&](kube::MetricValueItem& item) {
        s.values.push_back(hpa::MetricValue{
            std::string(item.described_kind), std::string(item.described_name),
            item.timestamp.value_or(core::SystemTime{}), item.window, item.value.milli_value()});
        return core::Result<void>{};
      });
  if (!decoded) {
    return core::fail(at_path(decoded.error(), path));
  }
  return s;
}

core::Result<hpa::MetricSnapshot> decode_external_values(const json::value& v,
                                                         const std::string& path) {
  KSCALE_TRY(obj, as_object(v, path));
  (void)obj;
  hpa::MetricSnapshot s;
  auto decoded =
      kube::decode_external_metric_value_items(v, [&](kube::ExternalMetricValueItem& item) {
        s.external_values.push_back(hpa::ExternalMetricValue{
            std::move(item.labels), item.timestamp.value_or(core::SystemTime{}),
            item.value.milli_value()});
        return core::Result<void>{};
      });
  if (!decoded) {
    return core::fail(at_path(decoded.error(), path));
  }
  return s;
}

core::Result<hpa::MetricSnapshot> decode_snapshot(const json::value& v, const std::string& path,
                                                  const hpa::MetricSpec& spec) {
  if (const auto* e = member(v, "error")) {
    KSCALE_TRY(err, as_string(*e, child(path, "error")));
    hpa::MetricSnapshot s;
    s.error = err;
    return s;
  }
  using hpa::MetricSourceType;
  const char* expected = nullptr;
  switch (spec.type) {
    case MetricSourceType::Resource:
    case MetricSourceType::ContainerResource:
      expected = "podMetrics";
      break;
    case MetricSourceType::Pods:
    case MetricSourceType::Object:
      expected = "metricValues";
      break;
    case MetricSourceType::External:
      expected = "externalMetricValues";
      break;
    case MetricSourceType::Unknown:
      return hpa::MetricSnapshot{};
  }
  const auto* body = member(v, expected);
  if (body == nullptr) {
    return core::fail(
        field_error(child(path, expected),
                    fmt::format("Required value: a {} metric is answered by {} (or error)",
                                spec.type_name, expected)));
  }
  const std::string bp = child(path, expected);
  if (std::string_view(expected) == "podMetrics") {
    return decode_pod_metrics(*body, bp);
  }
  if (std::string_view(expected) == "metricValues") {
    return decode_metric_values(*body, bp);
  }
  return decode_external_values(*body, bp);
}

core::Result<hpa::ControllerConfig> decode_controller(const json::value& v,
                                                      const std::string& path) {
  hpa::ControllerConfig c;
  if (const auto* t = member(v, "tolerance")) {
    KSCALE_TRY(tol, as_double(*t, child(path, "tolerance")));
    if (tol < 0) {
      return core::fail(field_error(child(path, "tolerance"),
                                    "Invalid value: must be greater than or equal to 0"));
    }
    c.tolerance = tol;
  }
  for (auto [key, out] : {std::pair{"cpuInitializationPeriod", &c.cpu_initialization_period},
                          std::pair{"initialReadinessDelay", &c.initial_readiness_delay}}) {
    if (const auto* d = member(v, key)) {
      KSCALE_TRY(dur, as_duration(*d, child(path, key)));
      *out = dur;
    }
  }
  if (const auto* d = member(v, "downscaleStabilizationWindow")) {
    KSCALE_TRY(dur, as_duration(*d, child(path, "downscaleStabilizationWindow")));
    c.downscale_stabilization_window = std::chrono::duration_cast<std::chrono::seconds>(dur);
  }
  for (auto [key, out] : {std::pair{"scaleUpLimitFactor", &c.scale_up_limit_factor},
                          std::pair{"scaleUpLimitMinimum", &c.scale_up_limit_minimum}}) {
    if (const auto* n = member(v, key)) {
      KSCALE_TRY(x, as_double(*n, child(path, key)));
      *out = x;
    }
  }
  if (const auto* g = member(v, "featureGates")) {
    const std::string gp = child(path, "featureGates");
    KSCALE_TRY(gobj, as_object(*g, gp));
    for (const auto& kv : *gobj) {
      KSCALE_TRY(on, as_bool(kv.value(), child(gp, kv.key())));
      if (kv.key() == "HPAScaleToZero") {
        c.feature_gates.hpa_scale_to_zero = on;
      } else if (kv.key() == "HPAConfigurableTolerance") {
        c.feature_gates.hpa_configurable_tolerance = on;
      } else if (kv.key() == "PodLevelResources") {
        c.feature_gates.pod_level_resources = on;
      } else {
        return core::fail(
            field_error(child(gp, kv.key()), "Unsupported value: unknown feature gate"));
      }
    }
  }
  return c;
}

core::Result<hpa::ControllerState> decode_state(const json::value& v, const std::string& path) {
  hpa::ControllerState s;
  std::vector<hpa::TimestampedRecommendation> recs;
  if (const auto* r = member(v, "recommendations")) {
    KSCALE_TRY(arr, as_array(*r, child(path, "recommendations")));
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string ip = index(child(path, "recommendations"), i);
      KSCALE_TRY(n, member_count((*arr)[i], "replicas", ip, 0));
      const auto* t = member((*arr)[i], "timestamp");
      KSCALE_TRY(time, t ? as_time(*t, child(ip, "timestamp"))
                         : core::Result<core::SystemTime>(
                               core::fail(field_error(child(ip, "timestamp"), "Required value"))));
      recs.push_back({hpa::Replicas(n), time});
    }
  }
  s.recommendations = std::move(recs);
  for (auto [key, out] : {std::pair{"scaleUpEvents", &s.scale_up_events},
                          std::pair{"scaleDownEvents", &s.scale_down_events}}) {
    if (const auto* e = member(v, key)) {
      KSCALE_TRY(arr, as_array(*e, child(path, key)));
      for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string ip = index(child(path, key), i);
        KSCALE_TRY(n, member_count((*arr)[i], "replicaChange", ip, 0));
        const auto* t = member((*arr)[i], "timestamp");
        KSCALE_TRY(time, t ? as_time(*t, child(ip, "timestamp"))
                           : core::Result<core::SystemTime>(core::fail(
                                 field_error(child(ip, "timestamp"), "Required value"))));
        bool outdated = false;
        if (const auto* o = member((*arr)[i], "outdated")) {
          KSCALE_TRY(b, as_bool(*o, child(ip, "outdated")));
          outdated = b;
        }
        out->push_back({hpa::Replicas(n), time, outdated});
      }
    }
  }
  return s;
}

// The Scale, plus how this pass's /scale calls behave (decision-document fields).
core::Result<hpa::Scale> decode_decision_scale(const json::value& v, const std::string& path) {
  KSCALE_TRY(s, kube::decode_scale(v, path));
  for (auto [key, out] :
       {std::pair{"error", &s.error}, std::pair{"updateError", &s.update_error}}) {
    if (const auto* e = member(v, key)) {
      KSCALE_TRY(text, as_string(*e, child(path, key)));
      *out = text;
    }
  }
  KSCALE_TRY(conflicts, member_count(v, "updateConflicts", path, 0));
  s.update_conflicts = conflicts;
  return s;
}

}  // namespace

core::Result<DecisionDocument> decode_decision(const json::value& v, bool skip_validation) {
  DecisionDocument d;
  KSCALE_TRY(root, as_object(v, "(root)"));
  (void)root;
  if (const auto* kind = member(v, "kind")) {
    KSCALE_TRY(k, as_string(*kind, "kind"));
    if (k != "HPADecision") {
      return core::fail(
          field_error("kind", fmt::format("Invalid value: \"{}\": expected HPADecision", k)));
    }
  }
  const auto* now = member(v, "now");
  if (now == nullptr) {
    return core::fail(field_error("now", "Required value: the instant of the reconcile"));
  }
  KSCALE_TRY(t, as_time(*now, "now"));
  d.now = t;
  if (const auto* c = member(v, "controller")) {
    KSCALE_TRY(cfg, decode_controller(*c, "controller"));
    d.controller = cfg;
  }
  const auto* h = member(v, "hpa");
  if (h == nullptr) {
    return core::fail(field_error("hpa", "Required value"));
  }
  KSCALE_TRY(hpa_obj, kube::decode_hpa(*h, "hpa"));
  d.hpa = std::move(hpa_obj);
  if (!skip_validation) {
    auto errors = hpa::validate_hpa_spec(d.hpa.spec, d.controller.feature_gates);
    if (!errors.empty()) {
      core::Error e = errors.front();
      e.field = "hpa." + e.field;
      e.message = "hpa." + e.message;
      return core::fail(e);
    }
  }
  const auto* scale = member(v, "scale");
  if (scale == nullptr) {
    return core::fail(field_error("scale", "Required value"));
  }
  KSCALE_TRY(sc, decode_decision_scale(*scale, "scale"));
  d.scale = std::move(sc);
  if (const auto* pods = member(v, "pods")) {
    KSCALE_TRY(arr, as_array(*pods, "pods"));
    for (std::size_t i = 0; i < arr->size(); ++i) {
      KSCALE_TRY(p, kube::decode_pod((*arr)[i], index("pods", i)));
      d.pods.push_back(std::move(p));
    }
  }
  const auto& specs = d.hpa.spec.metrics;
  const json::array kNone;
  const json::array* metrics = &kNone;
  if (const auto* m = member(v, "metrics")) {
    KSCALE_TRY(arr, as_array(*m, "metrics"));
    metrics = arr;
  }
  if (metrics->size() != specs.size() && !specs.empty()) {
    return core::fail(
        field_error("metrics", fmt::format("Invalid value: {} entries: must have one entry per "
                                           "hpa.spec.metrics[i] ({})",
                                           metrics->size(), specs.size())));
  }
  for (std::size_t i = 0; i < metrics->size() && i < specs.size(); ++i) {
    KSCALE_TRY(s, decode_snapshot((*metrics)[i], index("metrics", i), specs[i]));
    d.metrics.push_back(std::move(s));
  }
  if (const auto* st = member(v, "state")) {
    KSCALE_TRY(state, decode_state(*st, "state"));
    d.state = std::move(state);
  }
  return d;
}

}  // namespace kscale::autoscaler
