#pragma once
// The OpenMetrics 1.0 text parser (its line grammar over ExpositionScanner). Upstream:
// model/textparse/openmetricslex.l and openmetricsparse.go.

#include <string_view>

#include "core/errors.h"
#include "sources/exposition_parser.h"

namespace kscale::sources::detail {

/// Parses `text` as OpenMetrics 1.0 text, delivering to `callbacks` (see parse_exposition).
[[nodiscard]] core::Result<ParseStats> parse_openmetrics(std::string_view text,
                                                         const ParseCallbacks& callbacks);

}  // namespace kscale::sources::detail
