#pragma once
// Decoding an autoscaling/v1 Scale (a workload's /scale subresource) into hpa::Scale:
// spec.replicas, status.replicas and status.selector.

#include <string>

#include <boost/json/value.hpp>

#include "core/errors.h"
#include "hpa/reconcile.h"

namespace kscale::kube {

/// Absent replicas read as 0; `path` prefixes field paths in errors.
[[nodiscard]] core::Result<hpa::Scale> decode_scale(const boost::json::value& v,
                                                    const std::string& path);

}  // namespace kscale::kube
