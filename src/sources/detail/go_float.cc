#include "sources/detail/go_float.h"

#include <bit>
#include <charconv>
#include <limits>
#include <system_error>

namespace kscale::sources::detail {

namespace {

bool iequals_ascii(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (c != lower[i]) {
      return false;
    }
  }
  return true;
}

// The decimal exponent at s[i...] ("e-12"), clamped far beyond any double's range; 0 if none.
std::int64_t decimal_exponent(std::string_view s, std::size_t i) {
  if (i >= s.size() || (s[i] != 'e' && s[i] != 'E')) {
    return 0;
  }
  ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  std::int64_t exponent = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (exponent < 1'000'000'000) {
      exponent = exponent * 10 + (s[i] - '0');
    }
  }
  return negative ? -exponent : exponent;
}

// Whether a decimal literal that from_chars found out of range is too large (true) or too small
// (false): the sign of the position of its leading significant digit, exponent included.
bool decimal_overflows(std::string_view s) {
  std::int64_t magnitude = 0;
  std::size_t i = 0;
  bool seen_significant = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (s[i] != '0' || seen_significant) {
      seen_significant = true;
      ++magnitude;
    }
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (seen_significant) {
        continue;
      }
      if (s[i] != '0') {
        seen_significant = true;
      } else {
        --magnitude;
      }
    }
  }
  return magnitude + decimal_exponent(s, i) > 0;
}

// "inf", "infinity" and "nan" in any case, after the sign has been taken off `rest`.
FloatStatus parse_special(std::string_view rest, bool negative, bool had_sign, double& out) {
  if (rest[0] == 'i' || rest[0] == 'I') {
    if (iequals_ascii(rest, "inf") || iequals_ascii(rest, "infinity")) {
      out = negative ? -std::numeric_limits<double>::infinity()
                     : std::numeric_limits<double>::infinity();
      return FloatStatus::Ok;
    }
    return FloatStatus::Invalid;
  }
  if (!had_sign && iequals_ascii(rest, "nan")) {
    out = normal_nan();
    return FloatStatus::Ok;
  }
  return FloatStatus::Invalid;
}

}  // namespace

double normal_nan() { return std::bit_cast<double>(std::uint64_t{0x7ff8000000000001}); }

FloatStatus parse_go_float_general(std::string_view s, double& out) {
  if (s.empty()) {
    return FloatStatus::Invalid;
  }
  for (char c : s) {
    if (c == 'p' || c == 'P' || c == '_') {
      return FloatStatus::Unsupported;
    }
  }
  bool negative = false;
  std::string_view rest = s;
  if (rest[0] == '+' || rest[0] == '-') {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest.empty()) {
    return FloatStatus::Invalid;
  }
  const char first = rest[0];
  if (first == 'i' || first == 'I' || first == 'n' || first == 'N') {
    return parse_special(rest, negative, rest.size() != s.size(), out);
  }
  if (!has_class(first, kDigit) && first != '.') {
    return FloatStatus::Invalid;
  }
  double value = 0;
  const char* last = rest.data() + rest.size();
  const auto [ptr, ec] = std::from_chars(rest.data(), last, value, std::chars_format::general);
  if (ptr != last || ec == std::errc::invalid_argument) {
    return FloatStatus::Invalid;
  }
  if (ec == std::errc::result_out_of_range) {
    if (decimal_overflows(rest)) {
      return FloatStatus::OutOfRange;
    }
    value = 0;
  }
  out = negative ? -value : value;
  return FloatStatus::Ok;
}

}  // namespace kscale::sources::detail
