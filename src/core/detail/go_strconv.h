#pragma once
// Go standard-library behaviour that Kubernetes messages and values depend on:
// strconv.ParseInt(s, 10, 64) and strconv.Quote.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kscale::core::detail {

/// strconv.ParseInt(s, 10, 64): optional sign, then one or more ASCII digits, in int64 range.
/// No whitespace, no underscores (those need base 0), no prefixes.
[[nodiscard]] std::optional<std::int64_t> parse_go_int64(std::string_view s);

/// Appends s quoted as Go's strconv.Quote (fmt %q) does: printable runes as they are, \" and \\,
/// C escapes for \a \b \f \n \r \t \v, \xNN for other ASCII controls and for invalid bytes,
/// \uNNNN / \UNNNNNNNN for non-printable runes.
void append_go_quoted(std::string& out, std::string_view s);

}  // namespace kscale::core::detail
