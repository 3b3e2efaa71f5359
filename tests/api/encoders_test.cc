#include "api/encoders.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/time_format.h"

namespace kscale::api {
namespace {

CustomMetricValue pod_value(std::string name, const char* value,
                            std::optional<std::chrono::seconds> window = {}) {
  return CustomMetricValue{*core::resolve_resource("pods"),
                           "default",
                           std::move(name),
                           "http_requests",
                           *core::parse_rfc3339("2024-05-01T12:00:00Z"),
                           window,
                           *core::Quantity::parse(value)};
}

// Expected documents transcribed from metrics-api.md §11 (worked pairs 1, 2 and 8), with
// apiVersion "v1" for core objects (§4.3).
TEST(EncodersTest, V1Beta2MetricValueListIsByteExact) {
  const std::string doc = encode_metric_value_list(
      CustomVersion::V1Beta2, {pod_value("p1", "1500m"), pod_value("p2", "2")}, nullptr);
  EXPECT_EQ(
      doc,
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","metadata":{},"items":[)"
      R"({"describedObject":{"kind":"Pod","namespace":"default","name":"p1","apiVersion":"v1"},)"
      R"("metric":{"name":"http_requests","selector":null},"timestamp":"2024-05-01T12:00:00Z","value":"1500m"},)"
      R"({"describedObject":{"kind":"Pod","namespace":"default","name":"p2","apiVersion":"v1"},)"
      R"("metric":{"name":"http_requests","selector":null},"timestamp":"2024-05-01T12:00:00Z","value":"2"}]})");
}

TEST(EncodersTest, V1Beta1UsesMetricNameSelectorAndWindow) {
  const auto echo = boost::json::parse(R"({"matchLabels":{"method":"GET"}})");
  const std::string doc = encode_metric_value_list(
      CustomVersion::V1Beta1, {pod_value("p1", "1500m", std::chrono::seconds(60))}, echo);
  EXPECT_EQ(
      doc,
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta1","metadata":{},"items":[)"
      R"({"describedObject":{"kind":"Pod","namespace":"default","name":"p1","apiVersion":"v1"},)"
      R"("metricName":"http_requests","timestamp":"2024-05-01T12:00:00Z","window":60,"value":"1500m",)"
      R"("selector":{"matchLabels":{"method":"GET"}}}]})");
}

TEST(EncodersTest, V1Beta2WindowIsWindowSeconds) {
  const auto v = boost::json::parse(encode_metric_value_list(
      CustomVersion::V1Beta2, {pod_value("p1", "1", std::chrono::seconds(30))}, nullptr));
  EXPECT_EQ(v.at("items").at(0).at("windowSeconds"), 30);
  EXPECT_FALSE(v.at("items").at(0).as_object().contains("window"));
}

TEST(EncodersTest, RootScopedObjectsHaveNoNamespace) {
  CustomMetricValue v{*core::resolve_resource("nodes"),
                      "",
                      "n1",
                      "node_load",
                      *core::parse_rfc3339("2024-05-01T12:00:00Z"),
                      std::chrono::seconds(60),
                      *core::Quantity::parse("250m")};
  const auto doc =
      boost::json::parse(encode_metric_value_list(CustomVersion::V1Beta1, {v}, nullptr));
  const auto& obj = doc.at("items").at(0).at("describedObject").as_object();
  EXPECT_EQ(obj.at("kind"), "Node");
  EXPECT_FALSE(obj.contains("namespace"));
}

TEST(EncodersTest, EmptyListIsArrayNotNull) {
  const auto doc =
      boost::json::parse(encode_metric_value_list(CustomVersion::V1Beta2, {}, nullptr));
  EXPECT_TRUE(doc.at("items").is_array());
  EXPECT_TRUE(doc.at("items").as_array().empty());
}

TEST(EncodersTest, ExternalMetricValueListIsByteExact) {
  const auto ts = *core::parse_rfc3339("2024-05-01T12:00:00Z");
  const std::string doc =
      encode_external_metric_value_list({ExternalMetricValue{"queue_depth",
                                                             {{"env", "prod"}, {"queue", "orders"}},
                                                             ts,
                                                             {},
                                                             *core::Quantity::parse("30")},
                                         ExternalMetricValue{"queue_depth",
                                                             {},
                                                             ts,
                                                             std::chrono::seconds(60),
                                                             *core::Quantity::parse("5")}});
  EXPECT_EQ(
      doc,
      R"({"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":[)"
      R"({"metricName":"queue_depth","metricLabels":{"env":"prod","queue":"orders"},"timestamp":"2024-05-01T12:00:00Z","value":"30"},)"
      R"({"metricName":"queue_depth","metricLabels":{},"timestamp":"2024-05-01T12:00:00Z","window":60,"value":"5"}]})");
}

TEST(EncodersTest, ResourceListNamesGroupResourceSlashMetric) {
  const auto doc = boost::json::parse(encode_custom_resource_list(
      CustomVersion::V1Beta1, {CustomMetricInfo{{"pods", ""}, "http_requests", true},
                               CustomMetricInfo{{"deployments", "apps"}, "queue_length", true},
                               CustomMetricInfo{{"nodes", ""}, "node_load", false}}));
  EXPECT_EQ(doc.at("kind"), "APIResourceList");
  EXPECT_EQ(doc.at("groupVersion"), "custom.metrics.k8s.io/v1beta1");
  const auto& r = doc.at("resources").as_array();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(
      r[0],
      boost::json::parse(
          R"({"name":"pods/http_requests","singularName":"","namespaced":true,"kind":"MetricValueList","verbs":["get"]})"));
  EXPECT_EQ(r[1].at("name"), "deployments.apps/queue_length");
  EXPECT_EQ(r[2].at("namespaced"), false);
}

TEST(EncodersTest, ResourceListIsNeverEmpty) {
  const auto custom = boost::json::parse(encode_custom_resource_list(CustomVersion::V1Beta2, {}));
  EXPECT_EQ(custom.at("resources").as_array().size(), 1u);
  const auto external = boost::json::parse(encode_external_resource_list({}));
  EXPECT_EQ(external.at("resources").at(0).at("kind"), "ExternalMetricValueList");
  EXPECT_EQ(external.at("resources").at(0).at("namespaced"), true);
}

TEST(EncodersTest, GroupDocumentsListBothCustomVersions) {
  const auto group = boost::json::parse(encode_custom_api_group());
  EXPECT_EQ(group.at("kind"), "APIGroup");
  EXPECT_EQ(group.at("name"), "custom.metrics.k8s.io");
  EXPECT_EQ(group.at("versions").as_array().size(), 2u);
  const auto list = boost::json::parse(encode_api_group_list());
  EXPECT_EQ(list.at("groups").as_array().size(), 2u);
  EXPECT_EQ(list.at("groups").at(1).at("preferredVersion").at("groupVersion"),
            "external.metrics.k8s.io/v1beta1");
}

// The encoder builds its document in an arena and formats each distinct second once; check it
// against a plain Boost.JSON rendering of the same items (the encoder as first written), over
// items with and without namespace and window, timestamps that repeat, differ by less than a
// second, go backwards, and enough items to outgrow the arena's first buffer.
boost::json::object reference_item(CustomVersion version, const CustomMetricValue& v,
                                   const boost::json::value& selector) {
  boost::json::object described;
  described["kind"] = v.object.kind;
  if (!v.namespace_name.empty()) {
    described["namespace"] = v.namespace_name;
  }
  described["name"] = v.name;
  described["apiVersion"] = v.object.api_version;
  boost::json::object o;
  o["describedObject"] = std::move(described);
  if (version == CustomVersion::V1Beta1) {
    o["metricName"] = v.metric;
  } else {
    o["metric"] = boost::json::object{{"name", v.metric}, {"selector", selector}};
  }
  o["timestamp"] = core::format_rfc3339(v.timestamp);
  if (v.window) {
    o[version == CustomVersion::V1Beta1 ? "window" : "windowSeconds"] = v.window->count();
  }
  o["value"] = v.value.to_string();
  if (version == CustomVersion::V1Beta1) {
    o["selector"] = selector;
  }
  return o;
}

TEST(EncodersTest, MatchesAPlainRenderingForManyVariedItems) {
  const auto t0 = *core::parse_rfc3339("2024-05-01T12:00:00Z");
  const std::chrono::nanoseconds steps[] = {
      std::chrono::nanoseconds{0}, std::chrono::milliseconds{300}, std::chrono::milliseconds{999},
      std::chrono::seconds{1},     -std::chrono::seconds{3600},    std::chrono::hours{24 * 40}};
  std::vector<CustomMetricValue> items;
  for (int i = 0; i < 4000; ++i) {
    CustomMetricValue v = pod_value(
        "web-" + std::to_string(i), (std::to_string(i) + "m").c_str(),
        i % 3 == 0 ? std::optional<std::chrono::seconds>{std::chrono::seconds{i}} : std::nullopt);
    if (i % 5 == 0) {
      v.object = *core::resolve_resource("nodes");
      v.namespace_name.clear();
    }
    v.timestamp = t0 + std::chrono::duration_cast<core::SystemTime::duration>(steps[(i / 7) % 6]);
    items.push_back(std::move(v));
  }
  const boost::json::value selectors[] = {
      nullptr, boost::json::parse(R"({"matchLabels":{"method":"GET"}})")};
  for (const auto version : {CustomVersion::V1Beta1, CustomVersion::V1Beta2}) {
    for (const auto& selector : selectors) {
      for (const size_t n : {size_t{1}, size_t{37}, items.size()}) {
        SCOPED_TRACE(n);
        const std::vector<CustomMetricValue> some(items.begin(),
                                                  items.begin() + static_cast<long>(n));
        boost::json::array arr;
        for (const auto& v : some) {
          arr.push_back(reference_item(version, v, selector));
        }
        boost::json::object doc;
        doc["kind"] = "MetricValueList";
        doc["apiVersion"] =
            std::string("custom.metrics.k8s.io/") + std::string(version_name(version));
        doc["metadata"] = boost::json::object();
        doc["items"] = std::move(arr);
        EXPECT_EQ(encode_metric_value_list(version, some, selector), boost::json::serialize(doc));
      }
    }
  }
}

TEST(EncodersTest, RefsEncodeTheSameBytesAsValues) {
  const std::vector<CustomMetricValue> items = {pod_value("p1", "1500m", std::chrono::seconds{30}),
                                                pod_value("p2", "2")};
  std::vector<CustomMetricValueRef> refs;
  for (const auto& v : items) {
    refs.push_back(
        {&v.object, v.namespace_name, v.name, v.metric, v.timestamp, v.window, &v.value});
  }
  EXPECT_EQ(encode_metric_value_list_refs(CustomVersion::V1Beta2, refs, nullptr),
            encode_metric_value_list(CustomVersion::V1Beta2, items, nullptr));
  EXPECT_EQ(
      encode_metric_value_list_refs(CustomVersion::V1Beta1, {}, nullptr),
      encode_metric_value_list(CustomVersion::V1Beta1, std::vector<CustomMetricValue>{}, nullptr));
}

}  // namespace
}  // namespace kscale::api
