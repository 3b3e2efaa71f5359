#include "net/metrics_registry.h"

#include <cmath>
#include <variant>

#include <fmt/format.h>

namespace kscale::net {

void Counter::inc(double v) {
  double cur = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) {
    ++i;
  }
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  double cur = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
  count_.fetch_add(1, std::memory_order_relaxed);
}

void Histogram::snapshot(std::vector<uint64_t>& buckets, double& sum, uint64_t& count) const {
  buckets.assign(bounds_.size() + 1, 0);
  uint64_t acc = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    acc += counts_[i].load(std::memory_order_relaxed);
    buckets[i] = acc;
  }
  sum = sum_.load(std::memory_order_relaxed);
  count = acc;
}

struct MetricsRegistry::Child {
  std::map<std::string, std::string> labels;
  std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<Histogram>> metric;
};

struct MetricsRegistry::FamilyData {
  std::string help;
  Type type;
  std::map<std::map<std::string, std::string>, Child> children;
  std::function<double()> callback;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::FamilyData& MetricsRegistry::family(const std::string& name,
                                                     const std::string& help, Type type) {
  auto& slot = families_[name];
  if (!slot) {
    slot = std::make_unique<FamilyData>();
    slot->help = help;
    slot->type = type;
  }
  return *slot;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                  const std::map<std::string, std::string>& labels) {
  std::lock_guard lock(mutex_);
  auto& child = family(name, help, Type::Counter).children[labels];
  if (child.metric.index() != 0 || !std::get<0>(child.metric)) {
    child.labels = labels;
    child.metric = std::make_unique<Counter>();
  }
  return *std::get<0>(child.metric);
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                              const std::map<std::string, std::string>& labels) {
  std::lock_guard lock(mutex_);
  auto& child = family(name, help, Type::Gauge).children[labels];
  if (child.metric.index() != 1) {
    child.labels = labels;
    child.metric = std::make_unique<Gauge>();
  }
  return *std::get<1>(child.metric);
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      const std::vector<double>& bounds,
                                      const std::map<std::string, std::string>& labels) {
  std::lock_guard lock(mutex_);
  auto& child = family(name, help, Type::Histogram).children[labels];
  if (child.metric.index() != 2) {
    child.labels = labels;
    child.metric = std::make_unique<Histogram>(bounds);
  }
  return *std::get<2>(child.metric);
}

void MetricsRegistry::gauge_callback(const std::string& name, const std::string& help,
                                     std::function<double()> fn) {
  std::lock_guard lock(mutex_);
  family(name, help, Type::Gauge).callback = std::move(fn);
}

void MetricsRegistry::counter_callback(const std::string& name, const std::string& help,
                                       std::function<double()> fn) {
  std::lock_guard lock(mutex_);
  family(name, help, Type::Counter).callback = std::move(fn);
}

std::vector<double> MetricsRegistry::default_latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

namespace {

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  return fmt::format("{}", v);
}

std::string label_text(const std::map<std::string, std::string>& labels,
                       const std::string& extra_name = {}, const std::string& extra_value = {}) {
  if (labels.empty() && extra_name.empty()) {
    return {};
  }
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    out += fmt::format("{}{}=\"{}\"", first ? "" : ",", k, escape_label_value(v));
    first = false;
  }
  if (!extra_name.empty()) {
    out += fmt::format("{}{}=\"{}\"", first ? "" : ",", extra_name, extra_value);
  }
  return out + "}";
}

}  // namespace

std::string MetricsRegistry::serialize() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, fam] : families_) {
    const char* type = fam->type == Type::Counter ? "counter"
                       : fam->type == Type::Gauge ? "gauge"
                                                  : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, fam->help, name, type);
    if (fam->callback) {
      out += fmt::format("{} {}\n", name, format_value(fam->callback()));
    }
    for (const auto& [labels, child] : fam->children) {
      if (const auto* c = std::get_if<0>(&child.metric)) {
        out += fmt::format("{}{} {}\n", name, label_text(labels), format_value((*c)->value()));
      } else if (const auto* g = std::get_if<1>(&child.metric)) {
        out += fmt::format("{}{} {}\n", name, label_text(labels), format_value((*g)->value()));
      } else if (const auto* h = std::get_if<2>(&child.metric)) {
        std::vector<uint64_t> buckets;
        double sum = 0;
        uint64_t count = 0;
        (*h)->snapshot(buckets, sum, count);
        for (size_t i = 0; i < buckets.size(); ++i) {
          const std::string le =
              i < (*h)->bounds().size() ? format_value((*h)->bounds()[i]) : "+Inf";
          out += fmt::format("{}_bucket{} {}\n", name, label_text(labels, "le", le), buckets[i]);
        }
        out += fmt::format("{}_sum{} {}\n", name, label_text(labels), format_value(sum));
        out += fmt::format("{}_count{} {}\n", name, label_text(labels), count);
      }
    }
  }
  return out;
}

}  // namespace kscale::net
