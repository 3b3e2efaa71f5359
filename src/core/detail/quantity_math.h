#pragma once
// Quantity's arithmetic, shared by its parsing and its formatting: Go's wrapping int64 operations,
// upstream's math.go scaling, magnitudes as digit strings, and the conversions to double that
// AsApproximateFloat64 rounds exactly as upstream does.

#include <cstdint>
#include <limits>
#include <string_view>

namespace kscale::core::detail {

inline constexpr int64_t kMostPositive = std::numeric_limits<int64_t>::max();
inline constexpr int64_t kMostNegative = std::numeric_limits<int64_t>::min();

// Magnitudes in the same normalised form as Quantity::magnitude (no leading or trailing zeros).
inline constexpr std::string_view kMaxInt64Digits = "9223372036854775807";

// Go's int64 arithmetic wraps; C++20 defines the unsigned→signed conversion as modular.
inline int64_t wrap_mul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
inline int64_t wrap_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline int64_t wrap_neg(int64_t a) { return static_cast<int64_t>(0 - static_cast<uint64_t>(a)); }
// Scale is an int32 in Go and subtracting scales wraps.
inline int32_t wrap_sub32(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}

struct Product {
  int64_t value;
  bool ok;
};

// A magnitude digits × 10^exponent; digits without leading or trailing zeros, empty for zero.
struct Magnitude {
  std::string_view digits;
  int64_t exponent = 0;
};

// Upstream: pkg/api/resource/math.go, int64Multiply: the wrapped product and whether it is exact.
[[nodiscard]] Product int64_multiply(int64_t a, int64_t b);

// Upstream: amount.go, int64Amount.AsScaledInt64, whose overflow flag ScaledValue ignores.
[[nodiscard]] int64_t as_scaled_int64(int64_t value, int32_t scale, int32_t target);

// Go's math.Pow10, table for table, so that AsApproximateFloat64 rounds as upstream does.
[[nodiscard]] double go_pow10(int64_t n);

// -1, 0 or 1 as a < b, a == b, a > b.
[[nodiscard]] int compare_magnitude(Magnitude a, Magnitude b);

// The low 64 bits of 10^n.
[[nodiscard]] uint64_t pow10_low64(int64_t n);

// The low 64 bits of the integer the digits spell.
[[nodiscard]] uint64_t digits_low64(std::string_view digits);

// Upstream: scale_int.go, scaledValue on the decimal backing (±digits × 10^zeros, inf.Dec
// scale k), with big.Int.Int64's low-64-bit truncation.
[[nodiscard]] int64_t decimal_scaled_value(bool negative, std::string_view digits, int64_t zeros,
                                           int64_t k, int32_t scale);

// Correctly rounded double of digits × 10^zeros (big.Float.SetInt at 53 bits, then Float64).
[[nodiscard]] double integer_to_double(std::string_view digits, int64_t zeros);

}  // namespace kscale::core::detail
