#include "net/router.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace kscale::net {
namespace {

Request get(std::string target, http::verb verb = http::verb::get) {
  Request req{verb, target, 11};
  return req;
}

Router echo_router() {
  Router r;
  r.add(http::verb::get,
        "/apis/{group}/{version}/namespaces/{namespace}/{resource}/{name}/{metric}",
        [](const RequestContext& ctx) -> core::Result<Response> {
          return text_response(std::string(ctx.params.get("name")) + "|" +
                               std::string(ctx.params.get("metric")) + "|" +
                               std::string(ctx.query.get("labelSelector").value_or("")));
        });
  r.add(http::verb::post, "/write/{rest...}",
        [](const RequestContext& ctx) -> core::Result<Response> {
          return text_response(std::string(ctx.params.get("rest")));
        });
  r.add(http::verb::get, "/fails", [](const RequestContext&) -> core::Result<Response> {
    return core::fail(core::Error::metric_not_found_for("pods", "m", "p1"));
  });
  r.add(http::verb::get, "/throws",
        [](const RequestContext&) -> core::Result<Response> { throw std::runtime_error("boom"); });
  return r;
}

boost::json::value body_json(const Response& res) { return boost::json::parse(res.body()); }

TEST(RouterTest, MatchesTemplatesAndPercentDecodesSegments) {
  const Router r = echo_router();
  auto res = r.dispatch(
      get("/apis/g/v1/namespaces/default/pods/%2A/http_requests?labelSelector=app%3Dweb"));
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "*|http_requests|app=web");
}

TEST(RouterTest, TrailingSlashIsIgnored) {
  const Router r = echo_router();
  EXPECT_EQ(r.dispatch(get("/apis/g/v1/namespaces/default/pods/p1/m/")).result(), http::status::ok);
}

TEST(RouterTest, UnknownPathIs404Status) {
  const Router r = echo_router();
  auto res = r.dispatch(get("/apis/g/v1/namespaces/default/pods/p1"));
  EXPECT_EQ(res.result(), http::status::not_found);
  const auto v = body_json(res);
  EXPECT_EQ(v.at("kind"), "Status");
  EXPECT_EQ(v.at("reason"), "NotFound");
  EXPECT_EQ(v.at("message"), "the server could not find the requested resource");
}

TEST(RouterTest, WrongMethodIs405Status) {
  const Router r = echo_router();
  auto res = r.dispatch(get("/apis/g/v1/namespaces/default/pods/p1/m", http::verb::delete_));
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(body_json(res).at("reason"), "MethodNotAllowed");
}

TEST(RouterTest, HeadIsAnsweredByGetRoute) {
  const Router r = echo_router();
  EXPECT_EQ(r.dispatch(get("/apis/g/v1/namespaces/default/pods/p1/m", http::verb::head)).result(),
            http::status::ok);
}

TEST(RouterTest, RestParameterCapturesRemainingPath) {
  const Router r = echo_router();
  EXPECT_EQ(r.dispatch(get("/write/a/b/c", http::verb::post)).body(), "a/b/c");
}

TEST(RouterTest, HandlerErrorBecomesStatusWithItsCode) {
  const Router r = echo_router();
  auto res = r.dispatch(get("/fails"));
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(body_json(res).at("message"), "the server could not find the metric m for pods p1");
  EXPECT_EQ(res[http::field::content_type], "application/json");
}

TEST(RouterTest, HandlerExceptionBecomes500AndServerGoesOn) {
  const Router r = echo_router();
  EXPECT_EQ(r.dispatch(get("/throws")).result_int(), 500);
  EXPECT_EQ(r.dispatch(get("/fails")).result_int(), 404);
}

TEST(RouterTest, MalformedPathEscapeIs400) {
  const Router r = echo_router();
  EXPECT_EQ(r.dispatch(get("/apis/g/v1/namespaces/default/pods/%zz/m")).result_int(), 400);
}

TEST(RouterTest, CountsRequestsPerRouteAndClass) {
  MetricsRegistry registry;
  Router r(&registry);
  r.add(http::verb::get, "/x",
        [](const RequestContext&) -> core::Result<Response> { return text_response("ok"); });
  r.dispatch(get("/x"));
  r.dispatch(get("/x"));
  const std::string text = registry.serialize();
  EXPECT_NE(text.find("kscale_http_requests_total{code=\"2xx\",route=\"/x\"} 2"), std::string::npos)
      << text;
  EXPECT_NE(text.find("kscale_http_request_duration_seconds_count{route=\"/x\"} 2"),
            std::string::npos)
      << text;
}

TEST(AcceptsJsonTest, FollowsContentNegotiationRules) {
  struct Case {
    const char* accept;
    bool json;
  };
  const Case cases[] = {
      {"", true},
      {"*/*", true},
      {"application/json", true},
      {"application/vnd.kubernetes.protobuf, */*", true},
      {"application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
       true},
      {"application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList", false},
      {"text/html", false},
      {"application/vnd.kubernetes.protobuf", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.accept);
    EXPECT_EQ(accepts_json(c.accept), c.json);
  }
}

}  // namespace
}  // namespace kscale::net
