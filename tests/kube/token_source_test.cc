#include "kube/token_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace kscale::kube {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

class TokenSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = (fs::temp_directory_path() /
             ("kscale-token-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    fs::remove(file_);
  }
  void TearDown() override { fs::remove(file_); }
  void write(const std::string& text) const { std::ofstream(file_) << text; }

  std::string file_;
  core::ManualClock clock_;
};

TEST_F(TokenSourceTest, AFixedTokenIsSentAsIs) {
  TokenSource source("abc", "", clock_);
  EXPECT_EQ(source.token().value, "abc");
  EXPECT_FALSE(source.invalidate(source.token()));
  TokenSource none("", "", clock_);
  EXPECT_EQ(none.token().value, "");
}

TEST_F(TokenSourceTest, AFileTokenIsReReadAfterSixtySeconds) {
  write("  first\n");
  TokenSource source("", file_, clock_);
  EXPECT_EQ(source.token().value, "first");
  write("second");
  clock_.advance(seconds(59));
  EXPECT_EQ(source.token().value, "first");
  clock_.advance(seconds(1));
  EXPECT_EQ(source.token().value, "second");
}

TEST_F(TokenSourceTest, TheLastGoodFileReadBeatsTheFixedToken) {
  TokenSource source("fixed", file_, clock_);
  EXPECT_EQ(source.token().value, "fixed");  // no file yet
  write("from-file");
  EXPECT_EQ(source.token().value, "from-file");  // a failed read is retried at once
  write("");
  clock_.advance(seconds(60));
  EXPECT_EQ(source.token().value, "from-file");  // an empty file keeps the last good token
  fs::remove(file_);
  clock_.advance(seconds(60));
  EXPECT_EQ(source.token().value, "from-file");
}

TEST_F(TokenSourceTest, A401DiscardsOnlyTheTokenTheRequestUsed) {
  write("one");
  TokenSource source("", file_, clock_);
  const BearerToken first = source.token();
  write("two");
  EXPECT_TRUE(source.invalidate(first));
  const BearerToken second = source.token();
  EXPECT_EQ(second.value, "two");  // re-read at once, within the 60 s
  write("three");
  // A late 401 of a request that still used "one" must not drop "two".
  EXPECT_TRUE(source.invalidate(first));
  EXPECT_EQ(source.token().value, "two");
  EXPECT_TRUE(source.invalidate(second));
  EXPECT_EQ(source.token().value, "three");
}

}  // namespace
}  // namespace kscale::kube
