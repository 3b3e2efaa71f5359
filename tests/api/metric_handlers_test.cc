#include "api/metric_handlers.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/routes.h"
#include "fakes/fake_metrics_provider.h"

namespace kscale::api {
namespace {

namespace http = net::http;

net::Response get(const net::Router& router, std::string target) {
  return router.dispatch(net::Request{http::verb::get, target, 11});
}

TEST(MetricHandlersTest, DecodesTheHpaRequestIntoOneProviderCall) {
  fakes::FakeMetricsProvider provider;
  net::Router router;
  install_metrics_api_routes(router, provider, provider);
  auto res =
      get(router,
          "/apis/custom.metrics.k8s.io/v1beta2/namespaces/demo/pods/%2A/http_requests_per_second"
          "?labelSelector=app%3Dexpress&metricLabelSelector=method+in+%28GET%29");
  EXPECT_EQ(res.result_int(), 200) << res.body();
  ASSERT_EQ(provider.queries.size(), 1u);
  const MetricQuery& q = provider.queries[0];
  EXPECT_EQ(q.resource.group_resource.to_string(), "pods");
  EXPECT_EQ(q.namespace_name, "demo");
  EXPECT_FALSE(q.name.has_value());
  EXPECT_EQ(q.metric, "http_requests_per_second");
  EXPECT_EQ(q.object_selector.to_string(), "app=express");
  EXPECT_EQ(q.metric_selector.to_string(), "method in (GET)");
}

TEST(MetricHandlersTest, RootScopedResourcesIgnoreNamespace) {
  fakes::FakeMetricsProvider provider;
  net::Router router;
  install_metrics_api_routes(router, provider, provider);
  get(router, "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/nodes/n1/load");
  ASSERT_EQ(provider.queries.size(), 1u);
  EXPECT_EQ(provider.queries[0].namespace_name, "");
}

TEST(MetricHandlersTest, BackendFailureIs500Status) {
  fakes::FakeMetricsProvider provider;
  provider.custom_answer = core::fail(core::Error::internal("unable to fetch metrics"));
  provider.external_answer = core::fail(core::Error::internal("unable to fetch metrics"));
  net::Router router;
  install_metrics_api_routes(router, provider, provider);
  for (const char* path : {"/apis/custom.metrics.k8s.io/v1beta2/namespaces/d/pods/*/m",
                           "/apis/external.metrics.k8s.io/v1beta1/namespaces/d/m"}) {
    SCOPED_TRACE(path);
    auto res = get(router, path);
    EXPECT_EQ(res.result_int(), 500);
    const auto v = boost::json::parse(res.body());
    EXPECT_EQ(v.at("reason"), "InternalError");
    EXPECT_EQ(v.at("message"), "unable to fetch metrics");
  }
}

TEST(MetricHandlersTest, DiscoveryStillAnswersWhenTheBackendFails) {
  fakes::FakeMetricsProvider provider;
  provider.custom_answer = core::fail(core::Error::internal("down"));
  net::Router router;
  install_metrics_api_routes(router, provider, provider);
  EXPECT_EQ(get(router, "/apis/custom.metrics.k8s.io/v1beta1").result_int(), 200);
}

}  // namespace
}  // namespace kscale::api
