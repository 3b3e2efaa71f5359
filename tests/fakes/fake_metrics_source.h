#pragma once
// A fake MetricsSource: answers every fetch with the snapshots the test sets (one per metric,
// padded with "no value" errors), and records the selectors it was asked for.

#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "autoscaler/metrics_source.h"

namespace kscale::fakes {

class FakeMetricsSource final : public autoscaler::MetricsSource {
 public:
  std::vector<hpa::MetricSnapshot> snapshots;  // what fetch returns, by metric index
  std::vector<std::string> selectors;          // every fetch's scale selector, in order

  /// A snapshot whose pods `pod_names` each report `milli` (a Pods metric's answer).
  static hpa::MetricSnapshot pods_value(const std::vector<std::string>& pod_names, int64_t milli) {
    hpa::MetricSnapshot snap;
    for (const auto& name : pod_names) {
      hpa::MetricValue v;
      v.described_kind = "Pod";
      v.described_name = name;
      v.value_milli = milli;
      snap.values.push_back(std::move(v));
    }
    return snap;
  }

  // autoscaler::MetricsSource
  boost::asio::awaitable<std::vector<hpa::MetricSnapshot>> fetch(
      hpa::HorizontalPodAutoscaler hpa, std::string scale_selector) override {
    selectors.push_back(std::move(scale_selector));
    std::vector<hpa::MetricSnapshot> out = snapshots;
    out.resize(hpa.spec.metrics.size());
    for (std::size_t i = snapshots.size(); i < out.size(); ++i) {
      out[i].error = "no value set in the fake";
    }
    co_return out;
  }
};

}  // namespace kscale::fakes
