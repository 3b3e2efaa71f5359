#include "autoscaler/simulator.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "core/clock.h"
#include "hpa/conditions.h"

namespace kscale::autoscaler {

namespace {

using hpa::MetricSourceType;
using std::chrono::seconds;

constexpr std::string_view kSelector = "app=simulated";

struct SimPod {
  hpa::Pod pod;
  core::SystemTime created{};
};

std::string metric_column(const hpa::MetricSpec& m) {
  return m.type == MetricSourceType::Resource || m.type == MetricSourceType::ContainerResource
             ? m.resource_name
             : m.metric.name;
}

class Simulation {
 public:
  Simulation(const hpa::HorizontalPodAutoscaler& hpa, const LoadTrace& trace,
             const SimulationOptions& o, std::vector<int> columns)
      : hpa_(hpa), trace_(trace), o_(o), columns_(std::move(columns)), rng_(o.seed) {}

  SimulationResult run();

 private:
  void add_pod(core::SystemTime created, bool ready_now);
  void update_pods(core::SystemTime now);
  void resize(int32_t replicas, core::SystemTime now);
  double noisy(double v);
  hpa::MetricSnapshot snapshot(std::size_t i, double total, core::SystemTime now);
  double target_units(const hpa::MetricSpec& m) const;

  hpa::HorizontalPodAutoscaler hpa_;
  const LoadTrace& trace_;
  const SimulationOptions& o_;
  std::vector<int> columns_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_{0.0, 1.0};
  std::vector<SimPod> pods_;
  std::vector<hpa::Pod> pod_view_;
  int next_pod_ = 0;
};

void Simulation::add_pod(core::SystemTime created, bool ready_now) {
  hpa::Pod p;
  p.name = fmt::format("sim-{}", next_pod_++);
  p.labels = {{"app", "simulated"}};
  p.start_time = created;
  hpa::Container c{"app",
                   {{"cpu", o_.cpu_request_milli}, {"memory", o_.memory_request_milli}},
                   false};
  p.containers.push_back(c);
  if (ready_now) {
    p.phase = hpa::PodPhase::Running;
    p.ready = hpa::PodReadyCondition{hpa::ConditionStatus::True, created};
  } else {
    p.phase = hpa::PodPhase::Pending;
    p.ready = hpa::PodReadyCondition{hpa::ConditionStatus::False, created};
  }
  pods_.push_back(SimPod{std::move(p), created});
}

void Simulation::update_pods(core::SystemTime now) {
  for (auto& sp : pods_) {
    if (sp.pod.phase == hpa::PodPhase::Pending && sp.created + o_.startup_delay <= now) {
      sp.pod.phase = hpa::PodPhase::Running;
      sp.pod.ready =
          hpa::PodReadyCondition{hpa::ConditionStatus::True, sp.created + o_.startup_delay};
    }
  }
}

void Simulation::resize(int32_t replicas, core::SystemTime now) {
  while (static_cast<int32_t>(pods_.size()) > replicas) {
    pods_.pop_back();  // the newest pod goes first
  }
  while (static_cast<int32_t>(pods_.size()) < replicas) {
    add_pod(now, o_.startup_delay.count() == 0);
  }
}

double Simulation::noisy(double v) {
  if (o_.noise <= 0) {
    return v;
  }
  return std::max(0.0, v * (1.0 + o_.noise * normal_(rng_)));
}

double Simulation::target_units(const hpa::MetricSpec& m) const {
  if (m.target.average_utilization) {
    return *m.target.average_utilization;
  }
  return static_cast<double>(
             m.target.average_value_milli.value_or(m.target.value_milli.value_or(0))) /
         1000.0;
}

hpa::MetricSnapshot Simulation::snapshot(std::size_t i, double total, core::SystemTime now) {
  const auto& m = hpa_.spec.metrics[i];
  hpa::MetricSnapshot s;
  std::vector<const hpa::Pod*> ready;
  for (const auto& sp : pods_) {
    if (sp.pod.phase == hpa::PodPhase::Running) {
      ready.push_back(&sp.pod);
    }
  }
  const double per_pod = ready.empty() ? 0 : total / static_cast<double>(ready.size());
  auto milli = [](double v) { return static_cast<int64_t>(std::llround(v * 1000.0)); };
  switch (m.type) {
    case MetricSourceType::Resource:
    case MetricSourceType::ContainerResource:
      for (const auto* p : ready) {
        hpa::PodMetrics pm{p->name, now, std::chrono::seconds(30), {}};
        pm.containers.push_back({m.container.empty() ? "app" : m.container,
                                 {{m.resource_name, milli(noisy(per_pod))}}});
        s.pod_metrics.push_back(std::move(pm));
      }
      break;
    case MetricSourceType::Pods:
      for (const auto* p : ready) {
        s.values.push_back(
            hpa::MetricValue{"Pod", p->name, now, std::nullopt, milli(noisy(per_pod))});
      }
      break;
    case MetricSourceType::Object:
      s.values.push_back(hpa::MetricValue{m.described_object.kind, m.described_object.name, now,
                                          std::nullopt, milli(noisy(total))});
      break;
    case MetricSourceType::External:
      s.external_values.push_back(hpa::ExternalMetricValue{{}, now, milli(noisy(total))});
      break;
    case MetricSourceType::Unknown:
      break;
  }
  return s;
}

double observed_value(const hpa::MetricSpec& m, const hpa::MetricResult& r) {
  if (!r.evaluated || r.calculation.error) {
    return std::nan("");
  }
  if (m.target.average_utilization) {
    return r.calculation.utilization.value_or(0);
  }
  return static_cast<double>(r.calculation.usage) / 1000.0;
}

std::string reasons_of(const hpa::HpaStatus& s) {
  std::string out;
  for (auto t : {hpa::ConditionType::AbleToScale, hpa::ConditionType::ScalingActive,
                 hpa::ConditionType::ScalingLimited}) {
    const auto* c = hpa::find_condition(s.conditions, t);
    if (!out.empty()) {
      out += ";";
    }
    out += c ? c->reason : "";
  }
  return out;
}

// Above target as the pods experience it: load per ready pod (or the total for Value) against
// the target in the load's units (a utilization target as a share of the pods' requests).
bool load_above_target(const hpa::MetricSpec& m, double load, int32_t ready_pods, double target,
                       const SimulationOptions& o) {
  const double per_pod = m.target.value_milli ? load
                         : ready_pods > 0     ? load / ready_pods
                                              : (load > 0 ? INFINITY : 0);
  if (m.target.average_utilization) {
    target = target / 100.0 *
             static_cast<double>(m.resource_name == "memory" ? o.memory_request_milli
                                                             : o.cpu_request_milli) /
             1000.0;
  }
  return per_pod > target;
}

SimulationResult Simulation::run() {
  SimulationResult result;
  for (const auto& m : hpa_.spec.metrics) {
    result.metric_names.push_back(metric_column(m));
    result.target_kinds.push_back(m.target.type_name);
  }
  result.min_replicas = hpa_.spec.min_replicas.value_or(1);
  result.max_replicas = hpa_.spec.max_replicas;
  core::ManualClock clock;
  const core::SystemTime start = clock.system_now();
  int32_t replicas = o_.initial_replicas.value_or(result.min_replicas);
  for (int32_t i = 0; i < replicas; ++i) {
    add_pod(start - o_.startup_delay - seconds(1), true);
  }
  hpa::ControllerState state;
  const double end = o_.duration ? static_cast<double>(o_.duration->count()) : trace_.end();
  std::vector<hpa::MetricSnapshot> snaps(hpa_.spec.metrics.size());
  for (int64_t k = 1;; ++k) {
    const double t = static_cast<double>(k * o_.sync_period.count());
    if (t > end) {
      break;
    }
    clock.advance(o_.sync_period);
    const core::SystemTime now = clock.system_now();
    update_pods(now);
    SimulationStep step;
    step.time_s = t;
    for (std::size_t i = 0; i < hpa_.spec.metrics.size(); ++i) {
      const double total = trace_.value_at(static_cast<std::size_t>(columns_[i]), t);
      step.load.push_back(total);
      snaps[i] = snapshot(i, total, now);
    }
    pod_view_.clear();
    for (const auto& sp : pods_) {
      pod_view_.push_back(sp.pod);
    }
    step.ready_pods = static_cast<int32_t>(
        std::count_if(pod_view_.begin(), pod_view_.end(),
                      [](const hpa::Pod& p) { return p.phase == hpa::PodPhase::Running; }));
    const hpa::Scale scale{hpa::Replicas(replicas),
                           hpa::Replicas(static_cast<int32_t>(pods_.size())),
                           std::string(kSelector),
                           {},
                           {},
                           0};
    const hpa::Decision d =
        hpa::reconcile(hpa_, scale, pod_view_, snaps, state, o_.controller, now);
    hpa_.status = d.status;
    bool above = false;
    for (std::size_t i = 0; i < hpa_.spec.metrics.size(); ++i) {
      const auto& m = hpa_.spec.metrics[i];
      step.value.push_back(observed_value(m, d.metrics[i]));
      step.target.push_back(target_units(m));
      above = above || load_above_target(m, step.load[i], step.ready_pods, step.target[i], o_);
    }
    if (d.recommendation) {
      step.recommendation = d.recommendation->value();
    }
    step.desired = d.desired.value();
    if (d.scale_updated) {
      ++result.summary.scale_events;
      replicas = d.scale_replicas.value();
      resize(replicas, now);
    }
    step.replicas = replicas;
    step.reasons = reasons_of(d.status);
    result.summary.peak_replicas = std::max(result.summary.peak_replicas, replicas);
    const double period = static_cast<double>(o_.sync_period.count());
    result.summary.replica_seconds += replicas * period;
    if (above) {
      result.summary.seconds_above_target += period;
    }
    result.steps.push_back(std::move(step));
  }
  return result;
}

std::string number(double v) {
  if (std::isnan(v)) {
    return "";
  }
  return fmt::format("{:.6g}", v);
}

}  // namespace

core::Result<SimulationResult> simulate(const hpa::HorizontalPodAutoscaler& hpa,
                                        const LoadTrace& trace, const SimulationOptions& options) {
  if (options.sync_period.count() <= 0) {
    return core::fail(core::Error::invalid("--sync-period", "--sync-period: must be positive"));
  }
  std::vector<int> columns;
  for (std::size_t i = 0; i < hpa.spec.metrics.size(); ++i) {
    const std::string name = metric_column(hpa.spec.metrics[i]);
    const int col = trace.column(name);
    if (col < 0) {
      const std::string field = fmt::format("spec.metrics[{}]", i);
      return core::fail(core::Error::invalid(
          field, fmt::format("{}: the trace has no column \"{}\" (columns: {})", field, name,
                             fmt::join(trace.metrics, ", "))));
    }
    columns.push_back(col);
  }
  Simulation sim(hpa, trace, options, std::move(columns));
  return sim.run();
}

std::string to_csv(const SimulationResult& r) {
  std::string out = "time_s";
  for (const auto& m : r.metric_names) {
    out += fmt::format(",load_{0},value_{0},target_{0}", m);
  }
  out += ",ready_pods,recommendation,desired,replicas,reasons\n";
  for (const auto& s : r.steps) {
    out += number(s.time_s);
    for (std::size_t i = 0; i < s.load.size(); ++i) {
      out += fmt::format(",{},{},{}", number(s.load[i]), number(s.value[i]), number(s.target[i]));
    }
    out += fmt::format(",{},{},{},{},{}\n", s.ready_pods,
                       s.recommendation ? std::to_string(*s.recommendation) : std::string(),
                       s.desired, s.replicas, s.reasons);
  }
  return out;
}

boost::json::value to_json(const SimulationResult& r) {
  namespace json = boost::json;
  json::array steps;
  for (const auto& s : r.steps) {
    json::array metrics;
    for (std::size_t i = 0; i < s.load.size(); ++i) {
      metrics.push_back(json::object{
          {"name", r.metric_names[i]},
          {"load", s.load[i]},
          {"value", std::isnan(s.value[i]) ? json::value(nullptr) : json::value(s.value[i])},
          {"target", s.target[i]}});
    }
    steps.push_back(
        json::object{{"time_s", s.time_s},
                     {"metrics", std::move(metrics)},
                     {"readyPods", s.ready_pods},
                     {"recommendation",
                      s.recommendation ? json::value(*s.recommendation) : json::value(nullptr)},
                     {"desired", s.desired},
                     {"replicas", s.replicas},
                     {"reasons", s.reasons}});
  }
  return json::object{
      {"steps", std::move(steps)},
      {"summary", json::object{{"scaleEvents", r.summary.scale_events},
                               {"peakReplicas", r.summary.peak_replicas},
                               {"secondsAboveTarget", r.summary.seconds_above_target},
                               {"replicaSeconds", r.summary.replica_seconds}}}};
}

}  // namespace kscale::autoscaler
