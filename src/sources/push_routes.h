#pragma once
// The push API (shared/specs/push-api.md) on a net::Router: decode a write, store it whole or
// not at all, answer with what was stored as the read API would return it (kube's encoders).

#include "core/clock.h"
#include "net/metrics_registry.h"
#include "net/router.h"
#include "store/series_store.h"

namespace kscale::sources {

/// What the push handlers need; all references outlive the router.
struct PushContext {
  store::SeriesStore& store;
  const core::Clock& clock;
  net::Counter& writes;           // values stored
  net::Counter& rejected_writes;  // requests refused
};

/// POST /write-metrics (a MetricValueList), /write-metrics/[namespaces/<ns>/]<resource>/<name>/<metric>,
/// /write-external-metrics/namespaces/<ns> (an ExternalMetricValueList) and
/// /write-external-metrics/namespaces/<ns>/<metric>?labels=... `push` must outlive the router.
void install_push_routes(net::Router& router, const PushContext& push);

}  // namespace kscale::sources
