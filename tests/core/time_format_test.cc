#include "core/time_format.h"

#include <gtest/gtest.h>

namespace kscale::core {
namespace {

TEST(TimeFormatTest, FormatsUtcWholeSeconds) {
  const SystemTime t{std::chrono::milliseconds{1'714'564'800'999}};
  EXPECT_EQ(format_rfc3339(t), "2024-05-01T12:00:00Z");
}

TEST(TimeFormatTest, ParsesWhatGoRfc3339Accepts) {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z"},
      {"2024-05-01T12:00:00.123456Z", "2024-05-01T12:00:00Z"},
      {"2024-05-01T14:00:00+02:00", "2024-05-01T12:00:00Z"},
      {"2024-05-01T10:30:00-01:30", "2024-05-01T12:00:00Z"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    auto t = parse_rfc3339(c.in);
    ASSERT_TRUE(t.has_value()) << t.error().message;
    EXPECT_EQ(format_rfc3339(*t), c.out);
  }
}

TEST(TimeFormatTest, RejectsMalformedTimestamps) {
  for (const char* bad : {"", "2024-05-01", "2024-13-01T00:00:00Z", "2024-05-01T12:00:00",
                          "2024-05-01 12:00:00Z", "2024-05-01T12:00:00.Z", "yesterday"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_rfc3339(bad).has_value());
  }
}

}  // namespace
}  // namespace kscale::core
