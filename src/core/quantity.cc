// Quantity values: constructors, canonical printing (CanonicalizeBytes), scaled values,
// AsApproximateFloat64 and comparison. Parsing is in quantity_parse.cc.

#include "core/quantity.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/detail/quantity_math.h"

namespace kscale::core {
namespace {

using detail::as_scaled_int64;
using detail::compare_magnitude;
using detail::decimal_scaled_value;
using detail::digits_low64;
using detail::go_pow10;
using detail::integer_to_double;
using detail::kMostNegative;
using detail::Magnitude;
using detail::pow10_low64;

// The bound fits_milli() checks: the largest value whose milli form fits in int64, truncated.
constexpr std::string_view kMaxMilliDigits = "9223372036854775";
constexpr std::string_view kBinaryThresholdDigits = "1024";

// Appends the DecimalSI or DecimalExponent canonical form of ±digits × 10^exponent.
// Upstream: amount.go AsCanonicalBytes moves the exponent down to a multiple of 3;
// quantity.go CanonicalizeBytes falls back to exponent notation when DecimalSI has no suffix.
void append_decimal(std::string& out, bool negative, Magnitude m, Quantity::Format format) {
  static constexpr std::string_view kDecimalSuffixes[] = {"n", "u", "m", "",  "k",
                                                          "M", "G", "T", "P", "E"};
  const int64_t rem = ((m.exponent % 3) + 3) % 3;
  const int64_t exponent = m.exponent - rem;
  char suffix[24];
  size_t suffix_len = 0;
  if (format == Quantity::Format::DecimalSI && exponent >= -9 && exponent <= 18) {
    const std::string_view s = kDecimalSuffixes[(exponent + 9) / 3];
    std::copy(s.begin(), s.end(), suffix);
    suffix_len = s.size();
  } else if (exponent != 0) {
    suffix[0] = 'e';
    const auto r = std::to_chars(suffix + 1, suffix + sizeof(suffix), exponent);
    suffix_len = static_cast<size_t>(r.ptr - suffix);
  }
  out.reserve(out.size() + 1 + m.digits.size() + 2 + suffix_len);
  if (negative) {
    out += '-';
  }
  out += m.digits;
  out.append(static_cast<size_t>(rem), '0');
  out.append(suffix, suffix_len);
}

}  // namespace

Quantity::Quantity() = default;

Quantity Quantity::from_int(int64_t value, Format format) {
  Quantity q;
  q.value_ = value;
  q.format_ = format;
  return q;
}

Quantity Quantity::from_milli(int64_t milli, Format format) {
  Quantity q;
  q.value_ = milli;
  q.scale_ = -3;
  q.format_ = format;
  return q;
}

Quantity Quantity::from_scaled(int64_t value, int32_t scale) {
  Quantity q;
  q.value_ = value;
  q.scale_ = scale;
  return q;
}

std::optional<Quantity> Quantity::from_double_milli(double v) {
  if (std::isnan(v)) {
    v = 0;
  }
  if (std::isinf(v)) {
    return std::nullopt;
  }
  const double milli = v * 1000.0;
  // [−2^63, 2^63): where truncation toward zero yields an int64.
  if (!(milli >= -9223372036854775808.0 && milli < 9223372036854775808.0)) {
    return std::nullopt;
  }
  return from_milli(static_cast<int64_t>(milli), Format::DecimalSI);
}

std::string Quantity::to_string() const {
  if (!cached_.empty()) {
    return cached_;
  }
  return canonical();
}

// Upstream: quantity.go, CanonicalizeBytes.
std::string Quantity::canonical() const {
  char buf[20];
  int64_t exponent = 0;
  const std::string_view digits = magnitude(buf, exponent);
  if (digits.empty()) {
    return "0";
  }
  const Magnitude m{digits, exponent};
  const bool negative = sign() < 0;
  Format format = format_;
  std::string out;
  if (format == Format::BinarySI) {
    if (compare_magnitude(m, {kBinaryThresholdDigits, 0}) < 0 || m.exponent < 0) {
      // Below 1024, or not an integer: printing in base 1024 would round, so DecimalSI.
      format = Format::DecimalSI;
    } else if (!decimal_ && value_ == kMostNegative && scale_ == 0) {
      // removeInt64Factors negates MinInt64 to itself and finds no factor of 1024.
      return "-9223372036854775808";
    } else if (static_cast<int64_t>(m.digits.size()) + m.exponent <= 19) {
      // BinarySI values are parsed capped at 2^63−1 or built from an int64, so they fit here.
      uint64_t n = digits_low64(m.digits) * pow10_low64(m.exponent);
      int times = 0;
      while (n >= 1024 && n % 1024 == 0 && times < 6) {
        n /= 1024;
        ++times;
      }
      static constexpr std::string_view kBinarySuffixes[] = {"",   "Ki", "Mi", "Gi",
                                                             "Ti", "Pi", "Ei"};
      char number[24];
      const auto r = std::to_chars(number, number + sizeof(number), n);
      const std::string_view suffix = kBinarySuffixes[times];
      out.reserve(1 + static_cast<size_t>(r.ptr - number) + suffix.size());
      if (negative) {
        out += '-';
      }
      out.append(number, r.ptr);
      out += suffix;
      return out;
    } else {
      format = Format::DecimalSI;
    }
  }
  append_decimal(out, negative, m, format);
  return out;
}

std::string_view Quantity::magnitude(char (&buf)[20], int64_t& exponent) const {
  if (decimal_) {
    exponent = exponent_;
    return digits_;
  }
  uint64_t m = value_ < 0 ? 0 - static_cast<uint64_t>(value_) : static_cast<uint64_t>(value_);
  exponent = scale_;
  if (m == 0) {
    return {};
  }
  while (m % 10 == 0) {
    m /= 10;
    ++exponent;
  }
  const auto r = std::to_chars(buf, buf + sizeof(buf), m);
  return {buf, static_cast<size_t>(r.ptr - buf)};
}

// Upstream: quantity.go, ScaledValue; int64Amount.AsScaledInt64 for the int64 backing and
// scale_int.go scaledValue for the decimal backing.
int64_t Quantity::scaled_value(int32_t scale) const {
  if (!decimal_) {
    return as_scaled_int64(value_, scale_, scale);
  }
  return decimal_scaled_value(negative_, digits_, exponent_ + inf_scale_, inf_scale_, scale);
}

int64_t Quantity::milli_value() const { return scaled_value(-3); }

int64_t Quantity::value() const { return scaled_value(0); }

bool Quantity::fits_milli() const {
  char buf[20];
  int64_t exponent = 0;
  const std::string_view digits = magnitude(buf, exponent);
  return compare_magnitude({digits, exponent}, {kMaxMilliDigits, 0}) <= 0;
}

// Upstream: quantity.go, AsApproximateFloat64: one conversion, one multiplication by Pow10.
double Quantity::as_approximate_double() const {
  double base = 0;
  int64_t exponent = 0;
  if (decimal_) {
    base = integer_to_double(digits_, exponent_ + inf_scale_);
    if (negative_) {
      base = -base;
    }
    exponent = -inf_scale_;
  } else {
    base = static_cast<double>(value_);
    exponent = scale_;
  }
  if (exponent == 0) {
    return base;
  }
  return base * go_pow10(exponent);
}

Quantity::Format Quantity::format() const { return format_; }

bool Quantity::is_zero() const { return sign() == 0; }

int Quantity::sign() const {
  if (decimal_) {
    if (digits_.empty()) {
      return 0;
    }
    return negative_ ? -1 : 1;
  }
  return (value_ > 0) - (value_ < 0);
}

int Quantity::compare(const Quantity& other) const {
  if (!decimal_ && !other.decimal_ && scale_ == other.scale_) {
    return (value_ > other.value_) - (value_ < other.value_);
  }
  const int a_sign = sign();
  const int b_sign = other.sign();
  if (a_sign != b_sign) {
    return a_sign < b_sign ? -1 : 1;
  }
  if (a_sign == 0) {
    return 0;
  }
  char a_buf[20];
  char b_buf[20];
  int64_t a_exponent = 0;
  int64_t b_exponent = 0;
  const std::string_view a_digits = magnitude(a_buf, a_exponent);
  const std::string_view b_digits = other.magnitude(b_buf, b_exponent);
  const int c = compare_magnitude({a_digits, a_exponent}, {b_digits, b_exponent});
  return a_sign < 0 ? -c : c;
}

}  // namespace kscale::core
