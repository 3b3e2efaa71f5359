#include "kube/metric_value_list.h"

#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/time_format.h"

// The MetricValueList encoder works from CustomMetricValueRef (encode_metric_value_list_refs),
// builds its document in a per-thread arena, and memoises the formatted second per encoder and
// per thread. encode_metric_value_list only wraps its items as refs, so comparing the two
// encoders with each other proves little: both are checked here against a plain Boost.JSON
// rendering, the encoder as it was before the arena (da1a6ec^:src/api/encode_custom.cc).

namespace kscale::kube {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

json::object plain_described_object(const CustomMetricValue& v) {
  json::object o;
  o["kind"] = v.object.kind;
  if (!v.namespace_name.empty()) {
    o["namespace"] = v.namespace_name;
  }
  o["name"] = v.name;
  o["apiVersion"] = v.object.api_version;
  return o;
}

json::object plain_item(CustomVersion version, const CustomMetricValue& v,
                        const json::value& selector) {
  json::object o;
  o["describedObject"] = plain_described_object(v);
  if (version == CustomVersion::V1Beta1) {
    o["metricName"] = v.metric;
  } else {
    o["metric"] = json::object{{"name", v.metric}, {"selector", selector}};
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

std::string plain_rendering(CustomVersion version, const std::vector<CustomMetricValue>& items,
                            const json::value& selector) {
  json::object doc;
  doc["kind"] = "MetricValueList";
  doc["apiVersion"] = std::string("custom.metrics.k8s.io/") + std::string(version_name(version));
  doc["metadata"] = json::object();
  json::array arr;
  for (const auto& v : items) {
    arr.push_back(plain_item(version, v, selector));
  }
  doc["items"] = std::move(arr);
  return json::serialize(doc);
}

// Refs into `items`, as the push handler builds them from its points.
std::vector<CustomMetricValueRef> refs_to(const std::vector<CustomMetricValue>& items) {
  std::vector<CustomMetricValueRef> refs;
  for (const auto& v : items) {
    refs.push_back(
        {&v.object, v.namespace_name, v.name, v.metric, v.timestamp, v.window, &v.value});
  }
  return refs;
}

core::SystemTime at(const char* rfc3339) { return *core::parse_rfc3339(rfc3339); }

CustomMetricValue value_of(const char* resource, std::string ns, std::string name,
                           std::string metric, core::SystemTime t, std::optional<seconds> window,
                           const char* quantity) {
  auto q = core::Quantity::parse(quantity);
  EXPECT_TRUE(q) << quantity;
  return CustomMetricValue{*core::resolve_resource(resource),
                           std::move(ns),
                           std::move(name),
                           std::move(metric),
                           t,
                           window,
                           q ? *q : core::Quantity()};
}

// Every way the refs path could drift from the plain one, in one list: root-scoped and
// namespaced objects, custom resources, windows 0 / absent / large, quantities in milli, SI,
// binary, exponent and canonicalised forms, names and kinds that JSON must escape, and
// timestamps that repeat, differ by a fraction of a second, go back, and precede 1970.
std::vector<CustomMetricValue> varied_items() {
  std::vector<CustomMetricValue> items = {
      value_of("pods", "default", "web-1", "http_requests", at("2024-05-01T12:00:00Z"), seconds{60},
               "1500m"),
      value_of("pods", "default", "web-2", "http_requests", at("2024-05-01T12:00:00.999Z"),
               std::nullopt, "2"),
      value_of("nodes", "", "node-a", "node_load", at("2024-05-01T12:00:01Z"), seconds{0}, "250m"),
      value_of("deployments.apps", "prod", "api", "queue_length", at("2024-05-01T12:00:00.5Z"),
               std::nullopt, "2k"),
      value_of("pods", "default", "web-3", "mem", at("2024-05-01T11:59:59Z"), seconds{86400},
               "1.5Gi"),
      value_of("pods", "default", "web-4", "mem", at("2024-05-01T11:59:59.001Z"), std::nullopt,
               "1Ki"),
      value_of("pods", "default", "web-5", "ratio", at("1969-12-31T23:59:59.5Z"), std::nullopt,
               "1e3"),
      value_of("pods", "default", "web-6", "ratio", at("2024-05-01T12:00:00Z"), std::nullopt,
               "-250m"),
      value_of("pods", "default", "web-7", "ratio", at("2024-05-01T12:00:00Z"), std::nullopt, "0"),
      value_of("pods", "default", "web-8", "qps", at("2024-05-01T12:00:00Z"), std::nullopt,
               "512.30"),
      value_of("pods", "default", "web-9", "qps", at("2024-05-01T12:00:00Z"), std::nullopt,
               "0.000001"),
      value_of("pods", "default", "web-10", "big", at("2024-05-01T12:00:00Z"), std::nullopt,
               "123456789012345678901234567890"),
      value_of("widgets.example.com", "team-a", "w", "depth", at("2031-01-01T00:00:00Z"),
               std::nullopt, "12e-3"),
  };
  CustomMetricValue milli = items[0];
  milli.name = "web-from-milli";
  milli.value = core::Quantity::from_milli(1500);
  items.push_back(milli);
  CustomMetricValue binary = items[0];
  binary.name = "web-binary";
  binary.value = core::Quantity::from_int(3 * 1024 * 1024, core::Quantity::Format::BinarySI);
  items.push_back(binary);
  // The encoder does not validate: whatever reaches it must come out escaped.
  CustomMetricValue odd = items[0];
  odd.namespace_name = "name\"space";
  odd.name = "back\\slash\t\n\x01</script>\xc3\xbc";
  odd.metric = "m\"etric\\\u2028";
  odd.object.kind = "Ki\"nd";
  odd.object.api_version = "example.com/v1\\";
  items.push_back(odd);
  return items;
}

const json::value kSelectors[] = {
    nullptr,
    json::parse(R"({"matchLabels":{"method":"GET","path":"/a\"b\\c"}})"),
    json::parse(R"({"matchExpressions":[{"key":"tier","operator":"In","values":["web","db"]}]})"),
};

TEST(EncodeCustomTest, RefsAndValuesMatchThePlainRenderingForVariedItems) {
  const auto items = varied_items();
  for (const auto version : {CustomVersion::V1Beta1, CustomVersion::V1Beta2}) {
    for (const auto& selector : kSelectors) {
      SCOPED_TRACE(std::string(version_name(version)) + " selector " + json::serialize(selector));
      const std::string want = plain_rendering(version, items, selector);
      EXPECT_EQ(encode_metric_value_list_refs(version, refs_to(items), selector), want);
      EXPECT_EQ(encode_metric_value_list(version, items, selector), want);
    }
  }
}

TEST(EncodeCustomTest, EachItemAloneMatchesThePlainRendering) {
  const auto items = varied_items();
  for (const auto version : {CustomVersion::V1Beta1, CustomVersion::V1Beta2}) {
    for (const auto& v : items) {
      SCOPED_TRACE(v.name + " " + v.value.to_string());
      const std::vector<CustomMetricValue> one = {v};
      EXPECT_EQ(encode_metric_value_list_refs(version, refs_to(one), kSelectors[1]),
                plain_rendering(version, one, kSelectors[1]));
    }
  }
}

TEST(EncodeCustomTest, EmptyListMatchesThePlainRendering) {
  for (const auto version : {CustomVersion::V1Beta1, CustomVersion::V1Beta2}) {
    EXPECT_EQ(encode_metric_value_list_refs(version, {}, nullptr),
              plain_rendering(version, {}, nullptr));
  }
}

// The formatted second is memoised per thread across calls: a call for another second, or a
// return to an earlier one, must not reuse the text of the previous call.
TEST(EncodeCustomTest, TimestampTextFollowsTheSecondAcrossCalls) {
  const auto base =
      value_of("pods", "default", "p", "m", at("2024-05-01T12:00:00Z"), std::nullopt, "1");
  const core::SystemTime times[] = {
      at("2024-05-01T12:00:00Z"),     at("2024-05-01T12:00:00.999999999Z"),
      at("2024-05-01T12:00:01Z"),     at("2024-05-01T12:00:00.2Z"),
      at("2024-05-01T23:59:59.999Z"), at("2024-05-02T00:00:00Z"),
      at("1969-12-31T23:59:59.9Z"),   at("1970-01-01T00:00:00Z"),
      at("2024-05-01T12:00:00Z")};
  for (const auto t : times) {
    auto v = base;
    v.timestamp = t;
    const std::vector<CustomMetricValue> one = {v};
    SCOPED_TRACE(core::format_rfc3339(t));
    EXPECT_EQ(encode_metric_value_list_refs(CustomVersion::V1Beta2, refs_to(one), nullptr),
              plain_rendering(CustomVersion::V1Beta2, one, nullptr));
  }
  EXPECT_NE(encode_metric_value_list(CustomVersion::V1Beta2, {base}, nullptr)
                .find("\"2024-05-01T12:00:00Z\""),
            std::string::npos);
}

// A new thread starts with an empty per-thread memo and arena; its output must not depend on
// what the main thread formatted or allocated.
TEST(EncodeCustomTest, AnotherThreadEncodesTheSameBytes) {
  const auto items = varied_items();
  const std::string here =
      encode_metric_value_list_refs(CustomVersion::V1Beta1, refs_to(items), kSelectors[1]);
  std::string there;
  std::thread([&] {
    there = encode_metric_value_list_refs(CustomVersion::V1Beta1, refs_to(items), kSelectors[1]);
  }).join();
  EXPECT_EQ(there, here);
  EXPECT_EQ(here, plain_rendering(CustomVersion::V1Beta1, items, kSelectors[1]));
}

// Documents whose nodes outgrow the arena's kept buffer (at most 8 MiB; ~600 bytes of nodes per
// item) spill to the heap; the next, smaller document reuses the grown buffer. Neither may change
// a byte.
TEST(EncodeCustomTest, DocumentsBeyondTheArenaBufferMatchThePlainRendering) {
  const auto varied = varied_items();
  std::vector<CustomMetricValue> items;
  for (int i = 0; i < 20000; ++i) {
    CustomMetricValue v = varied[static_cast<size_t>(i) % varied.size()];
    v.name += "-" + std::to_string(i);
    v.timestamp += std::chrono::milliseconds(i * 137);
    items.push_back(std::move(v));
  }
  const std::string big =
      encode_metric_value_list_refs(CustomVersion::V1Beta2, refs_to(items), kSelectors[2]);
  EXPECT_EQ(big, plain_rendering(CustomVersion::V1Beta2, items, kSelectors[2]));
  const std::vector<CustomMetricValue> few(items.begin(), items.begin() + 5);
  EXPECT_EQ(encode_metric_value_list_refs(CustomVersion::V1Beta1, refs_to(few), nullptr),
            plain_rendering(CustomVersion::V1Beta1, few, nullptr));
}

}  // namespace
}  // namespace kscale::kube
