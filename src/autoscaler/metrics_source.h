#pragma once
// autoscaler::MetricsSource: the seam the control loop reads metric values through — the
// metrics API over HTTP(S) (MetricsClient) in production, a fake in tests.

#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hpa/hpa_spec.h"
#include "hpa/metric_snapshot.h"

namespace kscale::autoscaler {

/// Upstream: kubernetes pkg/controller/podautoscaler/metrics MetricsClient (GetRawMetric,
/// GetObjectMetric, GetExternalMetric), one call for all of an HPA's metrics.
class MetricsSource {
 public:
  virtual ~MetricsSource() = default;

  /// One snapshot per hpa.spec.metrics[i], in order, for the pods `scale_selector` (the scale's
  /// status.selector) picks. Never fails as a whole: a metric that could not be read carries its
  /// error text in MetricSnapshot::error, as the engine expects (Resource metrics included, which
  /// are served by metrics.k8s.io). Completes within the source's own timeout per request;
  /// cancellation ends it early. Not thread-safe: one fetch at a time, on one executor. The
  /// arguments are taken by value (STYLE.md §7: a coroutine owns its arguments).
  virtual boost::asio::awaitable<std::vector<hpa::MetricSnapshot>> fetch(
      hpa::HorizontalPodAutoscaler hpa, std::string scale_selector) = 0;
};

}  // namespace kscale::autoscaler
