#pragma once
// RFC 3339 timestamps as metav1.Time prints and parses them (UTC, second precision, "Z").

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/errors.h"

namespace kscale::core {

/// "2024-05-01T12:00:00Z": UTC, truncated to whole seconds (metav1.Time MarshalJSON).
std::string format_rfc3339(SystemTime t);

/// Accepts what Go's time.Parse(time.RFC3339) accepts: fractional seconds and offsets.
[[nodiscard]] Result<SystemTime> parse_rfc3339(std::string_view text);

}  // namespace kscale::core
