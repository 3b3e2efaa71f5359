#include "sources/detail/exposition_strings.h"

#include <cstdint>

namespace kscale::sources::detail {

namespace {

// The length of the UTF-8 sequence led by `c` (2 to 4) and the range its second byte must be
// in; 0 for a byte that cannot lead one.
std::ptrdiff_t utf8_sequence(unsigned char c, unsigned char& low, unsigned char& high) {
  low = 0x80;
  high = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (c == 0xE0) {
      low = 0xA0;
    } else if (c == 0xED) {
      high = 0x9F;
    }
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (c == 0xF0) {
      low = 0x90;
    } else if (c == 0xF4) {
      high = 0x8F;
    }
    return 4;
  }
  return 0;
}

// One byte of input as an error message shows it.
void append_escaped_byte(unsigned char c, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (c == '"' || c == '\\') {
    out.push_back('\\');
    out.push_back(static_cast<char>(c));
  } else if (c == '\t') {
    out += "\\t";
  } else if (c == '\r') {
    out += "\\r";
  } else if (c < 0x20 || c >= 0x7F) {
    out += "\\x";
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  } else {
    out.push_back(static_cast<char>(c));
  }
}

}  // namespace

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    if (end - p >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, p, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    if (*p < 0x80) {
      ++p;
      continue;
    }
    unsigned char low = 0;
    unsigned char high = 0;
    const std::ptrdiff_t length = utf8_sequence(*p, low, high);
    if (length == 0 || end - p < length || p[1] < low || p[1] > high) {
      return false;
    }
    for (std::ptrdiff_t i = 2; i < length; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF) {
        return false;
      }
    }
    p += length;
  }
  return true;
}

void append_unescaped(std::string_view raw, bool unescape_quote, std::string& out) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      const char next = raw[i + 1];
      if (next == '\\' || next == 'n' || (next == '"' && unescape_quote)) {
        out.push_back(next == 'n' ? '\n' : next);
        ++i;
        continue;
      }
    }
    out.push_back(c);
  }
}

std::string describe_token(const char* pos, const char* end) {
  if (pos >= end) {
    return "end of input";
  }
  constexpr std::ptrdiff_t kMaxBytes = 24;
  std::string out = "\"";
  const char* q = pos;
  bool reached_newline = false;
  while (q < end && q - pos < kMaxBytes) {
    const auto c = static_cast<unsigned char>(*q++);
    if (c == '\n') {
      out += "\\n";
      reached_newline = true;
      break;
    }
    append_escaped_byte(c, out);
  }
  if (!reached_newline && q < end && *q != '\n') {
    out += "...";
  }
  out.push_back('"');
  return out;
}

std::string quoted_for_message(std::string_view s) {
  return describe_token(s.data(), s.data() + s.size());
}

}  // namespace kscale::sources::detail
