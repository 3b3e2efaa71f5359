#include "sources/scraper_evaluator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
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

// The label set's key: sorted by name, each name and value followed by kSep. Expositions
// usually list labels sorted already (client libraries sort them); then no copy is sorted.
void label_key(std::span<const LabelView> labels, std::vector<LabelView>& scratch,
               std::string& key) {
  auto by_name = [](const LabelView& a, const LabelView& b) { return a.name < b.name; };
  if (!std::is_sorted(labels.begin(), labels.end(), by_name)) {
    scratch.assign(labels.begin(), labels.end());
    std::sort(scratch.begin(), scratch.end(), by_name);
    labels = scratch;
  }
  key.clear();
  for (const auto& l : labels) {
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

ScraperEvaluator::ScraperEvaluator(std::shared_ptr<const ScrapeRules> rules,
                                   std::string namespace_name, std::string pod)
    : rules_(std::move(rules)), namespace_name_(std::move(namespace_name)), pod_(std::move(pod)) {
  series_.resize(rules_->size());
  last_order_.resize(rules_->size());
  next_order_.resize(rules_->size());
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

ScraperEvaluator::Series* ScraperEvaluator::find_series(size_t rule) {
  auto& last = last_order_[rule];
  if (last.cursor < last.entries.size()) {
    const size_t begin = last.cursor == 0 ? 0 : last.entries[last.cursor - 1].key_end;
    const auto& entry = last.entries[last.cursor++];
    if (last.cursor < last.entries.size()) {
      // The next sample's label set, most likely: its node is a cache miss that can overlap
      // with parsing the next line. Its samples sit 64-192 bytes into the node.
      const char* next = reinterpret_cast<const char*>(last.entries[last.cursor].series);
      __builtin_prefetch(next);
      __builtin_prefetch(next + 64);
      __builtin_prefetch(next + 128);
    }
    if (std::string_view(last.keys).substr(begin, entry.key_end - begin) == key_) {
      return entry.series;
    }
  }
  const auto it = series_[rule].find(std::string_view(key_));
  return it == series_[rule].end() ? nullptr : &it->second;
}

void ScraperEvaluator::on_sample(const SampleView& sample, const std::vector<size_t>& rules,
                                 core::SystemTime now) {
  const core::SystemTime t =
      sample.timestamp ? core::SystemTime(sample.timestamp->time_since_epoch()) : now;
  bool keyed = false;
  size_t new_key = SIZE_MAX;
  for (size_t rule : rules) {
    if (!matches(sample, (*rules_)[rule].label_matchers)) {
      continue;
    }
    if (!keyed) {
      label_key(sample.labels, sorted_labels_, key_);
      keyed = true;
    }
    Pending p{rule, nullptr, 0, store::CounterSample{t, sample.value}};
    if ((*rules_)[rule].kind != RuleKind::Gauge) {
      p.series = find_series(rule);
      auto& next = next_order_[rule];
      next.keys.append(key_);
      next.entries.push_back({static_cast<uint32_t>(next.keys.size()), p.series, pending_.size()});
      if (p.series != nullptr) {
        // Appended now, while the node is in cache; a parse error later rolls it back.
        // Out-of-order and duplicate timestamps are refused, as Prometheus's TSDB does.
        auto& samples = p.series->samples;
        if (samples.empty() || samples.back().t < t) {
          samples.push_back(p.sample);
          p.appended = true;
        }
        pending_.push_back(p);
        continue;
      }
    }
    if (new_key == SIZE_MAX) {
      new_key = new_keys_.size();
      new_keys_.push_back(key_);
    }
    p.new_key = new_key;
    pending_.push_back(p);
  }
}

void ScraperEvaluator::apply_pending(std::vector<std::unordered_map<std::string, double>>& gauges) {
  for (auto& p : pending_) {
    if ((*rules_)[p.rule].kind == RuleKind::Gauge) {
      // First one wins, as Prometheus drops a duplicate sample of one scrape.
      gauges[p.rule].emplace(new_keys_[p.new_key], p.sample.v);
      continue;
    }
    if (p.series != nullptr) {
      continue;  // a label set already held: on_sample appended its sample
    }
    auto [it, fresh] = series_[p.rule].try_emplace(new_keys_[p.new_key]);
    if (fresh) {
      it->second.labels = labels_from_key(it->first);
    }
    p.series = &it->second;  // also for the scrape order's entry of this label set
    // Out-of-order and duplicate timestamps are refused, as Prometheus's TSDB does.
    auto& samples = p.series->samples;
    if (samples.empty() || samples.back().t < p.sample.t) {
      samples.push_back(p.sample);
    }
  }
  // This scrape's order becomes the one the next scrape is checked against.
  for (size_t r = 0; r < next_order_.size(); ++r) {
    auto& next = next_order_[r];
    for (auto& entry : next.entries) {
      if (entry.series == nullptr) {
        entry.series = pending_[entry.pending].series;
      }
    }
    std::swap(last_order_[r], next);
    last_order_[r].cursor = 0;
    next.keys.clear();
    next.entries.clear();
  }
  new_keys_.clear();
}

void ScraperEvaluator::evaluate_window(size_t r, core::SystemTime now, std::vector<double>& values,
                                       std::vector<const core::Labels*>& value_labels) {
  const auto& rule = (*rules_)[r];
  // A PromQL range selector at `now` with range `window` selects (now - window, now].
  const core::SystemTime range_start = now - rule.window;
  // Trims a label set's samples to the window and adds its value; false when none is left.
  auto evaluate_one = [&](Series& series) {
    series.evaluated_in = scrapes_;
    auto& samples = series.samples;
    const auto keep =
        std::partition_point(samples.begin(), samples.end(),
                             [&](const store::CounterSample& s) { return s.t <= range_start; });
    samples.erase(samples.begin(), keep);
    if (samples.empty()) {
      return false;
    }
    const std::span<const store::CounterSample> in_window(samples.data(), samples.size());
    const auto v = rule.kind == RuleKind::Rate ? store::rate(in_window, range_start, now)
                                               : store::increase(in_window, range_start, now);
    if (v) {
      values.push_back(*v);
      value_labels.push_back(&series.labels);
    }
    return true;
  };
  // The label sets of this scrape first, in its order: their nodes were just written, so they
  // are in cache. Only when some held label set was not in the scrape (or one emptied) are all
  // nodes walked, for the ones left over.
  size_t evaluated = 0;
  bool emptied = false;
  for (const auto& p : pending_) {
    if (p.rule == r && p.series->evaluated_in != scrapes_) {
      ++evaluated;
      emptied |= !evaluate_one(*p.series);
    }
  }
  auto& held = series_[r];
  if (!emptied && evaluated == held.size()) {
    return;
  }
  for (auto it = held.begin(); it != held.end();) {
    Series& series = it->second;
    const bool done = series.evaluated_in == scrapes_;
    if ((done && !series.samples.empty()) || (!done && evaluate_one(series))) {
      ++it;
      continue;
    }
    it = held.erase(it);
    // The scrape order may point at it (a sample with an old exposition timestamp).
    last_order_[r] = ScrapeOrder{};
  }
}

void ScraperEvaluator::begin_scrape() {
  ++scrapes_;
  pending_.clear();
  new_keys_.clear();
  for (size_t r = 0; r < next_order_.size(); ++r) {
    last_order_[r].cursor = 0;
    next_order_[r].keys.clear();
    next_order_[r].entries.clear();
  }
}

// Undoes what a scrape whose exposition failed to parse appended to the held series.
void ScraperEvaluator::discard_scrape() {
  for (auto p = pending_.rbegin(); p != pending_.rend(); ++p) {
    if (p->appended) {
      p->series->samples.pop_back();
    }
  }
  pending_.clear();
  new_keys_.clear();
}

// One rule's values from this scrape, as points of the outcome (values_dropped counts those a
// Quantity cannot hold).
void ScraperEvaluator::emit_rule_values(size_t r,
                                        const std::unordered_map<std::string, double>& gauges,
                                        core::SystemTime now, ScrapeOutcome& outcome) {
  const auto& rule = (*rules_)[r];
  std::vector<double> values;
  std::vector<const core::Labels*> value_labels;
  std::vector<core::Labels> gauge_labels;
  if (rule.kind == RuleKind::Gauge) {
    gauge_labels.reserve(gauges.size());
    for (const auto& [k, v] : gauges) {
      values.push_back(v);
      gauge_labels.push_back(rule.aggregate == Aggregation::None ? labels_from_key(k)
                                                                 : core::Labels{});
    }
    for (const auto& l : gauge_labels) {
      value_labels.push_back(&l);
    }
  } else {
    evaluate_window(r, now, values, value_labels);
  }
  if (values.empty()) {
    return;
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
    outcome.points.push_back(
        store::CustomPoint{store::CustomSeriesKey{core::GroupResource{"pods", ""}, namespace_name_,
                                                  pod_, rule.metric, std::move(labels)},
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

core::Result<ScrapeOutcome> ScraperEvaluator::evaluate(std::string_view body,
                                                       ExpositionFormat format,
                                                       core::SystemTime scrape_time) {
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(scrape_time);
  begin_scrape();
  std::string last_name;
  const std::vector<size_t>* last_rules = nullptr;
  auto on_sample_seen = [&](const SampleView& sample) {
    // Consecutive samples usually share a name; look the rules up once per run of them.
    if (last_rules == nullptr || sample.name != last_name) {
      last_name.assign(sample.name);
      const auto it = rules_by_series_.find(last_name);
      static const std::vector<size_t> kNone;
      last_rules = it == rules_by_series_.end() ? &kNone : &it->second;
    }
    if (!last_rules->empty()) {
      on_sample(sample, *last_rules, now);
    }
  };
  auto parsed = parse_exposition(body, format, on_sample_seen);
  if (!parsed) {
    discard_scrape();
    return core::fail(parsed.error());
  }

  ScrapeOutcome outcome;
  outcome.samples_scraped = parsed->samples;
  std::vector<std::unordered_map<std::string, double>> gauges(rules_->size());
  apply_pending(gauges);
  for (size_t r = 0; r < rules_->size(); ++r) {
    emit_rule_values(r, gauges[r], now, outcome);
  }
  pending_.clear();
  return outcome;
}

}  // namespace kscale::sources
