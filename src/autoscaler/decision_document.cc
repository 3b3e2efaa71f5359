#include "autoscaler/decision_document.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "core/json_reader.h"
#include "core/quantity.h"
#include "core/time_format.h"
#include "hpa/validation.h"
#include "kube/horizontal_pod_autoscaler.h"

namespace kscale::autoscaler {

namespace {

using namespace core::json_reader;
namespace json = boost::json;

core::Result<int32_t> optional_int(const json::value& obj, std::string_view key,
                                   const std::string& path, int32_t fallback) {
  const auto* v = member(obj, key);
  if (v == nullptr) {
    return fallback;
  }
  KSCALE_TRY(n, as_int(*v, child(path, key)));
  if (n < 0) {
    return core::fail(field_error(child(path, key), fmt::format("Invalid value: {}: must be "
                                                                "greater than or equal to 0",
                                                                n)));
  }
  return static_cast<int32_t>(n);
}

core::Result<hpa::ResourceList> decode_resources(const json::value& v, const std::string& path) {
  hpa::ResourceList out;
  KSCALE_TRY(obj, as_object(v, path));
  for (const auto& kv : *obj) {
    KSCALE_TRY(milli, as_quantity_milli(kv.value(), child(path, kv.key())));
    out.emplace_back(std::string(kv.key()), milli);
  }
  return out;
}

core::Result<hpa::Container> decode_container(const json::value& v, const std::string& path) {
  hpa::Container c;
  if (const auto* n = member(v, "name")) {
    KSCALE_TRY(name, as_string(*n, child(path, "name")));
    c.name = name;
  }
  if (const auto* res = member(v, "resources")) {
    if (const auto* req = member(*res, "requests")) {
      KSCALE_TRY(r, decode_resources(*req, child(child(path, "resources"), "requests")));
      c.requests = std::move(r);
    }
  }
  if (const auto* rp = member(v, "restartPolicy")) {
    KSCALE_TRY(policy, as_string(*rp, child(path, "restartPolicy")));
    c.restart_policy_always = policy == "Always";
  }
  return c;
}

core::Result<hpa::Pod> decode_pod(const json::value& v, const std::string& path) {
  hpa::Pod p;
  KSCALE_TRY(obj, as_object(v, path));
  (void)obj;
  const std::string mp = child(path, "metadata");
  if (const auto* md = member(v, "metadata")) {
    if (const auto* n = member(*md, "name")) {
      KSCALE_TRY(name, as_string(*n, child(mp, "name")));
      p.name = name;
    }
    if (const auto* labels = member(*md, "labels")) {
      KSCALE_TRY(lobj, as_object(*labels, child(mp, "labels")));
      for (const auto& kv : *lobj) {
        KSCALE_TRY(val, as_string(kv.value(), child(child(mp, "labels"), kv.key())));
        p.labels.emplace(std::string(kv.key()), val);
      }
    }
    p.deleted = member(*md, "deletionTimestamp") != nullptr;
  }
  if (p.name.empty()) {
    return core::fail(field_error(child(mp, "name"), "Required value"));
  }
  const std::string sp = child(path, "spec");
  if (const auto* spec = member(v, "spec")) {
    for (auto [key, out] : {std::pair{"containers", &p.containers},
                            std::pair{"initContainers", &p.init_containers}}) {
      if (const auto* list = member(*spec, key)) {
        KSCALE_TRY(arr, as_array(*list, child(sp, key)));
        for (std::size_t i = 0; i < arr->size(); ++i) {
          KSCALE_TRY(c, decode_container((*arr)[i], index(child(sp, key), i)));
          out->push_back(std::move(c));
        }
      }
    }
    if (const auto* res = member(*spec, "resources")) {
      if (const auto* req = member(*res, "requests")) {
        KSCALE_TRY(r, decode_resources(*req, child(child(sp, "resources"), "requests")));
        p.pod_requests = std::move(r);
      }
    }
  }
  const std::string stp = child(path, "status");
  p.phase = hpa::PodPhase::Unknown;
  if (const auto* status = member(v, "status")) {
    if (const auto* ph = member(*status, "phase")) {
      KSCALE_TRY(phase, as_string(*ph, child(stp, "phase")));
      p.phase = phase == "Pending"     ? hpa::PodPhase::Pending
                : phase == "Running"   ? hpa::PodPhase::Running
                : phase == "Succeeded" ? hpa::PodPhase::Succeeded
                : phase == "Failed"    ? hpa::PodPhase::Failed
                                       : hpa::PodPhase::Unknown;
    }
    if (const auto* st = member(*status, "startTime")) {
      KSCALE_TRY(t, as_time(*st, child(stp, "startTime")));
      p.start_time = t;
    }
    if (const auto* conds = member(*status, "conditions")) {
      KSCALE_TRY(arr, as_array(*conds, child(stp, "conditions")));
      for (std::size_t i = 0; i < arr->size(); ++i) {
        const auto& c = (*arr)[i];
        const std::string cp = index(child(stp, "conditions"), i);
        const auto* type = member(c, "type");
        if (type == nullptr || !type->is_string() || type->as_string() != "Ready") {
          continue;
        }
        hpa::PodReadyCondition ready;
        if (const auto* s = member(c, "status")) {
          KSCALE_TRY(status_text, as_string(*s, child(cp, "status")));
          ready.status = status_text == "True"    ? hpa::ConditionStatus::True
                         : status_text == "False" ? hpa::ConditionStatus::False
                                                  : hpa::ConditionStatus::Unknown;
        }
        if (const auto* t = member(c, "lastTransitionTime")) {
          KSCALE_TRY(time, as_time(*t, child(cp, "lastTransitionTime")));
          ready.last_transition_time = time;
        }
        p.ready = ready;
      }
    }
  }
  return p;
}

core::Result<const json::array*> items_of(const json::value& list, const std::string& path) {
  const auto* items = member(list, "items");
  if (items == nullptr) {
    static const json::array kEmpty;
    return &kEmpty;
  }
  return as_array(*items, child(path, "items"));
}

core::Result<hpa::MetricSnapshot> decode_pod_metrics(const json::value& v, const std::string& path) {
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
          KSCALE_TRY(usage, decode_resources(*u, child(cp, "usage")));
          cu.usage = std::move(usage);
        }
        m.containers.push_back(std::move(cu));
      }
    }
    s.pod_metrics.push_back(std::move(m));
  }
  return s;
}

core::Result<hpa::MetricSnapshot> decode_metric_values(const json::value& v,
                                                       const std::string& path) {
  hpa::MetricSnapshot s;
  KSCALE_TRY(items, items_of(v, path));
  for (std::size_t i = 0; i < items->size(); ++i) {
    const auto& item = (*items)[i];
    const std::string ip = index(child(path, "items"), i);
    hpa::MetricValue mv;
    if (const auto* d = member(item, "describedObject")) {
      if (const auto* k = member(*d, "kind")) {
        KSCALE_TRY(kind, as_string(*k, child(child(ip, "describedObject"), "kind")));
        mv.described_kind = kind;
      }
      if (const auto* n = member(*d, "name")) {
        KSCALE_TRY(name, as_string(*n, child(child(ip, "describedObject"), "name")));
        mv.described_name = name;
      }
    }
    if (const auto* t = member(item, "timestamp")) {
      KSCALE_TRY(time, as_time(*t, child(ip, "timestamp")));
      mv.timestamp = time;
    }
    if (const auto* w = member(item, "windowSeconds")) {
      KSCALE_TRY(secs, as_int(*w, child(ip, "windowSeconds")));
      mv.window = std::chrono::seconds(secs);
    }
    const auto* value = member(item, "value");
    if (value == nullptr) {
      return core::fail(field_error(child(ip, "value"), "Required value"));
    }
    KSCALE_TRY(milli, as_quantity_milli(*value, child(ip, "value")));
    mv.value_milli = milli;
    s.values.push_back(std::move(mv));
  }
  return s;
}

core::Result<hpa::MetricSnapshot> decode_external_values(const json::value& v,
                                                         const std::string& path) {
  hpa::MetricSnapshot s;
  KSCALE_TRY(items, items_of(v, path));
  for (std::size_t i = 0; i < items->size(); ++i) {
    const auto& item = (*items)[i];
    const std::string ip = index(child(path, "items"), i);
    hpa::ExternalMetricValue ev;
    if (const auto* t = member(item, "timestamp")) {
      KSCALE_TRY(time, as_time(*t, child(ip, "timestamp")));
      ev.timestamp = time;
    }
    const auto* value = member(item, "value");
    if (value == nullptr) {
      return core::fail(field_error(child(ip, "value"), "Required value"));
    }
    KSCALE_TRY(milli, as_quantity_milli(*value, child(ip, "value")));
    ev.value_milli = milli;
    s.external_values.push_back(std::move(ev));
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
    return core::fail(field_error(
        child(path, expected),
        fmt::format("Required value: a {} metric is answered by {} (or error)", spec.type_name,
                    expected)));
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

core::Result<hpa::ControllerConfig> decode_controller(const json::value& v, const std::string& path) {
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
        return core::fail(field_error(child(gp, kv.key()), "Unsupported value: unknown feature gate"));
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
      KSCALE_TRY(n, optional_int((*arr)[i], "replicas", ip, 0));
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
        KSCALE_TRY(n, optional_int((*arr)[i], "replicaChange", ip, 0));
        const auto* t = member((*arr)[i], "timestamp");
        KSCALE_TRY(time, t ? as_time(*t, child(ip, "timestamp"))
                           : core::Result<core::SystemTime>(
                                 core::fail(field_error(child(ip, "timestamp"), "Required value"))));
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

core::Result<hpa::Scale> decode_scale(const json::value& v, const std::string& path) {
  hpa::Scale s;
  const auto* spec = member(v, "spec");
  const auto* status = member(v, "status");
  if (spec != nullptr) {
    KSCALE_TRY(r, optional_int(*spec, "replicas", child(path, "spec"), 0));
    s.spec_replicas = hpa::Replicas(r);
  }
  if (status != nullptr) {
    KSCALE_TRY(r, optional_int(*status, "replicas", child(path, "status"), 0));
    s.status_replicas = hpa::Replicas(r);
    if (const auto* sel = member(*status, "selector")) {
      KSCALE_TRY(selector, as_string(*sel, child(child(path, "status"), "selector")));
      s.selector = selector;
    }
  }
  for (auto [key, out] : {std::pair{"error", &s.error}, std::pair{"updateError", &s.update_error}}) {
    if (const auto* e = member(v, key)) {
      KSCALE_TRY(text, as_string(*e, child(path, key)));
      *out = text;
    }
  }
  KSCALE_TRY(conflicts, optional_int(v, "updateConflicts", path, 0));
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
      return core::fail(field_error("kind", fmt::format("Invalid value: \"{}\": expected HPADecision", k)));
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
  KSCALE_TRY(sc, decode_scale(*scale, "scale"));
  d.scale = std::move(sc);
  if (const auto* pods = member(v, "pods")) {
    KSCALE_TRY(arr, as_array(*pods, "pods"));
    for (std::size_t i = 0; i < arr->size(); ++i) {
      KSCALE_TRY(p, decode_pod((*arr)[i], index("pods", i)));
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
    return core::fail(field_error(
        "metrics", fmt::format("Invalid value: {} entries: must have one entry per "
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

std::string quantity_text(int64_t milli, bool binary_si) {
  return core::Quantity::from_milli(milli, binary_si ? core::Quantity::Format::BinarySI
                                                     : core::Quantity::Format::DecimalSI)
      .to_string();
}

namespace {

json::value time_json(const std::optional<core::SystemTime>& t) {
  return t ? json::value(core::format_rfc3339(*t)) : json::value(nullptr);
}

json::object value_status(const hpa::MetricValueStatus& v) {
  json::object o;
  if (v.value_milli) {
    o["value"] = quantity_text(*v.value_milli, v.binary_si);
  }
  if (v.average_value_milli) {
    o["averageValue"] = quantity_text(*v.average_value_milli, v.binary_si);
  }
  if (v.average_utilization) {
    o["averageUtilization"] = *v.average_utilization;
  }
  return o;
}

json::object identifier(const hpa::MetricIdentifier& id) {
  json::object o{{"name", id.name}};
  if (!id.selector.is_null()) {
    o["selector"] = id.selector;
  }
  return o;
}

json::value condition_json(const hpa::Condition& c) {
  json::object o{{"type", hpa::condition_type_name(c.type)},
                 {"status", hpa::condition_status_name(c.status)},
                 {"reason", c.reason},
                 {"message", c.message}};
  o["lastTransitionTime"] = time_json(c.last_transition_time);
  return o;
}

json::value status_json(const hpa::HpaStatus& s) {
  json::object o;
  if (s.observed_generation) {
    o["observedGeneration"] = *s.observed_generation;
  }
  if (s.last_scale_time) {
    o["lastScaleTime"] = core::format_rfc3339(*s.last_scale_time);
  }
  o["currentReplicas"] = s.current_replicas.value();
  o["desiredReplicas"] = s.desired_replicas.value();
  if (s.current_metrics && !s.current_metrics->empty()) {
    json::array metrics;
    for (const auto& m : *s.current_metrics) {
      metrics.push_back(encode_metric_status(m));
    }
    o["currentMetrics"] = std::move(metrics);
  }
  json::array conds;
  for (const auto& c : s.conditions) {
    conds.push_back(condition_json(c));
  }
  o["conditions"] = std::move(conds);
  return o;
}

json::value pods_json(const std::optional<hpa::PodGroups>& g) {
  if (!g) {
    return nullptr;
  }
  auto names = [](const std::vector<std::string>& v) {
    json::array a;
    for (const auto& n : v) {
      a.push_back(json::value(n));
    }
    return a;
  };
  return json::object{{"ready", g->ready},
                      {"unready", names(g->unready)},
                      {"missing", names(g->missing)},
                      {"ignored", names(g->ignored)}};
}

json::value metric_json(const hpa::MetricResult& r) {
  json::object o;
  const bool ok = r.evaluated && !r.calculation.error;
  o["replicas"] = ok ? json::value(r.calculation.replicas.value()) : json::value(nullptr);
  o["timestamp"] = ok ? json::value(core::format_rfc3339(r.calculation.timestamp)) : json::value(nullptr);
  o["status"] = ok && r.status ? encode_metric_status(*r.status) : json::value(nullptr);
  o["pods"] = r.evaluated ? pods_json(r.calculation.pods) : json::value(nullptr);
  o["error"] = r.calculation.error ? json::value(*r.calculation.error) : json::value(nullptr);
  return o;
}

json::value state_json(const hpa::ControllerState& s) {
  json::object o;
  json::array recs;
  if (s.recommendations) {
    for (const auto& r : *s.recommendations) {
      recs.push_back(json::object{{"replicas", r.replicas.value()},
                                  {"timestamp", core::format_rfc3339(r.timestamp)}});
    }
  }
  o["recommendations"] = std::move(recs);
  for (auto [key, list] : {std::pair{"scaleUpEvents", &s.scale_up_events},
                           std::pair{"scaleDownEvents", &s.scale_down_events}}) {
    json::array events;
    for (const auto& e : *list) {
      events.push_back(json::object{{"replicaChange", e.replica_change.value()},
                                    {"timestamp", core::format_rfc3339(e.timestamp)},
                                    {"outdated", e.outdated}});
    }
    o[key] = std::move(events);
  }
  return o;
}

}  // namespace

json::value encode_metric_status(const hpa::MetricStatus& s) {
  json::object o{{"type", s.type_name}};
  if (s.empty()) {
    return o;
  }
  using hpa::MetricSourceType;
  switch (s.type) {
    case MetricSourceType::Resource:
      o["resource"] = json::object{{"name", s.resource_name}, {"current", value_status(s.current)}};
      break;
    case MetricSourceType::ContainerResource:
      o["containerResource"] = json::object{{"name", s.resource_name},
                                            {"container", s.container},
                                            {"current", value_status(s.current)}};
      break;
    case MetricSourceType::Pods:
      o["pods"] = json::object{{"metric", identifier(s.metric)}, {"current", value_status(s.current)}};
      break;
    case MetricSourceType::Object: {
      json::object obj{{"metric", identifier(s.metric)}, {"current", value_status(s.current)}};
      if (s.described_object) {
        obj["describedObject"] = json::object{{"kind", s.described_object->kind},
                                              {"name", s.described_object->name},
                                              {"apiVersion", s.described_object->api_version}};
      }
      o["object"] = std::move(obj);
      break;
    }
    case MetricSourceType::External:
      o["external"] = json::object{{"metric", identifier(s.metric)}, {"current", value_status(s.current)}};
      break;
    case MetricSourceType::Unknown:
      break;
  }
  return o;
}

json::value encode_decision(const DecisionDocument& doc, const hpa::Decision& d,
                            const hpa::ControllerState& state) {
  (void)doc;
  json::object o;
  o["apiVersion"] = "kscale.io/v1alpha1";
  o["kind"] = "HPADecisionResult";
  o["desiredReplicas"] = d.desired.value();
  o["scale"] = json::object{{"updated", d.scale_updated},
                            {"replicas", d.scale_replicas.value()},
                            {"error", d.scale_error ? json::value(*d.scale_error) : json::value(nullptr)}};
  o["reconcileError"] = d.reconcile_error ? json::value(*d.reconcile_error) : json::value(nullptr);
  o["status"] = status_json(d.status);
  json::array metrics;
  for (const auto& m : d.metrics) {
    metrics.push_back(metric_json(m));
  }
  o["metrics"] = std::move(metrics);
  o["recommendation"] = d.recommendation ? json::value(d.recommendation->value()) : json::value(nullptr);
  o["state"] = state_json(state);
  return o;
}

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
    const auto& m = d.metrics[i];
    const auto& spec = h.spec.metrics[i];
    const std::string name = spec.metric.name.empty() ? spec.resource_name : spec.metric.name;
    out += fmt::format("\nmetric {} ({} {}, target {}):\n", i, spec.type_name, name,
                       spec.target.type_name);
    if (!m.evaluated) {
      out += "  not evaluated\n";
      continue;
    }
    if (m.calculation.error) {
      out += fmt::format("  failed: {}\n", *m.calculation.error);
      continue;
    }
    const auto& c = m.calculation;
    if (c.utilization) {
      out += fmt::format("  current utilization {}% of requests (average {}), target {}%\n",
                         *c.utilization, quantity_text(c.usage),
                         spec.target.average_utilization.value_or(0));
    } else {
      const int64_t target = spec.target.average_value_milli.value_or(spec.target.value_milli.value_or(0));
      out += fmt::format("  current {} vs target {}\n", quantity_text(c.usage), quantity_text(target));
    }
    out += fmt::format("  usage ratio {:.4f}{}\n", c.usage_ratio,
                       c.within_tolerance && !c.rebalanced_ratio ? " (within tolerance: no change)" : "");
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
  out += "\n";
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
  return out;
}

}  // namespace kscale::autoscaler
