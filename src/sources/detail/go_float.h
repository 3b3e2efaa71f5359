#pragma once
// Float parsing as the exposition formats define it: Go's strconv.ParseFloat after upstream's
// parseFloat. The all-digits case is inline, since nearly every sample value takes it.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/detail/exposition_chars.h"

namespace kscale::sources::detail {

enum class FloatStatus { Ok, Invalid, Unsupported, OutOfRange };

/// Upstream: model/value NormalNaN, the NaN every parsed NaN is replaced with, so that it is
/// never mistaken for the staleness marker.
[[nodiscard]] double normal_nan();

/// Any literal parse_go_float accepts; the general path behind its inline fast path.
[[nodiscard]] FloatStatus parse_go_float_general(std::string_view s, double& out);

/// Go's strconv.ParseFloat(s, 64) after upstream's parseFloat rejects 'p', 'P' and '_'
/// (promparse.go, parseFloat: "Keep to pre-Go 1.13 float formats"). Accepts an optional sign,
/// decimal literals with exponent, "inf"/"infinity" in any case with optional sign, and "nan" in
/// any case without sign (giving normal_nan()). Overflow is OutOfRange (ErrRange); underflow
/// gives a signed zero.
[[nodiscard]] inline FloatStatus parse_go_float(std::string_view s, double& out) {
  // Fast path: up to 15 decimal digits are exact in a double.
  if (!s.empty() && s.size() <= 15 && has_class(s[0], kDigit)) {
    std::uint64_t n = 0;
    std::size_t i = 0;
    for (; i < s.size() && has_class(s[i], kDigit); ++i) {
      n = n * 10 + static_cast<std::uint64_t>(s[i] - '0');
    }
    if (i == s.size()) {
      out = static_cast<double>(n);
      return FloatStatus::Ok;
    }
  }
  return parse_go_float_general(s, out);
}

}  // namespace kscale::sources::detail
