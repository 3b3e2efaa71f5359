#include "core/detail/go_strconv.h"

#include <cstddef>

namespace kscale::core::detail {
namespace {

/// Decodes one UTF-8 sequence at s[i] the way Go's utf8.DecodeRuneInString does (no overlongs,
/// no surrogates, nothing above U+10FFFF). Returns the width, or 0 when the byte at s[i] does not
/// start a valid sequence.
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& rune) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t width = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    width = 2;
    rune = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    width = 3;
    rune = b0 & 0x0F;
    lo = b0 == 0xE0 ? 0xA0 : 0x80;
    hi = b0 == 0xED ? 0x9F : 0xBF;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    width = 4;
    rune = b0 & 0x07;
    lo = b0 == 0xF0 ? 0x90 : 0x80;
    hi = b0 == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (i + width > s.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < width; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    const unsigned char min = k == 1 ? lo : 0x80;
    const unsigned char max = k == 1 ? hi : 0xBF;
    if (b < min || b > max) {
      return 0;
    }
    rune = (rune << 6) | (b & 0x3F);
  }
  return width;
}

/// unicode.IsPrint for runes >= U+0080: false for controls (Cc), format characters (Cf), space
/// separators other than U+0020 (Zs), line/paragraph separators, private use (Co),
/// noncharacters and the unassigned planes 4–13.
/// NB: other unassigned code points inside assigned planes are treated as printable; Go escapes
/// them. That only changes how such a rune is shown inside an error message.
bool go_is_print_non_ascii(char32_t r) {
  struct Range {
    char32_t lo;
    char32_t hi;
  };
  static constexpr Range kNotPrint[] = {
      {0x0080, 0x00A0},   {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},
      {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},
      {0x1680, 0x1680},   {0x180E, 0x180E},   {0x2000, 0x200F},   {0x2028, 0x202F},
      {0x205F, 0x206F},   {0x3000, 0x3000},   {0xD800, 0xF8FF},   {0xFDD0, 0xFDEF},
      {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD},
      {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0x40000, 0xDFFFF},
      {0xE0000, 0xE00FF}, {0xE01F0, 0x10FFFF},
  };
  if ((r & 0xFFFE) == 0xFFFE) {
    return false;
  }
  for (const Range& range : kNotPrint) {
    if (r >= range.lo && r <= range.hi) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_go_int64(std::string_view s) {
  std::size_t i = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) {
    return std::nullopt;
  }
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  std::uint64_t magnitude = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (magnitude > (limit - digit) / 10) {
      return std::nullopt;
    }
    magnitude = magnitude * 10 + digit;
  }
  if (!negative) {
    return static_cast<std::int64_t>(magnitude);
  }
  // Two's complement negation of the magnitude; well defined for 2^63 as well.
  return static_cast<std::int64_t>(~magnitude + 1);
}

void append_go_quoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto append_hex = [&out](char32_t v, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      out += kHex[(v >> shift) & 0xF];
    }
  };
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto byte = static_cast<unsigned char>(s[i]);
    if (byte < 0x80) {
      ++i;
      switch (byte) {
        case '"': out += "\\\""; continue;
        case '\\': out += "\\\\"; continue;
        case '\a': out += "\\a"; continue;
        case '\b': out += "\\b"; continue;
        case '\f': out += "\\f"; continue;
        case '\n': out += "\\n"; continue;
        case '\r': out += "\\r"; continue;
        case '\t': out += "\\t"; continue;
        case '\v': out += "\\v"; continue;
        default: break;
      }
      if (byte >= 0x20 && byte < 0x7F) {
        out += static_cast<char>(byte);
      } else {
        out += "\\x";
        append_hex(byte, 2);
      }
      continue;
    }
    char32_t rune = 0;
    const std::size_t width = decode_utf8(s, i, rune);
    if (width == 0) {
      out += "\\x";
      append_hex(byte, 2);
      ++i;
      continue;
    }
    if (go_is_print_non_ascii(rune)) {
      out.append(s.substr(i, width));
    } else if (rune < 0x10000) {
      out += "\\u";
      append_hex(rune, 4);
    } else {
      out += "\\U";
      append_hex(rune, 8);
    }
    i += width;
  }
  out += '"';
}


}  // namespace kscale::core::detail
