#include "federation/division.h"

#include <algorithm>

#include <fmt/format.h>

#include "federation/legacy_dispenser.h"

namespace kscale::federation {

namespace {

constexpr std::string_view kUnschedulable = "unschedulable: ";

core::Error unschedulable(std::string_view why) {
  return core::Error::bad_request(fmt::format("{}{}", kUnschedulable, why));
}

/// Upstream: assignment.go, newAssignState (after the policy webhook's defaulting).
Strategy select_strategy(const std::optional<ReplicaScheduling>& s) {
  if (!s || s->type == ReplicaSchedulingType::Duplicated) {
    return Strategy::Duplicated;
  }
  if (s->preference == ReplicaDivisionPreference::Aggregated) {
    return Strategy::Aggregated;
  }
  return s->dynamic_weight ? Strategy::DynamicWeight : Strategy::StaticWeight;
}

/// Divides `n` over `weights` with Webster (helper.Dispenser.AllocateByWeight) or the legacy
/// rule; seats are the replicas given now. Empty when every weight is 0, as upstream.
std::vector<Party> dispense(int32_t n, std::vector<LegacyWeight> weights, const DivisionRequest& r,
                            NameOrder order) {
  if (r.legacy) {
    return legacy_take_by_weight(n, std::move(weights));
  }
  std::vector<Party> parties;
  parties.reserve(weights.size());
  bool any = false;
  for (auto& w : weights) {
    any = any || w.weight > 0;
    parties.push_back(Party{std::move(w.name), w.weight, 0});
  }
  if (!any) {
    return {};
  }
  return allocate_webster_seats(n, std::move(parties), order);
}

/// Upstream: division_algorithm.go, getStaticWeightInfoList (and util.go
/// getDefaultWeightPreference when weightPreference is absent).
std::vector<LegacyWeight> static_weights(const DivisionRequest& r) {
  const ReplicaScheduling& s = *r.scheduling;
  const auto& clusters = r.clusters;
  std::vector<int64_t> weight(clusters.size(), s.weight_preference ? 0 : 1);
  for (const auto& rule : s.static_weights) {
    const ClusterAffinity& a = rule.target_cluster;
    if (!a.label_selector && a.exclude.empty() && !a.cluster_names.empty()) {
      // A rule that only lists names (the common shape). Names are mostly of one length and
      // differ at the end ("member1", "member2"): the last byte rejects nearly every non-match
      // before a full compare.
      for (const auto& name : a.cluster_names) {
        const char last = name.empty() ? '\0' : name.back();
        for (size_t i = 0; i < clusters.size(); ++i) {
          const std::string& c = clusters[i].name;
          if (c.size() == name.size() && (c.empty() || c.back() == last) && c == name) {
            weight[i] = std::max(weight[i], rule.weight);
          }
        }
      }
      continue;
    }
    for (size_t i = 0; i < clusters.size(); ++i) {
      if (rule.weight > weight[i] && a.matches(clusters[i].name, clusters[i].labels)) {
        weight[i] = rule.weight;
      }
    }
  }
  std::vector<LegacyWeight> list;
  list.reserve(clusters.size());
  for (size_t i = 0; i < clusters.size(); ++i) {
    if (weight[i] > 0) {
      list.push_back(LegacyWeight{clusters[i].name, weight[i], clusters[i].replicas});
    }
  }
  if (list.empty()) {
    for (const auto& c : clusters) {
      list.push_back(LegacyWeight{c.name, 1, 0});
    }
  }
  return list;
}

void sort_by_weight_descending(std::vector<LegacyWeight>& w) {
  // Upstream sorts with sort.Sort, which is an insertion sort (stable) up to 12 elements; an
  // insertion sort here keeps the candidates' order for ties at any size, without the buffer
  // std::stable_sort allocates.
  for (size_t i = 1; i < w.size(); ++i) {
    for (size_t j = i; j > 0 && w[j].weight > w[j - 1].weight; --j) {
      std::swap(w[j], w[j - 1]);
    }
  }
}

/// Upstream: division_algorithm.go, dynamicDivideReplicas followed by util.MergeTargetClusters.
core::Result<std::vector<Party>> dynamic_divide(int32_t target, std::vector<LegacyWeight> weights,
                                                const std::vector<TargetCluster>& scheduled,
                                                const DivisionRequest& r, Assignment& out) {
  int64_t available = 0;
  for (const auto& w : weights) {
    available += w.weight;
  }
  if (available < target) {
    return core::fail(unschedulable(fmt::format(
        "Clusters available replicas {} are not enough to schedule {} replicas.", available,
        target)));
  }
  if (out.strategy == Strategy::Aggregated) {
    // resortAvailableClusters: clusters that already hold replicas first; then the shortest
    // prefix whose capacity covers the target.
    std::stable_partition(weights.begin(), weights.end(), [&scheduled](const LegacyWeight& w) {
      return std::any_of(scheduled.begin(), scheduled.end(),
                         [&w](const TargetCluster& t) { return t.name == w.name; });
    });
    int64_t sum = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      sum += weights[i].weight;
      if (sum >= target) {
        weights.resize(i + 1);
        break;
      }
    }
  }
  if (r.legacy) {  // the legacy rule's tie-break reads the previous assignment
    for (auto& w : weights) {
      for (const auto& t : scheduled) {
        if (t.name == w.name) {
          w.last_replicas = t.replicas;
          break;
        }
      }
    }
  }
  std::vector<Party> placed = dispense(target, std::move(weights), r, out.tie_order);
  out.divided = target;
  out.weights = placed;
  const size_t divided_count = placed.size();
  for (const auto& t : scheduled) {
    const auto end = placed.begin() + static_cast<std::ptrdiff_t>(divided_count);
    auto it = r.legacy ? std::find_if(placed.begin(), end,
                                      [&t](const Party& p) { return p.name == t.name; })
                       : std::lower_bound(placed.begin(), end, t.name,  // Webster: name order
                                          [](const Party& p, const std::string& n) { return p.name < n; });
    if (it != end && it->name == t.name) {
      it->seats += t.replicas;
    } else {
      placed.push_back(Party{t.name, 0, t.replicas});
    }
  }
  return placed;
}

/// Upstream: assignment.go, assignByDynamicStrategy with dynamicScaleUp / dynamicScaleDown /
/// dynamicFreshScale.
core::Result<std::vector<Party>> assign_dynamic(const DivisionRequest& r, Assignment& out) {
  std::vector<TargetCluster> scheduled;
  int64_t assigned = 0;
  for (const auto& c : r.clusters) {
    if (c.replicas > 0) {
      scheduled.push_back(TargetCluster{c.name, c.replicas});
      assigned += c.replicas;
    }
  }
  std::vector<LegacyWeight> weights;
  weights.reserve(r.clusters.size());
  if (r.fresh || assigned < r.replicas) {
    out.mode = r.fresh ? AssignmentMode::Fresh : AssignmentMode::ScaleUp;
    for (const auto& c : r.clusters) {
      const int64_t extra = r.fresh ? c.replicas : 0;
      weights.push_back(LegacyWeight{c.name, c.available_replicas.value_or(0) + extra, 0});
    }
  } else if (assigned > r.replicas) {
    out.mode = AssignmentMode::ScaleDown;
    for (const auto& t : scheduled) {
      weights.push_back(LegacyWeight{t.name, t.replicas, 0});
    }
  } else {
    out.mode = AssignmentMode::Unchanged;
    std::vector<Party> kept;
    for (auto& t : scheduled) {
      kept.push_back(Party{std::move(t.name), 0, t.replicas});
    }
    return kept;
  }
  if (out.strategy == Strategy::Aggregated) {
    // Only Aggregated's prefix depends on the order; Webster and the legacy rule do not.
    sort_by_weight_descending(weights);
  }
  const int32_t target =
      out.mode == AssignmentMode::ScaleUp ? static_cast<int32_t>(r.replicas - assigned) : r.replicas;
  if (out.mode != AssignmentMode::ScaleUp) {
    scheduled.clear();  // a whole new division: the previous result is only the weight
  }
  return dynamic_divide(target, std::move(weights), scheduled, r, out);
}

/// Drops zero-replica clusters and sorts by name (`sorted`: the parties already are).
std::vector<TargetCluster> finish(std::vector<Party> parties, bool sorted) {
  std::vector<TargetCluster> out;
  out.reserve(parties.size());
  for (auto& p : parties) {
    if (p.seats > 0) {
      out.push_back(TargetCluster{std::move(p.name), p.seats});
    }
  }
  const auto by_name = [](const TargetCluster& a, const TargetCluster& b) { return a.name < b.name; };
  if (!sorted && !std::is_sorted(out.begin(), out.end(), by_name)) {
    std::sort(out.begin(), out.end(),
              [](const TargetCluster& a, const TargetCluster& b) { return a.name < b.name; });
  }
  return out;
}

}  // namespace

std::string_view strategy_name(Strategy s) {
  switch (s) {
    case Strategy::Duplicated:
      return "Duplicated";
    case Strategy::Aggregated:
      return "Aggregated";
    case Strategy::StaticWeight:
      return "StaticWeight";
    case Strategy::DynamicWeight:
      return "DynamicWeight";
  }
  return "";
}

std::string_view assignment_mode_name(AssignmentMode m) {
  switch (m) {
    case AssignmentMode::Whole:
      return "whole";
    case AssignmentMode::ScaleUp:
      return "scale-up";
    case AssignmentMode::ScaleDown:
      return "scale-down";
    case AssignmentMode::Unchanged:
      return "unchanged";
    case AssignmentMode::Fresh:
      return "fresh";
  }
  return "";
}

bool ClusterAffinity::matches(const std::string& name, const core::Labels& labels) const {
  if (std::find(exclude.begin(), exclude.end(), name) != exclude.end()) {
    return false;
  }
  if (label_selector && !label_selector->matches(labels)) {
    return false;
  }
  return cluster_names.empty() ||
         std::find(cluster_names.begin(), cluster_names.end(), name) != cluster_names.end();
}

core::Result<Assignment> divide(const DivisionRequest& request) {
  Assignment out;
  out.strategy = select_strategy(request.scheduling);
  out.tie_order = name_order_for_uid(request.uid);
  // Upstream: common.go, AssignReplicas: no candidates is an error; a workload with 0 replicas is
  // not divided (every candidate gets 0, which the result leaves out).
  if (request.clusters.empty()) {
    return core::fail(unschedulable("no clusters available to schedule"));
  }
  if (request.replicas == 0) {
    return out;
  }
  std::vector<Party> parties;
  switch (out.strategy) {
    case Strategy::Duplicated:
      for (const auto& c : request.clusters) {
        parties.push_back(Party{c.name, 0, request.replicas});
      }
      break;
    case Strategy::StaticWeight:
      out.divided = request.replicas;
      parties = dispense(request.replicas, static_weights(request), request, out.tie_order);
      out.weights = parties;
      break;
    case Strategy::Aggregated:
    case Strategy::DynamicWeight: {
      auto placed = assign_dynamic(request, out);
      if (!placed) {
        return core::fail(std::move(placed.error()));
      }
      parties = std::move(*placed);
      break;
    }
  }
  // Webster's output (static weights) is in name order already.
  out.clusters = finish(std::move(parties), out.strategy == Strategy::StaticWeight && !request.legacy);
  return out;
}

bool is_unschedulable(const core::Error& error) {
  return error.message.starts_with(kUnschedulable);
}

}  // namespace kscale::federation
