#pragma once
// Decoding core/v1 Pods (as `kubectl get pods -o json` lists them) into hpa::Pod: labels,
// deletion, phase, the Ready condition, start time and container requests.

#include <string>

#include <boost/json/value.hpp>

#include "core/errors.h"
#include "hpa/pod.h"

namespace kscale::kube {

/// A Pod object; `path` prefixes field paths in errors ("pods[2].status.phase: ...").
[[nodiscard]] core::Result<hpa::Pod> decode_pod(const boost::json::value& v,
                                                const std::string& path);

/// A core/v1 ResourceList ({"cpu": "500m", "memory": "64Mi"}) as milli-values.
[[nodiscard]] core::Result<hpa::ResourceList> decode_resource_list(const boost::json::value& v,
                                                                   const std::string& path);

}  // namespace kscale::kube
