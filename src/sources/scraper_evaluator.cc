#include "sources/scraper_evaluator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace kscale::sources {

namespace {

constexpr char kSep = '\xff';  // never in UTF-8 text, so keys cannot collide

bool matches(const SampleView& sample, const core::Labels& matchers) {
  for (const auto& [name, want] : matchers) {
    std::string_view have;  // an absent label is "", as in a PromQL equality matcher
    for (const auto& l : sample.labels) {
      if (l.name == name) {
        have = l.value;
        break;
      }
    }
    if (have != want) {
      return false;
    }
  }
  return true;
}

void label_key(std::span<const LabelView> labels, std::vector<LabelView>& scratch, std::string& key) {
  scratch.assign(labels.begin(), labels.end());
  std::sort(scratch.begin(), scratch.end(), [](const LabelView& a, const LabelView& b) { return a.name < b.name; });
  key.clear();
  for (const auto& l : scratch) {
    key.append(l.name).push_back(kSep);
    key.append(l.value).push_back(kSep);
  }
}

core::Labels labels_from_key(std::string_view key) {
  core::Labels out;
  while (!key.empty()) {
    const auto a = key.find(kSep);
    const auto b = key.find(kSep, a + 1);
    out.emplace(std::string(key.substr(0, a)), std::string(key.substr(a + 1, b - a - 1)));
    key.remove_prefix(b + 1);
  }
  return out;
}

// PromQL aggregation over the label sets' values. Upstream: promql/engine.go aggregation (sum
// and avg use Kahan-compensated sums there since 2.49; with the handful of label sets one pod
// exposes the plain sum differs from it in the last bits at most).
double aggregate(Aggregation how, const std::vector<double>& values) {
  double out = values.front();
  switch (how) {
    case Aggregation::Sum:
    case Aggregation::Avg:
      out = 0;
      for (double v : values) {
        out += v;
      }
      return how == Aggregation::Avg ? out / static_cast<double>(values.size()) : out;
    case Aggregation::Max:
      for (double v : values) {
        // PromQL max: NaN is replaced by any number.
        if (v > out || std::isnan(out)) {
          out = v;
        }
      }
      return out;
    case Aggregation::Min:
      for (double v : values) {
        if (v < out || std::isnan(out)) {
          out = v;
        }
      }
      return out;
    case Aggregation::None:
      break;
  }
  return out;
}

}  // namespace

ScraperEvaluator::ScraperEvaluator(std::shared_ptr<const ScrapeRules> rules, std::string namespace_name,
                                   std::string pod)
    : rules_(std::move(rules)), namespace_name_(std::move(namespace_name)), pod_(std::move(pod)) {
  series_.resize(rules_->size());
  for (size_t i = 0; i < rules_->size(); ++i) {
    rules_by_series_[(*rules_)[i].series_name].push_back(i);
  }
}

size_t ScraperEvaluator::series_held() const {
  size_t n = 0;
  for (const auto& s : series_) {
    n += s.size();
  }
  return n;
}

core::Result<ScrapeOutcome> ScraperEvaluator::evaluate(std::string_view body, ExpositionFormat format,
                                                       core::SystemTime scrape_time) {
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(scrape_time);
  pending_.clear();
  std::vector<LabelView> scratch;
  std::string key;
  std::string last_name;
  const std::vector<size_t>* last_rules = nullptr;
  auto on_sample = [&](const SampleView& sample) {
    // Consecutive samples usually share a name; look the rules up once per run of them.
    if (last_rules == nullptr || sample.name != last_name) {
      last_name.assign(sample.name);
      const auto it = rules_by_series_.find(last_name);
      static const std::vector<size_t> kNone;
      last_rules = it == rules_by_series_.end() ? &kNone : &it->second;
    }
    if (last_rules->empty()) {
      return;
    }
    label_key(sample.labels, scratch, key);
    const core::SystemTime t = sample.timestamp ? core::SystemTime(sample.timestamp->time_since_epoch()) : now;
    for (size_t rule : *last_rules) {
      if (matches(sample, (*rules_)[rule].label_matchers)) {
        pending_.push_back(Pending{rule, key, store::CounterSample{t, sample.value}});
      }
    }
  };
  auto parsed = parse_exposition(body, format, on_sample);
  if (!parsed) {
    pending_.clear();
    return core::fail(parsed.error());
  }

  ScrapeOutcome outcome;
  outcome.samples_scraped = parsed->samples;
  // Gauge rules: this scrape's values per label set (first one wins, as Prometheus drops a
  // duplicate sample of one scrape).
  std::vector<std::unordered_map<std::string, double>> gauges(rules_->size());
  for (auto& p : pending_) {
    const auto& rule = (*rules_)[p.rule];
    if (rule.kind == RuleKind::Gauge) {
      gauges[p.rule].emplace(std::move(p.key), p.sample.v);
      continue;
    }
    auto [it, fresh] = series_[p.rule].try_emplace(p.key);
    if (fresh) {
      it->second.labels = labels_from_key(p.key);
    }
    auto& samples = it->second.samples;
    // Out-of-order and duplicate timestamps are refused, as Prometheus's TSDB does.
    if (samples.empty() || samples.back().t < p.sample.t) {
      samples.push_back(p.sample);
    }
  }
  pending_.clear();

  for (size_t r = 0; r < rules_->size(); ++r) {
    const auto& rule = (*rules_)[r];
    std::vector<double> values;
    std::vector<const core::Labels*> value_labels;
    std::vector<core::Labels> gauge_labels;
    if (rule.kind == RuleKind::Gauge) {
      gauge_labels.reserve(gauges[r].size());
      for (const auto& [k, v] : gauges[r]) {
        values.push_back(v);
        gauge_labels.push_back(rule.aggregate == Aggregation::None ? labels_from_key(k) : core::Labels{});
      }
      for (const auto& l : gauge_labels) {
        value_labels.push_back(&l);
      }
    } else {
      // A PromQL range selector at `now` with range `window` selects (now - window, now].
      const core::SystemTime range_start = now - rule.window;
      auto& held = series_[r];
      for (auto it = held.begin(); it != held.end();) {
        auto& samples = it->second.samples;
        const auto keep = std::partition_point(samples.begin(), samples.end(),
                                               [&](const store::CounterSample& s) { return s.t <= range_start; });
        samples.erase(samples.begin(), keep);
        if (samples.empty()) {
          it = held.erase(it);
          continue;
        }
        const auto v = rule.kind == RuleKind::Rate ? store::rate(samples, range_start, now)
                                                   : store::increase(samples, range_start, now);
        if (v) {
          values.push_back(*v);
          value_labels.push_back(&it->second.labels);
        }
        ++it;
      }
    }
    if (values.empty()) {
      continue;
    }
    std::optional<std::chrono::seconds> window;
    if (rule.kind != RuleKind::Gauge) {
      window = std::chrono::duration_cast<std::chrono::seconds>(rule.window);
    }
    auto emit = [&](double v, core::Labels labels) {
      auto q = core::Quantity::from_double_milli(v);
      if (!q) {
        ++outcome.values_dropped;
        return;
      }
      outcome.points.push_back(store::CustomPoint{
          store::CustomSeriesKey{core::GroupResource{"pods", ""}, namespace_name_, pod_, rule.metric, std::move(labels)},
          store::Sample{now, *q, window}});
    };
    if (rule.aggregate == Aggregation::None) {
      for (size_t i = 0; i < values.size(); ++i) {
        emit(values[i], *value_labels[i]);
      }
    } else {
      emit(aggregate(rule.aggregate, values), {});
    }
  }
  return outcome;
}

}  // namespace kscale::sources
