#include "auth/request_header.h"

#include <gtest/gtest.h>

namespace kscale::auth {
namespace {

net::Request with_headers(const std::vector<std::pair<std::string, std::string>>& headers) {
  net::Request req{net::http::verb::get, "/", 11};
  for (const auto& [name, value] : headers) {
    req.insert(name, value);
  }
  return req;
}

const RequestHeaderNames kNames{{"X-Remote-User", "X-Other-User"},
                                {"X-Remote-Uid"},
                                {"X-Remote-Group", "X-Other-Group"},
                                {"X-Remote-Extra-", "X-Other-Extra-"}};

// Cases after k8s.io/apiserver requestheader_test.go ("escaped extra keys" and friends).
TEST(RequestHeaderTest, ExtraKeysAreLowerCasedThenPercentDecoded) {
  struct Case {
    std::string encoded, key;
  };
  for (const auto& c : std::vector<Case>{
           {"Foo", "foo"},
           {"Alice%40example.com%2Fkey", "alice@example.com/key"},
           {"example.org%2fKEY", "example.org/key"},
           {"%E2%9C%93", "\xE2\x9C\x93"},
           {"caps%41", "capsA"},        // decoded after lower-casing: the escape keeps its case
           {"Bad%ZZkey", "bad%zzkey"},  // invalid escapes: kept (lower-cased) as is
           {"trailing%2", "trailing%2"},
           {"plus+sign", "plus+sign"},
       }) {
    SCOPED_TRACE(c.encoded);
    EXPECT_EQ(unescape_extra_key(c.encoded), c.key);
  }
}

TEST(RequestHeaderTest, UserFromTheFirstNonEmptyUsernameHeader) {
  const auto user = user_from_headers(
      with_headers({{"X-Remote-User", ""}, {"X-Other-User", "bob"}, {"X-Remote-Uid", "u-1"}}),
      kNames);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->name, "bob");
  EXPECT_EQ(user->uid, "u-1");
}

TEST(RequestHeaderTest, NoUsernameIsNoOpinion) {
  EXPECT_FALSE(user_from_headers(with_headers({{"X-Remote-Group", "g"}}), kNames));
  EXPECT_FALSE(user_from_headers(with_headers({{"x-remote-user", ""}}), kNames));
}

TEST(RequestHeaderTest, GroupsAreEveryNonEmptyLineInOrderNeverCommaSplit) {
  const auto user = user_from_headers(with_headers({{"X-Remote-User", "bob"},
                                                    {"X-Other-Group", "third"},
                                                    {"x-remote-group", "one, two"},
                                                    {"X-Remote-Group", ""},
                                                    {"X-REMOTE-GROUP", "two"}}),
                                      kNames);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->groups, (std::vector<std::string>{"one, two", "two", "third"}));
}

TEST(RequestHeaderTest, ExtraHeadersMatchThePrefixCaseInsensitivelyOneValuePerLine) {
  const auto user = user_from_headers(with_headers({{"X-Remote-User", "bob"},
                                                    {"x-remote-extra-Scopes", "a"},
                                                    {"X-Remote-Extra-scopes", "b"},
                                                    {"X-Other-Extra-Key%2Fpath", "c"},
                                                    {"X-Remote-Extraneous", "no"}}),
                                      kNames);
  ASSERT_TRUE(user);
  const std::map<std::string, std::vector<std::string>> expected{{"scopes", {"a", "b"}},
                                                                 {"key/path", {"c"}}};
  EXPECT_EQ(user->extra, expected);
}

TEST(RequestHeaderTest, ClearRemovesEveryNamedAndPrefixedHeader) {
  auto req = with_headers({{"X-Remote-User", "bob"},
                           {"x-other-user", "eve"},
                           {"X-Remote-Uid", "1"},
                           {"X-Remote-Group", "g"},
                           {"X-Remote-Extra-A", "1"},
                           {"x-other-extra-b", "2"},
                           {"Accept", "application/json"}});
  clear_authentication_headers(req, kNames);
  ASSERT_EQ(std::distance(req.begin(), req.end()), 1);
  EXPECT_EQ(req["Accept"], "application/json");
}

TEST(RequestHeaderTest, StandardNamesAreTheXRemoteHeaders) {
  auto req = with_headers({{"X-Remote-User", "bob"},
                           {"X-Remote-Uid", "1"},
                           {"X-Remote-Group", "g"},
                           {"X-Remote-Extra-A", "1"}});
  clear_authentication_headers(req, standard_request_header_names());
  EXPECT_EQ(req.begin(), req.end());
}

}  // namespace
}  // namespace kscale::auth
