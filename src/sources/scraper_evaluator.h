#pragma once
// sources::ScraperEvaluator: the scrape rules applied to one target's scrapes. It keeps the
// samples each rate/increase rule needs per label set and turns every scrape into the pod's
// metric points for the store. Pure: no I/O; time arrives with each scrape.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "core/clock.h"
#include "core/errors.h"
#include "core/labels.h"
#include "core/string_hash.h"
#include "sources/exposition_parser.h"
#include "sources/scrape_config.h"
#include "store/rate.h"
#include "store/series_store.h"

namespace kscale::sources {

/// The rules every target shares; immutable once built.
using ScrapeRules = std::vector<ScrapeRule>;

/// What one scrape produced.
struct ScrapeOutcome {
  /// The pod's metrics computed at the scrape time, ready for SeriesStore::put_custom. A rule
  /// with no value yet (a rate with fewer than two samples in its window, no matching series)
  /// contributes nothing.
  std::vector<store::CustomPoint> points;
  size_t samples_scraped = 0;  // every sample of the exposition (Prometheus scrape_samples_scraped)
  size_t values_dropped = 0;   // results that are not a Quantity (±Inf, beyond int64 milli-units)
};

/// Not thread-safe: one owner (the target's scrape loop).
class ScraperEvaluator {
 public:
  /// `rules` must have been validated (validate_rule); points describe pods/<namespace>/<pod>.
  ScraperEvaluator(std::shared_ptr<const ScrapeRules> rules, std::string namespace_name,
                   std::string pod);

  /// Parses one scrape's exposition and evaluates every rule at `scrape_time` (truncated to
  /// milliseconds, as Prometheus stores time). Samples carry `scrape_time` unless the
  /// exposition gives a timestamp (Prometheus's honor_timestamps default).
  ///
  /// Semantics follow Prometheus querying the same scrapes: a rate/increase rule is
  /// `aggregate(rate(series{matchers}[window]))` evaluated at scrape_time, using store/rate.h
  /// (counter resets, extrapolation); a label set that stops appearing keeps contributing until
  /// its samples leave the window, as a range selector over a stale series does. A gauge rule
  /// aggregates the values of this scrape only (series missing from it are stale).
  ///
  /// A malformed exposition is an error and changes nothing: Prometheus drops a failed scrape
  /// whole (scrape/scrape.go scrapeAndReport rolls back the appender).
  [[nodiscard]] core::Result<ScrapeOutcome> evaluate(std::string_view body, ExpositionFormat format,
                                                     core::SystemTime scrape_time);

  /// Label sets currently held for rate/increase rules (a memory figure).
  size_t series_held() const;

 private:
  struct Series {
    // Strictly increasing t, only what a window needs: a 30 s window at a 5 s interval holds
    // 6-7, kept inside the node so a scrape touches one allocation per label set.
    boost::container::small_vector<store::CounterSample, 8> samples;
    core::Labels labels;
    uint64_t evaluated_in = 0;  // the scrape (scrapes_) that last computed its value
  };
  // Label set (sorted, name/value separated by 0xFF) -> its samples; looked up by string_view,
  // so a scrape of label sets already held builds no key string.
  using SeriesMap = std::unordered_map<std::string, Series, core::StringHash, std::equal_to<>>;
  // A sample the current scrape adds, applied only once the whole exposition parsed.
  struct Pending {
    size_t rule = 0;
    Series* series = nullptr;  // the label set, when already held (node pointers are stable)
    size_t new_key = 0;        // else its key in new_keys_ (gauge rules: always)
    store::CounterSample sample;
    bool appended = false;  // to `series` during the parse (undone if the parse fails)
  };

  // A rate/increase rule's label sets in the order the last scrape listed them. A target lists
  // the same label sets in the same order scrape after scrape, so the n-th sample is checked
  // against the n-th key here, read front to back, before the hash map (whose nodes are cache
  // misses at 100 targets x 1,000 series) is searched.
  struct ScrapeOrder {
    struct Entry {
      uint32_t key_end = 0;      // the key is keys[previous key_end, key_end)
      Series* series = nullptr;  // null until a new label set is inserted (then patched)
      size_t pending = 0;        // for a new label set: its index in pending_
    };
    std::string keys;
    std::vector<Entry> entries;
    size_t cursor = 0;  // the next entry to check, while the scrape is parsed
  };

  void begin_scrape();
  void discard_scrape();
  void emit_rule_values(size_t rule, const std::unordered_map<std::string, double>& gauges,
                        core::SystemTime now, ScrapeOutcome& outcome);
  Series* find_series(size_t rule);
  void on_sample(const SampleView& sample, const std::vector<size_t>& rules, core::SystemTime now);
  void apply_pending(std::vector<std::unordered_map<std::string, double>>& gauges);
  void evaluate_window(size_t rule, core::SystemTime now, std::vector<double>& values,
                       std::vector<const core::Labels*>& value_labels);

  std::shared_ptr<const ScrapeRules> rules_;
  std::string namespace_name_;
  std::string pod_;
  std::unordered_map<std::string, std::vector<size_t>> rules_by_series_;
  std::vector<SeriesMap> series_;        // per rule
  std::vector<ScrapeOrder> last_order_;  // per rule: the last successful scrape
  std::vector<ScrapeOrder> next_order_;  // per rule: the scrape being parsed
  uint64_t scrapes_ = 0;                 // evaluate() calls so far
  // Scratch, reused across scrapes.
  std::vector<Pending> pending_;
  std::vector<std::string> new_keys_;
  std::vector<LabelView> sorted_labels_;
  std::string key_;
};

}  // namespace kscale::sources
