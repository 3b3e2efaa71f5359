#include "auth/token_review_authenticator.h"

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "fakes/fake_api_client.h"
#include "support/run_awaitable.h"

namespace kscale::auth {
namespace {

using namespace std::chrono_literals;

net::Response review(const std::string& status, unsigned code = 201) {
  net::Response res{static_cast<net::http::status>(code), 11};
  res.body() =
      R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{},"status":)" +
      status + "}";
  return res;
}

const std::string kServiceAccount =
    R"({"authenticated":true,"user":{"username":"system:serviceaccount:default:reader",)"
    R"("uid":"u-1","groups":["system:serviceaccounts","system:serviceaccounts:default"],)"
    R"("extra":{"authentication.kubernetes.io/credential-id":["JTI=abc"]}}})";

boost::asio::awaitable<void> no_wait(std::chrono::nanoseconds) { co_return; }

WebhookOptions without_waits() {
  WebhookOptions options = TokenReviewAuthenticator::default_webhook_options();
  options.sleep = no_wait;
  return options;
}

class TokenReviewAuthenticatorTest : public ::testing::Test {
 protected:
  AuthResult authenticate(const std::string& token) {
    return testing::run_awaitable(ioc_, tokens_.authenticate(token));
  }

  boost::asio::io_context ioc_;
  fakes::FakeApiClient client_;
  core::ManualClock clock_;
  TokenReviewAuthenticator tokens_{client_, clock_, 10s, without_waits()};
};

TEST_F(TokenReviewAuthenticatorTest, PostsATokenReviewWithoutAudiences) {
  client_.answer = [](const auto&) { return review(kServiceAccount); };
  ASSERT_TRUE(authenticate("tok\"en"));
  ASSERT_EQ(client_.sent.size(), 1u);
  EXPECT_EQ(client_.sent[0].verb, net::http::verb::post);
  // No ?timeout=: upstream's delegated-authentication client has no rest.Config.Timeout
  // (k8s.io/apiserver pkg/server/options/authentication.go getClient); a deadline bounds the call.
  EXPECT_EQ(client_.sent[0].target, "/apis/authentication.k8s.io/v1/tokenreviews");
  EXPECT_EQ(boost::json::parse(client_.sent[0].body),
            boost::json::parse(R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview",)"
                               R"("spec":{"token":"tok\"en"}})"));
}

TEST_F(TokenReviewAuthenticatorTest, TheUserComesFromTheReviewStatus) {
  client_.answer = [](const auto&) { return review(kServiceAccount); };
  const auto result = authenticate("t");
  ASSERT_TRUE(result && *result);
  const UserInfo& user = **result;
  EXPECT_EQ(user.name, "system:serviceaccount:default:reader");
  EXPECT_EQ(user.uid, "u-1");
  EXPECT_EQ(user.groups,
            (std::vector<std::string>{"system:serviceaccounts", "system:serviceaccounts:default"}));
  EXPECT_EQ(user.extra.at("authentication.kubernetes.io/credential-id"),
            std::vector<std::string>{"JTI=abc"});
}

TEST_F(TokenReviewAuthenticatorTest, BothOutcomesAreCachedUntilTheTtlPasses) {
  client_.answer = [](const fakes::FakeApiClient::Sent& sent) {
    return sent.body.find("good") != std::string::npos ? review(kServiceAccount)
                                                       : review(R"({"authenticated":false})");
  };
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(authenticate("good"));
    const auto bad = authenticate("bad");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "invalid bearer token");
  }
  EXPECT_EQ(client_.sent.size(), 2u);
  clock_.advance(9s);
  EXPECT_TRUE(authenticate("good"));
  EXPECT_EQ(client_.sent.size(), 2u);
  clock_.advance(1s);
  EXPECT_TRUE(authenticate("good"));
  EXPECT_FALSE(authenticate("bad"));
  EXPECT_EQ(client_.sent.size(), 4u);
}

// Upstream's webhook turns status.error into an error, and errors are not cached.
TEST_F(TokenReviewAuthenticatorTest, ARejectionWithAnErrorIsReportedAndNotCached) {
  client_.answer = [](const auto&) {
    return review(R"({"authenticated":false,"error":"token has expired"})");
  };
  for (int i = 0; i < 2; ++i) {
    const auto result = authenticate("t");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message, "token has expired");
    EXPECT_EQ(result.error().code, 401);
  }
  EXPECT_EQ(client_.sent.size(), 2u);
}

TEST_F(TokenReviewAuthenticatorTest, TransportErrorsAndRefusalsAreNotCached) {
  client_.answer = [](const auto&) -> core::Result<net::Response> {
    return core::fail(core::Error::unavailable("connect: Connection refused"));
  };
  EXPECT_FALSE(authenticate("t"));
  client_.answer = [](const auto&) { return review(R"({})", 403); };
  EXPECT_FALSE(authenticate("t"));
  client_.answer = [](const auto&) { return review(kServiceAccount); };
  EXPECT_TRUE(authenticate("t"));
  EXPECT_EQ(client_.sent.size(), 3u);
}

TEST_F(TokenReviewAuthenticatorTest, ATokenReviewAnswerWithoutStatusIsAnError) {
  const auto outcome = TokenReviewAuthenticator::parse_review(review("null").body());
  EXPECT_FALSE(outcome.result);
  EXPECT_FALSE(outcome.cacheable);
}

}  // namespace
}  // namespace kscale::auth
