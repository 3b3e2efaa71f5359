#pragma once
// Go-style duration flags ("5m", "90s", "1h30m", "0") as Kubernetes components take them.

#include <chrono>
#include <string_view>

#include "core/errors.h"

namespace kscale::cli {

/// Parses a Go time.ParseDuration string with units h, m, s, ms; a bare "0" is zero.
[[nodiscard]] core::Result<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace kscale::cli
