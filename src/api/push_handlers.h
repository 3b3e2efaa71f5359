#pragma once
// Handlers of the push API (shared/specs/push-api.md): decode a write, store it whole or not at
// all, answer with what was stored as the read API would return it.

#include "core/clock.h"
#include "net/metrics_registry.h"
#include "net/router.h"
#include "store/series_store.h"

namespace kscale::api {

/// What the push handlers need; all references outlive the router.
struct PushContext {
  store::SeriesStore& store;
  const core::Clock& clock;
  net::Counter& writes;           // values stored
  net::Counter& rejected_writes;  // requests refused
};

/// POST /write-metrics/[namespaces/<ns>/]<resource>/<name>/<metric>
core::Result<net::Response> handle_push_custom_value(const net::RequestContext& ctx, const PushContext& push);
/// POST /write-metrics with a MetricValueList.
core::Result<net::Response> handle_push_custom_batch(const net::RequestContext& ctx, const PushContext& push);
/// POST /write-external-metrics/namespaces/<ns>/<metric>?labels=...
core::Result<net::Response> handle_push_external_value(const net::RequestContext& ctx, const PushContext& push);
/// POST /write-external-metrics/namespaces/<ns> with an ExternalMetricValueList.
core::Result<net::Response> handle_push_external_batch(const net::RequestContext& ctx, const PushContext& push);

}  // namespace kscale::api
