#pragma once
// store::detail::CompactQuantity: a 16-byte stand-in for core::Quantity used inside the series
// store, for the values a public constructor can rebuild without any visible difference.

#include <cstdint>
#include <optional>

#include "core/quantity.h"

namespace kscale::store::detail {

/// value × 10^scale in `format`, as Quantity::from_scaled (DecimalSI) or from_int / from_milli
/// (scale 0 / -3, any format) builds it.
struct CompactQuantity {
  int64_t value = 0;
  int8_t scale = 0;
  core::Quantity::Format format = core::Quantity::Format::DecimalSI;
};

/// The compact form of `q` when one exists whose expansion is indistinguishable from `q` through
/// Quantity's public API: same to_string(), canonical(), format(), scaled_value() at scales 0,
/// -3, -6 and -9, compare() == 0 and the same as_approximate_double() bits (which depends on
/// the internal scale, §A10). Otherwise nullopt (values beyond fits_milli(), whose overflowing
/// accessors depend on the representation; cached non-canonical input text such as "1.500";
/// scales a constructor cannot express); the caller then keeps the Quantity itself.
std::optional<CompactQuantity> compact(const core::Quantity& q);

/// Rebuilds the Quantity a CompactQuantity stands for.
core::Quantity expand(const CompactQuantity& c);

}  // namespace kscale::store::detail
