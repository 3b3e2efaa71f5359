#include "core/detail/quantity_math.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <system_error>

namespace kscale::core::detail {
namespace {

constexpr int64_t kPow10Int64[19] = {1,
                                     10,
                                     100,
                                     1000,
                                     10000,
                                     100000,
                                     1000000,
                                     10000000,
                                     100000000,
                                     1000000000,
                                     10000000000,
                                     100000000000,
                                     1000000000000,
                                     10000000000000,
                                     100000000000000,
                                     1000000000000000,
                                     10000000000000000,
                                     100000000000000000,
                                     1000000000000000000};

// Go's math.Pow10, table for table, so that AsApproximateFloat64 rounds as upstream does.
constexpr double kPow10Tab[32] = {1e00, 1e01, 1e02, 1e03, 1e04, 1e05, 1e06, 1e07, 1e08, 1e09, 1e10,
                                  1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
                                  1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31};
constexpr double kPow10PosTab32[10] = {1e00,  1e32,  1e64,  1e96,  1e128,
                                       1e160, 1e192, 1e224, 1e256, 1e288};
constexpr double kPow10NegTab32[11] = {1e-00,  1e-32,  1e-64,  1e-96,  1e-128, 1e-160,
                                       1e-192, 1e-224, 1e-256, 1e-288, 1e-320};

}  // namespace

// Upstream: pkg/api/resource/math.go, int64Multiply: the wrapped product and whether it is exact.
Product int64_multiply(int64_t a, int64_t b) {
  if (a == 0 || b == 0 || a == 1 || b == 1) {
    return {a * b, true};
  }
  if (a == kMostNegative || b == kMostNegative) {
    return {0, false};
  }
  const int64_t c = wrap_mul(a, b);
  return {c, c / b == a};
}

namespace {

// Upstream: math.go, positiveScaleInt64: base × 10^scale. The listed scales return the wrapped
// product on overflow, the others 0; AsScaledInt64 passes either on.
Product positive_scale_int64(int64_t base, int32_t scale) {
  switch (scale) {
    case 0:
      return {base, true};
    case 1:
      return int64_multiply(base, 10);
    case 2:
      return int64_multiply(base, 100);
    case 3:
      return int64_multiply(base, 1000);
    case 6:
      return int64_multiply(base, 1000000);
    case 9:
      return int64_multiply(base, 1000000000);
    default:
      break;
  }
  if (base == 0) {
    return {0, true};  // upstream multiplies 0 by 10 `scale` times
  }
  int64_t value = base;
  for (int32_t i = 0; i < scale; ++i) {
    const Product p = int64_multiply(value, 10);
    if (!p.ok) {
      return {0, false};
    }
    value = p.value;
  }
  return {value, true};
}

// Upstream: math.go, negativeScaleInt64: base / 10^scale rounded away from zero.
Product negative_scale_int64(int64_t base, int32_t scale) {
  if (scale == 0) {
    return {base, true};
  }
  int64_t value = base;
  bool fraction = false;
  for (int32_t i = 0; i < scale; ++i) {
    if (!fraction && value % 10 != 0) {
      fraction = true;
    }
    value /= 10;
    if (value == 0) {
      if (fraction) {
        return {base > 0 ? 1 : -1, false};
      }
      return {0, true};
    }
  }
  if (fraction) {
    value += base > 0 ? 1 : -1;
  }
  return {value, !fraction};
}

}  // namespace

// Upstream: amount.go, int64Amount.AsScaledInt64, whose overflow flag ScaledValue ignores.
int64_t as_scaled_int64(int64_t value, int32_t scale, int32_t target) {
  if (scale < target) {
    return negative_scale_int64(value, wrap_sub32(target, scale)).value;
  }
  return positive_scale_int64(value, wrap_sub32(scale, target)).value;
}

double go_pow10(int64_t n) {
  if (n >= 0 && n <= 308) {
    return kPow10PosTab32[n / 32] * kPow10Tab[n % 32];
  }
  if (n >= -323 && n <= 0) {
    return kPow10NegTab32[-n / 32] / kPow10Tab[-n % 32];
  }
  if (n > 0) {
    return std::numeric_limits<double>::infinity();
  }
  return 0;
}

int compare_magnitude(Magnitude a, Magnitude b) {
  if (a.digits.empty() || b.digits.empty()) {
    return static_cast<int>(!a.digits.empty()) - static_cast<int>(!b.digits.empty());
  }
  const int64_t a_top = static_cast<int64_t>(a.digits.size()) + a.exponent;
  const int64_t b_top = static_cast<int64_t>(b.digits.size()) + b.exponent;
  if (a_top != b_top) {
    return a_top < b_top ? -1 : 1;
  }
  const size_t common = std::min(a.digits.size(), b.digits.size());
  const int c = a.digits.substr(0, common).compare(b.digits.substr(0, common));
  if (c != 0) {
    return c < 0 ? -1 : 1;
  }
  // Equal prefixes: the longer one has further non-zero digits.
  if (a.digits.size() == b.digits.size()) {
    return 0;
  }
  return a.digits.size() < b.digits.size() ? -1 : 1;
}

// The low 64 bits of 10^n.
uint64_t pow10_low64(int64_t n) {
  if (n >= 64) {
    return 0;  // 10^n = 2^n × 5^n
  }
  uint64_t result = 1;
  for (int64_t i = 0; i < n; ++i) {
    result *= 10;
  }
  return result;
}

// The low 64 bits of the integer the digits spell.
uint64_t digits_low64(std::string_view digits) {
  uint64_t result = 0;
  for (const char c : digits) {
    result = result * 10 + static_cast<uint64_t>(c - '0');
  }
  return result;
}

// Upstream: scale_int.go, scaledValue(unscaled, scale, newScale) on the decimal backing: the
// unscaled integer is ±digits × 10^zeros with inf.Dec scale k. big.Int.Int64 keeps the low 64
// bits of the magnitude and then applies the sign, which is where the garbage for large negative
// values comes from.
int64_t decimal_scaled_value(bool negative, std::string_view digits, int64_t zeros, int64_t k,
                             int32_t scale) {
  if (digits.empty()) {
    return 0;
  }
  const auto signed_low64 = [negative](uint64_t magnitude) {
    const auto v = static_cast<int64_t>(magnitude);
    return negative ? wrap_neg(v) : v;
  };
  const uint64_t unscaled_low64 = digits_low64(digits) * pow10_low64(zeros);
  const int64_t dif = k + static_cast<int64_t>(scale);  // scale − newScale, newScale = −scale
  if (dif == 0) {
    return signed_low64(unscaled_low64);
  }
  if (dif < 0) {
    // int64(math.Pow10(n)) for n > 18 is out of range; amd64 converts it to MinInt64.
    const int64_t factor = -dif <= 18 ? kPow10Int64[-dif] : kMostNegative;
    return wrap_mul(signed_low64(unscaled_low64), factor);
  }
  const bool below_max_int64 =
      negative || compare_magnitude({digits, zeros}, {kMaxInt64Digits, 0}) < 0;
  if (below_max_int64 && dif < 19) {
    const int64_t v = signed_low64(unscaled_low64);
    const int64_t divide = kPow10Int64[dif];
    const int64_t result = v / divide;
    return v % divide != 0 ? result + 1 : result;
  }
  // big.Int.DivMod is Euclidean: the quotient is floor(|u| / 10^dif) for u ≥ 0 and
  // −ceil(|u| / 10^dif) for u < 0, and the remainder is non-zero when digits were cut off.
  uint64_t truncated = 0;
  bool remainder = false;
  if (dif <= zeros) {
    truncated = digits_low64(digits) * pow10_low64(zeros - dif);
  } else {
    const int64_t drop = dif - zeros;
    if (drop < static_cast<int64_t>(digits.size())) {
      truncated = digits_low64(digits.substr(0, digits.size() - static_cast<size_t>(drop)));
    }
    remainder = true;  // digits has no trailing zeros, so a non-zero digit was cut off
  }
  if (!negative) {
    const auto result = static_cast<int64_t>(truncated);
    return remainder ? wrap_add(result, 1) : result;
  }
  const uint64_t quotient_magnitude = remainder ? truncated + 1 : truncated;
  const int64_t result = wrap_neg(static_cast<int64_t>(quotient_magnitude));
  return remainder ? wrap_add(result, 1) : result;
}

// Correctly rounded double of digits × 10^zeros (big.Float.SetInt at 53 bits, then Float64).
double integer_to_double(std::string_view digits, int64_t zeros) {
  if (digits.empty()) {
    return 0;
  }
  if (static_cast<int64_t>(digits.size()) + zeros > 330) {
    return std::numeric_limits<double>::infinity();
  }
  // "<digits>e<zeros>", on the stack unless the digits are long.
  char stack[64];
  std::string heap;
  char* text = stack;
  const size_t capacity = digits.size() + 24;
  if (capacity > sizeof(stack)) {
    heap.resize(capacity);
    text = heap.data();
  }
  char* end = std::copy(digits.begin(), digits.end(), text);
  *end++ = 'e';
  end = std::to_chars(end, text + capacity, zeros).ptr;
  double result = 0;
  const auto parsed = std::from_chars(text, end, result);
  if (parsed.ec == std::errc::result_out_of_range) {
    return std::numeric_limits<double>::infinity();
  }
  return result;
}

}  // namespace kscale::core::detail
