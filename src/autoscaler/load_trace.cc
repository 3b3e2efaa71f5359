#include "autoscaler/load_trace.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace kscale::autoscaler {

namespace {

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    std::string_view cell =
        line.substr(start, comma == std::string_view::npos ? line.npos : comma - start);
    while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) {
      cell.remove_prefix(1);
    }
    while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t' || cell.back() == '\r')) {
      cell.remove_suffix(1);
    }
    out.push_back(cell);
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
}

core::Error trace_error(std::size_t line, std::string_view column, std::string_view message) {
  return core::Error::invalid(std::string(column),
                              fmt::format("trace line {}, {}: {}", line, column, message));
}

}  // namespace

core::Result<LoadTrace> parse_load_trace(std::string_view csv) {
  LoadTrace trace;
  std::size_t line_no = 0;
  bool header = true;
  std::size_t pos = 0;
  while (pos <= csv.size()) {
    const auto nl = csv.find('\n', pos);
    std::string_view line = csv.substr(pos, nl == std::string_view::npos ? csv.npos : nl - pos);
    pos = nl == std::string_view::npos ? csv.size() + 1 : nl + 1;
    ++line_no;
    if (line.empty() || line == "\r" || line.front() == '#') {
      continue;
    }
    auto cells = split(line);
    if (header) {
      if (cells.empty() || cells[0] != "time_s") {
        return core::fail(trace_error(line_no, "time_s", "the header must start with time_s"));
      }
      if (cells.size() < 2) {
        return core::fail(trace_error(line_no, "header", "at least one metric column is required"));
      }
      for (std::size_t i = 1; i < cells.size(); ++i) {
        trace.metrics.emplace_back(cells[i]);
      }
      header = false;
      continue;
    }
    if (cells.size() != trace.metrics.size() + 1) {
      return core::fail(trace_error(
          line_no, "row",
          fmt::format("expected {} columns, got {}", trace.metrics.size() + 1, cells.size())));
    }
    std::vector<double> row;
    double t = 0;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string_view column =
          i == 0 ? std::string_view("time_s") : std::string_view(trace.metrics[i - 1]);
      double v = 0;
      auto [end, ec] = std::from_chars(cells[i].data(), cells[i].data() + cells[i].size(), v);
      if (cells[i].empty() || ec != std::errc() || end != cells[i].data() + cells[i].size() ||
          !std::isfinite(v)) {
        return core::fail(
            trace_error(line_no, column, fmt::format("\"{}\" is not a number", cells[i])));
      }
      if (v < 0) {
        return core::fail(trace_error(line_no, column, "must not be negative"));
      }
      if (i == 0) {
        t = v;
      } else {
        row.push_back(v);
      }
    }
    if (!trace.times.empty() && t <= trace.times.back()) {
      return core::fail(trace_error(line_no, "time_s", "times must be strictly increasing"));
    }
    trace.times.push_back(t);
    trace.values.push_back(std::move(row));
  }
  if (header) {
    return core::fail(trace_error(line_no, "time_s", "the trace is empty"));
  }
  if (trace.times.empty()) {
    return core::fail(trace_error(line_no, "time_s", "the trace has no rows"));
  }
  return trace;
}

double LoadTrace::value_at(std::size_t m, double t) const {
  if (t <= times.front()) {
    return values.front()[m];
  }
  if (t >= times.back()) {
    return values.back()[m];
  }
  const auto it = std::upper_bound(times.begin(), times.end(), t);
  const std::size_t hi = static_cast<std::size_t>(it - times.begin());
  const std::size_t lo = hi - 1;
  const double f = (t - times[lo]) / (times[hi] - times[lo]);
  return values[lo][m] + f * (values[hi][m] - values[lo][m]);
}

int LoadTrace::column(std::string_view name) const {
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    if (metrics[i] == name) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace kscale::autoscaler
