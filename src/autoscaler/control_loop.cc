#include "autoscaler/control_loop.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/quantity.h"
#include "hpa/conditions.h"

namespace kscale::autoscaler {

namespace {

namespace json = boost::json;
using hpa::MetricSourceType;

double unix_seconds(core::SystemTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::string quantity(int64_t milli) { return core::Quantity::from_milli(milli).to_string(); }

std::string target_text(const hpa::MetricTarget& t) {
  if (t.average_utilization) {
    return fmt::format("{}%", *t.average_utilization);
  }
  if (t.average_value_milli) {
    return quantity(*t.average_value_milli);
  }
  return t.value_milli ? quantity(*t.value_milli) : "<unset>";
}

std::string current_text(const hpa::MetricSpec& spec, const hpa::MetricStatus* status) {
  if (status == nullptr || status->empty()) {
    return "<unknown>";
  }
  const auto& c = status->current;
  if (spec.target.average_utilization) {
    return c.average_utilization ? fmt::format("{}%", *c.average_utilization) : "<unknown>";
  }
  if (spec.target.average_value_milli) {
    return c.average_value_milli ? quantity(*c.average_value_milli) : "<unknown>";
  }
  return c.value_milli ? quantity(*c.value_milli) : "<unknown>";
}

std::string conditions_text(const hpa::HpaStatus& s) {
  std::string out;
  for (const auto& c : s.conditions) {
    out += fmt::format("; {}={} {}: {}", hpa::condition_type_name(c.type),
                       hpa::condition_status_name(c.status), c.reason, c.message);
  }
  return out;
}

// The first metric's value per pod (or total for Value targets), in units, for the timeline.
json::value first_value(const hpa::HorizontalPodAutoscaler& h) {
  if (h.spec.metrics.empty() || !h.status.current_metrics || h.status.current_metrics->empty()) {
    return nullptr;
  }
  const auto& st = h.status.current_metrics->front();
  if (st.empty()) {
    return nullptr;
  }
  if (st.current.average_utilization) {
    return *st.current.average_utilization;
  }
  if (st.current.average_value_milli) {
    return static_cast<double>(*st.current.average_value_milli) / 1000.0;
  }
  if (st.current.value_milli) {
    return static_cast<double>(*st.current.value_milli) / 1000.0;
  }
  return nullptr;
}

double first_target(const hpa::HorizontalPodAutoscaler& h) {
  if (h.spec.metrics.empty()) {
    return 0;
  }
  const auto& t = h.spec.metrics.front().target;
  if (t.average_utilization) {
    return *t.average_utilization;
  }
  return static_cast<double>(t.average_value_milli.value_or(t.value_milli.value_or(0))) / 1000.0;
}

}  // namespace

std::string format_targets(const hpa::HorizontalPodAutoscaler& h) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < h.spec.metrics.size(); ++i) {
    const hpa::MetricStatus* status = nullptr;
    if (h.status.current_metrics && i < h.status.current_metrics->size()) {
      status = &(*h.status.current_metrics)[i];
    }
    parts.push_back(current_text(h.spec.metrics[i], status) + "/" +
                    target_text(h.spec.metrics[i].target));
  }
  if (parts.empty()) {
    return "<none>";
  }
  std::string out = parts[0];
  if (parts.size() > 1) {
    out += ", " + parts[1];
  }
  if (parts.size() > 2) {
    out += fmt::format(" + {} more...", parts.size() - 2);
  }
  return out;
}

std::string human_duration(std::chrono::seconds d) {
  const int64_t s = d.count();
  if (s < 0) {
    return "<invalid>";
  }
  if (s < 120) {
    return fmt::format("{}s", s);
  }
  const int64_t m = s / 60;
  if (m < 10) {
    return s % 60 == 0 ? fmt::format("{}m", m) : fmt::format("{}m{}s", m, s % 60);
  }
  if (m < 180) {
    return fmt::format("{}m", m);
  }
  const int64_t h = m / 60;
  if (h < 8) {
    return m % 60 == 0 ? fmt::format("{}h", h) : fmt::format("{}h{}m", h, m % 60);
  }
  if (h < 48) {
    return fmt::format("{}h", h);
  }
  return fmt::format("{}d", h / 24);
}

ControlLoop::ControlLoop(hpa::HorizontalPodAutoscaler hpa, ScaleTarget& target,
                         MetricsSource& metrics, const core::Clock& clock,
                         ControlLoopOptions options)
    : hpa_(std::move(hpa)),
      target_(target),
      metrics_(metrics),
      clock_(clock),
      options_(std::move(options)),
      created_(clock.system_now()) {
  if (!options_.timeline_file.empty()) {
    timeline_.open(options_.timeline_file, std::ios::app);
  }
}

void ControlLoop::record(const std::vector<ReplicaEvent>& events) {
  for (const auto& e : events) {
    if (timeline_.is_open()) {
      timeline_ << json::serialize(json::object{{"type", "replica"},
                                                {"time", unix_seconds(e.time)},
                                                {"event", replica_event_name(e.kind)},
                                                {"pod", e.pod},
                                                {"detail", e.detail}})
                << "\n";
    }
  }
  if (timeline_.is_open()) {
    timeline_.flush();
  }
}

boost::asio::awaitable<hpa::Decision> ControlLoop::sync() {
  const auto now = clock_.system_now();
  hpa::Scale scale;
  auto got = target_.get_scale();
  std::vector<hpa::Pod> pods;
  if (got) {
    scale.spec_replicas = got->spec_replicas;
    scale.status_replicas = got->status_replicas;
    scale.selector = got->selector;
    if (auto listed = target_.list_pods()) {
      pods = std::move(*listed);
    }
  } else {
    scale.error = got.error().message;
  }
  std::vector<hpa::MetricSnapshot> snapshots;
  if (got) {
    snapshots = co_await metrics_.fetch(hpa_, scale.selector);
  }
  const hpa::Decision d =
      hpa::reconcile(hpa_, scale, pods, snapshots, state_, options_.controller, now);
  hpa_.status = d.status;
  if (d.scale_updated) {
    if (auto r = target_.set_scale(d.scale_replicas); !r) {
      spdlog::error("{}/{}: FailedRescale: New size: {}; error: {}", hpa_.namespace_, hpa_.name,
                    d.scale_replicas.value(), r.error().message);
    }
  }
  const int32_t before = scale.spec_replicas.value();
  const int32_t after = d.scale_updated ? d.scale_replicas.value() : before;
  const std::string rescale =
      d.scale_updated ? fmt::format("rescale {} -> {} ({})", before, after, d.rescale_reason)
                      : fmt::format("replicas {} (desired {})", before, d.desired.value());
  spdlog::info("{}/{}: {}: {}{}", hpa_.namespace_, hpa_.name, format_targets(hpa_), rescale,
               conditions_text(d.status));
  for (const auto& e : d.events) {
    if (e.warning) {
      spdlog::warn("{}/{}: event Warning {}: {}", hpa_.namespace_, hpa_.name, e.reason, e.message);
    } else {
      spdlog::info("{}/{}: event Normal {}: {}", hpa_.namespace_, hpa_.name, e.reason, e.message);
    }
  }
  print_row(d, d.status.current_replicas);
  if (timeline_.is_open()) {
    int32_t ready = 0;
    for (const auto& p : pods) {
      ready += !p.deleted && p.ready && p.ready->status == hpa::ConditionStatus::True ? 1 : 0;
    }
    std::string reasons;
    for (const auto& c : d.status.conditions) {
      reasons += (reasons.empty() ? "" : ";") + c.reason;
    }
    timeline_ << json::serialize(json::object{{"type", "sync"},
                                              {"time", unix_seconds(now)},
                                              {"replicas_before", before},
                                              {"replicas", after},
                                              {"desired", d.desired.value()},
                                              {"ready", ready},
                                              {"value", first_value(hpa_)},
                                              {"target", first_target(hpa_)},
                                              {"rescaled", d.scale_updated},
                                              {"reasons", reasons}})
              << "\n";
    timeline_.flush();
  }
  co_return d;
}

void ControlLoop::print_row(const hpa::Decision&, hpa::Replicas replicas) {
  if (options_.table == nullptr) {
    return;
  }
  const std::string reference =
      fmt::format("{}/{}", hpa_.spec.scale_target_ref.kind, hpa_.spec.scale_target_ref.name);
  const auto width = [](const std::string& s, std::size_t min) {
    return std::max(min, s.size() + 3);
  };
  const std::size_t w_name = width(hpa_.name, 7);
  const std::size_t w_ref = width(reference, 12);
  auto& out = *options_.table;
  if (!header_printed_) {
    out << fmt::format("{:<{}}{:<{}}{:<16}{:<10}{:<10}{:<11}{}\n", "NAME", w_name, "REFERENCE",
                       w_ref, "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE");
    header_printed_ = true;
  }
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(clock_.system_now() - created_);
  out << fmt::format("{:<{}}{:<{}}{:<16}{:<10}{:<10}{:<11}{}\n", hpa_.name, w_name, reference,
                     w_ref, format_targets(hpa_), hpa_.spec.min_replicas.value_or(1),
                     hpa_.spec.max_replicas, replicas.value(), human_duration(age))
      << std::flush;
}

}  // namespace kscale::autoscaler
