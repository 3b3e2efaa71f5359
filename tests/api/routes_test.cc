#include "api/routes.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/store_metrics_provider.h"
#include "kube/object_list_file.h"
#include "sources/push_routes.h"

namespace kscale::api {
namespace {

namespace http = net::http;
namespace json = boost::json;

// The whole API in-process: real store on a ManualClock, real providers, real router.
class RoutesTest : public ::testing::Test {
 protected:
  RoutesTest()
      : store_(clock_, store::StoreOptions{std::chrono::seconds(300)}),
        provider_(store_, cluster_),
        push_{store_, clock_, registry_.counter("w", "w"), registry_.counter("r", "r")},
        router_(&registry_) {
    install_metrics_api_routes(router_, provider_, provider_);
    sources::install_push_routes(router_, push_);
    install_health_routes(router_, info_, registry_);
  }

  net::Response request(http::verb verb, std::string target, std::string body = {},
                        std::string content_type = "application/json", std::string accept = {}) {
    net::Request req{verb, target, 11};
    if (!body.empty()) {
      req.set(http::field::content_type, content_type);
    }
    if (!accept.empty()) {
      req.set(http::field::accept, accept);
    }
    req.body() = std::move(body);
    return router_.dispatch(req);
  }
  net::Response get(std::string target) { return request(http::verb::get, std::move(target)); }
  json::value get_json(std::string target, int want = 200) {
    auto res = get(target);
    EXPECT_EQ(res.result_int(), want) << target << " → " << res.body();
    return json::parse(res.body());
  }
  void push(const std::string& path, const std::string& value) {
    auto res = request(http::verb::post, path, value);
    ASSERT_EQ(res.result_int(), 200) << path << " → " << res.body();
  }

  core::ManualClock clock_;
  store::SeriesStore store_;
  kube::EmptyClusterView cluster_;
  StoreMetricsProvider provider_;
  net::MetricsRegistry registry_;
  sources::PushContext push_;
  ServerInfo info_;
  net::Router router_;
};

constexpr const char* kP1 = "/apis/custom.metrics.k8s.io/v1beta1";
constexpr const char* kP2 = "/apis/custom.metrics.k8s.io/v1beta2";

TEST_F(RoutesTest, SeedPushIsReadBackInBothVersions) {
  push("/write-metrics/namespaces/default/pods/web-1/http_requests_qps", "\"512.30\"");
  push("/write-metrics/namespaces/default/pods/web-2/http_requests_qps", "\"30.00\"");
  const auto one = get_json(std::string(kP2) + "/namespaces/default/pods/web-1/http_requests_qps");
  EXPECT_EQ(one.at("items").as_array().size(), 1u);
  EXPECT_EQ(one.at("items").at(0).at("value"), "512300m");
  EXPECT_EQ(one.at("items").at(0).at("metric").at("name"), "http_requests_qps");
  for (const char* wildcard : {"*", "%2A"}) {
    const auto all =
        get_json(std::string(kP1) + "/namespaces/default/pods/" + wildcard + "/http_requests_qps");
    ASSERT_EQ(all.at("items").as_array().size(), 2u);
    EXPECT_EQ(all.at("apiVersion"), "custom.metrics.k8s.io/v1beta1");
    EXPECT_EQ(all.at("items").at(1).at("describedObject").at("name"), "web-2");
    EXPECT_EQ(all.at("items").at(1).at("metricName"), "http_requests_qps");
    EXPECT_EQ(all.at("items").at(1).at("value"), "30");
  }
}

TEST_F(RoutesTest, GroupQualifiedAndSingularResources) {
  push("/write-metrics/namespaces/default/deployments.apps/web/queue_length", "42");
  const auto v =
      get_json(std::string(kP2) + "/namespaces/default/deployment.apps/web/queue_length");
  EXPECT_EQ(v.at("items").at(0).at("describedObject").at("kind"), "Deployment");
  EXPECT_EQ(v.at("items").at(0).at("describedObject").at("apiVersion"), "apps/v1");
  push("/write-metrics/namespaces/default/pod/p1/m", "1");
  EXPECT_EQ(
      get_json(std::string(kP2) + "/namespaces/default/pods/p1/m").at("items").as_array().size(),
      1u);
}

TEST_F(RoutesTest, RootScopedAndNamespaceMetrics) {
  push("/write-metrics/nodes/n1/node_load?windowSeconds=60", "250m");
  const auto node = get_json(std::string(kP1) + "/nodes/*/node_load");
  EXPECT_EQ(node.at("items").at(0).at("window"), 60);
  EXPECT_FALSE(node.at("items").at(0).at("describedObject").as_object().contains("namespace"));
  push("/write-metrics/namespaces/default/pod_count", "4");
  const auto ns = get_json(std::string(kP2) + "/namespaces/default/metrics/pod_count");
  EXPECT_EQ(ns.at("items").at(0).at("describedObject").at("kind"), "Namespace");
  EXPECT_EQ(ns.at("items").at(0).at("describedObject").at("name"), "default");
  // The 3-segment namespaces form is not a valid read (custom-metrics-apiserver PR #141).
  EXPECT_EQ(get_json(std::string(kP2) + "/namespaces/default/pod_count", 400).at("message"),
            "invalid request path");
}

TEST_F(RoutesTest, MetricLabelSelectorFiltersAndIsEchoed) {
  push("/write-metrics/namespaces/default/pods/p1/http_requests?labels=method=GET", "1.5");
  push("/write-metrics/namespaces/default/pods/p2/http_requests?labels=method=POST", "2");
  const auto v =
      get_json(std::string(kP1) +
               "/namespaces/default/pods/*/http_requests?metricLabelSelector=method%3DGET");
  ASSERT_EQ(v.at("items").as_array().size(), 1u);
  EXPECT_EQ(v.at("items").at(0).at("describedObject").at("name"), "p1");
  EXPECT_EQ(v.at("items").at(0).at("selector"), json::parse(R"({"matchLabels":{"method":"GET"}})"));
  const auto v2 =
      get_json(std::string(kP2) +
                   "/namespaces/default/pods/p2/http_requests?metricLabelSelector=method%3DGET",
               404);
  EXPECT_EQ(
      v2.at("message"),
      "the server could not find the metric http_requests for pods p2 with selector method=GET");
}

TEST_F(RoutesTest, NotFoundAndEmptyFollowTheRecommendedBehaviour) {
  push("/write-metrics/namespaces/default/pods/p1/http_requests", "1");
  EXPECT_EQ(
      get_json(std::string(kP2) + "/namespaces/default/pods/p4/http_requests", 404).at("message"),
      "the server could not find the metric http_requests for pods p4");
  EXPECT_EQ(get_json(std::string(kP2) + "/namespaces/default/pods/*/nope", 404).at("message"),
            "the server could not find the metric nope for pods");
  EXPECT_TRUE(get_json(std::string(kP2) + "/namespaces/other/pods/*/http_requests")
                  .at("items")
                  .as_array()
                  .empty());
  EXPECT_EQ(get(std::string(kP2) + "/namespaces/default/pods/p1").result_int(), 404);
  EXPECT_EQ(
      get("/apis/custom.metrics.k8s.io/v9/namespaces/default/pods/p1/http_requests").result_int(),
      404);
}

TEST_F(RoutesTest, BadSelectorsAre400) {
  push("/write-metrics/namespaces/default/pods/p1/http_requests", "1");
  EXPECT_EQ(get(std::string(kP2) +
                "/namespaces/default/pods/*/http_requests?labelSelector=tier+in+%28frontend")
                .result_int(),
            400);
  EXPECT_EQ(
      get(std::string(kP2) + "/namespaces/default/pods/*/http_requests?metricLabelSelector=%3D%3D")
          .result_int(),
      400);
  EXPECT_EQ(get(std::string(kP2) +
                "/namespaces/default/pods/p1/http_requests?fieldSelector=metadata.name%3Dp2")
                .result_int(),
            400);
}

TEST_F(RoutesTest, ExternalMetricsSelectByLabels) {
  push("/write-external-metrics/namespaces/default/queue_depth?labels=env=prod,queue=orders", "30");
  push("/write-external-metrics/namespaces/default/queue_depth?labels=env=staging,queue=orders",
       "5");
  push("/write-external-metrics/namespaces/default/queue_depth?labels=env=prod,queue=billing", "7");
  const auto v = get_json(
      "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth?labelSelector=queue%3Dorders");
  ASSERT_EQ(v.at("items").as_array().size(), 2u);
  EXPECT_EQ(v.at("kind"), "ExternalMetricValueList");
  EXPECT_EQ(get_json("/apis/external.metrics.k8s.io/v1beta1/namespaces/default/missing", 404)
                .at("reason"),
            "NotFound");
  EXPECT_EQ(get("/apis/external.metrics.k8s.io/v1beta1/queue_depth").result_int(), 404);
}

TEST_F(RoutesTest, StaleValuesAreNotServed) {
  push("/write-metrics/namespaces/default/pods/p1/http_requests", "1");
  clock_.advance(std::chrono::seconds(299));
  EXPECT_EQ(get(std::string(kP2) + "/namespaces/default/pods/p1/http_requests").result_int(), 200);
  clock_.advance(std::chrono::seconds(2));
  EXPECT_EQ(get(std::string(kP2) + "/namespaces/default/pods/p1/http_requests").result_int(), 404);
}

TEST_F(RoutesTest, DiscoveryListsEveryMetricWithData) {
  push("/write-metrics/namespaces/default/pods/p1/http_requests", "1");
  push("/write-metrics/nodes/n1/node_load", "1");
  push("/write-external-metrics/namespaces/default/queue_depth", "1");
  for (const char* p : {kP1, kP2}) {
    const auto v = get_json(p);
    EXPECT_EQ(v.at("groupVersion").as_string(),
              std::string_view(std::string("custom.metrics.k8s.io/") +
                               (p == kP1 ? "v1beta1" : "v1beta2")));
    const auto& r = v.at("resources").as_array();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].at("name"), "nodes/node_load");
    EXPECT_EQ(r[0].at("namespaced"), false);
    EXPECT_EQ(r[1].at("name"), "pods/http_requests");
  }
  EXPECT_EQ(get_json("/apis/external.metrics.k8s.io/v1beta1").at("resources").at(0).at("name"),
            "queue_depth");
  EXPECT_EQ(get_json("/apis/custom.metrics.k8s.io/").at("kind"), "APIGroup");
  EXPECT_EQ(get_json("/apis").at("kind"), "APIGroupList");
}

TEST_F(RoutesTest, AggregatedDiscoveryAcceptIs406AndProtobufWithFallbackIsJson) {
  EXPECT_EQ(request(http::verb::get, "/apis", {}, {},
                    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList")
                .result_int(),
            406);
  EXPECT_EQ(request(http::verb::get, kP1, {}, {}, "application/vnd.kubernetes.protobuf, */*")
                .result_int(),
            200);
  EXPECT_EQ(request(http::verb::get, kP1, {}, {}, "text/html").result_int(), 406);
}

TEST_F(RoutesTest, BadWritesAreRejectedAndChangeNothing) {
  push("/write-metrics/namespaces/default/pods/p1/m", "7");
  struct Case {
    const char* name;
    http::verb verb;
    const char* path;
    const char* body;
    const char* content_type;
    int code;
  };
  const Case cases[] = {
      {"invalid pod name", http::verb::post, "/write-metrics/namespaces/default/pods/P_1/m", "1",
       "application/json", 400},
      {"invalid namespace", http::verb::post, "/write-metrics/namespaces/Default/pods/p1/m", "1",
       "application/json", 400},
      {"NaN", http::verb::post, "/write-metrics/namespaces/default/pods/p1/m", "\"NaN\"",
       "application/json", 400},
      {"Inf", http::verb::post, "/write-metrics/namespaces/default/pods/p1/m", "+Inf",
       "application/json", 400},
      {"garbage", http::verb::post, "/write-metrics/namespaces/default/pods/p1/m", "lots",
       "application/json", 400},
      {"out of range", http::verb::post, "/write-metrics/namespaces/default/pods/p1/m", "1e20",
       "application/json", 400},
      {"bad labels", http::verb::post, "/write-metrics/namespaces/default/pods/p1/m?labels=a", "1",
       "application/json", 400},
      {"namespaced without ns", http::verb::post, "/write-metrics/pods/p1/m", "1",
       "application/json", 400},
      {"wrong content type", http::verb::post, "/write-metrics/namespaces/default/pods/p1/m", "1",
       "application/xml", 415},
      {"wrong method", http::verb::put, "/write-metrics/namespaces/default/pods/p1/m", "1",
       "application/json", 405},
      {"unknown path", http::verb::post, "/write-metrics/namespaces/default/pods/p1", "1",
       "application/json", 404},
      {"truncated batch", http::verb::post, "/write-metrics",
       R"({"kind":"MetricValueList","items":[)", "application/json", 400},
      {"batch with one bad item", http::verb::post, "/write-metrics",
       R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","items":[
          {"describedObject":{"kind":"Pod","namespace":"default","name":"p1","apiVersion":"v1"},"metric":{"name":"m"},"value":"1"},
          {"describedObject":{"kind":"Pod","namespace":"default","name":"p2","apiVersion":"v1"},"metric":{"name":"m"},"value":"x"}]})",
       "application/json", 400},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto res = request(c.verb, c.path, c.body, c.content_type);
    EXPECT_EQ(res.result_int(), c.code) << res.body();
    const auto status = json::parse(res.body());
    EXPECT_EQ(status.at("kind"), "Status");
    EXPECT_EQ(status.at("code"), c.code);
    EXPECT_FALSE(status.at("message").as_string().empty());
  }
  const auto v = get_json(std::string(kP2) + "/namespaces/default/pods/*/m");
  ASSERT_EQ(v.at("items").as_array().size(), 1u);
  EXPECT_EQ(v.at("items").at(0).at("value"), "7");
}

TEST_F(RoutesTest, BatchWriteStoresEveryItemAndAnswersWithThem) {
  auto res =
      request(http::verb::post, "/write-metrics",
              R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta1","items":[
                       {"describedObject":{"kind":"Pod","namespace":"default","name":"p1","apiVersion":"v1"},"metricName":"m","value":"1"},
                       {"describedObject":{"kind":"Pod","namespace":"default","name":"p2","apiVersion":"v1"},"metricName":"m","value":"2"}]})");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(json::parse(res.body()).at("items").as_array().size(), 2u);
  EXPECT_EQ(
      get_json(std::string(kP1) + "/namespaces/default/pods/*/m").at("items").as_array().size(),
      2u);
}

// One row per route of the table: a request that reaches it and the answer it must give, with the
// data it reads already pushed. The test walks router_.routes(), so a route without a row fails, and
// so does a row whose route is gone.
TEST_F(RoutesTest, EveryRouteAnswers) {
  push("/write-metrics/namespaces/default/pods/p1/m", "1");
  push("/write-metrics/nodes/n1/m", "2");
  push("/write-metrics/namespaces/default/m", "3");  // the Namespace's own metric
  push("/write-external-metrics/namespaces/default/q", "4");
  struct Row {
    http::verb verb;
    std::string route;   // the path template as registered
    std::string target;  // a request that reaches it
    std::string body;
    std::string kind;     // of the JSON document answered; empty for a text answer
    std::string pointer;  // a JSON pointer into the document, or text the text answer contains
    json::value at;       // the value at `pointer` (JSON answers only)
  };
  const std::string c = "/apis/custom.metrics.k8s.io";
  const std::string e = "/apis/external.metrics.k8s.io";
  const std::string custom_batch =
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","items":[{"describedObject":)"
      R"({"kind":"Pod","namespace":"default","name":"p2","apiVersion":"v1"},"metric":{"name":"m"},"value":"5"}]})";
  const std::string external_batch =
      R"({"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","items":[)"
      R"({"metricName":"q","metricLabels":{"queue":"orders"},"value":"6"}]})";
  const auto get = http::verb::get;
  const auto post = http::verb::post;
  const std::vector<Row> rows = {
      {get, "/apis", "/apis", "", "APIGroupList", "/groups/0/name", "custom.metrics.k8s.io"},
      {get, c, c, "", "APIGroup", "/name", "custom.metrics.k8s.io"},
      {get, e, e, "", "APIGroup", "/name", "external.metrics.k8s.io"},
      {get, c + "/{version}", c + "/v1beta2", "", "APIResourceList", "/groupVersion",
       "custom.metrics.k8s.io/v1beta2"},
      {get, e + "/v1beta1", e + "/v1beta1", "", "APIResourceList", "/resources/0/name", "q"},
      {get, c + "/{version}/namespaces/{namespace}/metrics/{metric}",
       c + "/v1beta2/namespaces/default/metrics/m", "", "MetricValueList",
       "/items/0/describedObject/kind", "Namespace"},
      {get, c + "/{version}/namespaces/{namespace}/{resource}/{name}/{metric}",
       c + "/v1beta2/namespaces/default/pods/p1/m", "", "MetricValueList", "/items/0/value", "1"},
      {get, c + "/{version}/{resource}/{name}/{metric}", c + "/v1beta1/nodes/n1/m", "",
       "MetricValueList", "/items/0/value", "2"},
      {get, e + "/v1beta1/namespaces/{namespace}/{metric}", e + "/v1beta1/namespaces/default/q", "",
       "ExternalMetricValueList", "/items/0/value", "4"},
      {post, "/write-metrics", "/write-metrics", custom_batch, "MetricValueList",
       "/items/0/describedObject/name", "p2"},
      {post, "/write-metrics/namespaces/{namespace}/{resource}/{name}/{metric}",
       "/write-metrics/namespaces/default/pods/p3/m", "7", "MetricValueList",
       "/items/0/describedObject/name", "p3"},
      {post, "/write-metrics/{resource}/{name}/{metric}", "/write-metrics/nodes/n2/m", "8",
       "MetricValueList", "/items/0/describedObject/name", "n2"},
      {post, "/write-external-metrics/namespaces/{namespace}",
       "/write-external-metrics/namespaces/default", external_batch, "ExternalMetricValueList",
       "/items/0/metricLabels/queue", "orders"},
      {post, "/write-external-metrics/namespaces/{namespace}/{metric}",
       "/write-external-metrics/namespaces/default/r", "9", "ExternalMetricValueList",
       "/items/0/metricName", "r"},
      {get, "/healthz", "/healthz", "", "", "ok", nullptr},
      {get, "/healthz/{check}", "/healthz/ping", "", "", "ok", nullptr},
      {get, "/livez", "/livez", "", "", "ok", nullptr},
      {get, "/livez/{check}", "/livez/store", "", "", "ok", nullptr},
      {get, "/readyz", "/readyz", "", "", "ok", nullptr},
      {get, "/readyz/{check}", "/readyz/ping", "", "", "ok", nullptr},
      {get, "/version", "/version", "", "", "\"gitVersion\"", nullptr},
      {get, "/metrics", "/metrics", "", "", "# TYPE kscale_http_requests_total counter", nullptr},
  };
  const auto routes = router_.routes();
  for (const auto& row : rows) {
    EXPECT_NE(std::find(routes.begin(), routes.end(), std::pair{row.verb, row.route}), routes.end())
        << "no route " << row.route;
  }
  for (const auto& [verb, path] : routes) {
    SCOPED_TRACE(path);
    const auto row = std::find_if(rows.begin(), rows.end(),
                                  [&](const Row& r) { return r.verb == verb && r.route == path; });
    if (row == rows.end()) {
      ADD_FAILURE() << "route without a row in this test";
      continue;
    }
    const auto res = request(verb, row->target, row->body);
    ASSERT_EQ(res.result_int(), 200) << row->target << " → " << res.body();
    if (row->kind.empty()) {
      EXPECT_NE(res.body().find(row->pointer), std::string::npos) << res.body();
      continue;
    }
    EXPECT_EQ(res[http::field::content_type], "application/json");
    const auto doc = json::parse(res.body());
    EXPECT_EQ(doc.at("kind"), row->kind.c_str());
    boost::system::error_code ec;
    const auto* at = doc.find_pointer(row->pointer, ec);
    ASSERT_NE(at, nullptr) << row->pointer << " in " << res.body();
    EXPECT_EQ(*at, row->at) << row->pointer;
  }
}

TEST_F(RoutesTest, HealthAndMetricsEndpoints) {
  for (const char* p : {"/healthz", "/livez", "/readyz"}) {
    auto res = get(p);
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), "ok");
  }
  EXPECT_EQ(get("/openapi/v2").result_int(), 404);
  get(std::string(kP1));
  EXPECT_NE(get("/metrics").body().find("kscale_http_requests_total"), std::string::npos);
  EXPECT_EQ(get_json("/version").at("gitVersion").as_string(), std::string_view(info_.git_version));
}

// labelSelector selects objects through the cluster view (an --objects List file).
TEST(RoutesObjectSelectorTest, LabelSelectorUsesObjectLabels) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("kscale-objects-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: p1, namespace: default, labels: {app: web, tier: frontend}}
- apiVersion: v1
  kind: Pod
  metadata: {name: p2, namespace: default, labels: {app: web, tier: backend}}
- apiVersion: v1
  kind: Pod
  metadata: {name: p3, namespace: default, labels: {app: db, tier: backend}}
)";
  core::ManualClock clock;
  store::SeriesStore store(clock, store::StoreOptions{});
  auto cluster = kube::ObjectListFile::open(path, clock);
  ASSERT_TRUE(cluster) << cluster.error().message;
  StoreMetricsProvider provider(store, **cluster);
  std::vector<store::CustomPoint> points;
  for (const char* p : {"p1", "p2", "p3", "p4"}) {
    points.push_back({{{"pods", ""}, "default", p, "http_requests", {}},
                      {clock.system_now(), core::Quantity::from_int(1), {}}});
  }
  store.put_custom(std::move(points));
  MetricQuery q{*core::resolve_resource("pods"),        "default", std::nullopt, "http_requests",
                *core::LabelSelector::parse("app=web"), {}};
  auto items = provider.get_metric_by_selector(q);
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].name, "p1");
  EXPECT_EQ((*items)[1].name, "p2");
  q.object_selector = *core::LabelSelector::parse("tier in (backend),app!=web");
  EXPECT_EQ(provider.get_metric_by_selector(q)->size(), 1u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace kscale::api
