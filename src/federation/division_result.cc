#include "federation/division_result.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace kscale::federation {

namespace {

constexpr const char* kApiVersion = "kscale.io/v1alpha1";
constexpr const char* kKind = "ReplicaDivisionResult";

std::string scheduling_summary(const DivisionRequest& r) {
  if (!r.scheduling) {
    return "no replicaScheduling (Duplicated)";
  }
  const ReplicaScheduling& s = *r.scheduling;
  if (s.type == ReplicaSchedulingType::Duplicated) {
    return "Duplicated";
  }
  if (s.preference == ReplicaDivisionPreference::Aggregated) {
    return "Divided, Aggregated";
  }
  if (s.dynamic_weight) {
    return "Divided, Weighted, dynamicWeight AvailableReplicas";
  }
  return s.weight_preference
             ? fmt::format("Divided, Weighted, {} static weight rule(s)", s.static_weights.size())
             : "Divided, Weighted, no weightPreference (every cluster 1)";
}

}  // namespace

boost::json::value encode_division_result(const core::Result<Assignment>& result) {
  boost::json::object doc;
  doc["apiVersion"] = kApiVersion;
  doc["kind"] = kKind;
  boost::json::array clusters;
  if (result) {
    for (const auto& c : result->clusters) {
      clusters.push_back(boost::json::object{{"name", c.name}, {"replicas", c.replicas}});
    }
  }
  doc["clusters"] = std::move(clusters);
  doc["error"] = result ? boost::json::value(nullptr) : boost::json::value(result.error().message);
  return doc;
}

std::string encode_division_result_yaml(const core::Result<Assignment>& result) {
  YAML::Emitter out;
  out.SetNullFormat(YAML::LowerNull);
  out << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << kApiVersion;
  out << YAML::Key << "kind" << YAML::Value << kKind;
  out << YAML::Key << "clusters" << YAML::Value;
  if (!result || result->clusters.empty()) {
    out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
  } else {
    out << YAML::BeginSeq;
    for (const auto& c : result->clusters) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << c.name;
      out << YAML::Key << "replicas" << YAML::Value << c.replicas << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::Key << "error" << YAML::Value;
  if (result) {
    out << YAML::Null;
  } else {
    out << YAML::DoubleQuoted << result.error().message;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string explain_division(const DivisionRequest& r, const core::Result<Assignment>& result) {
  std::string out = fmt::format("replicas: {} over {} candidate cluster(s); {}{}\n", r.replicas,
                                r.clusters.size(), scheduling_summary(r),
                                r.legacy ? "; legacy (pre-1.16) dispenser" : "");
  if (!result) {
    return out + result.error().message + "\n";
  }
  const Assignment& a = *result;
  out += fmt::format("strategy: {}", strategy_name(a.strategy));
  if (a.strategy == Strategy::Aggregated || a.strategy == Strategy::DynamicWeight) {
    out += fmt::format(" ({})", assignment_mode_name(a.mode));
  }
  out += "\n";
  if (!a.weights.empty()) {
    out += fmt::format("divided {} replica(s) by {}; ties: fewer replicas, then names {}\n",
                       a.divided, r.legacy ? "floor share + remainder" : "Webster",
                       a.tie_order == NameOrder::Ascending ? "ascending" : "descending");
    for (const auto& step : a.weights) {
      const std::string& name =
          step.cluster < r.clusters.size() ? r.clusters[step.cluster].name : std::string();
      out += fmt::format("  {:<20} weight {:>6}  +{}\n", name, step.weight, step.placed);
    }
  }
  int64_t total = 0;
  out += "result:\n";
  for (const auto& c : a.clusters) {
    out += fmt::format("  {:<20} {}\n", c.name, c.replicas);
    total += c.replicas;
  }
  out += fmt::format("total: {}\n", total);
  return out;
}

}  // namespace kscale::federation
