#pragma once
// A load trace for `kscale simulate`: CSV `time_s,<metric>...`, the total load per metric at
// each time, linearly interpolated between rows.

#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"

namespace kscale::autoscaler {

struct LoadTrace {
  std::vector<std::string> metrics;         // column names after time_s
  std::vector<double> times;                // seconds, strictly increasing
  std::vector<std::vector<double>> values;  // values[row][metric]

  /// Total load of metric `m` at `t` seconds (linear interpolation, clamped at the ends).
  double value_at(std::size_t m, double t) const;
  /// Column index of a metric, or -1.
  int column(std::string_view name) const;
  double end() const { return times.empty() ? 0 : times.back(); }
};

/// Parses the CSV. Errors name the line and column ("line 4, time_s: times must increase").
[[nodiscard]] core::Result<LoadTrace> parse_load_trace(std::string_view csv);

}  // namespace kscale::autoscaler
