#pragma once
// Parser for the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text: a streaming
// scanner that hands each sample to a callback as views into the input (no per-sample allocation),
// and parse_metric_families, which builds owned families from it.

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/errors.h"
#include "core/labels.h"

namespace kscale::sources {

enum class ExpositionFormat {
  PrometheusText,  // text/plain; version=0.0.4
  OpenMetrics,     // application/openmetrics-text; version=1.0.0 (and 0.0.1)
};

/// The Accept header a scraper sends: OpenMetrics preferred, the 0.0.4 text format accepted.
/// Upstream: prometheus 2.x scrape/scrape.go, scrapeAcceptHeader.
inline constexpr std::string_view kScrapeAcceptHeader =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// Picks the parser for a response's Content-Type header value. The media type decides, compared
/// case-insensitively; parameters (version, charset, escaping) do not.
/// Upstream: prometheus model/textparse/interface.go, extractMediaType: a blank, malformed or
/// unsupported Content-Type (including protobuf, which kscale does not parse) yields `fallback`
/// when given, and an UnsupportedMediaType error otherwise.
[[nodiscard]] core::Result<ExpositionFormat> format_from_content_type(
    std::string_view content_type, std::optional<ExpositionFormat> fallback = std::nullopt);

/// Metric family types; enumerators named after the TYPE line words (metric_type_name).
enum class MetricType {
  Unknown,  // "untyped" in 0.0.4, "unknown" in OpenMetrics, and samples with no TYPE line
  Counter,
  Gauge,
  Histogram,
  GaugeHistogram,  // OpenMetrics only
  Summary,
  Info,      // OpenMetrics only
  StateSet,  // OpenMetrics only
};

/// The word a TYPE line uses ("counter", "gaugehistogram", "stateset", "unknown").
[[nodiscard]] std::string_view metric_type_name(MetricType type);

/// The part of its family a sample is, from its name's suffix relative to the family name.
/// Value is the bare family name: a gauge, an unknown, a summary quantile, a 0.0.4 counter
/// whose TYPE line already names it, a stateset or info point without suffix.
enum class SampleRole {
  Value,
  Total,    // counter `_total`
  Created,  // `_created` of a counter, histogram or summary (OpenMetrics)
  Bucket,   // histogram / gauge histogram `_bucket`, carries `le`
  Count,    // histogram / summary `_count`
  Sum,      // histogram / summary `_sum`
  GCount,   // gauge histogram `_gcount`
  GSum,     // gauge histogram `_gsum`
  Info,     // info `_info`
};

/// Milliseconds since the Unix epoch, the resolution Prometheus stores.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

/// A label with escapes already resolved. The views are valid only during the callback.
struct LabelView {
  std::string_view name;
  std::string_view value;
};

/// A metric family as its metadata lines describe it. For samples without matching metadata the
/// family is the sample's own name with type Unknown and empty help and unit.
struct FamilyView {
  std::string_view name;
  MetricType type = MetricType::Unknown;
  std::string_view help;  // escapes resolved
  std::string_view unit;  // OpenMetrics UNIT; always empty in 0.0.4
};

struct ExemplarView {
  std::span<const LabelView> labels;
  double value = 0;
  std::optional<Timestamp> timestamp;
};

/// One sample line. All views point into the input or into the parser's scratch space and are
/// valid only during the callback; copy what must outlive it.
struct SampleView {
  const FamilyView* family = nullptr;  // never null
  std::string_view name;               // the sample's metric name, e.g. "foo_bucket"
  SampleRole role = SampleRole::Value;
  std::span<const LabelView> labels;  // exposition order, without __name__
  double value = 0;                   // NaN is always the canonical Prometheus NaN
  std::optional<Timestamp> timestamp;
  std::optional<ExemplarView> exemplar;  // OpenMetrics only
};

struct ParseStats {
  std::size_t families = 0;  // on_family calls (an interrupted family counts again)
  std::size_t samples = 0;   // on_sample calls
};

namespace detail {
struct ParseCallbacks {
  void* context = nullptr;
  void (*on_sample)(void* context, const SampleView& sample) = nullptr;
  void (*on_family)(void* context, const FamilyView& family) = nullptr;  // may be null
};
[[nodiscard]] core::Result<ParseStats> parse_exposition(std::string_view text,
                                                        ExpositionFormat format,
                                                        const ParseCallbacks& callbacks);
}  // namespace detail

/// Parses a whole exposition, calling on_sample(const SampleView&) for every sample in input
/// order. Stops at the first malformed line and returns BadRequest with a message that starts
/// "line N, column M: " and says what was expected, after the wording of upstream
/// textparse. Samples before the bad line have already been delivered. Never throws (apart from
/// std::bad_alloc) and never reads outside `text`. The callback must not throw.
///
/// The rules are those of prometheus model/textparse: promlex.l + promparse.go for 0.0.4,
/// openmetricslex.l + openmetricsparse.go for OpenMetrics, including the UTF-8 quoted-name
/// syntax (`{"my.metric", "label.name"="v"}`). Deliberate deviations, each stricter than
/// upstream: a NUL byte where a line starts is an error (upstream's lexer stops there as if at
/// end of input); duplicate or empty label names are errors here rather than at Prometheus's
/// append stage; an OpenMetrics timestamp beyond the int64 millisecond range is an error.
template <class OnSample>
  requires std::is_invocable_v<OnSample&, const SampleView&>
[[nodiscard]] core::Result<ParseStats> parse_exposition(std::string_view text,
                                                        ExpositionFormat format,
                                                        OnSample&& on_sample) {
  detail::ParseCallbacks callbacks;
  callbacks.context = static_cast<void*>(&on_sample);
  callbacks.on_sample = [](void* context, const SampleView& sample) {
    (*static_cast<std::remove_reference_t<OnSample>*>(context))(sample);
  };
  return detail::parse_exposition(text, format, callbacks);
}

/// As above, and also calls on_family(const FamilyView&) once before the first sample of each
/// family, and for a family whose metadata has no samples, when the next family starts or at
/// the end. Consecutive samples of one family share one call.
template <class OnSample, class OnFamily>
  requires std::is_invocable_v<OnSample&, const SampleView&> &&
           std::is_invocable_v<OnFamily&, const FamilyView&>
[[nodiscard]] core::Result<ParseStats> parse_exposition(std::string_view text,
                                                        ExpositionFormat format,
                                                        OnSample&& on_sample,
                                                        OnFamily&& on_family) {
  struct Both {
    std::remove_reference_t<OnSample>* sample;
    std::remove_reference_t<OnFamily>* family;
  } both{&on_sample, &on_family};
  detail::ParseCallbacks callbacks;
  callbacks.context = &both;
  callbacks.on_sample = [](void* context, const SampleView& sample) {
    (*static_cast<Both*>(context)->sample)(sample);
  };
  callbacks.on_family = [](void* context, const FamilyView& family) {
    (*static_cast<Both*>(context)->family)(family);
  };
  return detail::parse_exposition(text, format, callbacks);
}

struct Exemplar {
  core::Labels labels;
  double value = 0;
  std::optional<Timestamp> timestamp;
};

struct Sample {
  std::string name;
  SampleRole role = SampleRole::Value;
  core::Labels labels;  // without __name__
  double value = 0;
  std::optional<Timestamp> timestamp;
  std::optional<Exemplar> exemplar;
};

struct MetricFamily {
  std::string name;
  MetricType type = MetricType::Unknown;
  std::string help;
  std::string unit;
  std::vector<Sample> samples;
};

/// Owned form of parse_exposition: one MetricFamily per on_family call, in input order (a family
/// interrupted by another one appears twice, as it does in the input). Same errors.
[[nodiscard]] core::Result<std::vector<MetricFamily>> parse_metric_families(
    std::string_view text, ExpositionFormat format);

}  // namespace kscale::sources
