#pragma once
// auth::push_request_info: the authorization attributes of a push (POST /write-metrics/…,
// /write-external-metrics/…) under --push-authorization — a `create` on the metric's resource
// in custom.metrics.k8s.io / external.metrics.k8s.io.

#include <optional>
#include <string_view>

#include "auth/request_info.h"

namespace kscale::auth {

/// The attributes of `method target` when it is a POST to one of the push routes of
/// sources/push_routes.cc, else nullopt (judge it with make_request_info). The mapping mirrors
/// the attributes of the read that serves the same value, with verb `create`:
///
/// | push (POST)                                        | attributes                                         |
/// | /write-metrics/namespaces/NS/RES/NAME/METRIC       | custom.metrics.k8s.io, ns NS, resource R, name NAME, subresource METRIC |
/// | /write-metrics/RES/NAME/METRIC                     | the same, no namespace (cluster scope)             |
/// | /write-external-metrics/namespaces/NS/METRIC       | external.metrics.k8s.io, ns NS, resource METRIC    |
/// | /write-metrics (a MetricValueList batch)           | custom.metrics.k8s.io, resource "*", cluster scope |
/// | /write-external-metrics/namespaces/NS (a batch)    | external.metrics.k8s.io, ns NS, resource "*"       |
///
/// R is RES as the push handler resolves it ("pod" → "pods", "deployment.apps" →
/// "deployments.apps"; RES itself when unknown), so one RBAC rule covers every spelling; a read
/// names the resource as its path spells it, which for the HPA is the plural. Version is empty:
/// a write is not of an API version, and RBAC does not look at versions.
///
/// A batch names many objects in its body, which the filter does not read; it is authorized as
/// a create on every resource of the group ("*": RBAC grants it only to a rule whose resources
/// include "*") — cluster-wide for /write-metrics (its items may be in any namespace), in NS for
/// the external batch (its items are all in NS). A pusher limited to some objects uses the
/// per-object paths.
std::optional<RequestInfo> push_request_info(std::string_view method, std::string_view target);

}  // namespace kscale::auth
