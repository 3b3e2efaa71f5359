#include "kube/metric_value_list.h"

#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/time_format.h"

namespace kscale::kube {
namespace {

const core::SystemTime kTs = *core::parse_rfc3339("2024-05-01T12:00:00Z");

struct Decoded {
  std::string kind, api_version, ns, name, metric;
  core::Labels selector;
  std::optional<core::SystemTime> timestamp;
  std::optional<std::chrono::seconds> window;
  std::string value;
};

core::Result<std::vector<Decoded>> decode_all(std::string_view body) {
  std::vector<Decoded> out;
  auto r = decode_metric_value_list(body, [&](MetricValueItem& i) -> core::Result<void> {
    out.push_back(Decoded{std::string(i.described_kind), std::string(i.described_api_version),
                          std::string(i.described_namespace), std::string(i.described_name),
                          std::string(i.metric), i.selector, i.timestamp, i.window,
                          i.value.to_string()});
    return {};
  });
  if (!r) {
    return core::fail(r.error());
  }
  return out;
}

// What the read API encodes, the decoder reads back, in both versions.
TEST(MetricValueListTest, EncodedListsDecodeToTheSameValues) {
  const std::vector<CustomMetricValue> items = {
      {*core::resolve_resource("pods"), "default", "web-1", "qps", kTs, std::chrono::seconds(30),
       *core::Quantity::parse("1500m")},
      {*core::resolve_resource("deployments.apps"), "default", "web", "queue", kTs, std::nullopt,
       *core::Quantity::parse("2k")},
      {*core::resolve_resource("nodes"), "", "n1", "load", kTs, std::nullopt,
       *core::Quantity::parse("64Mi")}};
  const auto selector = boost::json::parse(R"({"matchLabels":{"method":"GET"}})");
  for (const auto version : {CustomVersion::V1Beta1, CustomVersion::V1Beta2}) {
    SCOPED_TRACE(std::string(version_name(version)));
    auto decoded = decode_all(encode_metric_value_list(version, items, selector));
    ASSERT_TRUE(decoded) << decoded.error().message;
    ASSERT_EQ(decoded->size(), items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      const auto& d = (*decoded)[i];
      EXPECT_EQ(d.kind, items[i].object.kind);
      EXPECT_EQ(d.api_version, items[i].object.api_version);
      EXPECT_EQ(d.ns, items[i].namespace_name);
      EXPECT_EQ(d.name, items[i].name);
      EXPECT_EQ(d.metric, items[i].metric);
      EXPECT_EQ(d.selector, (core::Labels{{"method", "GET"}}));
      EXPECT_EQ(d.timestamp, kTs);
      EXPECT_EQ(d.window, items[i].window);
      EXPECT_EQ(d.value, items[i].value.to_string());
    }
  }
}

TEST(MetricValueListTest, ExternalListsRoundTrip) {
  const std::vector<ExternalMetricValue> items = {
      {"queue_depth",
       {{"queue", "orders"}},
       kTs,
       std::chrono::seconds(60),
       *core::Quantity::parse("30")},
      {"queue_depth", {}, kTs, std::nullopt, *core::Quantity::parse("250m")}};
  std::vector<ExternalMetricValue> back;
  auto r = decode_external_metric_value_list(
      encode_external_metric_value_list(items),
      [&](ExternalMetricValueItem& i) -> core::Result<void> {
        back.push_back({std::string(i.metric), i.labels, *i.timestamp, i.window, i.value});
        return {};
      });
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].labels.at("queue"), "orders");
  EXPECT_EQ(back[0].window, std::chrono::seconds(60));
  EXPECT_EQ(back[1].value.milli_value(), 250);
  EXPECT_FALSE(back[1].window);
}

TEST(MetricValueListTest, ItemsOfAParsedListFollowTheGivenVersion) {
  const auto list = boost::json::parse(R"({"items":[
    {"describedObject":{"kind":"Pod","name":"p"},"metricName":"qps","window":60,"value":"311m"}]})");
  std::vector<std::optional<std::chrono::seconds>> windows;
  auto r = decode_metric_value_items(list, CustomVersion::V1Beta1,
                                     [&](MetricValueItem& i) -> core::Result<void> {
                                       windows.push_back(i.window);
                                       EXPECT_EQ(i.version, CustomVersion::V1Beta1);
                                       EXPECT_FALSE(i.timestamp);
                                       return {};
                                     });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(windows, (std::vector<std::optional<std::chrono::seconds>>{std::chrono::seconds(60)}));
  // The v1beta2 reading of the same item misses metric.name.
  auto v2 = decode_metric_value_items(list, CustomVersion::V1Beta2,
                                      [](MetricValueItem&) -> core::Result<void> { return {}; });
  ASSERT_FALSE(v2);
  EXPECT_EQ(v2.error().message, "items[0]: metric: required");
  EXPECT_TRUE(decode_metric_value_items(boost::json::parse("{}"), CustomVersion::V1Beta2,
                                        [](MetricValueItem&) -> core::Result<void> { return {}; }));
  EXPECT_EQ(custom_list_version("custom.metrics.k8s.io/v1beta1"), CustomVersion::V1Beta1);
  EXPECT_FALSE(custom_list_version("external.metrics.k8s.io/v1beta1"));
}

TEST(MetricValueListTest, ASinkErrorIsReportedForItsItem) {
  const std::string body =
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","items":[
    {"describedObject":{"kind":"Pod","name":"a"},"metric":{"name":"m"},"value":"1"},
    {"describedObject":{"kind":"Pod","name":"b"},"metric":{"name":"m"},"value":"2"}]})";
  int calls = 0;
  auto r = decode_metric_value_list(body, [&](MetricValueItem& i) -> core::Result<void> {
    ++calls;
    if (i.described_name == "b") {
      return core::fail(core::Error::bad_request("no b"));
    }
    return {};
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "items[1]: no b");
  EXPECT_EQ(calls, 2);
}

TEST(MetricValueListTest, QuantitiesAsUpstreamReadsThem) {
  EXPECT_EQ(decode_quantity(boost::json::value(512.3))->to_string(), "512300m");
  EXPECT_EQ(decode_quantity(boost::json::value(" 1500m "))->milli_value(), 1500);
  EXPECT_EQ(decode_quantity(boost::json::value(int64_t{7}))->to_string(), "7");
  EXPECT_FALSE(decode_quantity(boost::json::value(true)));
  EXPECT_FALSE(decode_quantity_text("NaN"));
  EXPECT_NE(decode_quantity_text("1e400").error().message.find("out of range"), std::string::npos);
}

}  // namespace
}  // namespace kscale::kube
