#pragma once
// core::Quantity: Kubernetes resource.Quantity with apimachinery's exact semantics: parsing,
// the cached-input String() rule, canonical printing, MilliValue/Value rounding and
// AsApproximateFloat64 (shared/specs/quantity-and-selectors.md, Part A).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.h"

namespace kscale::core {

class Quantity {
 public:
  enum class Format { DecimalSI, BinarySI, DecimalExponent };

  /// Zero, DecimalSI.
  Quantity();

  /// Upstream ParseQuantity. Errors are BadRequest with upstream's ErrFormatWrong/ErrSuffix text
  /// prefixed by the offending input.
  [[nodiscard]] static Result<Quantity> parse(std::string_view text);
  /// Upstream Quantity.UnmarshalJSON on raw JSON text: `null`, a quoted string or a bare number;
  /// surrounding whitespace trimmed; JSON escapes are not decoded.
  [[nodiscard]] static Result<Quantity> parse_json_text(std::string_view json_text);

  /// NewQuantity(v, format).
  static Quantity from_int(int64_t value, Format format = Format::DecimalSI);
  /// NewMilliQuantity(v, format).
  static Quantity from_milli(int64_t milli, Format format = Format::DecimalSI);
  /// NewScaledQuantity(v, scale): v × 10^scale, DecimalSI.
  static Quantity from_scaled(int64_t value, int32_t scale);
  /// prometheus-adapter's conversion of a float sample: NaN → 0, then
  /// NewMilliQuantity(int64(v*1000), DecimalSI) with one IEEE multiply and truncation toward
  /// zero. Returns nullopt for ±Inf or when v*1000 does not fit in int64.
  static std::optional<Quantity> from_double_milli(double v);

  /// String(): the cached input text when §A6 says it is kept, else canonical().
  std::string to_string() const;
  /// The canonical form (§A5), ignoring any cached text.
  std::string canonical() const;
  /// Whether String() is cached input text rather than canonical() (§A6).
  bool has_cached_text() const noexcept { return !cached_.empty(); }

  /// ScaledValue(-3): ceil to milli-units for non-negative values (§A9). Overflow is silent, as
  /// upstream; callers check fits_milli() first.
  int64_t milli_value() const;
  /// ScaledValue(0).
  int64_t value() const;
  /// ScaledValue(scale).
  int64_t scaled_value(int32_t scale) const;
  /// True when milli_value() is exact of overflow (|v| ≤ 9223372036854775 as upstream checks).
  bool fits_milli() const;
  /// AsApproximateFloat64, bit for bit (§A10).
  double as_approximate_double() const;

  Format format() const;
  bool is_zero() const;
  int sign() const;  // -1, 0, 1

  /// Exact comparison of values (upstream Cmp), ignoring format and cache.
  int compare(const Quantity& other) const;
  bool operator==(const Quantity& other) const { return compare(other) == 0; }

 private:
  // The magnitude as digits without leading or trailing zeros (empty for zero) × 10^exponent.
  // The int64 backing formats its digits into buf; the decimal backing returns a view of digits_.
  std::string_view magnitude(char (&buf)[20], int64_t& exponent) const;

  // Backing (§A4). int64 backing (decimal_ == false): value_ × 10^scale_, as upstream's
  // int64Amount. Decimal backing (decimal_ == true), upstream's inf.Dec: (negative_ ? −1 : 1) ×
  // digits_ × 10^exponent_, digits_ without leading or trailing zeros (empty for zero), so huge
  // exponents cost no memory. inf_scale_ is the inf.Dec scale k; upstream's unscaled integer is
  // digits_ × 10^(exponent_ + inf_scale_), which AsApproximateFloat64 and ScaledValue observe.
  bool decimal_ = false;
  bool negative_ = false;
  Format format_ = Format::DecimalSI;
  int32_t scale_ = 0;
  int64_t value_ = 0;
  int64_t exponent_ = 0;
  int64_t inf_scale_ = 0;
  std::string digits_;
  std::string cached_;  // verbatim input when §A6 keeps it; empty otherwise
};

}  // namespace kscale::core
