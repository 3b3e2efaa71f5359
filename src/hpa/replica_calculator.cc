#include "hpa/replica_calculator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <tl/expected.hpp>

namespace kscale::hpa {

std::optional<int64_t> find_resource(const ResourceList& list, std::string_view resource) {
  for (const auto& [name, value] : list) {
    if (name == resource) {
      return value;
    }
  }
  return std::nullopt;
}

namespace {

// Upstream: metrics/client.go, metricServerDefaultMetricWindow.
constexpr std::chrono::nanoseconds kDefaultPodsMetricWindow = std::chrono::minutes(1);
constexpr std::size_t kLinearLookupLimit = 32;
constexpr std::string_view kNoPods = "no pods returned by selector while calculating replica count";

struct Sample {
  int64_t value = 0;
  core::SystemTime timestamp{};
  std::chrono::nanoseconds window{0};
};

struct NamedSample {
  std::string_view name;
  Sample sample;
};

// Upstream PodMetricsInfo (a map from pod name to sample) plus the list timestamp.
struct FetchedSamples {
  std::vector<NamedSample> samples;
  core::SystemTime timestamp{};
};

// Pod lookup by name. Metrics APIs usually list pods in the pod list's order, so the next
// position is tried first; a hash index is built only when that guess misses on a large list.
class PodIndex {
 public:
  explicit PodIndex(std::span<const Pod* const> pods) : pods_(pods) {}

  int find(std::string_view name) {
    if (next_ < pods_.size() && pods_[next_]->name == name) {
      return static_cast<int>(next_++);
    }
    int found = -1;
    if (pods_.size() <= kLinearLookupLimit) {
      for (std::size_t i = 0; i < pods_.size(); ++i) {
        if (pods_[i]->name == name) {
          found = static_cast<int>(i);
          break;
        }
      }
    } else {
      if (by_name_.empty()) {
        by_name_.reserve(pods_.size());
        for (std::size_t i = 0; i < pods_.size(); ++i) {
          by_name_.emplace(pods_[i]->name, static_cast<int>(i));
        }
      }
      auto it = by_name_.find(name);
      found = it == by_name_.end() ? -1 : it->second;
    }
    if (found >= 0) {
      next_ = static_cast<std::size_t>(found) + 1;
    }
    return found;
  }

 private:
  std::span<const Pod* const> pods_;
  std::size_t next_ = 0;
  std::unordered_map<std::string_view, int> by_name_;
};

// The metrics map of the calculation: one optional value per selected pod, plus the values of
// samples for pods outside the pod list ("superfluous"), which stay in len(metrics).
struct Entries {
  std::vector<std::optional<Sample>> by_pod;
  std::vector<int64_t> extra;

  std::size_t size() const {
    return extra.size() +
           static_cast<std::size_t>(std::count_if(by_pod.begin(), by_pod.end(),
                                                  [](const auto& s) { return s.has_value(); }));
  }
};

Entries index_samples(const FetchedSamples& fetched, std::span<const Pod* const> pods) {
  PodIndex index(pods);
  Entries entries;
  entries.by_pod.resize(pods.size());
  std::vector<std::string_view> extra_names;
  for (const auto& s : fetched.samples) {
    int i = index.find(s.name);
    if (i >= 0) {
      entries.by_pod[static_cast<std::size_t>(i)] = s.sample;
      continue;
    }
    auto it = std::find(extra_names.begin(), extra_names.end(), s.name);
    if (it == extra_names.end()) {
      extra_names.push_back(s.name);
      entries.extra.push_back(s.sample.value);
    } else {
      entries.extra[static_cast<std::size_t>(it - extra_names.begin())] = s.sample.value;
    }
  }
  return entries;
}

struct Grouping {
  int32_t ready = 0;
  std::vector<int> unready;
  std::vector<int> missing;
  std::vector<int> ignored;
};

// Upstream: replica_calculator.go, groupPods (the CPU-only readiness rules apply when
// resource == "cpu").
bool cpu_sample_unready(const Pod& pod, const Sample& sample, const CalculatorContext& ctx) {
  if (!pod.ready || !pod.start_time) {
    return true;
  }
  const auto& cond = *pod.ready;
  if (*pod.start_time + ctx.cpu_initialization_period > ctx.now) {
    return cond.status == ConditionStatus::False ||
           sample.timestamp < cond.last_transition_time + sample.window;
  }
  return cond.status == ConditionStatus::False &&
         *pod.start_time + ctx.delay_of_initial_readiness_status > cond.last_transition_time;
}

Grouping group_pods(const Entries& entries, std::string_view resource,
                    const CalculatorContext& ctx) {
  Grouping g;
  for (std::size_t i = 0; i < ctx.pods.size(); ++i) {
    const Pod& pod = *ctx.pods[i];
    const int idx = static_cast<int>(i);
    if (pod.deleted || pod.phase == PodPhase::Failed) {
      g.ignored.push_back(idx);
    } else if (pod.phase == PodPhase::Pending) {
      g.unready.push_back(idx);
    } else if (!entries.by_pod[i]) {
      g.missing.push_back(idx);
    } else if (resource == "cpu" && cpu_sample_unready(pod, *entries.by_pod[i], ctx)) {
      g.unready.push_back(idx);
    } else {
      ++g.ready;
    }
  }
  return g;
}

std::vector<std::string> sorted_names(const std::vector<int>& idx, const CalculatorContext& ctx) {
  std::vector<std::string> names;
  names.reserve(idx.size());
  for (int i : idx) {
    names.push_back(ctx.pods[static_cast<std::size_t>(i)]->name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

PodGroups to_pod_groups(const Grouping& g, const CalculatorContext& ctx) {
  return PodGroups{g.ready, sorted_names(g.unready, ctx), sorted_names(g.missing, ctx),
                   sorted_names(g.ignored, ctx)};
}

void remove_pods(Entries& entries, const std::vector<int>& idx) {
  for (int i : idx) {
    entries.by_pod[static_cast<std::size_t>(i)].reset();
  }
}

void fill_pods(Entries& entries, const std::vector<int>& idx, auto value_of) {
  for (int i : idx) {
    entries.by_pod[static_cast<std::size_t>(i)] = Sample{value_of(i), {}, {}};
  }
}

// Go's int32(math.Ceil(x)) for the values the calculator can produce; clamped instead of
// relying on the platform's out-of-range conversion.
Replicas ceil_replicas(double x) {
  const double c = std::ceil(x);
  if (!(c < static_cast<double>(std::numeric_limits<int32_t>::max()))) {
    return Replicas(std::numeric_limits<int32_t>::max());
  }
  if (c < static_cast<double>(std::numeric_limits<int32_t>::min())) {
    return Replicas(std::numeric_limits<int32_t>::min());
  }
  return Replicas(static_cast<int32_t>(c));
}

// Upstream: metrics/client.go, getPodMetrics and getContainerMetrics. A pod lacking the
// resource (or the named container) is omitted, so it counts as missing.
std::optional<int64_t> pod_resource_usage(const PodMetrics& m, std::string_view resource,
                                          std::string_view container) {
  if (!container.empty()) {
    for (const auto& c : m.containers) {
      if (c.name == container) {
        return find_resource(c.usage, resource);
      }
    }
    return std::nullopt;
  }
  if (m.containers.empty()) {
    return std::nullopt;
  }
  int64_t sum = 0;
  for (const auto& c : m.containers) {
    auto v = find_resource(c.usage, resource);
    if (!v) {
      return std::nullopt;
    }
    sum += *v;
  }
  return sum;
}

// The error of a snapshot fetched from the named metrics API ("resource", "custom",
// "external"), as upstream's metrics clients word it, or none when it holds values.
std::optional<std::string> snapshot_error(const MetricSnapshot& snapshot, bool empty,
                                          std::string_view api) {
  if (snapshot.error) {
    return fmt::format("unable to fetch metrics from {} metrics API: {}", api, *snapshot.error);
  }
  if (empty) {
    return fmt::format("no metrics returned from {} metrics API", api);
  }
  return std::nullopt;
}

tl::expected<FetchedSamples, std::string> fetch_resource_metric(const MetricSnapshot& snapshot,
                                                                std::string_view resource,
                                                                std::string_view container) {
  if (auto err = snapshot_error(snapshot, snapshot.pod_metrics.empty(), "resource")) {
    return tl::unexpected(std::move(*err));
  }
  FetchedSamples out;
  out.samples.reserve(snapshot.pod_metrics.size());
  for (const auto& m : snapshot.pod_metrics) {
    if (auto v = pod_resource_usage(m, resource, container)) {
      out.samples.push_back({m.name, Sample{*v, m.timestamp, m.window}});
    }
  }
  out.timestamp = snapshot.pod_metrics.front().timestamp;
  return out;
}

// Upstream: metrics/client.go, customMetricsClient.GetRawMetric.
tl::expected<FetchedSamples, std::string> fetch_raw_metric(const MetricSnapshot& snapshot) {
  if (auto err = snapshot_error(snapshot, snapshot.values.empty(), "custom")) {
    return tl::unexpected(std::move(*err));
  }
  FetchedSamples out;
  out.samples.reserve(snapshot.values.size());
  for (const auto& v : snapshot.values) {
    const std::chrono::nanoseconds window =
        v.window ? std::chrono::nanoseconds(*v.window) : kDefaultPodsMetricWindow;
    out.samples.push_back({v.described_name, Sample{v.value_milli, v.timestamp, window}});
  }
  out.timestamp = snapshot.values.front().timestamp;
  return out;
}

// Upstream: replica_calculator.go, calculatePodLevelRequests / calculatePodRequestsFromContainers.
tl::expected<int64_t, std::string> pod_request(const Pod& pod, std::string_view container,
                                               std::string_view resource, bool pod_level_gate) {
  if (pod_level_gate && pod.pod_requests && !pod.pod_requests->empty() && container.empty()) {
    if (auto v = find_resource(*pod.pod_requests, resource)) {
      return *v;
    }
    return tl::unexpected(
        fmt::format("missing pod-level request for {} in Pod {}", resource, pod.name));
  }
  int64_t request = 0;
  auto visit = [&](const Container& c) -> std::optional<std::string> {
    if (container.empty() || container == c.name) {
      auto v = find_resource(c.requests, resource);
      if (!v) {
        return fmt::format("missing request for {} in container {} of Pod {}", resource, c.name,
                           pod.name);
      }
      request += *v;
    }
    return std::nullopt;
  };
  for (const auto& c : pod.containers) {
    if (auto err = visit(c)) {
      return tl::unexpected(*err);
    }
    if (container == c.name) {
      return request;
    }
  }
  for (const auto& c : pod.init_containers) {
    if (!c.restart_policy_always) {
      continue;
    }
    if (auto err = visit(c)) {
      return tl::unexpected(*err);
    }
    if (container == c.name) {
      return request;
    }
  }
  if (!container.empty()) {
    return tl::unexpected(fmt::format("container {} not found in Pod {}", container, pod.name));
  }
  return request;
}

tl::expected<std::vector<int64_t>, std::string> calculate_requests(const CalculatorContext& ctx,
                                                                   std::string_view container,
                                                                   std::string_view resource) {
  std::vector<int64_t> requests;
  requests.reserve(ctx.pods.size());
  for (const Pod* pod : ctx.pods) {
    auto r = pod_request(*pod, container, resource, ctx.pod_level_resources);
    if (!r) {
      return tl::unexpected(r.error());
    }
    requests.push_back(*r);
  }
  return requests;
}

struct UtilizationRatio {
  double ratio = 0;
  int32_t utilization = 0;
  int64_t raw_average = 0;
};

// Upstream: metrics/utilization.go, GetResourceUtilizationRatio. Superfluous samples have no
// request and are skipped.
tl::expected<UtilizationRatio, std::string> utilization_ratio(const Entries& e,
                                                              const std::vector<int64_t>& requests,
                                                              int32_t target) {
  int64_t metrics_total = 0;
  int64_t requests_total = 0;
  int64_t entries = 0;
  for (std::size_t i = 0; i < e.by_pod.size(); ++i) {
    if (e.by_pod[i]) {
      metrics_total += e.by_pod[i]->value;
      requests_total += requests[i];
      ++entries;
    }
  }
  if (requests_total == 0) {
    return tl::unexpected(std::string("no metrics returned matched known pods"));
  }
  const auto utilization = static_cast<int32_t>((metrics_total * 100) / requests_total);
  return UtilizationRatio{static_cast<double>(utilization) / static_cast<double>(target),
                          utilization, metrics_total / entries};
}

// Upstream: metrics/utilization.go, GetMetricUsageRatio (superfluous samples included).
std::pair<double, int64_t> usage_ratio(const Entries& e, int64_t target) {
  int64_t total = 0;
  for (const auto& s : e.by_pod) {
    if (s) {
      total += s->value;
    }
  }
  for (int64_t v : e.extra) {
    total += v;
  }
  const int64_t usage = total / static_cast<int64_t>(e.size());
  return {static_cast<double>(usage) / static_cast<double>(target), usage};
}

// The shared tail of GetResourceReplicas and calcPlainMetricReplicas: the decision after the
// first ratio, with missing and unready pods filled in when needed. `rebalanced` recomputes the
// ratio over the filled-in entries; `missing_value` is the scale-down fill for pod i.
template <class RatioFn, class MissingFn>
void decide(MetricCalculation& out, Replicas current, const Grouping& g, Entries& entries,
            const CalculatorContext& ctx, RatioFn rebalanced, MissingFn missing_value) {
  const double ratio = out.usage_ratio;
  const bool scale_up_with_unready = !g.unready.empty() && ratio > 1.0;
  if (!scale_up_with_unready && g.missing.empty()) {
    out.within_tolerance = ctx.tolerances.is_within(ratio);
    out.replicas = out.within_tolerance ? current : ceil_replicas(ratio * g.ready);
    return;
  }
  if (!g.missing.empty()) {
    if (ratio < 1.0) {
      fill_pods(entries, g.missing, missing_value);
    } else if (ratio > 1.0) {
      fill_pods(entries, g.missing, [](int) { return int64_t{0}; });
    }
  }
  if (scale_up_with_unready) {
    fill_pods(entries, g.unready, [](int) { return int64_t{0}; });
  }
  auto new_ratio = rebalanced(entries);
  if (!new_ratio) {
    out.error = new_ratio.error();
    return;
  }
  const double nr = *new_ratio;
  out.rebalanced_ratio = nr;
  if (ctx.tolerances.is_within(nr) || (ratio < 1.0 && nr > 1.0) || (ratio > 1.0 && nr < 1.0)) {
    out.within_tolerance = ctx.tolerances.is_within(nr);
    out.replicas = current;
    return;
  }
  const Replicas proposed = ceil_replicas(nr * static_cast<double>(entries.size()));
  if ((nr < 1.0 && proposed > current) || (nr > 1.0 && proposed < current)) {
    out.replicas = current;
    return;
  }
  out.replicas = proposed;
}

MetricCalculation fail(MetricCalculation out, std::string message) {
  out.error = std::move(message);
  return out;
}

// Upstream: replica_calculator.go, calcPlainMetricReplicas.
MetricCalculation plain_metric_replicas(MetricCalculation out, const FetchedSamples& fetched,
                                        Replicas current, int64_t target, std::string_view resource,
                                        const CalculatorContext& ctx) {
  if (ctx.pods.empty()) {
    return fail(std::move(out), std::string(kNoPods));
  }
  Entries entries = index_samples(fetched, ctx.pods);
  const Grouping g = group_pods(entries, resource, ctx);
  out.pods = to_pod_groups(g, ctx);
  remove_pods(entries, g.ignored);
  remove_pods(entries, g.unready);
  if (entries.size() == 0) {
    return fail(std::move(out),
                "did not receive metrics for targeted pods (pods might be unready)");
  }
  std::tie(out.usage_ratio, out.usage) = usage_ratio(entries, target);
  auto rebalanced = [target](const Entries& e) -> tl::expected<double, std::string> {
    return usage_ratio(e, target).first;
  };
  decide(out, current, g, entries, ctx, rebalanced, [target](int) { return target; });
  return out;
}

// Upstream: replica_calculator.go, getReadyPodsCount.
tl::expected<int64_t, std::string> ready_pods_count(const CalculatorContext& ctx) {
  if (ctx.pods.empty()) {
    return tl::unexpected(std::string(kNoPods));
  }
  int64_t ready = 0;
  for (const Pod* pod : ctx.pods) {
    if (pod->phase == PodPhase::Running && pod->ready &&
        pod->ready->status == ConditionStatus::True) {
      ++ready;
    }
  }
  return ready;
}

// Upstream: replica_calculator.go, getUsageRatioReplicaCount.
void usage_ratio_replica_count(MetricCalculation& out, Replicas current,
                               const CalculatorContext& ctx) {
  if (current.value() == 0) {
    out.replicas = ceil_replicas(out.usage_ratio);
    return;
  }
  if (ctx.tolerances.is_within(out.usage_ratio)) {
    out.within_tolerance = true;
    out.replicas = current;
    return;
  }
  auto ready = ready_pods_count(ctx);
  if (!ready) {
    out.error = fmt::format("unable to calculate ready pods: {}", ready.error());
    return;
  }
  out.ready_running_pods = *ready;
  out.replicas = ceil_replicas(out.usage_ratio * static_cast<double>(*ready));
}

std::string selector_text(const boost::json::value& selector) {
  return selector.is_null() ? std::string("nil") : boost::json::serialize(selector);
}

tl::expected<std::pair<int64_t, core::SystemTime>, std::string> fetch_object_metric(
    const MetricSnapshot& snapshot) {
  if (snapshot.error) {
    return tl::unexpected(
        fmt::format("unable to fetch metrics from custom metrics API: {}", *snapshot.error));
  }
  if (snapshot.values.empty()) {
    return tl::unexpected(
        std::string("unable to fetch metrics from custom metrics API: no metrics returned"));
  }
  return std::pair{snapshot.values.front().value_milli, snapshot.values.front().timestamp};
}

std::string object_error(const MetricSpec& spec, const CalculatorContext& ctx,
                         const std::string& err) {
  // Upstream's format string puts the kind where the error belongs:
  // "unable to get metric %s: %v on %s %s/%s" with (name, kind, namespace, name, err).
  return fmt::format("unable to get metric {}: {} on {} {}/{}", spec.metric.name,
                     spec.described_object.kind, ctx.namespace_, spec.described_object.name, err);
}

// Upstream: metrics/client.go, externalMetricsClient.GetExternalMetric, summed with saturation.
tl::expected<std::pair<int64_t, core::SystemTime>, std::string> fetch_external_total(
    const MetricSnapshot& snapshot, const MetricSpec& spec, const CalculatorContext& ctx) {
  if (auto err = snapshot_error(snapshot, snapshot.external_values.empty(), "external")) {
    return tl::unexpected(fmt::format("unable to get external metric {}/{}/{}: {}", ctx.namespace_,
                                      spec.metric.name, selector_text(spec.metric.selector), *err));
  }
  int64_t total = 0;
  for (const auto& v : snapshot.external_values) {
    if (v.value_milli > 0 && total > std::numeric_limits<int64_t>::max() - v.value_milli) {
      total = std::numeric_limits<int64_t>::max();
      break;
    }
    total += v.value_milli;
  }
  return std::pair{total, snapshot.external_values.front().timestamp};
}

// Shared by the Object and External AverageValue paths (GetObjectPerPodMetricReplicas,
// GetExternalPerPodMetricReplicas): compare against status replicas, propose ceil(total/target).
void per_pod_replicas(MetricCalculation& out, int64_t total, Replicas status_replicas,
                      int64_t target, const CalculatorContext& ctx) {
  const double status = static_cast<double>(status_replicas.value());
  out.usage_ratio = static_cast<double>(total) / (static_cast<double>(target) * status);
  out.within_tolerance = ctx.tolerances.is_within(out.usage_ratio);
  out.replicas = out.within_tolerance
                     ? status_replicas
                     : ceil_replicas(static_cast<double>(total) / static_cast<double>(target));
  if (status_replicas.value() == 0) {
    out.usage = 0;
  } else if (static_cast<double>(total) >=
             static_cast<double>(std::numeric_limits<int64_t>::max())) {
    out.usage = std::numeric_limits<int64_t>::max();
  } else {
    out.usage = static_cast<int64_t>(std::ceil(static_cast<double>(total) / status));
  }
}

}  // namespace

MetricCalculation resource_replicas(Replicas current, int32_t target_utilization,
                                    std::string_view resource, std::string_view container,
                                    const MetricSnapshot& snapshot, const CalculatorContext& ctx) {
  MetricCalculation out;
  auto fetched = fetch_resource_metric(snapshot, resource, container);
  if (!fetched) {
    return fail(std::move(out), fmt::format("unable to get metrics for resource {}: {}", resource,
                                            fetched.error()));
  }
  if (ctx.pods.empty()) {
    return fail(std::move(out), std::string(kNoPods));
  }
  Entries entries = index_samples(*fetched, ctx.pods);
  const Grouping g = group_pods(entries, resource, ctx);
  out.pods = to_pod_groups(g, ctx);
  remove_pods(entries, g.ignored);
  remove_pods(entries, g.unready);
  if (entries.size() == 0) {
    return fail(std::move(out),
                "did not receive metrics for targeted pods (pods might be unready)");
  }
  auto requests = calculate_requests(ctx, container, resource);
  if (!requests) {
    return fail(std::move(out), requests.error());
  }
  auto first = utilization_ratio(entries, *requests, target_utilization);
  if (!first) {
    return fail(std::move(out), first.error());
  }
  out.usage_ratio = first->ratio;
  out.utilization = first->utilization;
  out.usage = first->raw_average;
  out.timestamp = fetched->timestamp;
  auto rebalanced = [&](const Entries& e) -> tl::expected<double, std::string> {
    return utilization_ratio(e, *requests, target_utilization).map([](const auto& r) {
      return r.ratio;
    });
  };
  // Upstream: GetResourceReplicas: missing pods on a scale-down use max(100, target)% of their
  // request.
  const int64_t fallback = std::max<int64_t>(100, target_utilization);
  decide(out, current, g, entries, ctx, rebalanced,
         [&](int i) { return (*requests)[static_cast<std::size_t>(i)] * fallback / 100; });
  return out;
}

MetricCalculation raw_resource_replicas(Replicas current, int64_t target_usage,
                                        std::string_view resource, std::string_view container,
                                        const MetricSnapshot& snapshot,
                                        const CalculatorContext& ctx) {
  MetricCalculation out;
  auto fetched = fetch_resource_metric(snapshot, resource, container);
  if (!fetched) {
    return fail(std::move(out), fmt::format("unable to get metrics for resource {}: {}", resource,
                                            fetched.error()));
  }
  out.timestamp = fetched->timestamp;
  return plain_metric_replicas(std::move(out), *fetched, current, target_usage, resource, ctx);
}

MetricCalculation pods_metric_replicas(Replicas current, int64_t target_usage,
                                       std::string_view metric_name, const MetricSnapshot& snapshot,
                                       const CalculatorContext& ctx) {
  MetricCalculation out;
  auto fetched = fetch_raw_metric(snapshot);
  if (!fetched) {
    return fail(std::move(out),
                fmt::format("unable to get metric {}: {}", metric_name, fetched.error()));
  }
  out.timestamp = fetched->timestamp;
  return plain_metric_replicas(std::move(out), *fetched, current, target_usage, "", ctx);
}

namespace {

using FetchedTotal = tl::expected<std::pair<int64_t, core::SystemTime>, std::string>;

FetchedTotal fetch_object_total(const MetricSnapshot& snapshot, const MetricSpec& spec,
                                const CalculatorContext& ctx) {
  auto fetched = fetch_object_metric(snapshot);
  if (!fetched) {
    return tl::unexpected(object_error(spec, ctx, fetched.error()));
  }
  return fetched;
}

// A value target: the usage ratio of the fetched total.
MetricCalculation total_usage_replicas(const FetchedTotal& fetched, Replicas current,
                                       int64_t target_usage, const CalculatorContext& ctx) {
  MetricCalculation out;
  if (!fetched) {
    return fail(std::move(out), fetched.error());
  }
  out.usage = fetched->first;
  out.usage_ratio = static_cast<double>(out.usage) / static_cast<double>(target_usage);
  usage_ratio_replica_count(out, current, ctx);
  return out;
}

// An averageValue target: the fetched total spread over the status replicas.
MetricCalculation per_pod_total_replicas(const FetchedTotal& fetched, Replicas status_replicas,
                                         int64_t target_average_usage,
                                         const CalculatorContext& ctx) {
  MetricCalculation out;
  if (!fetched) {
    return fail(std::move(out), fetched.error());
  }
  out.timestamp = fetched->second;
  per_pod_replicas(out, fetched->first, status_replicas, target_average_usage, ctx);
  return out;
}

}  // namespace

MetricCalculation object_metric_replicas(Replicas current, int64_t target_usage,
                                         const MetricSpec& spec, const MetricSnapshot& snapshot,
                                         const CalculatorContext& ctx) {
  return total_usage_replicas(fetch_object_total(snapshot, spec, ctx), current, target_usage, ctx);
}

MetricCalculation object_per_pod_metric_replicas(Replicas status_replicas,
                                                 int64_t target_average_usage,
                                                 const MetricSpec& spec,
                                                 const MetricSnapshot& snapshot,
                                                 const CalculatorContext& ctx) {
  return per_pod_total_replicas(fetch_object_total(snapshot, spec, ctx), status_replicas,
                                target_average_usage, ctx);
}

MetricCalculation external_metric_replicas(Replicas current, int64_t target_usage,
                                           const MetricSpec& spec, const MetricSnapshot& snapshot,
                                           const CalculatorContext& ctx) {
  return total_usage_replicas(fetch_external_total(snapshot, spec, ctx), current, target_usage,
                              ctx);
}

MetricCalculation external_per_pod_metric_replicas(Replicas status_replicas,
                                                   int64_t target_usage_per_pod,
                                                   const MetricSpec& spec,
                                                   const MetricSnapshot& snapshot,
                                                   const CalculatorContext& ctx) {
  return per_pod_total_replicas(fetch_external_total(snapshot, spec, ctx), status_replicas,
                                target_usage_per_pod, ctx);
}

}  // namespace kscale::hpa
