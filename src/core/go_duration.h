#pragma once
// Go durations as time.ParseDuration reads them ("300s", "5m", "1m30s", "1.5h"): flags such as
// --metrics-max-age and the duration fields of Kubernetes objects and decision documents.

#include <chrono>
#include <string_view>

#include "core/errors.h"

namespace kscale::core {

/// Upstream: Go time.ParseDuration. Units ns, us (µs), ms, s, m, h; a sign; fractions. "0" needs
/// no unit. BadRequest "invalid duration \"<text>\"" otherwise.
[[nodiscard]] Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text);

}  // namespace kscale::core
