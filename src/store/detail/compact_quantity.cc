#include "store/detail/compact_quantity.h"

#include <array>
#include <bit>
#include <string>

namespace kscale::store::detail {
namespace {

using Format = core::Quantity::Format;

// Scales in the order the int64 backing most often carries them: NewMilliQuantity and
// prometheus-adapter's float conversion give -3, integers 0, "512.30"-style input -2 or -1,
// "2k" 3. §A4: a parsed int64-backed value never has a scale below -9.
constexpr std::array<int8_t, 28> kDecimalScales = {-3, 0,  -2, -1, -6, -9, 3,  6, -4, -5,
                                                   -7, -8, 1,  2,  4,  5,  7,  8, 9,  10,
                                                   11, 12, 13, 14, 15, 16, 17, 18};
// from_int and from_milli are the only constructors that keep a non-DecimalSI format.
constexpr std::array<int8_t, 2> kOtherScales = {0, -3};

bool same_double(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

}  // namespace

core::Quantity expand(const CompactQuantity& c) {
  if (c.format == Format::DecimalSI) {
    return core::Quantity::from_scaled(c.value, c.scale);
  }
  if (c.scale == 0) {
    return core::Quantity::from_int(c.value, c.format);
  }
  return core::Quantity::from_milli(c.value, c.format);
}

std::optional<CompactQuantity> compact(const core::Quantity& q) {
  // Beyond the milli range, MilliValue/Value overflow and what they then return depends on the
  // internal representation, which a compact form need not reproduce: keep such values whole.
  if (!q.fits_milli()) {
    return std::nullopt;
  }
  // A compact value always prints canonically, so cached non-canonical text rules it out.
  const std::string canonical = q.canonical();
  if (q.has_cached_text() && q.to_string() != canonical) {
    return std::nullopt;
  }
  const Format format = q.format();
  const double approx = q.as_approximate_double();
  const int64_t milli = q.milli_value();
  const int64_t value = q.value();
  // Below milli, ScaledValue can still overflow for large values; compare what it returns.
  const int64_t micro = q.scaled_value(-6);
  const int64_t nano = q.scaled_value(-9);
  auto try_scales = [&](const auto& scales) -> std::optional<CompactQuantity> {
    for (const int8_t scale : scales) {
      const CompactQuantity c{q.scaled_value(scale), scale, format};
      const core::Quantity e = expand(c);
      if (e.compare(q) != 0 || e.format() != format ||
          !same_double(e.as_approximate_double(), approx) || e.milli_value() != milli ||
          e.value() != value || e.scaled_value(-6) != micro || e.scaled_value(-9) != nano) {
        continue;
      }
      // expand() builds without cached text, so e.to_string() is e.canonical().
      if (e.canonical() != canonical) {
        return std::nullopt;
      }
      return c;
    }
    return std::nullopt;
  };
  if (format == Format::DecimalSI) {
    return try_scales(kDecimalScales);
  }
  return try_scales(kOtherScales);
}

}  // namespace kscale::store::detail
