// Encoding the HPADecisionResult of `kscale replicas` and autoscaling/v2 MetricStatus JSON.

#include <boost/json.hpp>

#include "autoscaler/decision_document.h"
#include "core/quantity.h"
#include "core/time_format.h"

namespace kscale::autoscaler {

namespace json = boost::json;

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
  o["timestamp"] =
      ok ? json::value(core::format_rfc3339(r.calculation.timestamp)) : json::value(nullptr);
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
      o["pods"] =
          json::object{{"metric", identifier(s.metric)}, {"current", value_status(s.current)}};
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
      o["external"] =
          json::object{{"metric", identifier(s.metric)}, {"current", value_status(s.current)}};
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
  o["scale"] =
      json::object{{"updated", d.scale_updated},
                   {"replicas", d.scale_replicas.value()},
                   {"error", d.scale_error ? json::value(*d.scale_error) : json::value(nullptr)}};
  o["reconcileError"] = d.reconcile_error ? json::value(*d.reconcile_error) : json::value(nullptr);
  o["status"] = status_json(d.status);
  json::array metrics;
  for (const auto& m : d.metrics) {
    metrics.push_back(metric_json(m));
  }
  o["metrics"] = std::move(metrics);
  o["recommendation"] =
      d.recommendation ? json::value(d.recommendation->value()) : json::value(nullptr);
  o["state"] = state_json(state);
  return o;
}

}  // namespace kscale::autoscaler
