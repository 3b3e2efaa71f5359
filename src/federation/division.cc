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

/// Per-division scratch: the candidates' places in name order, computed once.
struct Context {
  const DivisionRequest& r;
  NameOrder order;
  std::vector<uint32_t> by_name;  // candidate indices in name order
  std::vector<uint32_t> rank;     // rank[candidate] = its place in by_name

  Context(const DivisionRequest& request, NameOrder o) : r(request), order(o) {
    const auto& c = r.clusters;
    by_name.resize(c.size());
    for (uint32_t i = 0; i < by_name.size(); ++i) {
      by_name[i] = i;
    }
    std::sort(by_name.begin(), by_name.end(),
              [&c](uint32_t a, uint32_t b) { return c[a].name < c[b].name; });
    rank.resize(c.size());
    for (uint32_t k = 0; k < by_name.size(); ++k) {
      rank[by_name[k]] = k;
    }
  }
};

/// A cluster's weight for one division step (names stay in the request).
struct Weighted {
  uint32_t cluster = 0;  // index into DivisionRequest::clusters
  int64_t weight = 0;
  int32_t last_replicas = 0;
};

/// Divides `n` over `weights` with Webster (helper.Dispenser.AllocateByWeight) or the legacy
/// rule. Returns the replicas given now, aligned with `weights`; all 0 when every weight is 0, as
/// upstream leaves the result empty then.
std::vector<int32_t> dispense(int32_t n, const std::vector<Weighted>& weights, const Context& ctx) {
  std::vector<int32_t> seats(weights.size(), 0);
  const bool any =
      std::any_of(weights.begin(), weights.end(), [](const Weighted& w) { return w.weight > 0; });
  if (!any) {
    return seats;
  }
  if (ctx.r.legacy) {
    std::vector<LegacyWeight> list;
    for (const auto& w : weights) {
      list.push_back(LegacyWeight{ctx.r.clusters[w.cluster].name, w.weight, w.last_replicas});
    }
    for (const auto& party : legacy_take_by_weight(n, std::move(list))) {
      for (size_t k = 0; k < weights.size(); ++k) {
        if (ctx.r.clusters[weights[k].cluster].name == party.name) {
          seats[k] = party.seats;
        }
      }
    }
    return seats;
  }
  std::vector<int64_t> votes(weights.size());
  std::vector<uint32_t> rank(weights.size());
  for (size_t k = 0; k < weights.size(); ++k) {
    votes[k] = weights[k].weight;
    rank[k] = ctx.rank[weights[k].cluster];
  }
  allocate_webster_seats(n, votes, seats, rank, ctx.order);
  return seats;
}

/// Upstream: division_algorithm.go, getStaticWeightInfoList (and util.go
/// getDefaultWeightPreference when weightPreference is absent).
std::vector<Weighted> static_weights(const Context& ctx) {
  const ReplicaScheduling& s = *ctx.r.scheduling;
  const auto& clusters = ctx.r.clusters;
  std::vector<int64_t> weight(clusters.size(), s.weight_preference ? 0 : 1);
  // Names are mostly of one length and differ at the end ("member1", "member2"): a key of
  // (length, last byte) rejects nearly every non-match before a full compare.
  const auto key = [](const std::string& name) -> uint64_t {
    return (static_cast<uint64_t>(name.size()) << 8) |
           (name.empty() ? 0u : static_cast<unsigned char>(name.back()));
  };
  std::vector<uint64_t> keys(clusters.size());
  for (size_t i = 0; i < clusters.size(); ++i) {
    keys[i] = key(clusters[i].name);
  }
  for (const auto& rule : s.static_weights) {
    const ClusterAffinity& a = rule.target_cluster;
    if (!a.label_selector && a.exclude.empty() && !a.cluster_names.empty()) {
      for (const auto& name : a.cluster_names) {  // a rule that only lists names: the usual shape
        const uint64_t k = key(name);
        for (size_t i = 0; i < clusters.size(); ++i) {
          if (keys[i] == k && clusters[i].name == name) {
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
  std::vector<Weighted> list;
  list.reserve(clusters.size());
  for (uint32_t i = 0; i < clusters.size(); ++i) {
    if (weight[i] > 0) {
      list.push_back(Weighted{i, weight[i], clusters[i].replicas});
    }
  }
  if (list.empty()) {
    for (uint32_t i = 0; i < clusters.size(); ++i) {
      list.push_back(Weighted{i, 1, 0});
    }
  }
  return list;
}

void sort_by_weight_descending(std::vector<Weighted>& w) {
  // Upstream sorts with sort.Sort, which is an insertion sort (stable) up to 12 elements; an
  // insertion sort here keeps the candidates' order for ties at any size.
  for (size_t i = 1; i < w.size(); ++i) {
    for (size_t j = i; j > 0 && w[j].weight > w[j - 1].weight; --j) {
      std::swap(w[j], w[j - 1]);
    }
  }
}

/// Records the step for the explanation and adds its replicas to `total` (per candidate).
void apply(const std::vector<Weighted>& weights, const std::vector<int32_t>& placed, int32_t n,
           std::vector<int32_t>& total, Assignment& out) {
  out.divided = n;
  out.weights.clear();
  out.weights.reserve(weights.size());
  for (size_t k = 0; k < weights.size(); ++k) {
    out.weights.push_back(DivisionStep{weights[k].cluster, weights[k].weight, placed[k]});
    total[weights[k].cluster] += placed[k];
  }
}

/// Upstream: division_algorithm.go, dynamicDivideReplicas followed by util.MergeTargetClusters
/// (`total` holds the scheduled replicas the result is merged into).
core::Result<void> dynamic_divide(int32_t target, std::vector<Weighted> weights,
                                  std::vector<int32_t>& total, const Context& ctx,
                                  Assignment& out) {
  int64_t available = 0;
  for (const auto& w : weights) {
    available += w.weight;
  }
  if (available < target) {
    return core::fail(unschedulable(
        fmt::format("Clusters available replicas {} are not enough to schedule {} replicas.",
                    available, target)));
  }
  if (out.strategy == Strategy::Aggregated) {
    // resortAvailableClusters: clusters that already hold replicas first; then the shortest
    // prefix whose capacity covers the target.
    std::stable_partition(weights.begin(), weights.end(),
                          [&total](const Weighted& w) { return total[w.cluster] > 0; });
    int64_t sum = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      sum += weights[i].weight;
      if (sum >= target) {
        weights.resize(i + 1);
        break;
      }
    }
  }
  for (auto& w : weights) {  // the legacy rule's tie-break reads the previous assignment
    w.last_replicas = total[w.cluster];
  }
  apply(weights, dispense(target, weights, ctx), target, total, out);
  return {};
}

/// Upstream: assignment.go, assignByDynamicStrategy with dynamicScaleUp / dynamicScaleDown /
/// dynamicFreshScale. `total` comes in as the current assignment and leaves as the result.
core::Result<void> assign_dynamic(const Context& ctx, std::vector<int32_t>& total,
                                  Assignment& out) {
  const DivisionRequest& r = ctx.r;
  int64_t assigned = 0;
  for (uint32_t i = 0; i < r.clusters.size(); ++i) {
    total[i] = r.clusters[i].replicas;
    assigned += total[i];
  }
  std::vector<Weighted> weights;
  weights.reserve(r.clusters.size());
  if (r.fresh || assigned < r.replicas) {
    out.mode = r.fresh ? AssignmentMode::Fresh : AssignmentMode::ScaleUp;
    for (uint32_t i = 0; i < r.clusters.size(); ++i) {
      const int64_t extra = r.fresh ? r.clusters[i].replicas : 0;
      weights.push_back(Weighted{i, r.clusters[i].available_replicas.value_or(0) + extra, 0});
    }
  } else if (assigned > r.replicas) {
    out.mode = AssignmentMode::ScaleDown;
    for (uint32_t i = 0; i < r.clusters.size(); ++i) {
      if (total[i] > 0) {
        weights.push_back(Weighted{i, total[i], 0});
      }
    }
  } else {
    out.mode = AssignmentMode::Unchanged;
    return {};
  }
  if (out.strategy == Strategy::Aggregated) {
    // Only Aggregated's prefix depends on the order; Webster and the legacy rule do not.
    sort_by_weight_descending(weights);
  }
  if (out.mode != AssignmentMode::ScaleUp) {
    std::fill(total.begin(), total.end(),
              0);  // a whole new division: the layout is only the weight
  }
  const int32_t target = out.mode == AssignmentMode::ScaleUp
                             ? static_cast<int32_t>(r.replicas - assigned)
                             : r.replicas;
  return dynamic_divide(target, std::move(weights), total, ctx, out);
}

/// Clusters with replicas, in name order.
std::vector<TargetCluster> finish(const std::vector<int32_t>& total, const Context& ctx) {
  std::vector<TargetCluster> out;
  out.reserve(ctx.by_name.size());
  for (const uint32_t i : ctx.by_name) {
    if (total[i] > 0) {
      out.push_back(TargetCluster{ctx.r.clusters[i].name, total[i]});
    }
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
  const Context ctx(request, out.tie_order);
  std::vector<int32_t> total(request.clusters.size(), 0);
  switch (out.strategy) {
    case Strategy::Duplicated:
      std::fill(total.begin(), total.end(), request.replicas);
      break;
    case Strategy::StaticWeight: {
      const auto weights = static_weights(ctx);
      apply(weights, dispense(request.replicas, weights, ctx), request.replicas, total, out);
      break;
    }
    case Strategy::Aggregated:
    case Strategy::DynamicWeight: {
      auto done = assign_dynamic(ctx, total, out);
      if (!done) {
        return core::fail(std::move(done.error()));
      }
      break;
    }
  }
  out.clusters = finish(total, ctx);
  return out;
}

bool is_unschedulable(const core::Error& error) {
  return error.message.starts_with(kUnschedulable);
}

}  // namespace kscale::federation
