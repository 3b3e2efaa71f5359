#pragma once
// kube::detail::append_json_string: a JSON string literal appended to text, escaped exactly as
// Boost.JSON's serializer escapes it, so answers written as text are the bytes a json::value
// of the same content serializes to.

#include <string>
#include <string_view>

namespace kscale::kube::detail {

/// Appends `s` quoted: `"` and `\` backslash-escaped; \b \t \n \f \r; other bytes below 0x20
/// as \u00xx (lowercase hex); every other byte (UTF-8 included) as it is.
void append_json_string(std::string& out, std::string_view s);

}  // namespace kscale::kube::detail
