#pragma once
// Thin handlers of the metrics API: decode the path and query into a MetricQuery, call the
// provider once, encode with the versioned encoder.

#include "api/custom_metrics_provider.h"
#include "api/read_cache.h"
#include "net/router.h"

namespace kscale::api {

/// Forms a–d of metrics-api.md §2.2 (namespaced or root-scoped, one object or "*"). With a
/// `cache`, answers are reused while the provider proves them current (api::ReadCache).
core::Result<net::Response> handle_custom_read(const net::RequestContext& ctx,
                                               const CustomMetricsProvider& provider,
                                               ReadCache* cache = nullptr);
/// Form e: /namespaces/<ns>/metrics/<metric>, the namespace object's own metric.
core::Result<net::Response> handle_namespace_metric(const net::RequestContext& ctx,
                                                    const CustomMetricsProvider& provider,
                                                    ReadCache* cache = nullptr);
/// /apis/external.metrics.k8s.io/v1beta1/namespaces/<ns>/<metric>.
core::Result<net::Response> handle_external_read(const net::RequestContext& ctx,
                                                 const ExternalMetricsProvider& provider);

/// 406 unless the Accept header admits plain JSON (§7).
core::Result<void> require_json_accept(const net::Request& request);

}  // namespace kscale::api
