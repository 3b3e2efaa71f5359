#pragma once
// The scraper's configuration as plain data: rules that map scraped series to metrics (rate,
// increase or gauge, a label filter, an aggregation) and static targets. Loaded from YAML by
// load_scrape_config; errors name the path (`rules[0].window: ...`).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"
#include "core/labels.h"

namespace kscale::sources {

/// What a rule computes from the series it selects, per label set at each scrape.
enum class RuleKind {
  Rate,      // PromQL rate(series[window]): per-second, counter resets and extrapolation
  Increase,  // PromQL increase(series[window])
  Gauge,     // the scraped value as it is
};

/// How the values of the label sets one target exposes become the pod's metric.
enum class Aggregation {
  Sum,  // PromQL sum(...) over the target's label sets (the default)
  Avg,
  Max,
  Min,
  None,  // one series per label set; the label set becomes the metric's labels
};

/// One rule, after `seriesName`, `labelMatchers`, `metric`, `kind`, `window`, `aggregate`.
struct ScrapeRule {
  std::string series_name;      // the sample name as Prometheus stores it (http_requests_total)
  core::Labels label_matchers;  // equality matchers; an absent label matches ""
  std::string metric;           // the custom metric served for the pod (http_requests_qps)
  RuleKind kind = RuleKind::Rate;
  std::chrono::milliseconds window{0};  // rate/increase only
  Aggregation aggregate = Aggregation::Sum;

  bool operator==(const ScrapeRule&) const = default;
};

/// A scrape target: the pod it stands for and where its metrics are.
struct Target {
  std::string namespace_name;
  std::string pod;
  core::Labels labels;  // the pod's labels (for labelSelector), not added to metrics
  std::string url;      // http://host:port/metrics
  std::chrono::milliseconds interval{5'000};
  /// Defaults to min(10s, interval), as Prometheus's scrape_timeout.
  std::optional<std::chrono::milliseconds> timeout;

  /// The effective timeout.
  std::chrono::milliseconds effective_timeout() const;
  bool operator==(const Target&) const = default;
};

struct ScrapeConfig {
  std::vector<ScrapeRule> rules;
  std::vector<Target> targets;
};

/// Defaults for targets that do not set them (`interval:`, `timeout:` at the top level).
inline constexpr std::chrono::milliseconds kDefaultScrapeInterval{5'000};
inline constexpr std::chrono::milliseconds kDefaultScrapeTimeout{10'000};

/// Parses the YAML document:
///
///   interval: 5s          # default per-target interval (optional)
///   timeout: 3s           # default per-target timeout (optional)
///   rules:
///   - seriesName: http_requests_total
///     labelMatchers: {code: "200"}
///     metric: http_requests_qps
///     kind: rate           # rate | increase | gauge
///     window: 30s
///     aggregate: sum       # sum | avg | max | min | none
///   targets:
///   - {namespace: default, pod: web-1, labels: {app: web}, url: "http://127.0.0.1:8080/metrics"}
///
/// Strict, as prometheus-adapter's loader: unknown keys, wrong types and invalid values are
/// BadRequest errors whose message starts with the path (`rules[0].window: ...`). Also checks
/// the whole: no two rules make the same metric, no two targets are the same pod, every
/// rate/increase window holds at least two scrapes of every static target.
[[nodiscard]] core::Result<ScrapeConfig> load_scrape_config(std::string_view yaml);

/// Validates one rule (as load_scrape_config does); messages are relative ("window: ...").
[[nodiscard]] core::Result<void> validate_rule(const ScrapeRule& rule);
/// Validates one target: namespace and pod are DNS names, labels are Kubernetes labels, the
/// URL is http://, interval > 0, 0 < timeout <= interval. Messages are relative ("url: ...").
[[nodiscard]] core::Result<void> validate_target(const Target& target);

/// Prometheus durations (model.ParseDuration): "30s", "1m30s", "500ms", "2h", "1d", "1w",
/// "1y", and "0". Units in descending order, each at most once; integers only.
[[nodiscard]] core::Result<std::chrono::milliseconds> parse_prometheus_duration(
    std::string_view text);

/// "30s", "1m30s", "500ms": the inverse of parse_prometheus_duration, for messages.
std::string format_prometheus_duration(std::chrono::milliseconds d);

}  // namespace kscale::sources
