#include "federation/division_document.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace kscale::federation {

namespace {

using core::Result;

core::Error field_error(const std::string& path, std::string_view what) {
  return core::Error::invalid(path, fmt::format("{}: {}", path, what));
}

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

std::string index(const std::string& path, size_t i) { return fmt::format("{}[{}]", path, i); }

bool present(const YAML::Node& n) { return n.IsDefined() && !n.IsNull(); }

Result<YAML::Node> as_any_map(const YAML::Node& n, const std::string& path) {
  if (!n.IsMap()) {
    return core::fail(field_error(path.empty() ? "(root)" : path, "must be an object"));
  }
  return n;
}

/// A mapping whose keys are all in `known`.
Result<YAML::Node> as_map(const YAML::Node& n, const std::string& path,
                          std::initializer_list<std::string_view> known) {
  if (!n.IsMap()) {
    return as_any_map(n, path);
  }
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return core::fail(field_error(child(path, key), "unknown field"));
    }
  }
  return n;
}

Result<std::string> as_string(const YAML::Node& n, const std::string& path) {
  if (!present(n)) {
    return core::fail(field_error(path, "Required value"));
  }
  if (!n.IsScalar()) {
    return core::fail(field_error(path, "must be a string"));
  }
  return n.Scalar();
}

Result<int64_t> as_int(const YAML::Node& n, const std::string& path, int64_t min, int64_t max) {
  const std::string text = n.IsScalar() && n.Tag() != "!" ? n.Scalar() : std::string();
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return core::fail(field_error(path, "must be an integer"));
  }
  if (v < min) {
    return core::fail(field_error(
        path, fmt::format("Invalid value: {}: must be greater than or equal to {}", v, min)));
  }
  if (v > max) {
    return core::fail(field_error(
        path, fmt::format("Invalid value: {}: must be less than or equal to {}", v, max)));
  }
  return v;
}

Result<bool> as_bool(const YAML::Node& n, const std::string& path) {
  if (n.IsScalar() && n.Tag() != "!" && (n.Scalar() == "true" || n.Scalar() == "false")) {
    return n.Scalar() == "true";
  }
  return core::fail(field_error(path, "must be true or false"));
}

Result<std::vector<std::string>> as_strings(const YAML::Node& n, const std::string& path) {
  if (!n.IsSequence()) {
    return core::fail(field_error(path, "must be a list of strings"));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < n.size(); ++i) {
    auto s = as_string(n[i], index(path, i));
    if (!s) {
      return core::fail(s.error());
    }
    out.push_back(std::move(*s));
  }
  return out;
}

/// One of `allowed`, as Kubernetes reports enum violations.
Result<std::string> as_enum(const YAML::Node& n, const std::string& path,
                            std::initializer_list<std::string_view> allowed) {
  auto s = as_string(n, path);
  if (!s) {
    return s;
  }
  if (std::find(allowed.begin(), allowed.end(), *s) == allowed.end()) {
    std::string list;
    for (const auto a : allowed) {
      list += fmt::format("{}\"{}\"", list.empty() ? "" : ", ", a);
    }
    return core::fail(field_error(
        path, fmt::format("Unsupported value: \"{}\": supported values: {}", *s, list)));
  }
  return s;
}

#define KSCALE_FED_TRY(var, expr)            \
  auto var##_result = (expr);                \
  if (!var##_result) {                       \
    return core::fail(var##_result.error()); \
  }                                          \
  const auto var = std::move(*var##_result)

/// metav1.LabelSelector → core::LabelSelector, through its string form (labels.Parse validates
/// keys, values and operators as metav1.LabelSelectorAsSelector does).
Result<core::LabelSelector> decode_label_selector(const YAML::Node& n, const std::string& path) {
  KSCALE_FED_TRY(m, as_map(n, path, {"matchLabels", "matchExpressions"}));
  std::vector<std::string> parts;
  if (present(m["matchLabels"])) {
    const std::string mp = child(path, "matchLabels");
    KSCALE_FED_TRY(ml, as_any_map(m["matchLabels"], mp));
    for (const auto& kv : ml) {
      KSCALE_FED_TRY(v, as_string(kv.second, child(mp, kv.first.Scalar())));
      parts.push_back(fmt::format("{}={}", kv.first.Scalar(), v));
    }
  }
  if (present(m["matchExpressions"])) {
    const std::string ep = child(path, "matchExpressions");
    if (!m["matchExpressions"].IsSequence()) {
      return core::fail(field_error(ep, "must be a list"));
    }
    for (size_t i = 0; i < m["matchExpressions"].size(); ++i) {
      const std::string ip = index(ep, i);
      KSCALE_FED_TRY(e, as_map(m["matchExpressions"][i], ip, {"key", "operator", "values"}));
      KSCALE_FED_TRY(key, as_string(e["key"], child(ip, "key")));
      KSCALE_FED_TRY(op, as_enum(e["operator"], child(ip, "operator"),
                                 {"In", "NotIn", "Exists", "DoesNotExist"}));
      std::vector<std::string> values;
      if (present(e["values"])) {
        KSCALE_FED_TRY(vs, as_strings(e["values"], child(ip, "values")));
        values = std::move(vs);
      }
      const bool set_op = op == "In" || op == "NotIn";
      if (set_op == values.empty()) {
        return core::fail(field_error(
            child(ip, "values"),
            set_op ? "must be specified when `operator` is 'In' or 'NotIn'"
                   : "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
      if (set_op) {
        parts.push_back(
            fmt::format("{} {} ({})", key, op == "In" ? "in" : "notin", fmt::join(values, ",")));
      } else {
        parts.push_back(op == "Exists" ? key : "!" + key);
      }
    }
  }
  auto selector = core::LabelSelector::parse(fmt::format("{}", fmt::join(parts, ",")));
  if (!selector) {
    return core::fail(field_error(path, selector.error().message));
  }
  return std::move(*selector);
}

Result<ClusterAffinity> decode_affinity(const YAML::Node& n, const std::string& path) {
  KSCALE_FED_TRY(m, as_map(n, path, {"labelSelector", "fieldSelector", "clusterNames", "exclude"}));
  ClusterAffinity a;
  if (present(m["fieldSelector"])) {
    return core::fail(field_error(child(path, "fieldSelector"),
                                  "not supported: candidates carry no provider, region or zone; "
                                  "use labelSelector"));
  }
  if (present(m["labelSelector"])) {
    KSCALE_FED_TRY(sel, decode_label_selector(m["labelSelector"], child(path, "labelSelector")));
    a.label_selector = std::move(sel);
  }
  if (present(m["clusterNames"])) {
    KSCALE_FED_TRY(names, as_strings(m["clusterNames"], child(path, "clusterNames")));
    a.cluster_names = std::move(names);
  }
  if (present(m["exclude"])) {
    KSCALE_FED_TRY(names, as_strings(m["exclude"], child(path, "exclude")));
    a.exclude = std::move(names);
  }
  return a;
}

Result<ReplicaScheduling> decode_scheduling(const YAML::Node& n, const std::string& path) {
  KSCALE_FED_TRY(
      m,
      as_map(n, path, {"replicaSchedulingType", "replicaDivisionPreference", "weightPreference"}));
  ReplicaScheduling s;
  if (present(m["replicaSchedulingType"])) {
    KSCALE_FED_TRY(t, as_enum(m["replicaSchedulingType"], child(path, "replicaSchedulingType"),
                              {"Duplicated", "Divided"}));
    s.type = t == "Duplicated" ? ReplicaSchedulingType::Duplicated : ReplicaSchedulingType::Divided;
  }
  if (present(m["replicaDivisionPreference"])) {
    KSCALE_FED_TRY(p,
                   as_enum(m["replicaDivisionPreference"], child(path, "replicaDivisionPreference"),
                           {"Aggregated", "Weighted"}));
    s.preference = p == "Aggregated" ? ReplicaDivisionPreference::Aggregated
                                     : ReplicaDivisionPreference::Weighted;
  }
  if (!present(m["weightPreference"])) {
    return s;
  }
  const std::string wp = child(path, "weightPreference");
  KSCALE_FED_TRY(w, as_map(m["weightPreference"], wp, {"staticWeightList", "dynamicWeight"}));
  s.weight_preference = true;
  if (present(w["dynamicWeight"])) {
    KSCALE_FED_TRY(d,
                   as_enum(w["dynamicWeight"], child(wp, "dynamicWeight"), {"AvailableReplicas"}));
    s.dynamic_weight = true;
  }
  if (present(w["staticWeightList"])) {
    const std::string lp = child(wp, "staticWeightList");
    if (!w["staticWeightList"].IsSequence()) {
      return core::fail(field_error(lp, "must be a list"));
    }
    for (size_t i = 0; i < w["staticWeightList"].size(); ++i) {
      const std::string ip = index(lp, i);
      KSCALE_FED_TRY(e, as_map(w["staticWeightList"][i], ip, {"targetCluster", "weight"}));
      if (!present(e["targetCluster"])) {
        return core::fail(field_error(child(ip, "targetCluster"), "Required value"));
      }
      if (!present(e["weight"])) {
        return core::fail(field_error(child(ip, "weight"), "Required value"));
      }
      KSCALE_FED_TRY(affinity, decode_affinity(e["targetCluster"], child(ip, "targetCluster")));
      KSCALE_FED_TRY(
          weight, as_int(e["weight"], child(ip, "weight"), 1, std::numeric_limits<int64_t>::max()));
      s.static_weights.push_back(StaticClusterWeight{std::move(affinity), weight});
    }
  }
  return s;
}

Result<CandidateCluster> decode_cluster(const YAML::Node& n, const std::string& path) {
  KSCALE_FED_TRY(m, as_map(n, path, {"name", "labels", "availableReplicas", "replicas"}));
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  CandidateCluster c;
  if (!present(m["name"])) {
    return core::fail(field_error(child(path, "name"), "Required value"));
  }
  KSCALE_FED_TRY(name, as_string(m["name"], child(path, "name")));
  if (name.empty()) {
    return core::fail(field_error(child(path, "name"), "Required value"));
  }
  c.name = std::move(name);
  if (present(m["labels"])) {
    const std::string lp = child(path, "labels");
    KSCALE_FED_TRY(labels, as_any_map(m["labels"], lp));
    for (const auto& kv : labels) {
      KSCALE_FED_TRY(v, as_string(kv.second, child(lp, kv.first.Scalar())));
      c.labels.emplace(kv.first.Scalar(), std::move(v));
    }
  }
  if (present(m["availableReplicas"])) {
    KSCALE_FED_TRY(a, as_int(m["availableReplicas"], child(path, "availableReplicas"), 0, kMax));
    c.available_replicas = static_cast<int32_t>(a);
  }
  if (present(m["replicas"])) {
    KSCALE_FED_TRY(r, as_int(m["replicas"], child(path, "replicas"), 0, kMax));
    c.replicas = static_cast<int32_t>(r);
  }
  return c;
}

Result<std::vector<CandidateCluster>> decode_clusters(const YAML::Node& n, bool need_available) {
  if (!n.IsSequence()) {
    return core::fail(field_error("clusters", "must be a list"));
  }
  std::vector<CandidateCluster> out;
  std::set<std::string, std::less<>> seen;
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string ip = index("clusters", i);
    KSCALE_FED_TRY(c, decode_cluster(n[i], ip));
    if (!seen.insert(c.name).second) {
      return core::fail(
          field_error(child(ip, "name"), fmt::format("Duplicate value: \"{}\"", c.name)));
    }
    if (need_available && !c.available_replicas) {
      return core::fail(field_error(child(ip, "availableReplicas"),
                                    "Required value: dynamic weights and Aggregated divide by it"));
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<DivisionRequest> decode_root(const YAML::Node& root) {
  KSCALE_FED_TRY(m, as_map(root, "",
                           {"apiVersion", "kind", "replicas", "uid", "replicaScheduling",
                            "clusters", "legacy", "fresh"}));
  KSCALE_FED_TRY(api, as_enum(m["apiVersion"], "apiVersion", {"kscale.io/v1alpha1"}));
  KSCALE_FED_TRY(kind, as_enum(m["kind"], "kind", {"ReplicaDivision"}));
  DivisionRequest r;
  if (!present(m["replicas"])) {
    return core::fail(field_error("replicas", "Required value"));
  }
  KSCALE_FED_TRY(replicas,
                 as_int(m["replicas"], "replicas", 0, std::numeric_limits<int32_t>::max()));
  r.replicas = static_cast<int32_t>(replicas);
  if (present(m["uid"])) {
    KSCALE_FED_TRY(uid, as_string(m["uid"], "uid"));
    r.uid = std::move(uid);
  }
  if (present(m["replicaScheduling"])) {
    KSCALE_FED_TRY(s, decode_scheduling(m["replicaScheduling"], "replicaScheduling"));
    r.scheduling = std::move(s);
  }
  for (const auto* flag : {"legacy", "fresh"}) {
    if (present(m[flag])) {
      KSCALE_FED_TRY(b, as_bool(m[flag], flag));
      (std::string_view(flag) == "legacy" ? r.legacy : r.fresh) = b;
    }
  }
  if (!present(m["clusters"])) {
    return core::fail(field_error("clusters", "Required value"));
  }
  const bool need_available = r.scheduling &&
                              r.scheduling->type == ReplicaSchedulingType::Divided &&
                              (r.scheduling->preference == ReplicaDivisionPreference::Aggregated ||
                               r.scheduling->dynamic_weight);
  KSCALE_FED_TRY(clusters, decode_clusters(m["clusters"], need_available));
  r.clusters = std::move(clusters);
  return r;
}

#undef KSCALE_FED_TRY

}  // namespace

Result<DivisionRequest> decode_division_document(std::string_view text) {
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (!present(root)) {
      return core::fail(core::Error::bad_request("the document is empty"));
    }
    return decode_root(root);
  } catch (const YAML::Exception& e) {
    return core::fail(
        core::Error::bad_request(fmt::format("not valid YAML or JSON: line {}, column {}: {}",
                                             e.mark.line + 1, e.mark.column + 1, e.msg)));
  }
}

}  // namespace kscale::federation
