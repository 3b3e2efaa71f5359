#pragma once
// The Prometheus text format 0.0.4 parser (its line grammar over ExpositionScanner). Upstream:
// model/textparse/promlex.l and promparse.go.

#include <string_view>

#include "core/errors.h"
#include "sources/exposition_parser.h"

namespace kscale::sources::detail {

/// Parses `text` as Prometheus text format 0.0.4, delivering to `callbacks` (see parse_exposition).
[[nodiscard]] core::Result<ParseStats> parse_prometheus_text(std::string_view text,
                                                             const ParseCallbacks& callbacks);

}  // namespace kscale::sources::detail
