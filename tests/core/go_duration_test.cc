#include "core/go_duration.h"

#include <gtest/gtest.h>

namespace kscale::core {
namespace {

TEST(GoDurationTest, ReadsGoDurations) {
  EXPECT_EQ(*parse_go_duration("1m30s"), std::chrono::seconds(90));
  EXPECT_EQ(*parse_go_duration("300s"), std::chrono::seconds(300));
  EXPECT_EQ(*parse_go_duration("1.5h"), std::chrono::minutes(90));
  EXPECT_EQ(*parse_go_duration("0"), std::chrono::nanoseconds(0));
  EXPECT_EQ(*parse_go_duration("-250ms"), std::chrono::milliseconds(-250));
  EXPECT_EQ(*parse_go_duration("2us"), std::chrono::microseconds(2));
}

TEST(GoDurationTest, RejectsTextGoRejects) {
  for (const char* text : {"5 minutes", "", "5", "s", "1d", "-"}) {
    SCOPED_TRACE(text);
    auto d = parse_go_duration(text);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, 400);
  }
}

}  // namespace
}  // namespace kscale::core
