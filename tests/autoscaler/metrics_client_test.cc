#include "autoscaler/metrics_client.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "autoscaler/control_loop.h"

namespace kscale::autoscaler {
namespace {

hpa::MetricSpec pods_metric(std::string name, boost::json::value selector = nullptr) {
  hpa::MetricSpec m;
  m.type = hpa::MetricSourceType::Pods;
  m.type_name = "Pods";
  m.metric = {std::move(name), std::move(selector)};
  m.target = {hpa::MetricTargetType::AverageValue, "AverageValue", std::nullopt, 30000,
              std::nullopt};
  return m;
}

// The paths of metrics-api.md §5.2, as the controller's clients build them.
TEST(MetricsClientTest, RequestTargetsAsTheHpaControllerSendsThem) {
  auto pods = metric_request_target(pods_metric("http_requests_qps"), "default", "app=httpserver",
                                    "v1beta2");
  ASSERT_TRUE(pods) << pods.error().message;
  EXPECT_EQ(
      *pods,
      "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/%2A/http_requests_qps?labelSelector=app%3Dhttpserver");

  // Re-serialised canonically (key-sorted, no spaces) and query-escaped; metricLabelSelector after labelSelector.
  auto with_metric_selector = metric_request_target(
      pods_metric("http_requests", boost::json::parse(R"({"matchLabels":{"method":"GET"}})")),
      "web", "tier in (web), app = web", "v1beta1");
  ASSERT_TRUE(with_metric_selector) << with_metric_selector.error().message;
  EXPECT_EQ(*with_metric_selector,
            "/apis/custom.metrics.k8s.io/v1beta1/namespaces/web/pods/%2A/http_requests"
            "?labelSelector=app%3Dweb%2Ctier+in+%28web%29&metricLabelSelector=method%3DGET");

  hpa::MetricSpec object = pods_metric("queue_length");
  object.type = hpa::MetricSourceType::Object;
  object.described_object = {"Deployment", "worker", "apps/v1"};
  EXPECT_EQ(
      *metric_request_target(object, "default", "app=x", "v1beta2"),
      "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/deployments.apps/worker/queue_length");
  object.described_object = {"Namespace", "ignored", "v1"};
  EXPECT_EQ(*metric_request_target(object, "default", "", "v1beta2"),
            "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/metrics/queue_length");

  hpa::MetricSpec external =
      pods_metric("queue_depth", boost::json::parse(R"({"matchLabels":{"queue":"orders"}})"));
  external.type = hpa::MetricSourceType::External;
  EXPECT_EQ(
      *metric_request_target(external, "default", "app=x", "v1beta2"),
      "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth?labelSelector=queue%3Dorders");

  hpa::MetricSpec cpu;
  cpu.type = hpa::MetricSourceType::Resource;
  EXPECT_FALSE(metric_request_target(cpu, "default", "", "v1beta2"));
}

TEST(MetricsClientTest, DecodesBothVersionsWithMilliValueSemantics) {
  auto v2 = decode_metric_list(
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","metadata":{},
    "items":[{"describedObject":{"kind":"Pod","namespace":"default","name":"web-1","apiVersion":"/v1"},
              "metric":{"name":"qps","selector":null},"timestamp":"2024-12-10T14:04:50Z","windowSeconds":30,"value":"30500m"},
             {"describedObject":{"kind":"Pod","namespace":"default","name":"web-2","apiVersion":"/v1"},
              "metric":{"name":"qps","selector":null},"timestamp":"2024-12-10T14:04:50Z","value":"33333n"}]})",
      false, false);
  ASSERT_TRUE(v2) << v2.error().message;
  ASSERT_EQ(v2->values.size(), 2u);
  EXPECT_EQ(v2->values[0].described_name, "web-1");
  EXPECT_EQ(v2->values[0].value_milli, 30500);
  EXPECT_EQ(v2->values[0].window, std::chrono::seconds(30));
  EXPECT_EQ(v2->values[1].value_milli, 1);  // MilliValue rounds up
  EXPECT_FALSE(v2->values[1].window);

  auto v1 = decode_metric_list(
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta1","metadata":{},
    "items":[{"describedObject":{"kind":"Pod","name":"p"},"metricName":"qps","timestamp":"2026-02-07T00:47:28Z","window":60,"value":"311m","selector":null}]})",
      false, false);
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->values[0].value_milli, 311);
  EXPECT_EQ(v1->values[0].window, std::chrono::seconds(60));

  auto ext = decode_metric_list(
      R"({"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},
    "items":[{"metricName":"q","metricLabels":{"queue":"a"},"timestamp":"2026-05-04T12:25:38Z","value":"2k"}]})",
      true, false);
  ASSERT_TRUE(ext);
  EXPECT_EQ(ext->external_values[0].value_milli, 2'000'000);
  EXPECT_EQ(ext->external_values[0].labels.at("queue"), "a");

  auto two = decode_metric_list(
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","items":[]})",
      false, true);
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().message,
            "the custom metrics API server returned 0 results when we asked for exactly one");
  EXPECT_FALSE(decode_metric_list(R"({"items":[]})", false, false));
}

TEST(MetricsClientTest, ErrorsAsClientGoReportsThem) {
  EXPECT_EQ(response_error(404,
                           R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                              "message":"the server could not find the metric qps for pods","reason":"NotFound","code":404})",
                           "get pods.custom.metrics.k8s.io *"),
            "the server could not find the metric qps for pods");
  EXPECT_EQ(
      response_error(503, "oops", "get pods.custom.metrics.k8s.io *"),
      "the server is currently unable to handle the request (get pods.custom.metrics.k8s.io *)");
}

TEST(ControlLoopTest, KubectlColumns) {
  hpa::HorizontalPodAutoscaler h;
  h.spec.metrics.push_back(pods_metric("qps"));
  EXPECT_EQ(format_targets(h), "<unknown>/30");
  hpa::MetricStatus st;
  st.type = hpa::MetricSourceType::Pods;
  st.type_name = "Pods";
  st.current.average_value_milli = 30500;
  h.status.current_metrics = std::vector<hpa::MetricStatus>{st};
  EXPECT_EQ(format_targets(h), "30500m/30");
  EXPECT_EQ(human_duration(std::chrono::seconds(45)), "45s");
  EXPECT_EQ(human_duration(std::chrono::seconds(150)), "2m30s");
  EXPECT_EQ(human_duration(std::chrono::seconds(720)), "12m");
  EXPECT_EQ(query_escape("a b=c,d(e)"), "a+b%3Dc%2Cd%28e%29");
}

}  // namespace
}  // namespace kscale::autoscaler
