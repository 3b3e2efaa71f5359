#include "auth/authenticator.h"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "auth/test_certificates.h"
#include "fakes/fake_api_client.h"
#include "support/run_awaitable.h"

namespace kscale::auth {
namespace {

using namespace std::chrono_literals;
using testing::TestCertificates;

boost::asio::awaitable<void> no_wait(std::chrono::nanoseconds) { co_return; }

WebhookOptions without_waits() {
  WebhookOptions options = TokenReviewAuthenticator::default_webhook_options();
  options.sleep = no_wait;
  return options;
}

net::Response token_review(const std::string& status) {
  net::Response res{net::http::status::created, 11};
  res.body() = R"({"kind":"TokenReview","status":)" + status + "}";
  return res;
}

net::Request request(const std::vector<std::pair<std::string, std::string>>& headers) {
  net::Request req{net::http::verb::get, "/apis/custom.metrics.k8s.io/v1beta2", 11};
  for (const auto& [name, value] : headers) {
    req.insert(name, value);
  }
  return req;
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.answer = [](const fakes::FakeApiClient::Sent& sent) {
      return sent.body.find("\"good\"") != std::string::npos
                 ? token_review(R"({"authenticated":true,"user":{"username":"sa","groups":["g"]}})")
                 : token_review(R"({"authenticated":false})");
    };
    ASSERT_TRUE(authn_.apply(config()));
  }

  // As kube-apiserver's ConfigMap of the spec's control plane.
  AuthenticationConfig config() const {
    AuthenticationConfig c;
    c.client_ca = certs_.pem("ca");
    c.request_header = RequestHeaderConfig{
        certs_.pem("front-proxy-ca"), {"front-proxy-client"}, {"X-Remote-User"}, {},
        {"X-Remote-Group"},           {"X-Remote-Extra-"}};
    return c;
  }

  core::Result<UserInfo> authenticate(net::Request& req, const std::vector<std::string>& chain) {
    net::Peer peer;
    for (const auto& name : chain) {
      peer.certificates.push_back(certs_.der(name));
    }
    return testing::run_awaitable(ioc_, authn_.authenticate(req, peer));
  }

  const TestCertificates& certs_ = TestCertificates::get();
  boost::asio::io_context ioc_;
  fakes::FakeApiClient client_;
  core::ManualClock clock_{std::chrono::system_clock::now()};
  Authenticator authn_{&client_, clock_, 10s, without_waits()};
};

TEST_F(AuthenticatorTest, AnAllowedFrontProxyNamesTheUserInHeaders) {
  auto req = request({{"X-Remote-User", "bob"},
                      {"X-Remote-Group", "devs"},
                      {"X-Remote-Group", "system:masters"},
                      {"X-Remote-Extra-Acme.com%2Fproject", "p1"},
                      {"Authorization", "Bearer good"},
                      {"Accept", "application/json"}});
  const auto user = authenticate(req, {"front-proxy-client"});
  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ(user->name, "bob");
  EXPECT_EQ(user->groups,
            (std::vector<std::string>{"devs", "system:masters", "system:authenticated"}));
  EXPECT_EQ(user->extra.at("acme.com/project"), std::vector<std::string>{"p1"});
  EXPECT_TRUE(client_.sent.empty());  // the first user wins: no TokenReview
  // Only what the router may see is left.
  ASSERT_EQ(std::distance(req.begin(), req.end()), 1);
  EXPECT_EQ(req["Accept"], "application/json");
}

TEST_F(AuthenticatorTest, AFrontProxyThroughAnIntermediateIsTrusted) {
  auto req = request({{"X-Remote-User", "bob"}});
  const auto user = authenticate(req, {"front-proxy-via-mid", "proxy-mid"});
  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ(user->name, "bob");
}

TEST_F(AuthenticatorTest, ARogueProxyIsAnErrorNamingItsCommonName) {
  auto req = request({{"X-Remote-User", "admin"}});
  const auto user = authenticate(req, {"rogue"});
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code, 401);
  EXPECT_EQ(user.error().message, "x509: subject with cn=rogue is not in the allowed list");
}

TEST_F(AuthenticatorTest, AnEmptyAllowedListAcceptsAnyProxyName) {
  auto c = config();
  c.request_header->allowed_names.clear();
  ASSERT_TRUE(authn_.apply(c));
  auto req = request({{"X-Remote-User", "carol"}});
  const auto user = authenticate(req, {"rogue"});
  ASSERT_TRUE(user);
  EXPECT_EQ(user->name, "carol");
}

TEST_F(AuthenticatorTest, AClientCertificateNamesItsCommonNameAndOrganizations) {
  auto req = request({});
  const auto user = authenticate(req, {"alice"});
  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ(user->name, "alice");
  EXPECT_EQ(user->groups, (std::vector<std::string>{"dev", "ops", "system:authenticated"}));
  const auto& id = user->extra.at("authentication.kubernetes.io/credential-id");
  ASSERT_EQ(id.size(), 1u);
  EXPECT_EQ(id[0].rfind("X509SHA256=", 0), 0u);
  EXPECT_EQ(id[0].size(), std::string("X509SHA256=").size() + 64);
}

// Headers count only from a verified proxy: a client certificate's request keeps its own name.
TEST_F(AuthenticatorTest, HeadersBesideAClientCertificateAreIgnoredAndRemoved) {
  auto req = request({{"X-Remote-User", "admin"}, {"X-Remote-Group", "system:masters"}});
  const auto user = authenticate(req, {"alice"});
  ASSERT_TRUE(user);
  EXPECT_EQ(user->name, "alice");
  EXPECT_EQ(req.begin(), req.end());
}

TEST_F(AuthenticatorTest, HeadersWithoutACertificateAreAnonymous) {
  auto req = request({{"X-Remote-User", "admin"}, {"X-Remote-Group", "system:masters"}});
  const auto user = authenticate(req, {});
  ASSERT_TRUE(user);
  EXPECT_EQ(user->name, "system:anonymous");
  EXPECT_EQ(user->groups, std::vector<std::string>{"system:unauthenticated"});
  EXPECT_EQ(req.begin(), req.end());
}

TEST_F(AuthenticatorTest, AnUnverifiableCertificateIsAnErrorWhenNothingElseNamesAUser) {
  auto req = request({});
  EXPECT_FALSE(authenticate(req, {"server-only"}));
  // …but a valid bearer token still wins (upstream's union keeps going after an error).
  auto with_token = request({{"Authorization", "Bearer good"}});
  const auto user = authenticate(with_token, {"server-only"});
  ASSERT_TRUE(user);
  EXPECT_EQ(user->name, "sa");
}

TEST_F(AuthenticatorTest, ABearerTokenIsReviewedAndItsHeaderRemoved) {
  auto req = request({{"Authorization", "bEaReR good"}});
  const auto user = authenticate(req, {});
  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ(user->name, "sa");
  EXPECT_EQ(user->groups, (std::vector<std::string>{"g", "system:authenticated"}));
  EXPECT_EQ(req.find(net::http::field::authorization), req.end());
  ASSERT_EQ(client_.sent.size(), 1u);
}

TEST_F(AuthenticatorTest, ABadTokenIsAnError) {
  auto req = request({{"Authorization", "Bearer not-a-token"}});
  const auto user = authenticate(req, {});
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().message, "invalid bearer token");
}

TEST_F(AuthenticatorTest, OtherSchemesAndEmptyTokensAreNoOpinion) {
  for (const std::string value : {"Basic dXNlcjpwYXNz", "Bearer", "Bearer  good", ""}) {
    SCOPED_TRACE(value);
    auto req = request({{"Authorization", value}});
    const auto user = authenticate(req, {});
    ASSERT_TRUE(user);
    EXPECT_EQ(user->name, "system:anonymous");
  }
  EXPECT_TRUE(client_.sent.empty());
}

TEST_F(AuthenticatorTest, AGroupSystemAuthenticatedIsNotAddedTwice) {
  client_.answer = [](const auto&) {
    return token_review(
        R"({"authenticated":true,"user":{"username":"u","groups":["system:authenticated","x"]}})");
  };
  auto req = request({{"Authorization", "Bearer t"}});
  const auto user = authenticate(req, {});
  ASSERT_TRUE(user);
  EXPECT_EQ(user->groups, (std::vector<std::string>{"system:authenticated", "x"}));
}

// A kept-alive connection's chain is verified once: its verdict stands for a minute of the
// clock, even after the certificate expired, and is judged again after that.
TEST_F(AuthenticatorTest, AChainsVerdictIsMemoizedForAMinute) {
  auto req = request({});
  ASSERT_TRUE(authenticate(req, {"alice"}));
  clock_.set_system(std::chrono::system_clock::now() + std::chrono::hours(24 * 10));
  ASSERT_TRUE(authenticate(req, {"alice"}));
  clock_.advance(61s);
  EXPECT_FALSE(authenticate(req, {"alice"}));
}

TEST_F(AuthenticatorTest, ApplyingANewConfigurationJudgesChainsAgain) {
  auto req = request({{"X-Remote-User", "bob"}});
  ASSERT_TRUE(authenticate(req, {"front-proxy-client"}));
  auto c = config();
  c.request_header->client_ca = certs_.pem("ca");  // the front-proxy CA rotated away
  ASSERT_TRUE(authn_.apply(c));
  auto again = request({{"X-Remote-User", "bob"}});
  EXPECT_FALSE(authenticate(again, {"front-proxy-client"}));
}

TEST_F(AuthenticatorTest, ABadCaBundleIsRejectedAndTheOldConfigurationStays) {
  auto c = config();
  c.client_ca = "not PEM";
  const auto applied = authn_.apply(c);
  ASSERT_FALSE(applied);
  EXPECT_NE(applied.error().message.find("client-ca-file"), std::string::npos);
  auto req = request({});
  EXPECT_TRUE(authenticate(req, {"alice"}));
}

TEST_F(AuthenticatorTest, WithoutConfigurationEveryoneIsAnonymous) {
  Authenticator bare{nullptr, clock_, 10s};
  auto req = request({{"Authorization", "Bearer good"}});
  net::Peer peer{{certs_.der("alice")}};
  const auto user = testing::run_awaitable(ioc_, bare.authenticate(req, peer));
  ASSERT_TRUE(user);
  EXPECT_EQ(user->name, "system:anonymous");
}

TEST(UnauthorizedResponseTest, IsUpstreamsStatus) {
  const auto res = unauthorized_response();
  EXPECT_EQ(res.result_int(), 401u);
  EXPECT_EQ(res[net::http::field::content_type], "application/json");
  EXPECT_EQ(res.body(), R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                        R"("message":"Unauthorized","reason":"Unauthorized","code":401})");
}

}  // namespace
}  // namespace kscale::auth
