#include "core/quantity.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

// Vectors come from shared/specs/quantity-and-selectors.md Part A and from upstream
// kubernetes/apimachinery pkg/api/resource/quantity_test.go (TestQuantityParse, TestParseQuantity,
// TestQuantityString, TestQuantityParseEmit, TestQuantityCmp, TestQuantityCmpInt64AndDec,
// TestMilliNewSet, TestNewSet, TestNewScaledSet, TestScaledValue, TestJSONWhitespace,
// TestQuantityAsApproximateFloat64, TestStringQuantityAsApproximateFloat64). Where the spec and
// upstream disagree the test follows upstream and says so.

namespace kscale::core {
namespace {

using Format = Quantity::Format;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

constexpr std::string_view kFormatWrong =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view kSuffixWrong = "unable to parse quantity's suffix";
constexpr std::string_view kNumericWrong = "unable to parse numeric part of quantity";

Quantity must_parse(std::string_view text) {
  auto q = Quantity::parse(text);
  EXPECT_TRUE(q.has_value()) << "parse(\"" << text << "\"): " << (q ? "" : q.error().message);
  return q ? *q : Quantity();
}

uint64_t bits(double d) { return std::bit_cast<uint64_t>(d); }

const char* format_name(Format f) {
  switch (f) {
    case Format::DecimalSI:
      return "DecimalSI";
    case Format::BinarySI:
      return "BinarySI";
    case Format::DecimalExponent:
      return "DecimalExponent";
  }
  return "?";
}

// --- Parsing (§A2) ---------------------------------------------------------------------------

TEST(QuantityTest, ParsesEveryGrammarRule) {
  struct Case {
    const char* name;
    const char* input;
    const char* to_string;
    const char* canonical;
    Format format;
  };
  const Case cases[] = {
      {"exact zero is cached", "0", "0", "0", Format::DecimalSI},
      {"minus zero", "-0", "0", "0", Format::DecimalSI},
      {"plus zero", "+0", "0", "0", Format::DecimalSI},
      {"only zeros", "000", "0", "0", Format::DecimalSI},
      {"plain integer", "1", "1", "1", Format::DecimalSI},
      {"leading plus", "+1", "+1", "1", Format::DecimalSI},
      {"leading minus", "-1", "-1", "-1", Format::DecimalSI},
      {"leading zeros skipped", "010", "010", "10", Format::DecimalSI},
      {"empty integer part", ".5", "500m", "500m", Format::DecimalSI},
      {"empty fraction", "1.", "1.", "1", Format::DecimalSI},
      {"empty fraction before suffix", "1.G", "1.G", "1G", Format::DecimalSI},
      {"nano", "5n", "5n", "5n", Format::DecimalSI},
      {"micro", "4u", "4u", "4u", Format::DecimalSI},
      {"milli", "3m", "3m", "3m", Format::DecimalSI},
      {"kilo", "8k", "8k", "8k", Format::DecimalSI},
      {"mega", "7M", "7M", "7M", Format::DecimalSI},
      {"giga", "6G", "6G", "6G", Format::DecimalSI},
      {"tera", "5T", "5T", "5T", Format::DecimalSI},
      {"peta", "2P", "2P", "2P", Format::DecimalSI},
      {"lone E is exa", "1E", "1E", "1E", Format::DecimalSI},
      {"kibi", "1Ki", "1Ki", "1Ki", Format::BinarySI},
      {"mebi", "1Mi", "1Mi", "1Mi", Format::BinarySI},
      {"gibi", "1Gi", "1Gi", "1Gi", Format::BinarySI},
      {"tebi", "1Ti", "1Ti", "1Ti", Format::BinarySI},
      {"pebi", "1Pi", "1Pi", "1Pi", Format::BinarySI},
      {"exbi", "1Ei", "1Ei", "1Ei", Format::BinarySI},
      {"E followed by digits is an exponent", "1E3", "1E3", "1e3", Format::DecimalExponent},
      {"lower-case exponent", "1e3", "1e3", "1e3", Format::DecimalExponent},
      {"negative exponent", "1E-3", "1E-3", "1e-3", Format::DecimalExponent},
      {"explicit plus exponent", "1e+3", "1e+3", "1e3", Format::DecimalExponent},
      {"zero exponent", "1e0", "1e0", "1", Format::DecimalExponent},
      {"fraction with exponent", "1.5e3", "1500", "1500", Format::DecimalExponent},
      {"signed fraction with suffix", "-1.5Gi", "-1536Mi", "-1536Mi", Format::BinarySI},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Quantity q = must_parse(c.input);
    EXPECT_EQ(q.to_string(), c.to_string);
    EXPECT_EQ(q.canonical(), c.canonical);
    EXPECT_EQ(format_name(q.format()), std::string(format_name(c.format)));
  }
}

TEST(QuantityTest, TreatsNumbersWithoutDigitsAsZero) {
  struct Case {
    const char* name;
    const char* input;
    Format format;
  };
  const Case cases[] = {
      {"kilo alone", "k", Format::DecimalSI},
      {"mega alone", "M", Format::DecimalSI},
      {"kibi alone", "Ki", Format::BinarySI},
      {"milli alone", "m", Format::DecimalSI},
      {"exponent alone", "e3", Format::DecimalExponent},
      {"exa alone", "E", Format::DecimalSI},
      {"plus alone", "+", Format::DecimalSI},
      {"minus alone", "-", Format::DecimalSI},
      {"dot alone", ".", Format::DecimalSI},
      {"minus dot", "-.", Format::DecimalSI},
      {"dot exponent", ".e3", Format::DecimalExponent},
      {"nano alone", "n", Format::DecimalSI},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Quantity q = must_parse(c.input);
    EXPECT_TRUE(q.is_zero());
    EXPECT_EQ(q.sign(), 0);
    EXPECT_EQ(q.to_string(), "0");
    EXPECT_EQ(format_name(q.format()), std::string(format_name(c.format)));
  }
}

TEST(QuantityTest, RejectsMalformedInputWithUpstreamErrors) {
  struct Case {
    const char* name;
    std::string input;
    std::string_view error;
  };
  const Case cases[] = {
      {"empty", "", kFormatWrong},
      {"leading space", " 1", kFormatWrong},
      {"trailing space", "1 ", kFormatWrong},
      {"leading tab", "\t1", kFormatWrong},
      {"second dot", "1.1.M", kFormatWrong},
      {"sign inside", "1+1.0M", kFormatWrong},
      {"letter outside the suffix set", "0.1am", kFormatWrong},
      {"word", "aoeu", kFormatWrong},
      {"not a number", "Non-Numeric", kFormatWrong},
      {"upper-case I", "1KI", kFormatWrong},
      {"byte unit", "1KiB", kFormatWrong},
      {"lower-case g", "1g", kFormatWrong},
      {"micro sign", "1\xC2\xB5", kFormatWrong},
      {"suffix after exponent digits", "1e3m", kFormatWrong},
      {"fraction in exponent", "1e3.5", kFormatWrong},
      {"trailing dot after fraction", "1.5.", kFormatWrong},
      {"lone e", "1e", kSuffixWrong},
      {"exponent sign without digits", "1e+", kSuffixWrong},
      {"dangling negative exponent", "-3.01e-", kSuffixWrong},
      {"capital K alone", "1K", kSuffixWrong},
      {"lower-case ki", "1ki", kSuffixWrong},
      {"milli-i", "1mi", kSuffixWrong},
      {"milli-i after fraction", "0.1mi", kSuffixWrong},
      {"double kilo", "1kk", kSuffixWrong},
      {"digit after kilo", "1k0", kSuffixWrong},
      {"double minus", "--1", kSuffixWrong},
      {"plus minus", "+-1", kSuffixWrong},
      {"lone i", "1i", kSuffixWrong},
      {"lone i after fraction", ".5i", kSuffixWrong},
      {"negative lone i", "-3.01i", kSuffixWrong},
      {"exponent beyond int64", "1e99999999999999999999", kSuffixWrong},
      // Upstream wins over the spec's "ErrNumeric cannot be triggered": with no digit at all
      // and an exponent below -9 the decimal path hands inf.Dec.SetString a string without
      // digits, which fails.
      {"digitless with small exponent", "e-10", kNumericWrong},
      {"dot with small exponent", ".e-10", kNumericWrong},
      {"minus dot with small exponent", "-.e-10", kNumericWrong},
      {"plus with small exponent", "+E-12", kNumericWrong},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto q = Quantity::parse(c.input);
    ASSERT_FALSE(q.has_value()) << q->canonical();
    EXPECT_EQ(q.error().reason, StatusReason::BadRequest);
    EXPECT_EQ(q.error().code, 400);
    const std::string message = q.error().message;
    EXPECT_EQ(message.substr(message.size() - c.error.size()), c.error);
  }
}

TEST(QuantityTest, ErrorMessagesNameTheInput) {
  struct Case {
    const char* name;
    const char* input;
    std::string message;
  };
  const Case cases[] = {
      {"format", "abc", "quantity \"abc\": " + std::string(kFormatWrong)},
      {"suffix", "1e", "quantity \"1e\": " + std::string(kSuffixWrong)},
      {"numeric", ".e-10", "quantity \".e-10\": " + std::string(kNumericWrong)},
      {"control bytes escaped", "\t1", "quantity \"\\x091\": " + std::string(kFormatWrong)},
      {"quote escaped", "1\"", "quantity \"1\\\"\": " + std::string(kFormatWrong)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto q = Quantity::parse(c.input);
    ASSERT_FALSE(q.has_value());
    EXPECT_EQ(q.error().message, c.message);
  }
}

TEST(QuantityTest, TruncatesExponentToInt32) {
  struct Case {
    const char* name;
    const char* input;
    Quantity want;
  };
  const Case cases[] = {
      {"2^32 wraps to 0", "1e4294967296", Quantity::from_int(1)},
      {"2^32+1 wraps to 1", "1e4294967297", Quantity::from_int(10)},
      {"-2^32+3 wraps to 3", "1e-4294967293", Quantity::from_int(1000)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(must_parse(c.input).compare(c.want), 0);
  }
}

// Upstream: quantity_test.go, TestQuantityParse. Each input also parses with a leading '-'
// (negated value, same format) and a leading '+' (same value and format).
TEST(QuantityTest, ParsesUpstreamTable) {
  struct Case {
    const char* name;
    Quantity want;
    Format format;
  };
  const auto dec = [](int64_t v, int32_t exp) { return Quantity::from_scaled(v, exp); };
  const Case cases[] = {
      {"0", dec(0, 0), Format::DecimalSI},
      {"0n", dec(0, 0), Format::DecimalSI},
      {"0u", dec(0, 0), Format::DecimalSI},
      {"0m", dec(0, 0), Format::DecimalSI},
      {"0Ki", dec(0, 0), Format::BinarySI},
      {"0k", dec(0, 0), Format::DecimalSI},
      {"0Mi", dec(0, 0), Format::BinarySI},
      {"0M", dec(0, 0), Format::DecimalSI},
      {"0Gi", dec(0, 0), Format::BinarySI},
      {"0G", dec(0, 0), Format::DecimalSI},
      {"0Ti", dec(0, 0), Format::BinarySI},
      {"0T", dec(0, 0), Format::DecimalSI},
      {"1", dec(1, 0), Format::DecimalSI},
      {"1Ki", dec(1024, 0), Format::BinarySI},
      {"8Ki", dec(8 * 1024, 0), Format::BinarySI},
      {"7Mi", dec(7 * 1024 * 1024, 0), Format::BinarySI},
      {"6Gi", dec(6LL * 1024 * 1024 * 1024, 0), Format::BinarySI},
      {"5Ti", dec(5LL * 1024 * 1024 * 1024 * 1024, 0), Format::BinarySI},
      {"4Pi", dec(4LL * 1024 * 1024 * 1024 * 1024 * 1024, 0), Format::BinarySI},
      {"3Ei", dec(3LL * 1024 * 1024 * 1024 * 1024 * 1024 * 1024, 0), Format::BinarySI},
      {"10Ti", dec(10LL * 1024 * 1024 * 1024 * 1024, 0), Format::BinarySI},
      {"100Ti", dec(100LL * 1024 * 1024 * 1024 * 1024, 0), Format::BinarySI},
      {"5n", dec(5, -9), Format::DecimalSI},
      {"4u", dec(4, -6), Format::DecimalSI},
      {"3m", dec(3, -3), Format::DecimalSI},
      {"9", dec(9, 0), Format::DecimalSI},
      {"8k", dec(8, 3), Format::DecimalSI},
      {"50k", dec(5, 4), Format::DecimalSI},
      {"7M", dec(7, 6), Format::DecimalSI},
      {"6G", dec(6, 9), Format::DecimalSI},
      {"5T", dec(5, 12), Format::DecimalSI},
      {"40T", dec(4, 13), Format::DecimalSI},
      {"300T", dec(3, 14), Format::DecimalSI},
      {"2P", dec(2, 15), Format::DecimalSI},
      {"1E", dec(1, 18), Format::DecimalSI},
      {"1E-3", dec(1, -3), Format::DecimalExponent},
      {"1e3", dec(1, 3), Format::DecimalExponent},
      {"1E6", dec(1, 6), Format::DecimalExponent},
      {"1e9", dec(1, 9), Format::DecimalExponent},
      {"1E12", dec(1, 12), Format::DecimalExponent},
      {"1e15", dec(1, 15), Format::DecimalExponent},
      {"1E18", dec(1, 18), Format::DecimalExponent},
      {"1e14", dec(1, 14), Format::DecimalExponent},
      {"1e13", dec(1, 13), Format::DecimalExponent},
      {"100.035k", dec(100035, 0), Format::DecimalSI},
      {"0.001", dec(1, -3), Format::DecimalSI},
      {"0.0005k", dec(5, -1), Format::DecimalSI},
      {"0.005", dec(5, -3), Format::DecimalSI},
      {"0.05", dec(5, -2), Format::DecimalSI},
      {"0.5", dec(5, -1), Format::DecimalSI},
      {"0.00050k", dec(5, -1), Format::DecimalSI},
      {"0.00500", dec(5, -3), Format::DecimalSI},
      {"0.05000", dec(5, -2), Format::DecimalSI},
      {"0.50000", dec(5, -1), Format::DecimalSI},
      {"0.5e0", dec(5, -1), Format::DecimalExponent},
      {"0.5e-1", dec(5, -2), Format::DecimalExponent},
      {"0.5e-2", dec(5, -3), Format::DecimalExponent},
      {"10.035M", dec(10035, 3), Format::DecimalSI},
      {"1.2e3", dec(12, 2), Format::DecimalExponent},
      {"1.3E+6", dec(13, 5), Format::DecimalExponent},
      {"1.40e9", dec(14, 8), Format::DecimalExponent},
      {"1.53E12", dec(153, 10), Format::DecimalExponent},
      {"1.6e15", dec(16, 14), Format::DecimalExponent},
      {"1.7E18", dec(17, 17), Format::DecimalExponent},
      {"9.01", dec(901, -2), Format::DecimalSI},
      {"8.1k", dec(81, 2), Format::DecimalSI},
      {"7.123456M", dec(7123456, 0), Format::DecimalSI},
      {"6.987654321G", dec(6987654321, 0), Format::DecimalSI},
      {"5.444T", dec(5444, 9), Format::DecimalSI},
      {"40.1T", dec(401, 11), Format::DecimalSI},
      {"300.2T", dec(3002, 11), Format::DecimalSI},
      {"2.5P", dec(25, 14), Format::DecimalSI},
      {"1.01E", dec(101, 16), Format::DecimalSI},
      {"3.001n", dec(4, -9), Format::DecimalSI},
      {"1.1E-9", dec(2, -9), Format::DecimalExponent},
      {"0.0000000001", dec(1, -9), Format::DecimalSI},
      {"0.0000000005", dec(1, -9), Format::DecimalSI},
      {"0.00000000050", dec(1, -9), Format::DecimalSI},
      {"0.5e-9", dec(1, -9), Format::DecimalExponent},
      {"0.9n", dec(1, -9), Format::DecimalSI},
      {"0.00000012345", dec(124, -9), Format::DecimalSI},
      {"0.00000012354", dec(124, -9), Format::DecimalSI},
      {"9Ei", dec(kMax, 0), Format::BinarySI},
      {"9223372036854775807Ki", dec(kMax, 0), Format::BinarySI},
      {"12E", dec(12, 18), Format::DecimalSI},
      {"100.035Ki", dec(10243584, -2), Format::BinarySI},
      {"0.5Mi", dec(524288, 0), Format::BinarySI},
      {"0.05Gi", dec(536870912, -1), Format::BinarySI},
      {"0.025Ti", dec(274877906944, -1), Format::BinarySI},
      {"0.000000000001Ki", dec(2, -9), Format::DecimalSI},
      {".001", dec(1, -3), Format::DecimalSI},
      {".0001k", dec(100, -3), Format::DecimalSI},
      {"1.", dec(1, 0), Format::DecimalSI},
      {"1.G", dec(1, 9), Format::DecimalSI},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string input = c.name;
    const Quantity q = must_parse(input);
    EXPECT_EQ(q.compare(c.want), 0) << q.canonical() << " vs " << c.want.canonical();
    EXPECT_EQ(format_name(q.format()), std::string(format_name(c.format)));

    const Quantity plus = must_parse("+" + input);
    EXPECT_EQ(plus.compare(c.want), 0);
    EXPECT_EQ(format_name(plus.format()), std::string(format_name(c.format)));

    const Quantity minus = must_parse("-" + input);
    EXPECT_EQ(minus.sign(), -c.want.sign());
    EXPECT_EQ(format_name(minus.format()), std::string(format_name(c.format)));
    if (!c.want.is_zero()) {
      EXPECT_EQ(minus.canonical(), "-" + q.canonical());
    }
  }
}

// --- Rounding and capping at parse time (§A3) -------------------------------------------------

TEST(QuantityTest, RoundsBelowNanoAwayFromZero) {
  struct Case {
    const char* name;
    const char* input;
    const char* canonical;
  };
  const Case cases[] = {
      {"tenth of a nano", "0.0000000001", "1n"},
      {"fraction of nano suffix", "3.001n", "4n"},
      {"exponent form", "1.1E-9", "2e-9"},
      {"negative rounds away from zero", "-1.5n", "-2n"},
      {"fraction beyond nano", "0.00000012345", "124n"},
      {"binary fraction", "0.000000000001Ki", "2n"},
      {"half a nano", "0.0000000005", "1n"},
      {"trailing zero beyond nano", "0.00000000050", "1n"},
      {"half a nano as exponent", "0.5e-9", "1e-9"},
      {"below one nano", "0.9n", "1n"},
      {"carry into a new digit", "0.9999999999", "1"},
      {"carry with integer part", "1.0000000001", "1000000001n"},
      {"exact nano is kept", "0.000000001", "1n"},
      {"never rounds to milli", "0.0666", "66600u"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(must_parse(c.input).canonical(), c.canonical);
  }
}

TEST(QuantityTest, CapsOnlyBinarySI) {
  struct Case {
    const char* name;
    const char* input;
    const char* canonical;
    Format format;
  };
  const Case cases[] = {
      {"8Ei is 2^63, capped", "8Ei", "9223372036854775807", Format::BinarySI},
      {"1024Ei capped", "1024Ei", "9223372036854775807", Format::BinarySI},
      {"negative keeps its sign", "-9Ei", "-9223372036854775807", Format::BinarySI},
      {"Ki with 19 digits capped", "9223372036854775807Ki", "9223372036854775807",
       Format::BinarySI},
      {"DecimalSI above int64 kept", "10E", "10E", Format::DecimalSI},
      {"38 nines kept", "99999999999999999999999999999999999999",
       "99999999999999999999999999999999999999", Format::DecimalSI},
      {"huge exponent kept", "1e400", "10e399", Format::DecimalExponent},
      {"negative huge exponent kept", "-1e400", "-10e399", Format::DecimalExponent},
      {"2^63 in decimal kept", "9223372036854775808", "9223372036854775808", Format::DecimalSI},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Quantity q = must_parse(c.input);
    EXPECT_EQ(q.canonical(), c.canonical);
    EXPECT_EQ(format_name(q.format()), std::string(format_name(c.format)));
  }
  EXPECT_GT(must_parse("10E").compare(Quantity::from_int(kMax)), 0);
  EXPECT_EQ(must_parse("8Ei").compare(Quantity::from_int(kMax)), 0);
}

TEST(QuantityTest, BinarySIBelowOneBecomesDecimalSI) {
  struct Case {
    const char* name;
    const char* input;
    Format format;
    const char* canonical;
  };
  const Case cases[] = {
      {"sub-nano rounds up", "0.000000000001Ki", Format::DecimalSI, "2n"},
      {"half a kibi stays binary", "0.5Ki", Format::BinarySI, "512"},
      {"just above one stays binary", ".001Ki", Format::BinarySI, "1024m"},
      {"below one", "0.0005Ki", Format::DecimalSI, "512m"},
      {"negative below one", "-0.0005Ki", Format::DecimalSI, "-512m"},
      {"zero stays binary", "0.0Ki", Format::BinarySI, "0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Quantity q = must_parse(c.input);
    EXPECT_EQ(format_name(q.format()), std::string(format_name(c.format)));
    EXPECT_EQ(q.canonical(), c.canonical);
  }
}

// --- Backing selection (§A4), observed through caching, floats and negative rounding ---------

TEST(QuantityTest, ChoosesBackingLikeUpstream) {
  // A negative non-integer shows its backing in Value(): the int64 backing rounds away from
  // zero, the decimal backing truncates and adds one (§A9).
  struct Case {
    const char* name;
    const char* input;
    int64_t value;
  };
  const Case cases[] = {
      {"18 digits: int64", "-12345678901234567.8", -12345678901234568},
      {"19 digits: decimal, |unscaled| beyond int64", "-123456789012345678.9", 1055827309},
      {"17 fraction digits make scale -17: decimal", "-1.50000000000000000", 0},
      {"9 fraction digits keep scale -9: int64", "-1.500000000", -2},
      {"10 fraction digits make scale -10: decimal", "-1.5000000000", 0},
      {"suffix lifts the scale: int64", "-1.50000000000000001G", -1500000001},
      {"scale -9: int64", "-1500000001n", -2},
      {"scale -10: decimal", "-1.5n", 1},
      {"micro fraction: int64", "-1.5u", -1},
      {"exponent -9: int64", "-1500000001e-9", -2},
      {"exponent -10: decimal", "-15000000001e-10", 0},
      {"binary fraction: decimal", "-1.1Ki", -1125},
      {"no fraction digit: int64", "-1.5", -2},
      {"half: int64", "-0.5", -1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(must_parse(c.input).value(), c.value);
  }
}

TEST(QuantityTest, ChoosesBinaryBackingByDigitCount) {
  // Only the int64 backing caches input text, so a leading '+' shows which backing was used.
  struct Case {
    const char* name;
    const char* input;
    const char* to_string;
  };
  const Case cases[] = {
      {"Ki with 11 digits: int64", "+12345678901Ki", "+12345678901Ki"},
      {"Ki with 12 digits: decimal", "+123456789013Ki", "123456789013Ki"},
      {"Mi with 8 digits: int64", "+12345679Mi", "+12345679Mi"},
      {"Mi with 9 digits: decimal", "+123456789Mi", "123456789Mi"},
      {"Gi with 5 digits: int64", "+12345Gi", "+12345Gi"},
      {"Gi with 6 digits: decimal", "+123457Gi", "123457Gi"},
      {"Ti with 2 digits: int64", "+99Ti", "+99Ti"},
      {"Ti with 3 digits: decimal", "+999Ti", "999Ti"},
      {"Pi never int64", "+1Pi", "1Pi"},
      {"Ei never int64", "+1Ei", "1Ei"},
      {"fraction never int64", "+1.5Ki", "1536"},
      {"bare dot is no fraction", "+1.Ki", "+1.Ki"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(must_parse(c.input).to_string(), c.to_string);
  }
}

// --- The cached-input rule (§A6) --------------------------------------------------------------

TEST(QuantityTest, ReturnsInputTextWhenUpstreamCachesIt) {
  struct Case {
    const char* name;
    const char* input;
    const char* to_string;
    const char* canonical;
  };
  const Case cases[] = {
      {"plus sign", "+1", "+1", "1"},
      {"plus sign binary", "+1Ki", "+1Ki", "1Ki"},
      {"leading zero", "010", "010", "10"},
      {"leading zero binary", "01Ki", "01Ki", "1Ki"},
      {"trailing fraction zeros", "1.500", "1.500", "1500m"},
      {"fraction with kilo", "100.035k", "100.035k", "100035"},
      {"fraction with tera", "5.444T", "5.444T", "5444G"},
      {"fraction with giga", "6.987654321G", "6.987654321G", "6987654321"},
      {"bare dot", "1.", "1.", "1"},
      {"bare dot with suffix", "1.G", "1.G", "1G"},
      {"upper-case exponent", "2E3", "2E3", "2e3"},
      {"signed exponent", "1E+3", "1E+3", "1e3"},
      {"zero exponent", "1e0", "1e0", "1"},
      {"18 digits", "123456789.123456789", "123456789.123456789", "123456789123456789n"},
      {"18 digits signed", "+123456789012345678", "+123456789012345678", "123456789012345678"},
      {"scale -9 kept", "+1e-9", "+1e-9", "1e-9"},
      {"odd binary", "+12345678901Ki", "+12345678901Ki", "12345678901Ki"},
      // Not cached: the scale is not a multiple of 3, the digits end in 000 or start with 0,
      // the binary digits are a multiple of 8, or the value took the decimal path.
      {"scale -1", "0.5", "500m", "500m"},
      {"scale -2", "+1.50", "1500m", "1500m"},
      {"ends in 000", "+1000", "1k", "1k"},
      {"ends in 000 across the dot", "+1.000", "1", "1"},
      {"ends in 000 with suffix", "+1000m", "1", "1"},
      {"starts with 0", "+0.100", "100m", "100m"},
      {"binary multiple of 8", "+8Ki", "8Ki", "8Ki"},
      {"binary multiple of 16", "+16Ki", "16Ki", "16Ki"},
      {"19 digits", "+1234567890123456789", "1234567890123456789", "1234567890123456789"},
      {"scale -10 rounds to nano", "+1e-10", "1e-9", "1e-9"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Quantity q = must_parse(c.input);
    EXPECT_EQ(q.to_string(), c.to_string);
    EXPECT_EQ(q.canonical(), c.canonical);
  }
}

// Upstream: quantity_test.go, TestParseQuantity: what String() returns after parsing.
TEST(QuantityTest, ReserializesLikeUpstreamParseQuantity) {
  struct Case {
    const char* name;
    const char* input;
    const char* want;
  };
  const Case cases[] = {
      {"min 18 digits", "-999999999999999999", "-999999999999999999"},
      {"max 18 digits", "999999999999999999", "999999999999999999"},
      {"min 18 digits .0", "-999999999999999999.0", "-999999999999999999"},
      {"max 18 digits .0", "999999999999999999.0", "999999999999999999"},
      {"min 18 digits .1", "-999999999999999999.1", "-999999999999999999100m"},
      {"max 18 digits .1", "999999999999999999.1", "999999999999999999100m"},
      {"min 19 digits", "-9999999999999999999", "-9999999999999999999"},
      {"max 19 digits", "9999999999999999999", "9999999999999999999"},
      {"-1E", "-1E", "-1E"},
      {"1E", "1E", "1E"},
      {"-1E spelled out", "-1000000000000000000", "-1E"},
      {"1E spelled out", "1000000000000000000", "1E"},
      {"min 19 digits .0", "-9999999999999999999.0", "-9999999999999999999"},
      {"max 19 digits .0", "9999999999999999999.0", "9999999999999999999"},
      {"-1.0E", "-1.0E", "-1E"},
      {"1.0E", "1.0E", "1E"},
      {"-1E spelled out .0", "-1000000000000000000.0", "-1E"},
      {"1E spelled out .0", "1000000000000000000.0", "1E"},
      {"min 19 digits 000m", "-9999999999999999999000m", "-9999999999999999999"},
      {"max 19 digits 000m", "9999999999999999999000m", "9999999999999999999"},
      {"min 19 digits .1", "-9999999999999999999.1", "-9999999999999999999100m"},
      {"max 19 digits .1", "9999999999999999999.1", "9999999999999999999100m"},
      {"-1E and a tenth", "-1.0000000000000000001E", "-1000000000000000000100m"},
      {"1E and a tenth", "1.0000000000000000001E", "1000000000000000000100m"},
      {"-1E spelled out .1", "-1000000000000000000.1", "-1000000000000000000100m"},
      {"1E spelled out .1", "1000000000000000000.1", "1000000000000000000100m"},
      {"-1E plus one", "-1.000000000000000001E", "-1000000000000000001"},
      {"1E plus one", "1.000000000000000001E", "1000000000000000001"},
      {"-1E plus one spelled out", "-1000000000000000001", "-1000000000000000001"},
      {"1E plus one spelled out", "1000000000000000001", "1000000000000000001"},
      {"-10E", "-10E", "-10E"},
      {"10E", "10E", "10E"},
      {"-10E spelled out", "-10000000000000000000", "-10E"},
      {"10E spelled out", "10000000000000000000", "10E"},
      {"-10.0E", "-10.0E", "-10E"},
      {"10.0E", "10.0E", "10E"},
      {"-10E spelled out .0", "-10000000000000000000.0", "-10E"},
      {"10E spelled out .0", "10000000000000000000.0", "10E"},
      {"-10E as milli", "-10000000000000000000000m", "-10E"},
      {"10E as milli", "10000000000000000000000m", "10E"},
      {"-10E and a tenth", "-10.0000000000000000001E", "-10000000000000000000100m"},
      {"10E and a tenth", "10.0000000000000000001E", "10000000000000000000100m"},
      {"-10E spelled out .1", "-10000000000000000000.1", "-10000000000000000000100m"},
      {"10E spelled out .1", "10000000000000000000.1", "10000000000000000000100m"},
      {"-10E plus one", "-10.000000000000000001E", "-10000000000000000001"},
      {"10E plus one", "10.000000000000000001E", "10000000000000000001"},
      {"-10E plus one spelled out", "-10000000000000000001", "-10000000000000000001"},
      {"10E plus one spelled out", "10000000000000000001", "10000000000000000001"},
      {"min int64 - 1", "-9223372036854775809", "-9223372036854775809"},
      {"max int64 - 1", "9223372036854775806", "9223372036854775806"},
      {"min int64 - 1 .0", "-9223372036854775809.0", "-9223372036854775809"},
      {"max int64 - 1 .0", "9223372036854775806.0", "9223372036854775806"},
      {"min int64 - 1 000m", "-9223372036854775809000m", "-9223372036854775809"},
      {"max int64 - 1 000m", "9223372036854775806000m", "9223372036854775806"},
      {"min int64 - 1 .1", "-9223372036854775809.1", "-9223372036854775809100m"},
      {"max int64 - 1 .1", "9223372036854775806.1", "9223372036854775806100m"},
      {"min int64", "-9223372036854775808", "-9223372036854775808"},
      {"max int64", "9223372036854775807", "9223372036854775807"},
      {"min int64 .0", "-9223372036854775808.0", "-9223372036854775808"},
      {"max int64 .0", "9223372036854775807.0", "9223372036854775807"},
      {"min int64 000m", "-9223372036854775808000m", "-9223372036854775808"},
      {"max int64 000m", "9223372036854775807000m", "9223372036854775807"},
      {"min int64 .1", "-9223372036854775808.1", "-9223372036854775808100m"},
      {"max int64 .1", "9223372036854775807.1", "9223372036854775807100m"},
      {"min int64 + 1", "-9223372036854775807", "-9223372036854775807"},
      {"max int64 + 1", "9223372036854775808", "9223372036854775808"},
      {"min int64 + 1 .0", "-9223372036854775807.0", "-9223372036854775807"},
      {"max int64 + 1 .0", "9223372036854775808.0", "9223372036854775808"},
      {"min int64 + 1 000m", "-9223372036854775807000m", "-9223372036854775807"},
      {"max int64 + 1 000m", "9223372036854775808000m", "9223372036854775808"},
      {"min int64 + 1 .1", "-9223372036854775807.1", "-9223372036854775807100m"},
      {"max int64 + 1 .1", "9223372036854775808.1", "9223372036854775808100m"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(must_parse(c.input).to_string(), c.want);
  }
}

// --- Canonical printing (§A5) -----------------------------------------------------------------

TEST(QuantityTest, PrintsCanonicalForm) {
  struct Case {
    const char* name;
    Quantity q;
    const char* canonical;
  };
  const Case cases[] = {
      {"0.1", must_parse("0.1"), "100m"},
      {"1.5", must_parse("1.5"), "1500m"},
      {"1000", must_parse("1000"), "1k"},
      {"1500", must_parse("1500"), "1500"},
      {"15000", must_parse("15000"), "15k"},
      {"1000000", must_parse("1000000"), "1M"},
      {"1000m", must_parse("1000m"), "1"},
      {"0.066", must_parse("0.066"), "66m"},
      {"1e-4", must_parse("1e-4"), "100e-6"},
      {"1.5e-3", must_parse("1.5e-3"), "1500e-6"},
      {"10e2", must_parse("10e2"), "1e3"},
      {"1.5e3", must_parse("1.5e3"), "1500"},
      {"1e19", must_parse("1e19"), "10e18"},
      {"9.5E", must_parse("9.5E"), "9500P"},
      {"5 as BinarySI", Quantity::from_int(5, Format::BinarySI), "5"},
      {"1234567m as BinarySI", Quantity::from_milli(1234567, Format::BinarySI), "1234567m"},
      {".001Ki", must_parse(".001Ki"), "1024m"},
      {"1023Ki", must_parse("1023Ki"), "1023Ki"},
      {"0.0666", must_parse("0.0666"), "66600u"},
      {"1.23456789", must_parse("1.23456789"), "1234567890n"},
      {"0.1m", must_parse("0.1m"), "100u"},
      {"negative", must_parse("-0.0666"), "-66600u"},
      {"zero from BinarySI", Quantity::from_int(0, Format::BinarySI), "0"},
      {"zero from decimal backing", must_parse("0.0000000000000000000"), "0"},
      {"negative zero from decimal backing", must_parse("-0.0000000000000000000"), "0"},
      {"min int64", Quantity::from_int(kMin), "-9223372036854775808"},
      {"min int64 milli", Quantity::from_milli(kMin), "-9223372036854775808m"},
      {"min int64 scaled", Quantity::from_scaled(kMin, 1), "-92233720368547758080"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.q.canonical(), c.canonical);
  }
}

// Upstream: quantity_test.go, TestQuantityString: each value prints `expect`, its negation
// prints "-" + expect, and the alternate spelling parses to a value printing `expect`.
TEST(QuantityTest, PrintsUpstreamStringTable) {
  struct Case {
    const char* name;
    Quantity q;
    Quantity negated;
    const char* expect;
    const char* alternate;
  };
  const auto bin = [](int64_t v) { return Quantity::from_int(v, Format::BinarySI); };
  const auto sci = [](int64_t v, int32_t exp) { return Quantity::from_scaled(v, exp); };
  constexpr int64_t kGi = 1024LL * 1024 * 1024;
  const Case cases[] = {
      {"1Gi", bin(kGi), bin(-kGi), "1Gi", "1024Mi"},
      {"300Mi", bin(300 * 1024 * 1024), bin(-300 * 1024 * 1024), "300Mi", "307200Ki"},
      {"6Ki", bin(6 * 1024), bin(-6 * 1024), "6Ki", ""},
      {"1001Gi", bin(1001 * kGi), bin(-1001 * kGi), "1001Gi", "1025024Mi"},
      {"1Ti", bin(1024 * kGi), bin(-1024 * kGi), "1Ti", "1024Gi"},
      {"5 binary", bin(5), bin(-5), "5", "5000m"},
      {"500m binary", Quantity::from_milli(500, Format::BinarySI),
       Quantity::from_milli(-500, Format::BinarySI), "500m", "0.5"},
      {"1G", sci(1, 9), sci(-1, 9), "1G", "1000M"},
      {"1000 M", sci(1000, 6), sci(-1000, 6), "1G", "0.001T"},
      {"1000000 k", sci(1000000, 3), sci(-1000000, 3), "1G", ""},
      {"1000000000", sci(1000000000, 0), sci(-1000000000, 0), "1G", ""},
      {"1m", sci(1, -3), sci(-1, -3), "1m", "1000u"},
      {"80m", sci(80, -3), sci(-80, -3), "80m", ""},
      {"1080m", sci(1080, -3), sci(-1080, -3), "1080m", "1.08"},
      {"108 centi", sci(108, -2), sci(-108, -2), "1080m", "1080000000n"},
      {"10800e-4", sci(10800, -4), sci(-10800, -4), "1080m", ""},
      {"300M", sci(300, 6), sci(-300, 6), "300M", ""},
      {"1T", sci(1, 12), sci(-1, 12), "1T", ""},
      // Upstream at 357557a falls back to exponent notation above E; the spec describes the
      // older behaviour of dropping the suffix (see
      // DecimalSIFallsBackToExponentOutsideItsSuffixes).
      {"1E", sci(1, 18), sci(-1, 18), "1E", ""},
      {"1e21", sci(1, 21), sci(-1, 21), "1e21", "1000E"},
      {"5e21", sci(5, 21), sci(-5, 21), "5e21", "5000E"},
      {"1e24", sci(1, 24), sci(-1, 24), "1e24", "1000000E"},
      {"1234567M", sci(1234567, 6), sci(-1234567, 6), "1234567M", ""},
      {"1234567m binary", Quantity::from_milli(1234567, Format::BinarySI),
       Quantity::from_milli(-1234567, Format::BinarySI), "1234567m", ""},
      {"3k", sci(3, 3), sci(-3, 3), "3k", ""},
      {"1025 binary", bin(1025), bin(-1025), "1025", ""},
      {"zero", sci(0, 0), sci(0, 0), "0", ""},
      {"zero binary", bin(0), bin(0), "0", ""},
      {"1e9", must_parse("1e9"), must_parse("-1e9"), "1e9", ".001e12"},
      {"1e-3", must_parse("1e-3"), must_parse("-1e-3"), "1e-3", "0.001e0"},
      {"1e-9", must_parse("1e-9"), must_parse("-1e-9"), "1e-9", "1000e-12"},
      {"80e-3", must_parse("80e-3"), must_parse("-80e-3"), "80e-3", ""},
      {"300e6", must_parse("300e6"), must_parse("-300e6"), "300e6", ""},
      {"1e12", must_parse("1e12"), must_parse("-1e12"), "1e12", ""},
      {"1e3", must_parse("1e3"), must_parse("-1e3"), "1e3", ""},
      {"3e3", must_parse("3e3"), must_parse("-3e3"), "3e3", ""},
      {"zero exponent", must_parse("0e0"), must_parse("-0e0"), "0", "00"},
      {"1n", sci(1, -9), sci(-1, -9), "1n", ""},
      {"80n", sci(80, -9), sci(-80, -9), "80n", ""},
      {"1080n", sci(1080, -9), sci(-1080, -9), "1080n", ""},
      {"108e-8", sci(108, -8), sci(-108, -8), "1080n", ""},
      {"10800e-10", sci(10800, -10), sci(-10800, -10), "1080n", ""},
      {"1u", sci(1, -6), sci(-1, -6), "1u", ""},
      {"80u", sci(80, -6), sci(-80, -6), "80u", ""},
      {"1080u", sci(1080, -6), sci(-1080, -6), "1080u", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.q.canonical(), c.expect);
    EXPECT_EQ(must_parse(c.expect).to_string(), c.expect);
    if (!c.q.is_zero()) {
      EXPECT_EQ(c.negated.canonical(), "-" + std::string(c.expect));
    }
    if (*c.alternate != '\0') {
      const Quantity alternate = must_parse(c.alternate);
      EXPECT_EQ(alternate.to_string(), c.expect);
    }
  }
}

// Upstream: quantity_test.go, TestQuantityParseEmit.
TEST(QuantityTest, EmitsUpstreamParseEmitTable) {
  struct Case {
    const char* name;
    const char* expect;
  };
  const Case cases[] = {
      {"1Ki", "1Ki"},
      {"1Mi", "1Mi"},
      {"1Gi", "1Gi"},
      {"1024Mi", "1Gi"},
      {"1000M", "1G"},
      {".001Ki", "1024m"},
      {".000001Ki", "1024u"},
      {".000000001Ki", "1024n"},
      {".000000000001Ki", "2n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(must_parse(c.name).to_string(), c.expect);
    EXPECT_EQ(must_parse("-" + std::string(c.name)).to_string(), "-" + std::string(c.expect));
  }
}

TEST(QuantityTest, PrintsBinarySIByExactPowersOf1024) {
  struct Case {
    const char* name;
    Quantity q;
    const char* canonical;
  };
  const Case cases[] = {
      {"1536 is not a power of 1024 multiple", Quantity::from_int(1536, Format::BinarySI), "1536"},
      {"1.5Gi", must_parse("1.5Gi"), "1536Mi"},
      {"1024Ki", must_parse("1024Ki"), "1Mi"},
      {"0.5Mi", must_parse("0.5Mi"), "512Ki"},
      {"1.5Pi", must_parse("1.5Pi"), "1536Ti"},
      {"non-integer prints DecimalSI, unrounded", must_parse("1.1Ki"), "1126400m"},
      {"below 1024 prints DecimalSI", must_parse("0.5Ki"), "512"},
      {"below -1024 is binary", Quantity::from_int(-2048, Format::BinarySI), "-2Ki"},
      {"above -1024 is decimal", Quantity::from_int(-1000, Format::BinarySI), "-1k"},
      {"4Ei", Quantity::from_int(4LL << 60, Format::BinarySI), "4Ei"},
      {"3Ei parsed", must_parse("3Ei"), "3Ei"},
      // removeInt64Factors negates MinInt64 to itself and so finds no factor of 1024.
      {"min int64 keeps its digits", Quantity::from_int(kMin, Format::BinarySI),
       "-9223372036854775808"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.q.canonical(), c.canonical);
  }
}

// Upstream wins: at kubernetes/apimachinery 357557a, CanonicalizeBytes falls back to
// DecimalExponent when DecimalSI has no suffix for the exponent ("1000E" → "1e21"); the spec's §A5
// describes the older output without a suffix ("1000E" → "1").
TEST(QuantityTest, DecimalSIFallsBackToExponentOutsideItsSuffixes) {
  struct Case {
    const char* name;
    Quantity q;
    const char* canonical;
  };
  const Case cases[] = {
      {"1000E", must_parse("1000E"), "1e21"},
      {"scaled 10^21", Quantity::from_scaled(1, 21), "1e21"},
      {"scaled 10^-10", Quantity::from_scaled(1, -10), "100e-12"},
      {"scaled 10^20", Quantity::from_scaled(1, 20), "100E"},
      {"100000E", must_parse("100000E"), "100e21"},
      {"negative", Quantity::from_scaled(-5, 21), "-5e21"},
      {"largest suffix still used", Quantity::from_scaled(999, 18), "999E"},
      {"smallest suffix still used", Quantity::from_scaled(1, -9), "1n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.q.canonical(), c.canonical);
    EXPECT_EQ(c.q.to_string(), c.canonical);
  }
}

TEST(QuantityTest, NeverPrintsNegativeZero) {
  struct Case {
    const char* name;
    Quantity q;
  };
  const Case cases[] = {
      {"-0", must_parse("-0")},
      {"-0.000", must_parse("-0.000")},
      {"-0Ki", must_parse("-0Ki")},
      {"-0e5", must_parse("-0e5")},
      {"-.", must_parse("-.")},
      {"decimal backing", must_parse("-0.00000000000000000000")},
      {"milli", Quantity::from_milli(0)},
      {"default", Quantity()},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.q.to_string(), "0");
    EXPECT_EQ(c.q.canonical(), "0");
    EXPECT_TRUE(c.q.is_zero());
    EXPECT_EQ(c.q.sign(), 0);
  }
}

// --- Constructors (§A7) -----------------------------------------------------------------------

TEST(QuantityTest, FromMilliMatchesNewMilliQuantity) {
  struct Case {
    const char* name;
    int64_t milli;
    Format format;
    const char* want;
  };
  const Case cases[] = {
      {"0", 0, Format::DecimalSI, "0"},
      {"66", 66, Format::DecimalSI, "66m"},
      {"999", 999, Format::DecimalSI, "999m"},
      {"1000", 1000, Format::DecimalSI, "1"},
      {"1001", 1001, Format::DecimalSI, "1001m"},
      {"1500", 1500, Format::DecimalSI, "1500m"},
      {"10500", 10500, Format::DecimalSI, "10500m"},
      {"66000", 66000, Format::DecimalSI, "66"},
      {"100000", 100000, Format::DecimalSI, "100"},
      {"1000000", 1000000, Format::DecimalSI, "1k"},
      {"1500000", 1500000, Format::DecimalSI, "1500"},
      {"10000000", 10000000, Format::DecimalSI, "10k"},
      {"123456789", 123456789, Format::DecimalSI, "123456789m"},
      {"-1500", -1500, Format::DecimalSI, "-1500m"},
      {"max int64", kMax, Format::DecimalSI, "9223372036854775807m"},
      {"1", 1, Format::DecimalSI, "1m"},
      {"1234000", 1234000, Format::DecimalSI, "1234"},
      {"1024 binary is below 1024", 1024, Format::BinarySI, "1024m"},
      {"1024000 binary", 1024000, Format::BinarySI, "1Ki"},
      {"1536000 binary", 1536000, Format::BinarySI, "1536"},
      {"1048576 binary", 1024 * 1024, Format::BinarySI, "1048576m"},
      {"1000000 exponent", 1000000, Format::DecimalExponent, "1e3"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Quantity q = Quantity::from_milli(c.milli, c.format);
    EXPECT_EQ(q.to_string(), c.want);
    EXPECT_EQ(format_name(q.format()), std::string(format_name(c.format)));
    EXPECT_EQ(q.milli_value(), c.milli);
  }
}

TEST(QuantityTest, FromIntMatchesNewQuantity) {
  struct Case {
    const char* name;
    int64_t value;
    Format format;
    const char* want;
  };
  const Case cases[] = {
      {"1023 binary", 1023, Format::BinarySI, "1023"},
      {"1024 binary", 1024, Format::BinarySI, "1Ki"},
      {"1000 binary is below 1024", 1000, Format::BinarySI, "1k"},
      {"3072 binary", 3072, Format::BinarySI, "3Ki"},
      {"1048576 binary", 1024 * 1024, Format::BinarySI, "1Mi"},
      {"1 decimal", 1, Format::DecimalSI, "1"},
      {"1000 decimal", 1000, Format::DecimalSI, "1k"},
      {"1234000 decimal", 1234000, Format::DecimalSI, "1234k"},
      {"1000 exponent", 1000, Format::DecimalExponent, "1e3"},
      {"1500 exponent", 1500, Format::DecimalExponent, "1500"},
      {"1000000 exponent", 1000000, Format::DecimalExponent, "1e6"},
      {"min int64", kMin, Format::DecimalSI, "-9223372036854775808"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Quantity q = Quantity::from_int(c.value, c.format);
    EXPECT_EQ(q.to_string(), c.want);
    EXPECT_EQ(q.value(), c.value);
    if (c.value != kMin) {  // "-9223372036854775808" parses decimal-backed; see the quirks test
      EXPECT_EQ(must_parse(q.to_string()).value(), c.value);
    }
  }
  EXPECT_EQ(format_name(Quantity::from_int(5).format()), std::string("DecimalSI"));
}

TEST(QuantityTest, FromScaledMatchesNewScaledQuantity) {
  struct Case {
    const char* name;
    int64_t value;
    int32_t scale;
    const char* want;
  };
  const Case cases[] = {
      {"1n", 1, -9, "1n"},       {"1000n", 1000, -9, "1u"}, {"1u", 1, -6, "1u"},
      {"1000u", 1000, -6, "1m"}, {"1m", 1, -3, "1m"},       {"1000m", 1000, -3, "1"},
      {"1", 1, 0, "1"},          {"0n", 0, -9, "0"},        {"0u", 0, -6, "0"},
      {"0m", 0, -3, "0"},        {"0", 0, 0, "0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Quantity q = Quantity::from_scaled(c.value, c.scale);
    EXPECT_EQ(q.to_string(), c.want);
    EXPECT_EQ(format_name(q.format()), std::string("DecimalSI"));
    EXPECT_EQ(must_parse(q.to_string()).scaled_value(c.scale), c.value);
  }
}

TEST(QuantityTest, DefaultIsZeroDecimalSI) {
  const Quantity q;
  EXPECT_TRUE(q.is_zero());
  EXPECT_EQ(q.to_string(), "0");
  EXPECT_EQ(format_name(q.format()), std::string("DecimalSI"));
  EXPECT_EQ(q.milli_value(), 0);
  EXPECT_EQ(q.value(), 0);
  EXPECT_EQ(q.as_approximate_double(), 0.0);
}

// --- JSON text (§A8) --------------------------------------------------------------------------

TEST(QuantityTest, ParsesJsonTextLikeUnmarshalJSON) {
  struct Case {
    const char* name;
    std::string json;
    const char* want;
  };
  const Case cases[] = {
      {"null is zero", "null", "0"},
      {"quoted", "\"66m\"", "66m"},
      {"quoted leading space", "\" 1\"", "1"},
      {"quoted trailing space", "\"1 \"", "1"},
      {"bare number", "1", "1"},
      {"bare number leading space", " 1", "1"},
      {"bare number trailing space", "1 ", "1"},
      {"bare ten", "10", "10"},
      {"bare negative", "-1", "-1"},
      {"bare negative leading space", " -1", "-1"},
      {"bare exponent", "1.5e3", "1500"},
      {"quoted real tab and newline", "\"\t1\n\"", "1"},
      {"vertical tab and form feed", "\v\f1\r", "1"},
      {"no-break space",
       "\"\xC2\xA0"
       "1\"",
       "1"},
      {"next line",
       "\xC2\x85"
       "1\xC2\x85",
       "1"},
      {"ideographic space", "\"1\xE3\x80\x80\"", "1"},
      {"en quad",
       "\xE2\x80\x80"
       "2Ki",
       "2Ki"},
      {"cached text survives", "\"+1.500\"", "+1.500"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto q = Quantity::parse_json_text(c.json);
    ASSERT_TRUE(q.has_value()) << q.error().message;
    EXPECT_EQ(q->to_string(), c.want);
  }
}

TEST(QuantityTest, RejectsJsonTextParseQuantityRejects) {
  struct Case {
    const char* name;
    std::string json;
  };
  const Case cases[] = {
      {"escapes are not decoded", "\"\\t1\\n\""},
      {"quoted null", "\"null\""},
      {"empty string", "\"\""},
      {"lone quote", "\""},
      {"only spaces", "   "},
      {"object", "{}"},
      {"zero-width space is not space",
       "\xE2\x80\x8B"
       "1"},
      {"truncated no-break space", "1\xA0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto q = Quantity::parse_json_text(c.json);
    EXPECT_FALSE(q.has_value());
    if (!q) {
      EXPECT_EQ(q.error().reason, StatusReason::BadRequest);
    }
  }
}

// --- MilliValue, Value, ScaledValue (§A9) -----------------------------------------------------

TEST(QuantityTest, MilliValueRoundsUp) {
  struct Case {
    const char* name;
    const char* input;
    int64_t milli;
  };
  const Case cases[] = {
      {"66m", "66m", 66},
      {"1.5", "1.5", 1500},
      {"0.0666", "0.0666", 67},
      {"1500u", "1500u", 2},
      {"1n", "1n", 1},
      {"1.23456789", "1.23456789", 1235},
      {"10k", "10k", 10000000},
      {"1Gi", "1Gi", 1073741824000},
      {"2e3", "2e3", 2000000},
      {"decimal backing sub-nano", "0.0000000001", 1},
      {"decimal backing binary", "100.035Ki", 102435840},
      {"decimal backing 19 digits", "1.000000000000000001", 1001},
      {"zero", "0", 0},
      {"largest exact", "9223372036854775.807", kMax},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(must_parse(c.input).milli_value(), c.milli);
  }
}

TEST(QuantityTest, ValueRoundsUp) {
  struct Case {
    const char* name;
    const char* input;
    int64_t value;
  };
  const Case cases[] = {
      {"1500m", "1500m", 2},
      {"66m", "66m", 1},
      {"1.1Ki", "1.1Ki", 1127},
      {"1Mi", "1Mi", 1048576},
      {"1E", "1E", 1000000000000000000},
      {"8Ei capped", "8Ei", kMax},
      {"2^63 - 1 decimal backing", "9223372036854775807", kMax},
      {"1n", "1n", 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(must_parse(c.input).value(), c.value);
  }
}

// Upstream: quantity_test.go, TestScaledValue.
TEST(QuantityTest, ScaledValueConvertsBetweenScales) {
  struct Case {
    const char* name;
    int32_t from;
    int32_t to;
    int64_t want;
  };
  const Case cases[] = {
      {"nano to nano", -9, -9, 1},          {"nano to micro", -9, -6, 1},
      {"nano to milli", -9, -3, 1},         {"nano to one", -9, 0, 1},
      {"micro to nano", -6, -9, 1000},      {"micro to micro", -6, -6, 1},
      {"micro to milli", -6, -3, 1},        {"micro to one", -6, 0, 1},
      {"milli to nano", -3, -9, 1000000},   {"milli to micro", -3, -6, 1000},
      {"milli to milli", -3, -3, 1},        {"milli to one", -3, 0, 1},
      {"one to nano", 0, -9, 1000000000},   {"one to micro", 0, -6, 1000000},
      {"one to milli", 0, -3, 1000},        {"one to one", 0, 0, 1},
      {"hecto to centi", 2, -2, 100 * 100},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Quantity::from_scaled(1, c.from).scaled_value(c.to), c.want);
  }
}

TEST(QuantityTest, RoundsNegativeInt64BackedValuesAwayFromZero) {
  struct Case {
    const char* name;
    Quantity q;
    int64_t value;
    int64_t milli;
  };
  const Case cases[] = {
      {"-1.5", must_parse("-1.5"), -2, -1500},
      {"-0.5", must_parse("-0.5"), -1, -500},
      {"-1n", must_parse("-1n"), -1, -1},
      {"-1500m", must_parse("-1500m"), -2, -1500},
      {"-66m", must_parse("-66m"), -1, -66},
      {"-1500u", must_parse("-1500u"), -1, -2},
      {"-1 milli built", Quantity::from_milli(-1), -1, -1},
      {"-1Ki", must_parse("-1Ki"), -1024, -1024000},
      {"-1.1u", must_parse("-1.1u"), -1, -1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.q.value(), c.value);
    EXPECT_EQ(c.q.milli_value(), c.milli);
  }
  // ScaledValue(3) of -1Ki: -1024 / 1000 away from zero.
  EXPECT_EQ(must_parse("-1Ki").scaled_value(3), -2);
}

// The decimal backing's quirks, from upstream scale_int.go scaledValue: truncation plus one
// for negatives whose unscaled integer fits in int64, big.Int.Int64's low 64 bits otherwise.
TEST(QuantityTest, ReproducesUpstreamDecimalBackingQuirks) {
  struct Case {
    const char* name;
    const char* input;
    int32_t scale;
    int64_t want;
  };
  const Case cases[] = {
      {"sub-nano negative milli is +1", "-0.0000000001", -3, 1},
      {"-1.5n value is +1", "-1.5n", 0, 1},
      {"-1.08 decimal-backed value is 0", "-1.080000000000000000000", 0, 0},
      {"-1.1Ki value truncates plus one", "-1.1Ki", 0, -1125},
      {"-0.5Ki kilo", "-0.5Ki", 3, 1},
      {"-100Ti milli is garbage", "-100Ti", -3, -8568098291071},
      {"-999999999999Ki value is garbage", "-999999999999Ki", 0, -2789723284},
      {"negative 20 digits milli", "-10000000000.000000001", -3, 8446744073710},
      {"negative 20 digits value", "-12345678901234567890", 0, -5097733591},
      {"negative 20 digits giga", "-12345678901234567890", 9, -4},
      {"positive overflow wraps", "10000000000000000000", 0, -8446744073709551616},
      {"2^63-1 milli wraps", "9223372036854775807", -3, -1000},
      {"10^30 value wraps", "1000000000000000000000000000000", 0, 5076944270305263616},
      {"scale up", "1.5n", -12, 2000},
      {"big quotient rounds up", "99999999999999999999999.5", 18, 100000},
      {"big negative quotient", "-99999999999999999999999.5", 18, -99999},
      {"capped binary milli wraps", "8Ei", -3, -1000},
      {"negative capped binary value", "-8Ei", 0, -kMax},
      {"negative capped binary milli", "-8Ei", -3, 1000},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(must_parse(c.input).scaled_value(c.scale), c.want);
  }
}

TEST(QuantityTest, OverflowsSilentlyLikeUpstream) {
  struct Case {
    const char* name;
    Quantity q;
    int64_t milli;
  };
  const Case cases[] = {
      {"1E milli is 0", must_parse("1E"), 0},
      {"10E milli is 0", must_parse("10E"), 0},
      {"10P milli is 0", must_parse("10P"), 0},
      {"max int64 milli wraps", Quantity::from_int(kMax), -1000},
      {"min int64 milli is 0", Quantity::from_int(kMin), 0},
      {"1e400 milli is 0", must_parse("1e400"), 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.q.milli_value(), c.milli);
  }
  EXPECT_EQ(must_parse("10E").value(), 0);  // int64-backed (10, 18): positiveScaleInt64 gives 0
  EXPECT_EQ(Quantity::from_int(5).scaled_value(-30), 0);
}

TEST(QuantityTest, FitsMilliUpToUpstreamBound) {
  struct Case {
    const char* name;
    Quantity q;
    bool fits;
  };
  const Case cases[] = {
      {"zero", Quantity(), true},
      {"one", must_parse("1"), true},
      {"nano", must_parse("1n"), true},
      {"bound", must_parse("9223372036854775"), true},
      {"bound in milli", Quantity::from_milli(9223372036854775000), true},
      {"negative bound", must_parse("-9223372036854775"), true},
      {"above bound", must_parse("9223372036854775.001"), false},
      {"max milli", Quantity::from_milli(kMax), false},
      {"next integer", must_parse("9223372036854776"), false},
      {"negative next integer", must_parse("-9223372036854776"), false},
      {"1E", must_parse("1E"), false},
      {"10E", must_parse("10E"), false},
      {"8Ei", must_parse("8Ei"), false},
      {"1Pi", must_parse("1Pi"), true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.q.fits_milli(), c.fits);
  }
}

// --- AsApproximateFloat64 (§A10) --------------------------------------------------------------

TEST(QuantityTest, AsApproximateDoubleIsBitExact) {
  struct Case {
    const char* name;
    Quantity q;
    double want;
  };
  const double inf = std::numeric_limits<double>::infinity();
  constexpr int64_t k7Mi = 7 * 1024 * 1024;
  const Case cases[] = {
      {"1001m", must_parse("1001m"), 1.0010000000000001},
      {"100.035Ki decimal-backed", must_parse("100.035Ki"), 102435.84000000001},
      {"1.23456789", must_parse("1.23456789"), 1.2345678900000001},
      {"1000n", must_parse("1000n"), 1.0000000000000002e-06},
      {"15 int64-backed", must_parse("15"), 15.0},
      {"15 decimal-backed", must_parse("15.0000000000000000000"), 15.000000000000002},
      {"-15 decimal-backed", must_parse("-15.0000000000000000000"), -15.000000000000002},
      {"7.5 int64-backed", must_parse("7.5"), 7.5},
      {"7.5 decimal-backed", must_parse("7.50000000000000000000"), 7.500000000000001},
      {"capped binary has scale 0", must_parse("8Ei"), 9223372036854775807.0},
      {"12E", must_parse("12E"), 1.2e19},
      {"2Ki", must_parse("2Ki"), 2048},
      {"1.1Ki", must_parse("1.1Ki"), 1126.4},
      {"1Mi", must_parse("1Mi"), 1048576},
      {"2Gi", must_parse("2Gi"), 2147483648},
      {"7Mi × Pow10(-1)", Quantity::from_scaled(k7Mi, -1), 734003.2000000001},
      {"7Mi / 1e8", Quantity::from_scaled(k7Mi, -8), static_cast<double>(k7Mi) / 100000000.0},
      {"7Mi × 1e8", Quantity::from_scaled(k7Mi, 8), static_cast<double>(k7Mi) * 100000000.0},
      {"zero", Quantity(), 0.0},
      {"1e400 overflows", must_parse("1e400"), inf},
      {"-1e400 overflows", must_parse("-1e400"), -inf},
      {"scaled 10^500 overflows", Quantity::from_scaled(12, 500), inf},
      {"scaled -10^500 overflows", Quantity::from_scaled(-12, 500), -inf},
      {"decimal-backed huge", must_parse("1" + std::string(400, '0')), inf},
      {"max int64", Quantity::from_int(kMax), 9223372036854775807.0},
      {"tiny", Quantity::from_scaled(1, -400), 0.0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(bits(c.q.as_approximate_double()), bits(c.want))
        << c.q.as_approximate_double() << " vs " << c.want;
  }
  // 0 × Pow10(400) is 0 × +Inf in upstream's single multiplication.
  EXPECT_TRUE(std::isnan(must_parse("0e400").as_approximate_double()));
}

// --- prometheus-adapter's float conversion (§A11) ---------------------------------------------

TEST(QuantityTest, FromDoubleMilliMatchesPrometheusAdapter) {
  struct Case {
    const char* name;
    double v;
    const char* want;  // nullptr: no quantity
  };
  const double inf = std::numeric_limits<double>::infinity();
  const Case cases[] = {
      {"1.005 truncates after the multiply", 1.005, "1004m"},
      {"0.0009 truncates to zero", 0.0009, "0"},
      {"0.7", 0.7, "700m"},
      {"2.675", 2.675, "2675m"},
      {"0.0666", 0.0666, "66m"},
      {"negative truncates toward zero", -1.0005, "-1"},
      {"negative", -1.5, "-1500m"},
      {"NaN is zero", std::nan(""), "0"},
      {"negative zero", -0.0, "0"},
      {"integer", 42.0, "42"},
      {"large", 9.2e15, "9200T"},
      {"+Inf", inf, nullptr},
      {"-Inf", -inf, nullptr},
      {"product beyond int64", 1e16, nullptr},
      {"negative product beyond int64", -1e16, nullptr},
      {"product rounds to 2^63", 9.223372036854775e15, nullptr},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto q = Quantity::from_double_milli(c.v);
    if (c.want == nullptr) {
      EXPECT_FALSE(q.has_value());
      continue;
    }
    ASSERT_TRUE(q.has_value());
    EXPECT_EQ(q->to_string(), c.want);
    EXPECT_EQ(format_name(q->format()), std::string("DecimalSI"));
  }
}

// --- compare() --------------------------------------------------------------------------------

// Upstream: quantity_test.go, TestQuantityCmp and TestQuantityCmpInt64AndDec, plus comparisons
// across backings and formats.
TEST(QuantityTest, ComparesExactValues) {
  struct Case {
    const char* name;
    Quantity a;
    Quantity b;
    int want;
  };
  const auto sci = [](int64_t v, int32_t exp) { return Quantity::from_scaled(v, exp); };
  constexpr int64_t kE18 = 1000000000000000000;
  const Case cases[] = {
      {"zero", must_parse("0"), must_parse("0"), 0},
      {"100m > 50m", must_parse("100m"), must_parse("50m"), 1},
      {"50m < 100m", must_parse("50m"), must_parse("100m"), -1},
      {"10000T > 100Gi", must_parse("10000T"), must_parse("100Gi"), 1},
      {"same", sci(901, -2), sci(901, -2), 0},
      {"9.0 < 9.01", sci(90, -1), sci(901, -2), -1},
      {"9.01 > 9.00", sci(901, -2), sci(900, -2), 1},
      {"zeros", sci(0, 0), sci(0, 0), 0},
      {"zeros at different scales", sci(0, 1), sci(0, -1), 0},
      {"0.8 < 1", sci(800, -3), sci(1, 0), -1},
      {"0.8 > 0.79", sci(800, -3), sci(79, -2), 1},
      {"max > 0.1", sci(kMax, 0), sci(1, -1), 1},
      {"max×10 > 1", sci(kMax, 1), sci(1, 0), 1},
      {"max×10 > 10", sci(kMax, 1), sci(1, 1), 1},
      {"max×10 > 0", sci(kMax, 1), sci(0, 1), 1},
      {"max×10^-16 < 1000", sci(kMax, -16), sci(1, 3), -1},
      {"min < 0", sci(kMin, 0), sci(0, 0), -1},
      {"min×10^-18 < -1", sci(kMin, -18), sci(-1, 0), -1},
      {"min×10^-19 > -1", sci(kMin, -19), sci(-1, 0), 1},
      {"10 = 10", sci(kE18, -17), sci(1, 1), 0},
      {"10 > -10", sci(kE18, -17), sci(-10, 0), 1},
      {"-10 = -10", sci(-kE18, -17), sci(-10, 0), 0},
      {"10 > 1", sci(kE18, -17), sci(1, 0), 1},
      {"just above 10", sci(kE18 + 1, -17), sci(1, 1), 1},
      {"just below 10", sci(kE18 - 1, -17), sci(1, 1), -1},
      {"decimal-backed one equals one", must_parse("1.0000000000000000000"), sci(1, 0), 0},
      {"10E above max", must_parse("10E"), sci(kMax, 0), 1},
      {"-10E below min", must_parse("-10E"), sci(kMin, 0), -1},
      {"formats are ignored", must_parse("1Ki"), Quantity::from_int(1024), 0},
      {"decimal binary equals int", must_parse("0.5Ki"), must_parse("512"), 0},
      {"capped equals max", must_parse("8Ei"), Quantity::from_int(kMax), 0},
      {"zero formats", must_parse("0"), must_parse("0Ki"), 0},
      {"decimal zero", must_parse("0.0000000000000000000"), Quantity(), 0},
      {"signs", must_parse("-1n"), must_parse("1n"), -1},
      {"huge decimal", must_parse("1e400"), must_parse("99999999999999999999999999999999999999"),
       1},
      {"huge negatives", must_parse("-1e400"), must_parse("-1e399"), -1},
      {"cached text is ignored", must_parse("+1.500"), must_parse("1500m"), 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.a.compare(c.b), c.want);
    EXPECT_EQ(c.b.compare(c.a), -c.want);
    EXPECT_EQ(c.a == c.b, c.want == 0);
  }
}

TEST(QuantityTest, ReportsSignAndZero) {
  struct Case {
    const char* name;
    Quantity q;
    int sign;
  };
  const Case cases[] = {
      {"positive int64", must_parse("1m"), 1},
      {"negative int64", must_parse("-1m"), -1},
      {"positive decimal", must_parse("1.5n"), 1},
      {"negative decimal", must_parse("-1.5n"), -1},
      {"zero decimal", must_parse("0.0000000000000000000"), 0},
      {"zero int64", Quantity::from_int(0), 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.q.sign(), c.sign);
    EXPECT_EQ(c.q.is_zero(), c.sign == 0);
  }
}

}  // namespace
}  // namespace kscale::core
