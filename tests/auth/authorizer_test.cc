#include "auth/authorizer.h"

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "fakes/fake_api_client.h"
#include "support/run_awaitable.h"

namespace kscale::auth {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kP = "/apis/custom.metrics.k8s.io/v1beta2";
constexpr std::string_view kSarTarget =
    "/apis/authorization.k8s.io/v1/subjectaccessreviews?timeout=10s";

net::Response review_answer(bool allowed, std::string_view reason = "", bool denied = false) {
  std::string body =
      R"({"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","status":{"allowed":)";
  body += allowed ? "true" : "false";
  if (denied) {
    body += R"(,"denied":true)";
  }
  if (!reason.empty()) {
    body += R"(,"reason":")" + std::string(reason) + "\"";
  }
  body += "}}";
  return net::json_response(std::move(body), net::http::status::created);
}

UserInfo bob() { return UserInfo{"bob", "", {"system:authenticated"}, {}}; }

UserInfo hpa() {
  return UserInfo{
      "system:serviceaccount:kube-system:horizontal-pod-autoscaler",
      "7d8e-uid",
      {"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"},
      {{"authentication.kubernetes.io/credential-id", {"JTI=abc"}}}};
}

net::Request request(net::http::verb verb, std::string target) {
  net::Request req{verb, target, 11};
  return req;
}

class AuthorizerTest : public ::testing::Test {
 protected:
  AuthorizerTest() {
    options.webhook.sleep = [this](std::chrono::nanoseconds d) -> boost::asio::awaitable<void> {
      waits.push_back(d);
      co_return;
    };
    options.webhook.random = [] { return 0.0; };
    client.answer = [](const auto&) { return review_answer(true); };
  }

  Authorizer& authorizer() {
    if (!authorizer_) {
      auto a = Authorizer::create(options, &client, clock);
      EXPECT_TRUE(a);
      authorizer_ = std::move(*a);
    }
    return *authorizer_;
  }

  std::optional<net::Response> check(std::string target, const UserInfo& user,
                                     net::http::verb verb = net::http::verb::get) {
    const auto req = request(verb, std::move(target));
    return testing::run_awaitable(ioc, authorizer().check(req, user));
  }

  boost::asio::io_context ioc;
  fakes::FakeApiClient client;
  core::ManualClock clock;
  AuthorizerOptions options;
  std::vector<std::chrono::nanoseconds> waits;
  std::unique_ptr<Authorizer> authorizer_;
};

TEST_F(AuthorizerTest, SystemMastersIsAllowedWithoutAReview) {
  const UserInfo admin{"kscale-admin", "", {"system:masters", "system:authenticated"}, {}};
  EXPECT_FALSE(check(std::string(kP) + "/namespaces/default/pods/*/m", admin));
  EXPECT_FALSE(check("/apis", admin));
  EXPECT_TRUE(client.sent.empty());
}

TEST_F(AuthorizerTest, DefaultAlwaysAllowPathsSkipTheReview) {
  const UserInfo anonymous{"system:anonymous", "", {"system:unauthenticated"}, {}};
  for (const auto* path : {"/healthz", "/readyz", "/livez", "/readyz?verbose"}) {
    SCOPED_TRACE(path);
    EXPECT_FALSE(check(path, anonymous));
  }
  EXPECT_TRUE(client.sent.empty());
  client.answer = [](const auto&) { return review_answer(false); };
  for (const auto* path : {"/healthz/etcd", "/healthz/", "/livez2"}) {
    SCOPED_TRACE(path);
    auto res = check(path, anonymous);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 403);
  }
  EXPECT_EQ(client.sent.size(), 3u);
}

TEST_F(AuthorizerTest, AlwaysAllowPathsMatchExactlyOrByTrailingStarPrefix) {
  options.always_allow_paths = {"debug/*", "/metrics", "/"};
  client.answer = [](const auto&) { return review_answer(false); };
  EXPECT_FALSE(check("/debug/pprof/heap", bob()));
  EXPECT_FALSE(check("/metrics", bob()));
  EXPECT_FALSE(check("/", bob()));
  EXPECT_TRUE(client.sent.empty());
  EXPECT_TRUE(check("/debug", bob()));
  EXPECT_TRUE(check("/metrics/extra", bob()));
  EXPECT_TRUE(check("/healthz", bob()));
  // Resource requests are never matched by path.
  options.always_allow_paths = {"/apis/*"};
  authorizer_.reset();
  EXPECT_TRUE(check(std::string(kP) + "/namespaces/default/metrics/foo", bob()));
  EXPECT_EQ(client.sent.size(), 4u);
}

TEST_F(AuthorizerTest, AStarBeforeTheEndOfAnAllowedPathIsRejected) {
  options.always_allow_paths = {"/a*b"};
  auto a = Authorizer::create(options, &client, clock);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message, "only trailing * allowed in \"a*b\"");
}

TEST_F(AuthorizerTest, SendsTheResourceReviewByteForByte) {
  EXPECT_FALSE(check(std::string(kP) +
                         "/namespaces/default/pods/%2A/http_requests_qps?labelSelector=app%3Dweb",
                     hpa()));
  ASSERT_EQ(client.sent.size(), 1u);
  EXPECT_EQ(client.sent[0].verb, net::http::verb::post);
  EXPECT_EQ(client.sent[0].target, kSarTarget);
  EXPECT_EQ(
      client.sent[0].body,
      R"({"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{},"spec":{)"
      R"("resourceAttributes":{"namespace":"default","verb":"get","group":"custom.metrics.k8s.io","version":"v1beta2","resource":"pods","subresource":"http_requests_qps","name":"*"},)"
      R"("user":"system:serviceaccount:kube-system:horizontal-pod-autoscaler",)"
      R"("groups":["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"],)"
      R"("extra":{"authentication.kubernetes.io/credential-id":["JTI=abc"]},"uid":"7d8e-uid"},"status":{"allowed":false}})");
}

TEST_F(AuthorizerTest, SendsTheNonResourceReviewByteForByte) {
  const UserInfo anonymous{"system:anonymous", "", {"system:unauthenticated"}, {}};
  EXPECT_FALSE(check(std::string(kP), anonymous));
  ASSERT_EQ(client.sent.size(), 1u);
  EXPECT_EQ(
      client.sent[0].body,
      R"({"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{},"spec":{)"
      R"("nonResourceAttributes":{"path":"/apis/custom.metrics.k8s.io/v1beta2","verb":"get"},)"
      R"("user":"system:anonymous","groups":["system:unauthenticated"]},"status":{"allowed":false}})");
}

// Upstream: webhook.go labelSelectorToAuthorizationAPI / fieldSelectorToAuthorizationAPI.
TEST_F(AuthorizerTest, MapsSelectorRequirementsIntoTheReview) {
  const UserInfo user{"u", "", {}, {}};
  EXPECT_FALSE(check(
      "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth?labelSelector="
      "queue%3Dorders,b%3D%3Dx,c+in+(z,y),d!%3Dv,e+notin+(w),f,!g,h%3E5,i%3C3&fieldSelector=spec.x!%3D1,metadata.namespace%3D%3Ddefault",
      user));
  ASSERT_EQ(client.sent.size(), 1u);
  EXPECT_EQ(
      client.sent[0].body,
      R"({"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{},"spec":{)"
      R"("resourceAttributes":{"namespace":"default","verb":"list","group":"external.metrics.k8s.io","version":"v1beta1","resource":"queue_depth",)"
      R"("fieldSelector":{"requirements":[{"key":"metadata.namespace","operator":"In","values":["default"]},{"key":"spec.x","operator":"NotIn","values":["1"]}]},)"
      R"("labelSelector":{"requirements":[{"key":"b","operator":"In","values":["x"]},{"key":"c","operator":"In","values":["y","z"]},)"
      R"({"key":"d","operator":"NotIn","values":["v"]},{"key":"e","operator":"NotIn","values":["w"]},{"key":"f","operator":"Exists"},)"
      R"({"key":"g","operator":"DoesNotExist"},{"key":"queue","operator":"In","values":["orders"]}]}},)"
      R"("user":"u"},"status":{"allowed":false}})");
}

TEST_F(AuthorizerTest, CachesAllowedAndDeniedReviewsForTheirTtl) {
  options.authorized_ttl = 10s;
  options.unauthorized_ttl = 3s;
  const std::string allowed_target = std::string(kP) + "/namespaces/default/pods/*/m";
  const std::string denied_target = std::string(kP) + "/namespaces/other/pods/*/m";
  client.answer = [](const fakes::FakeApiClient::Sent& s) {
    return review_answer(s.body.find("\"other\"") == std::string::npos);
  };
  EXPECT_FALSE(check(allowed_target, bob()));
  EXPECT_TRUE(check(denied_target, bob()));
  EXPECT_EQ(client.sent.size(), 2u);
  EXPECT_FALSE(check(allowed_target, bob()));
  EXPECT_TRUE(check(denied_target, bob()));
  EXPECT_EQ(client.sent.size(), 2u);
  clock.advance(3s);
  EXPECT_TRUE(check(denied_target, bob()));  // still cached: expiry is "after" the TTL
  EXPECT_EQ(client.sent.size(), 2u);
  clock.advance(1ns);
  EXPECT_TRUE(check(denied_target, bob()));
  EXPECT_EQ(client.sent.size(), 3u);
  clock.advance(7s);
  EXPECT_FALSE(check(allowed_target, bob()));
  EXPECT_EQ(client.sent.size(), 4u);
  // Another user is another spec, another entry.
  EXPECT_FALSE(check(allowed_target, UserInfo{"alice", "", {}, {}}));
  EXPECT_EQ(client.sent.size(), 5u);
}

TEST_F(AuthorizerTest, FailedReviewsAreNotCached) {
  client.answer = [](const auto&) {
    return core::Result<net::Response>(
        core::fail(core::Error::unavailable("connect: Connection refused")));
  };
  EXPECT_TRUE(check("/apis", bob()));
  client.answer = [](const auto&) { return review_answer(true); };
  EXPECT_FALSE(check("/apis", bob()));
  EXPECT_EQ(client.sent.size(), 2u);
}

// Upstream: webhook.go shouldCache — namespace, verb, group, version, resource, subresource,
// name and path total fewer than 10,000 bytes.
TEST_F(AuthorizerTest, DoesNotCacheWhenTheAttributesTotal10000BytesOrMore) {
  // "/apis/g/v/namespaces/ns/r/" (26) + name, then ns (2) + verb (3) + g, v, r (3) + name.
  const auto target_with_total = [](size_t total) {
    const size_t name = (total - 26 - 8) / 2;
    return "/apis/g/v/namespaces/ns/r/" + std::string(name, 'n');
  };
  EXPECT_FALSE(check(target_with_total(9'998), bob()));
  EXPECT_FALSE(check(target_with_total(9'998), bob()));
  EXPECT_EQ(client.sent.size(), 1u);
  EXPECT_FALSE(check(target_with_total(10'000), bob()));
  EXPECT_FALSE(check(target_with_total(10'000), bob()));
  EXPECT_EQ(client.sent.size(), 3u);
}

struct ForbiddenCase {
  std::string name;
  std::string target;
  UserInfo user;
  std::string reason;
  std::string json;
};

TEST_F(AuthorizerTest, AnswersForbiddenWithUpstreamsStatus) {
  const std::string p(kP);
  const UserInfo anonymous{"system:anonymous", "", {"system:unauthenticated"}, {}};
  const std::vector<ForbiddenCase> cases = {
      {"namespaced", p + "/namespaces/default/pods/*/http_requests_qps", bob(), "",
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods.custom.metrics.k8s.io \"*\" is forbidden: User \"bob\" cannot get resource \"pods/http_requests_qps\" in API group \"custom.metrics.k8s.io\" in the namespace \"default\"","reason":"Forbidden","details":{"name":"*","group":"custom.metrics.k8s.io","kind":"pods"},"code":403})"},
      {"cluster scope", p + "/nodes/n1/node_load", bob(), "",
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"nodes.custom.metrics.k8s.io \"n1\" is forbidden: User \"bob\" cannot get resource \"nodes/node_load\" in API group \"custom.metrics.k8s.io\" at the cluster scope","reason":"Forbidden","details":{"name":"n1","group":"custom.metrics.k8s.io","kind":"nodes"},"code":403})"},
      {"no name", "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth", bob(), "",
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"queue_depth.external.metrics.k8s.io is forbidden: User \"bob\" cannot list resource \"queue_depth\" in API group \"external.metrics.k8s.io\" in the namespace \"default\"","reason":"Forbidden","details":{"group":"external.metrics.k8s.io","kind":"queue_depth"},"code":403})"},
      {"non-resource", p, anonymous, "",
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \"system:anonymous\" cannot get path \"/apis/custom.metrics.k8s.io/v1beta2\"","reason":"Forbidden","details":{},"code":403})"},
      {"with the review's reason", "/api/v1/namespaces/ns/pods/p", bob(), "no RBAC policy matched",
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p\" is forbidden: User \"bob\" cannot get resource \"pods\" in API group \"\" in the namespace \"ns\": no RBAC policy matched","reason":"Forbidden","details":{"name":"p","kind":"pods"},"code":403})"},
      {"html escaped, quoted", "/x%3Cy%3E&z", UserInfo{"a\"<&>", "", {}, {}}, "<r>",
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \"a\\\"&lt;&amp;&gt;\" cannot get path \"/x&lt;y&gt;&amp;z\": <r>","reason":"Forbidden","details":{},"code":403})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    client.answer = [&](const auto&) { return review_answer(false, c.reason); };
    auto res = check(c.target, c.user);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 403);
    EXPECT_EQ((*res)[net::http::field::content_type], "application/json");
    EXPECT_EQ((*res)["X-Content-Type-Options"], "nosniff");
    EXPECT_EQ(res->body(), c.json);
  }
}

TEST_F(AuthorizerTest, AnExplicitDenyIsForbiddenAndAllowPlusDenyIsAnError) {
  client.answer = [](const auto&) { return review_answer(false, "denied by policy", true); };
  auto res = check("/apis", bob());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 403);
  EXPECT_NE(res->body().find("cannot get path \\\"/apis\\\": denied by policy"), std::string::npos);
  client.answer = [](const auto&) { return review_answer(true, "", true); };
  res = check("/api", bob());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 500);
  EXPECT_EQ(res->body(),
            "Internal Server Error: \"/api\": webhook subject access review returned both allow "
            "and deny response\n");
}

TEST_F(AuthorizerTest, AFailedReviewIsAnInternalErrorNamingTheRequestUri) {
  client.answer = [](const auto&) {
    return core::Result<net::Response>(core::fail(core::Error::unavailable(
        "POST https://10.0.0.1:443/apis/authorization.k8s.io/v1/subjectaccessreviews?timeout=10s: connect: Connection refused")));
  };
  auto res = check(std::string(kP) + "/namespaces/default/pods/*/m?labelSelector=a%3Cb", bob());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 500);
  EXPECT_EQ((*res)[net::http::field::content_type], "text/plain; charset=utf-8");
  EXPECT_EQ((*res)["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(
      res->body(),
      "Internal Server Error: \"/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/m?labelSelector=a%3Cb\": "
      "POST https://10.0.0.1:443/apis/authorization.k8s.io/v1/subjectaccessreviews?timeout=10s: connect: Connection refused\n");
  EXPECT_EQ(client.sent.size(), 1u);  // connection refused is not retried
}

TEST_F(AuthorizerTest, RetriesAReviewThenDecides) {
  int calls = 0;
  client.answer = [&](const auto&) {
    return ++calls < 4 ? net::text_response("", net::http::status::internal_server_error)
                       : review_answer(true);
  };
  EXPECT_FALSE(check("/apis", bob()));
  EXPECT_EQ(client.sent.size(), 4u);
  const std::vector<std::chrono::nanoseconds> expected{500ms, 750ms, 1125ms};
  EXPECT_EQ(waits, expected);
}

TEST_F(AuthorizerTest, WithoutAClientOnlyGroupsAndPathsAllow) {
  auto a = Authorizer::create(options, nullptr, clock);
  ASSERT_TRUE(a);
  const auto req = request(net::http::verb::get, "/apis");
  auto res = testing::run_awaitable(ioc, (*a)->check(req, bob()));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 403);
  const auto health = request(net::http::verb::get, "/healthz");
  EXPECT_FALSE(testing::run_awaitable(ioc, (*a)->check(health, bob())));
}

TEST_F(AuthorizerTest, PushAuthorizationReviewsACreateOnTheMetricsResource) {
  const std::string push = "/write-metrics/namespaces/default/pods/p1/http_requests_qps";
  EXPECT_FALSE(check(push, bob(), net::http::verb::post));
  ASSERT_EQ(client.sent.size(), 1u);
  EXPECT_NE(
      client.sent[0].body.find(
          R"("nonResourceAttributes":{"path":"/write-metrics/namespaces/default/pods/p1/http_requests_qps","verb":"post"})"),
      std::string::npos);
  options.push_authorization = true;
  authorizer_.reset();
  client.answer = [](const auto&) { return review_answer(false); };
  auto res = check(push, bob(), net::http::verb::post);
  ASSERT_EQ(client.sent.size(), 2u);
  EXPECT_NE(
      client.sent[1].body.find(
          R"("resourceAttributes":{"namespace":"default","verb":"create","group":"custom.metrics.k8s.io","resource":"pods","subresource":"http_requests_qps","name":"p1"})"),
      std::string::npos);
  ASSERT_TRUE(res);
  EXPECT_NE(
      res->body().find(
          R"(pods.custom.metrics.k8s.io \"p1\" is forbidden: User \"bob\" cannot create resource \"pods/http_requests_qps\" in API group \"custom.metrics.k8s.io\" in the namespace \"default\")"),
      std::string::npos);
}

TEST_F(AuthorizerTest, ABadPathEscapeIsABadRequest) {
  auto res = check("/apis/g/v/pods/%zz", bob());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 400);
  EXPECT_TRUE(client.sent.empty());
}

}  // namespace
}  // namespace kscale::auth
