#pragma once
// sources::ScraperEvaluator: the scrape rules applied to one target's scrapes. It keeps the
// samples each rate/increase rule needs per label set and turns every scrape into the pod's
// metric points for the store. Pure: no I/O; time arrives with each scrape.

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/errors.h"
#include "core/labels.h"
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
  ScraperEvaluator(std::shared_ptr<const ScrapeRules> rules, std::string namespace_name, std::string pod);

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
    std::vector<store::CounterSample> samples;  // strictly increasing t, only what a window needs
    core::Labels labels;
  };
  struct Pending {
    size_t rule = 0;
    std::string key;  // the label set, sorted, name/value separated by 0xFF
    store::CounterSample sample;
  };

  std::shared_ptr<const ScrapeRules> rules_;
  std::string namespace_name_;
  std::string pod_;
  std::unordered_map<std::string, std::vector<size_t>> rules_by_series_;
  std::vector<std::unordered_map<std::string, Series>> series_;  // per rule
  std::vector<Pending> pending_;  // scratch, reused across scrapes
};

}  // namespace kscale::sources
