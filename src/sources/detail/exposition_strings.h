#pragma once
// String helpers the exposition parsers share: UTF-8 validation as Go's, upstream's unescaping
// of label values and HELP text, and the quoting of input bytes in error messages.

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace kscale::sources::detail {

/// Go's utf8.Valid: rejects overlong forms, surrogates and code points above U+10FFFF.
[[nodiscard]] bool valid_utf8(std::string_view s);

/// Upstream lvalReplacer (promparse.go): `\\` → `\`, `\"` → `"`, `\n` → newline, applied to
/// label values and quoted names in both formats and to OpenMetrics HELP text; helpReplacer, for
/// 0.0.4 HELP text, leaves `\"` alone (unescape_quote false). Any other escape is kept as
/// written, backslash included.
void append_unescaped(std::string_view raw, bool unescape_quote, std::string& out);

/// The bytes at `pos`, up to the end of their line and at most a few, quoted and escaped so that
/// they print on one line in an error message; "end of input" at the end.
[[nodiscard]] std::string describe_token(const char* pos, const char* end);

/// `s` quoted as describe_token quotes input.
[[nodiscard]] std::string quoted_for_message(std::string_view s);

[[nodiscard]] inline bool starts_with_at(const char* p, const char* end, std::string_view word) {
  return static_cast<std::size_t>(end - p) >= word.size() &&
         std::memcmp(p, word.data(), word.size()) == 0;
}

}  // namespace kscale::sources::detail
