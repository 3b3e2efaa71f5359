#pragma once
// Validation of the names a metric is written and read by: object names, namespaces and metric
// names, each with a message that says what to fix.

#include <string_view>

#include "core/errors.h"

namespace kscale::core {

/// A DNS-1123 subdomain (the rule for most object names); "*" is refused, a write names one
/// object.
[[nodiscard]] Result<void> validate_object_name(std::string_view name);
/// A DNS-1123 label.
[[nodiscard]] Result<void> validate_namespace(std::string_view name);
/// Prometheus metric-name characters plus '-' and '.', at most 253.
[[nodiscard]] Result<void> validate_metric_name(std::string_view name);

}  // namespace kscale::core
