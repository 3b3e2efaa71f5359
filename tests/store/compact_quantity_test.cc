#include "store/detail/compact_quantity.h"

#include <bit>

#include <gtest/gtest.h>

namespace kscale::store::detail {
namespace {

using Format = core::Quantity::Format;

core::Quantity q(std::string_view text) { return core::Quantity::parse(text).value(); }

void expect_round_trip(const core::Quantity& want) {
  SCOPED_TRACE(want.to_string());
  const auto c = compact(want);
  ASSERT_TRUE(c.has_value());
  const core::Quantity got = expand(*c);
  EXPECT_EQ(got.to_string(), want.to_string());
  EXPECT_EQ(got.compare(want), 0);
  EXPECT_EQ(got.format(), want.format());
  EXPECT_EQ(std::bit_cast<uint64_t>(got.as_approximate_double()),
            std::bit_cast<uint64_t>(want.as_approximate_double()));
}

// The values the adapter stores most (constructor-built milli values, pushed decimal text) must
// take the 16-byte form, or the store's memory budget does not hold.
TEST(CompactQuantityTest, CommonValuesAreCompact) {
  expect_round_trip(core::Quantity::from_milli(1500));
  expect_round_trip(core::Quantity::from_milli(0));
  expect_round_trip(core::Quantity::from_int(42));
  expect_round_trip(core::Quantity::from_int(1024, Format::BinarySI));
  expect_round_trip(*core::Quantity::from_double_milli(0.311));
  for (const char* text :
       {"1500m", "2", "512.30", "0.5", "1.5", "2k", "100", "33333n", "1Ki", "-7", "1e3", "5M"}) {
    expect_round_trip(q(text));
  }
}

TEST(CompactQuantityTest, ScaleIsKeptSoFloatConversionIsUnchanged) {
  const auto c = compact(core::Quantity::from_milli(1500));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->value, 1500);
  EXPECT_EQ(c->scale, -3);
  const auto scaled = compact(core::Quantity::from_scaled(15, -1));
  ASSERT_TRUE(scaled.has_value());
  EXPECT_EQ(std::bit_cast<uint64_t>(expand(*scaled).as_approximate_double()),
            std::bit_cast<uint64_t>(core::Quantity::from_scaled(15, -1).as_approximate_double()));
}

TEST(CompactQuantityTest, CachedNonCanonicalTextAndHugeValuesStayFull) {
  for (const char* text : {"1.500", "+1", "010", "100.035k", "123456789012345678901234567890"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(compact(q(text)).has_value());
  }
}

}  // namespace
}  // namespace kscale::store::detail
