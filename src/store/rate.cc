#include "store/rate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>

namespace kscale::store {
namespace {

// Seconds from a to b as Prometheus computes them from integer milliseconds
// (float64(b-a)/1000). The difference is exact in nanoseconds and one correctly rounded division
// follows, so millisecond-aligned inputs give the same double as upstream.
double seconds_between(core::SystemTime a, core::SystemTime b) {
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
  return static_cast<double>(ns) / 1e9;
}

// Go's time.Duration.Seconds(): whole seconds plus the nanosecond remainder / 1e9.
double go_duration_seconds(core::SystemTime a, core::SystemTime b) {
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
  const int64_t sec = ns / 1'000'000'000;
  const int64_t nsec = ns % 1'000'000'000;
  return static_cast<double>(sec) + static_cast<double>(nsec) / 1e9;
}

// Upstream: prometheus util/kahansum/kahansum.go Inc (Kahan summation, Neumaier variant).
void kahan_inc(double inc, double& sum, double& c) {
  const double t = sum + inc;
  if (std::isinf(t)) {
    c = 0;
  } else if (std::fabs(sum) >= std::fabs(inc)) {
    c += (sum - t) + inc;
  } else {
    c += (inc - t) + sum;
  }
  sum = t;
}

}  // namespace

std::span<const CounterSample> in_range(std::span<const CounterSample> samples,
                                        core::SystemTime range_start, core::SystemTime range_end) {
  const auto first = std::partition_point(
      samples.begin(), samples.end(), [&](const CounterSample& s) { return s.t <= range_start; });
  const auto last = std::partition_point(first, samples.end(),
                                         [&](const CounterSample& s) { return s.t <= range_end; });
  return {first, last};
}

// Upstream: prometheus promql/functions.go extrapolatedRate, float branch. Variable names follow
// upstream so the two can be read side by side.
std::optional<double> extrapolated_rate(std::span<const CounterSample> samples,
                                        core::SystemTime range_start, core::SystemTime range_end,
                                        bool is_counter, bool is_rate) {
  const auto w = in_range(samples, range_start, range_end);
  if (w.size() < 2) {
    return std::nullopt;
  }
  const CounterSample& first = w.front();
  const CounterSample& last = w.back();
  const size_t num_samples_minus_one = w.size() - 1;

  double result = last.v - first.v;
  if (is_counter) {
    for (size_t i = 1; i < w.size(); ++i) {
      if (w[i].v < w[i - 1].v) {
        result += w[i - 1].v;
      }
    }
  }

  double duration_to_start = seconds_between(range_start, first.t);
  double duration_to_end = seconds_between(last.t, range_end);
  const double sampled_interval = seconds_between(first.t, last.t);
  const double average_duration_between_samples =
      sampled_interval / static_cast<double>(num_samples_minus_one);

  // Extrapolate to a boundary only when a sample is "close enough" to it (up to 10% more than
  // the average interval); otherwise assume the series starts/ends half an interval out.
  const double extrapolation_threshold = average_duration_between_samples * 1.1;
  if (duration_to_start >= extrapolation_threshold) {
    duration_to_start = average_duration_between_samples / 2;
  }
  if (is_counter) {
    // Counters cannot go negative: never extrapolate to before the counter's zero point.
    double duration_to_zero = duration_to_start;
    if (result > 0 && first.v >= 0) {
      duration_to_zero = sampled_interval * (first.v / result);
    }
    if (duration_to_zero < duration_to_start) {
      duration_to_start = duration_to_zero;
    }
  }
  if (duration_to_end >= extrapolation_threshold) {
    duration_to_end = average_duration_between_samples / 2;
  }

  double factor = (sampled_interval + duration_to_start + duration_to_end) / sampled_interval;
  if (is_rate) {
    factor /= go_duration_seconds(range_start, range_end);
  }
  return result * factor;
}

std::optional<double> rate(std::span<const CounterSample> samples, core::SystemTime range_start,
                           core::SystemTime range_end) {
  return extrapolated_rate(samples, range_start, range_end, true, true);
}

std::optional<double> increase(std::span<const CounterSample> samples, core::SystemTime range_start,
                               core::SystemTime range_end) {
  return extrapolated_rate(samples, range_start, range_end, true, false);
}

std::optional<double> delta(std::span<const CounterSample> samples, core::SystemTime range_start,
                            core::SystemTime range_end) {
  return extrapolated_rate(samples, range_start, range_end, false, false);
}

std::optional<double> irate(std::span<const CounterSample> samples, core::SystemTime range_start,
                            core::SystemTime range_end) {
  const auto w = in_range(samples, range_start, range_end);
  if (w.size() < 2) {
    return std::nullopt;
  }
  const CounterSample& prev = w[w.size() - 2];
  const CounterSample& last = w.back();
  const double sampled_interval = seconds_between(prev.t, last.t);
  if (sampled_interval == 0) {
    return std::nullopt;
  }
  // After a reset the counter restarted from zero, so its whole value is the increase. A NaN
  // compares false and so takes the difference, as upstream.
  const double result = last.v < prev.v ? last.v : last.v - prev.v;
  return result / sampled_interval;
}

std::optional<double> last_over_time(std::span<const CounterSample> samples,
                                     core::SystemTime range_start, core::SystemTime range_end) {
  const auto w = in_range(samples, range_start, range_end);
  if (w.empty()) {
    return std::nullopt;
  }
  return w.back().v;
}

std::optional<double> avg_over_time(std::span<const CounterSample> samples,
                                    core::SystemTime range_start, core::SystemTime range_end) {
  const auto w = in_range(samples, range_start, range_end);
  if (w.empty()) {
    return std::nullopt;
  }
  double sum = w[0].v;
  double count = 1;
  double mean = 0;
  double kahan_c = 0;
  bool incremental_mean = false;
  for (size_t i = 1; i < w.size(); ++i) {
    count = static_cast<double>(i + 1);
    if (!incremental_mean) {
      double new_sum = sum;
      double new_c = kahan_c;
      kahan_inc(w[i].v, new_sum, new_c);
      if (!std::isinf(new_sum)) {
        sum = new_sum;
        kahan_c = new_c;
        continue;
      }
      // The running sum would overflow: continue with an incremental mean.
      incremental_mean = true;
      mean = sum / (count - 1);
      kahan_c /= (count - 1);
    }
    const double q = (count - 1) / count;
    double m = q * mean;
    double c = q * kahan_c;
    kahan_inc(w[i].v / count, m, c);
    mean = m;
    kahan_c = c;
  }
  if (incremental_mean) {
    return mean + kahan_c;
  }
  return sum / count + kahan_c / count;
}

}  // namespace kscale::store
