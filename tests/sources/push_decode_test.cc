#include "sources/push_decode.h"

#include <gtest/gtest.h>

#include "core/object_names.h"
#include "core/time_format.h"

namespace kscale::sources {
namespace {

const core::SystemTime kNow = *core::parse_rfc3339("2024-05-01T12:00:00Z");

TEST(PushDecodeTest, AcceptsTheSeedsJsonStringNumberAndBareQuantity) {
  struct Case {
    const char* body;
    int64_t milli;
  };
  const Case cases[] = {
      {"\"512.30\"", 512300}, {"512.3", 512300},    {"512.30", 512300}, {"1500m", 1500},
      {"2k", 2000000},        {" \"30\"\n", 30000}, {"\"0\"", 0},       {"1e3", 1000000},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    auto q = decode_value_body(c.body);
    ASSERT_TRUE(q) << q.error().message;
    EXPECT_EQ(q->milli_value(), c.milli);
  }
}

// A JSON number keeps the form it was written in, as upstream's Quantity.UnmarshalJSON parses
// the number's text: 512.3 reads back as 512300m (not 512300e-3), 1500 as 1500.
TEST(PushDecodeTest, JsonNumbersKeepTheirWrittenForm) {
  const std::pair<const char*, const char*> cases[] = {
      {"512.3", "512300m"}, {"0.5", "500m"}, {"1500", "1500"},
      {"-2", "-2"},         {"0.001", "1m"}, {"123456789", "123456789"},
  };
  for (const auto& [body, text] : cases) {
    SCOPED_TRACE(body);
    auto q = decode_value_body(body);
    ASSERT_TRUE(q) << q.error().message;
    EXPECT_EQ(q->to_string(), text);
    // The same number as a batch item's value.
    const std::string batch =
        std::string(
            R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta1","items":[)") +
        R"({"describedObject":{"kind":"Pod","namespace":"default","name":"p","apiVersion":"v1"},)" +
        R"("metricName":"m","value":)" + body + "}]}";
    auto points = decode_metric_value_list(batch, kNow);
    ASSERT_TRUE(points) << points.error().message;
    ASSERT_EQ(points->size(), 1u);
    EXPECT_EQ((*points)[0].sample.value.to_string(), text);
  }
}

// Plain JSON strings skip the JSON parser; anything else must still go through it, with the same
// answers as before.
TEST(PushDecodeTest, JsonStringBodiesWithEscapesOrOddTextAreParsedAsJson) {
  EXPECT_EQ(decode_value_body(R"("\u0035")")->milli_value(), 5000);
  EXPECT_EQ(decode_value_body(R"("51\u0032.30")")->milli_value(), 512300);
  EXPECT_EQ(decode_value_body(" \"  7 \" ")->milli_value(), 7000);
  for (const char* body : {R"("")", R"(")", R"("5" "6")", R"("a\"b")", "\"5\t\"", R"("5\")"}) {
    SCOPED_TRACE(body);
    auto q = decode_value_body(body);
    ASSERT_FALSE(q);
    EXPECT_EQ(q.error().code, 400);
  }
  EXPECT_NE(decode_value_body(R"("5" "6")").error().message.find("not valid JSON"),
            std::string::npos);
}

TEST(PushDecodeTest, RejectsInvalidValuesWithAClearMessage) {
  for (const char* body : {"", "NaN", "\"NaN\"", "+Inf", "Inf", "abc", "\"12 apples\"", "[1]", "{}",
                           "1e400", "\"unterminated"}) {
    SCOPED_TRACE(body);
    auto q = decode_value_body(body);
    ASSERT_FALSE(q);
    EXPECT_EQ(q.error().code, 400);
  }
  EXPECT_NE(decode_value_body("1e400").error().message.find("out of range"), std::string::npos);
  EXPECT_NE(decode_value_body("abc").error().message.find("512.30"), std::string::npos);
}

TEST(PushDecodeTest, LabelsParamReadsPairsAndValidates) {
  auto l = decode_labels_param("method=GET, code = 200");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->at("method"), "GET");
  EXPECT_EQ(l->at("code"), "200");
  EXPECT_FALSE(decode_labels_param("method"));
  EXPECT_FALSE(decode_labels_param("bad key=1"));
  EXPECT_FALSE(decode_labels_param("k=-bad-"));
}

TEST(PushDecodeTest, NamesFollowKubernetesRules) {
  EXPECT_TRUE(core::validate_object_name("web-7d9f8-abcde"));
  EXPECT_FALSE(core::validate_object_name("Web_1"));
  EXPECT_FALSE(core::validate_object_name("*"));
  EXPECT_TRUE(core::validate_namespace("default"));
  EXPECT_FALSE(core::validate_namespace("a.b"));
  EXPECT_TRUE(core::validate_metric_name("http_requests_qps"));
  EXPECT_FALSE(core::validate_metric_name("qps per pod"));
  EXPECT_FALSE(core::validate_metric_name(""));
}

TEST(PushDecodeTest, DecodesV1Beta2BatchWithLabelsTimestampAndWindow) {
  auto points = decode_metric_value_list(
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","metadata":{},"items":[
    {"describedObject":{"kind":"Pod","namespace":"default","name":"p1","apiVersion":"v1"},
     "metric":{"name":"http_requests","selector":{"matchLabels":{"method":"GET"}}},
     "timestamp":"2024-05-01T11:59:00Z","windowSeconds":60,"value":"1500m"},
    {"describedObject":{"kind":"Deployment","namespace":"default","name":"web","apiVersion":"apps/v1"},
     "metric":{"name":"queue_length","selector":null},"value":42}]})",
      kNow);
  ASSERT_TRUE(points) << points.error().message;
  ASSERT_EQ(points->size(), 2u);
  const auto& p1 = (*points)[0];
  EXPECT_EQ(p1.key.group_resource.to_string(), "pods");
  EXPECT_EQ(p1.key.metric_labels.at("method"), "GET");
  EXPECT_EQ(core::format_rfc3339(p1.sample.timestamp), "2024-05-01T11:59:00Z");
  EXPECT_EQ(p1.sample.window, std::chrono::seconds(60));
  EXPECT_EQ(p1.sample.value.to_string(), "1500m");
  const auto& p2 = (*points)[1];
  EXPECT_EQ(p2.key.group_resource.to_string(), "deployments.apps");
  EXPECT_EQ(p2.sample.timestamp, kNow);
  EXPECT_FALSE(p2.sample.window.has_value());
}

TEST(PushDecodeTest, DecodesV1Beta1BatchSelectorAndWindow) {
  auto points = decode_metric_value_list(
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta1","items":[
    {"describedObject":{"kind":"Node","name":"n1","apiVersion":"/v1"},"metricName":"node_load","window":30,
     "value":"250m","selector":{"matchLabels":{"role":"worker"}}}]})",
      kNow);
  ASSERT_TRUE(points) << points.error().message;
  EXPECT_EQ((*points)[0].key.namespace_name, "");
  EXPECT_EQ((*points)[0].key.metric_labels.at("role"), "worker");
  EXPECT_EQ((*points)[0].sample.window, std::chrono::seconds(30));
}

TEST(PushDecodeTest, BatchErrorNamesItemAndField) {
  struct Case {
    const char* name;
    const char* body;
    const char* message_part;
  };
  const Case cases[] = {
      {"not json", "{", "not valid JSON"},
      {"truncated",
       R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","items":[)",
       "not valid JSON"},
      {"wrong kind", R"({"kind":"Pod","apiVersion":"v1","items":[]})",
       "kind: must be MetricValueList"},
      {"wrong version",
       R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v2","items":[]})",
       "apiVersion"},
      {"bad value",
       R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","items":[
          {"describedObject":{"kind":"Pod","namespace":"default","name":"p1","apiVersion":"v1"},"metric":{"name":"m"},"value":"1"},
          {"describedObject":{"kind":"Pod","namespace":"default","name":"p2","apiVersion":"v1"},"metric":{"name":"m"},"value":"NaN"}]})",
       "items[1]: value"},
      {"missing namespace",
       R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","items":[
          {"describedObject":{"kind":"Pod","name":"p1","apiVersion":"v1"},"metric":{"name":"m"},"value":"1"}]})",
       "items[0]: describedObject.namespace"},
      {"bad name",
       R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","items":[
          {"describedObject":{"kind":"Pod","namespace":"default","name":"P_1","apiVersion":"v1"},"metric":{"name":"m"},"value":"1"}]})",
       "items[0]: describedObject.name"},
      {"bad timestamp",
       R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","items":[
          {"describedObject":{"kind":"Pod","namespace":"default","name":"p1","apiVersion":"v1"},"metric":{"name":"m"},"value":"1","timestamp":"now"}]})",
       "items[0]: timestamp"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto points = decode_metric_value_list(c.body, kNow);
    ASSERT_FALSE(points);
    EXPECT_EQ(points.error().code, 400);
    EXPECT_NE(points.error().message.find(c.message_part), std::string::npos)
        << points.error().message;
  }
}

// The decoder resolves kinds and validates namespaces and metric names once per distinct value;
// a later item that differs must still be resolved and checked on its own.
TEST(PushDecodeTest, EveryItemIsCheckedEvenWhenItsNeighboursRepeat) {
  const std::string head =
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","items":[)";
  const auto item = [](const char* kind, const char* api_version, const char* ns,
                       const char* metric) {
    return std::string(R"({"describedObject":{"kind":")") + kind + R"(","namespace":")" + ns +
           R"(","name":"p1","apiVersion":")" + api_version + R"("},"metric":{"name":")" + metric +
           R"("},"value":"1"})";
  };
  struct Case {
    const char* name;
    std::string second;
    const char* message_part;  // "" = accepted
  };
  const Case cases[] = {
      {"same again", item("Pod", "v1", "default", "m"), ""},
      {"other namespace", item("Pod", "v1", "Bad_NS", "m"), "items[1]: describedObject.namespace"},
      {"other metric", item("Pod", "v1", "default", "bad metric"), "items[1]: metric.name"},
      {"empty metric", item("Pod", "v1", "default", ""), "items[1]: metric.name"},
      {"other kind", item("", "v1", "default", "m"), "items[1]: describedObject.kind"},
      {"other group", item("Deployment", "apps/v1", "default", "m"), ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string body = head + item("Pod", "v1", "default", "m") + "," + c.second + "]}";
    auto points = decode_metric_value_list(body, kNow);
    if (std::string_view(c.message_part).empty()) {
      ASSERT_TRUE(points) << points.error().message;
      ASSERT_EQ(points->size(), 2u);
      EXPECT_EQ(points->at(0).key.group_resource.to_string(), "pods");
    } else {
      ASSERT_FALSE(points);
      EXPECT_NE(points.error().message.find(c.message_part), std::string::npos)
          << points.error().message;
    }
  }
  auto mixed = decode_metric_value_list(head + item("Pod", "v1", "default", "m") + "," +
                                            item("Deployment", "apps/v1", "other", "n") + "]}",
                                        kNow);
  ASSERT_TRUE(mixed);
  EXPECT_EQ(mixed->at(1).key.group_resource.to_string(), "deployments.apps");
  EXPECT_EQ(mixed->at(1).key.namespace_name, "other");
  EXPECT_EQ(mixed->at(1).key.metric, "n");
}

// Big batches outgrow the decoder's first arena buffer; the result must not depend on that.
TEST(PushDecodeTest, LargeBatchesDecodeCompletelyAndRepeatably) {
  std::string body =
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta1","items":[)";
  constexpr int kItems = 5000;
  for (int i = 0; i < kItems; ++i) {
    body += std::string(i ? "," : "") +
            R"({"describedObject":{"kind":"Pod","namespace":"default","name":"web-)" +
            std::to_string(i) + R"(","apiVersion":"v1"},"metricName":"qps","value":")" +
            std::to_string(i) + R"(m"})";
  }
  body += "]}";
  for (int round = 0; round < 3; ++round) {
    auto points = decode_metric_value_list(body, kNow);
    ASSERT_TRUE(points);
    ASSERT_EQ(points->size(), static_cast<size_t>(kItems));
    EXPECT_EQ(points->back().key.object_name, "web-4999");
    EXPECT_EQ(points->back().sample.value.milli_value(), 4999);
  }
}

TEST(PushDecodeTest, DecodesExternalBatch) {
  auto points = decode_external_metric_value_list(
      R"({"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","items":[
    {"metricName":"queue_depth","metricLabels":{"queue":"orders"},"value":"30","window":60}]})",
      "default", kNow);
  ASSERT_TRUE(points) << points.error().message;
  EXPECT_EQ((*points)[0].key.namespace_name, "default");
  EXPECT_EQ((*points)[0].key.metric_labels.at("queue"), "orders");
  EXPECT_FALSE(decode_external_metric_value_list(
      R"({"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","items":[{"value":"1"}]})",
      "default", kNow));
}

}  // namespace
}  // namespace kscale::sources
