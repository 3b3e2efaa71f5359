#pragma once
// store/rate.h: PromQL's range functions over one series' samples, for the scraper that turns
// pods' counters into per-second rates. Pure functions; time is passed in, never read.

#include <optional>
#include <span>

#include "core/clock.h"

namespace kscale::store {

/// One float sample of a series.
struct CounterSample {
  core::SystemTime t;
  double v = 0;
};

/// The samples of `samples` (sorted by strictly increasing t) that a PromQL range selector
/// ending at `range_end` with range `range_end - range_start` selects: range_start < t <=
/// range_end (left-open, as Prometheus 3 selects).
std::span<const CounterSample> in_range(std::span<const CounterSample> samples,
                                        core::SystemTime range_start, core::SystemTime range_end);

/// Upstream: prometheus promql/functions.go extrapolatedRate (float samples, no anchored or
/// smoothed selectors, no start timestamps). Over in_range(samples, range_start, range_end):
/// needs at least two samples (else nullopt); for counters, every decrease is a reset and adds
/// the value before it; the result is extrapolated towards each boundary by the gap to it when
/// that gap is < 1.1 × the average sample interval, else by half an average interval; for
/// counters the start extrapolation is further capped at the counter's extrapolated zero point
/// (applied after the half-interval rule, as upstream does now). is_rate divides by the range
/// in seconds. With millisecond-aligned times the result is bit-identical to Prometheus's.
/// Preconditions: samples sorted by strictly increasing t; range_start < range_end.
std::optional<double> extrapolated_rate(std::span<const CounterSample> samples,
                                        core::SystemTime range_start, core::SystemTime range_end,
                                        bool is_counter, bool is_rate);

/// PromQL rate(v[range]) evaluated at range_end: extrapolated_rate(counter, per second).
std::optional<double> rate(std::span<const CounterSample> samples, core::SystemTime range_start,
                           core::SystemTime range_end);
/// PromQL increase(): extrapolated_rate(counter, not per second).
std::optional<double> increase(std::span<const CounterSample> samples, core::SystemTime range_start,
                               core::SystemTime range_end);
/// PromQL delta() for gauges: extrapolated_rate(not counter, not per second).
std::optional<double> delta(std::span<const CounterSample> samples, core::SystemTime range_start,
                            core::SystemTime range_end);

/// PromQL irate(). Upstream: promql/functions.go instantValue with isRate: the last two samples
/// in range; (last - previous), or last alone after a reset, divided by their distance in
/// seconds. nullopt with fewer than two samples.
std::optional<double> irate(std::span<const CounterSample> samples, core::SystemTime range_start,
                            core::SystemTime range_end);

/// PromQL last_over_time(): the newest sample's value in range; nullopt when none.
std::optional<double> last_over_time(std::span<const CounterSample> samples,
                                     core::SystemTime range_start, core::SystemTime range_end);

/// PromQL avg_over_time(). Upstream: promql/functions.go funcAvgOverTime (float path):
/// Kahan-Neumaier summation (util/kahansum Inc), switching to an incremental mean once the sum
/// would overflow. nullopt when no sample is in range.
std::optional<double> avg_over_time(std::span<const CounterSample> samples,
                                    core::SystemTime range_start, core::SystemTime range_end);

}  // namespace kscale::store
