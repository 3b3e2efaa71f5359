#include "auth/detail/field_selector.h"

#include <gtest/gtest.h>

namespace kscale::auth::detail {
namespace {

std::string describe(const std::vector<FieldRequirement>& reqs) {
  std::string out;
  for (const auto& r : reqs) {
    out += r.field + (r.not_equals ? "!=" : "=") + r.value + ";";
  }
  return out;
}

// After apimachinery pkg/fields/selector_test.go TestSelectorParse / TestSplitTerms.
TEST(FieldSelectorTest, ParsesTermsSortedWithEscapes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"a=b", "a=b;"},
      {"b==c,a!=d", "a!=d;b=c;"},
      {"x=a\\,b,y=c\\=d", "x=a,b;y=c=d;"},
      {"x=a\\\\", "x=a\\;"},
      {"a=,b=c", "a=;b=c;"},
      {",a=b,", "a=b;"},
      {"metadata.name=foo", "metadata.name=foo;"},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    auto reqs = parse_field_selector(text);
    ASSERT_TRUE(reqs) << reqs.error().message;
    EXPECT_EQ(describe(*reqs), expected);
  }
}

TEST(FieldSelectorTest, RejectsWhatUpstreamRejects) {
  for (const std::string text : {"a", "a=b,c", "a=b=c", "a=b\\", "a=b\\x", "a<b"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(parse_field_selector(text));
  }
  auto err = parse_field_selector("a=b,c");
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().message, "invalid selector: 'a=b,c'; can't understand 'c'");
}

// The first in the terms' string order: "metadata.name==z" sorts before "metadata.name=y".
TEST(FieldSelectorTest, RequiresExactMatchTakesTheFirstEqualsTermInSortedOrder) {
  auto reqs = parse_field_selector("metadata.name!=x,metadata.name=y,metadata.name==z");
  ASSERT_TRUE(reqs);
  EXPECT_EQ(requires_exact_match(*reqs, "metadata.name"), "z");
  EXPECT_EQ(requires_exact_match(*reqs, "spec.nodeName"), std::nullopt);
}

}  // namespace
}  // namespace kscale::auth::detail
