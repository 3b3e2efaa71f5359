#pragma once
// Character classes of the exposition formats' lexers, as one 256-entry table so that the
// scanners' inner loops test a byte with one load. Upstream: promlex.l / openmetricslex.l,
// M = [a-zA-Z_:], L = [a-zA-Z_], D = [0-9].

#include <array>
#include <cstddef>
#include <cstdint>

namespace kscale::sources::detail {

inline constexpr std::uint8_t kMetricStart = 1 << 0;  // {M}
inline constexpr std::uint8_t kMetricChar = 1 << 1;   // {M}|{D}
inline constexpr std::uint8_t kLabelStart = 1 << 2;   // {L}
inline constexpr std::uint8_t kLabelChar = 1 << 3;    // {L}|{D}
inline constexpr std::uint8_t kDigit = 1 << 4;        // {D}
// Ends a 0.0.4 value token: promlex `<sValue>[^{ \t\n]+`. NUL too: golex treats it as end of
// input, so upstream never puts it in a value.
inline constexpr std::uint8_t kPromValueStop = 1 << 5;
// Ends the plain run inside a quoted string: the quote, a backslash, a raw newline.
inline constexpr std::uint8_t kQuotedStop = 1 << 6;
// Ends an OpenMetrics value or timestamp token: openmetricslex `[^ \n]+`.
inline constexpr std::uint8_t kOmTokenStop = 1 << 7;

inline constexpr std::array<std::uint8_t, 256> kCharClass = [] {
  std::array<std::uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    std::uint8_t bits = 0;
    if (alpha || c == ':') {
      bits |= kMetricStart | kMetricChar;
    }
    if (digit) {
      bits |= kMetricChar | kLabelChar | kDigit;
    }
    if (alpha) {
      bits |= kLabelStart | kLabelChar;
    }
    if (c == '{' || c == ' ' || c == '\t' || c == '\n' || c == '\0') {
      bits |= kPromValueStop;
    }
    if (c == '"' || c == '\\' || c == '\n') {
      bits |= kQuotedStop;
    }
    if (c == ' ' || c == '\n') {
      bits |= kOmTokenStop;
    }
    table[static_cast<std::size_t>(c)] = bits;
  }
  return table;
}();

inline bool has_class(char c, std::uint8_t cls) {
  return (kCharClass[static_cast<unsigned char>(c)] & cls) != 0;
}

}  // namespace kscale::sources::detail
