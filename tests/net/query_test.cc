#include "net/query.h"

#include <gtest/gtest.h>

namespace kscale::net {
namespace {

TEST(QueryParamsTest, DecodesFormEncodingAsGoDoes) {
  // The HPA's selectors are produced by Go's url.Values.Encode (metrics-api.md §2.5).
  auto q =
      QueryParams::parse("labelSelector=app%3Dweb%2Ctier+in+%28backend%2Cfrontend%29%2C%21canary");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->get("labelSelector"), "app=web,tier in (backend,frontend),!canary");
}

TEST(QueryParamsTest, FirstValueOfRepeatedParameterWins) {
  auto q = QueryParams::parse("a=1&a=2&b");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->get("a"), "1");
  EXPECT_EQ(q->get("b"), "");
  EXPECT_FALSE(q->get("c").has_value());
}

TEST(QueryParamsTest, MalformedEscapeIsBadRequest) {
  auto q = QueryParams::parse("labelSelector=%zz");
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, 400);
}

// Go's URL.Query() ignores ParseQuery's error: the malformed pairs are dropped, the rest kept.
TEST(QueryParamsTest, LenientParseDropsMalformedPairsAsGoDoes) {
  const auto q = QueryParams::parse_lenient("a=%zz&b=1&c%zz=2&d=x;y&e=3+4&watch");
  EXPECT_FALSE(q.has("a"));
  EXPECT_EQ(q.get("b"), "1");
  EXPECT_FALSE(q.has("c"));
  EXPECT_FALSE(q.has("d"));
  EXPECT_EQ(q.get("e"), "3 4");
  EXPECT_EQ(q.get("watch"), "");
}

TEST(QueryParamsTest, PathSegmentsKeepPlus) {
  EXPECT_EQ(percent_decode_segment("%2A"), "*");
  EXPECT_EQ(percent_decode_segment("a+b"), "a+b");
  EXPECT_FALSE(percent_decode_segment("%2").has_value());
}

}  // namespace
}  // namespace kscale::net
