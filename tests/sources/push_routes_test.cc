#include "sources/push_routes.h"

#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/time_format.h"
#include "kube/metric_value_list.h"

// The push handlers driven through the real router, store and a ManualClock. What is pinned here
// are the fast paths of da1a6ec and 6ea46ce: the batch decoder's per-batch memo of kind /
// namespace / metric checks, the answer encoded from the stored points, the single write's
// shortcut past the JSON parser, and the formatted second reused across requests.

namespace kscale::sources {
namespace {

namespace http = net::http;
namespace json = boost::json;
using kube::CustomVersion;
using kube::version_name;
using std::chrono::milliseconds;
using std::chrono::seconds;

// 2023-11-14T22:13:20Z, ManualClock's default start.
constexpr core::SystemTime kStart{seconds{1'700'000'000}};

class PushServer {
 public:
  PushServer() : clock_(kStart) { install_push_routes(router_, push_); }

  net::Response post(std::string target, std::string body,
                     std::string content_type = "application/json") {
    net::Request req{http::verb::post, target, 11};
    req.set(http::field::content_type, content_type);
    req.body() = std::move(body);
    req.prepare_payload();
    return router_.dispatch(req);
  }

  core::ManualClock& clock() { return clock_; }
  const store::SeriesStore& store() const { return store_; }
  double rejected() const { return rejected_.value(); }

 private:
  core::ManualClock clock_;
  store::SeriesStore store_{clock_, store::StoreOptions{seconds{0}}};
  net::MetricsRegistry registry_;
  net::Counter& rejected_ = registry_.counter("r", "r");
  PushContext push_{store_, clock_, registry_.counter("w", "w"), rejected_};
  net::Router router_;
};

// One MetricValueList item; defaults are a valid pod metric.
struct Item {
  std::string kind = "Pod";
  std::string api_version = "v1";
  std::string ns = "default";
  std::string name = "p1";
  std::string metric = "m";
  std::string value = "1";
};

std::string batch_body(CustomVersion version, const std::vector<Item>& items) {
  json::array arr;
  for (const auto& it : items) {
    json::object o;
    o["describedObject"] = json::object{{"kind", it.kind},
                                        {"namespace", it.ns},
                                        {"name", it.name},
                                        {"apiVersion", it.api_version}};
    if (version == CustomVersion::V1Beta1) {
      o["metricName"] = it.metric;
    } else {
      o["metric"] = json::object{{"name", it.metric}};
    }
    o["value"] = it.value;
    arr.push_back(std::move(o));
  }
  return json::serialize(
      json::object{{"kind", "MetricValueList"},
                   {"apiVersion", "custom.metrics.k8s.io/" + std::string(version_name(version))},
                   {"items", std::move(arr)}});
}

// `text` with every "items[<from>]" spelled "items[<to>]".
std::string renumbered(std::string text, size_t from, size_t to) {
  const std::string a = "items[" + std::to_string(from) + "]";
  const std::string b = "items[" + std::to_string(to) + "]";
  for (auto pos = text.find(a); pos != std::string::npos; pos = text.find(a, pos + b.size())) {
    text.replace(pos, a.size(), b);
  }
  return text;
}

Item pod(std::string ns, std::string name, std::string metric) {
  return Item{"Pod", "v1", std::move(ns), std::move(name), std::move(metric), "1"};
}
Item deployment(std::string ns, std::string name, std::string metric) {
  return Item{"Deployment", "apps/v1", std::move(ns), std::move(name), std::move(metric), "2"};
}
Item node(std::string ns, std::string name, std::string metric) {
  return Item{"Node", "v1", std::move(ns), std::move(name), std::move(metric), "3"};
}

// Items whose acceptance depends only on themselves: each must get, inside any batch, the answer
// it gets alone. Most differ from an item of some context in one memoised field (kind, apiVersion,
// namespace, metric).
struct Probe {
  const char* name;
  Item item;
};
const Probe kProbes[] = {
    {"valid, same keys as the context", pod("default", "p9", "m")},
    {"valid, other namespace", pod("other", "p9", "m")},
    {"valid, other metric", pod("default", "p9", "n")},
    {"valid, other kind", deployment("default", "d9", "m")},
    {"valid, same kind in another group", Item{"Pod", "apps/v1", "default", "p9", "m", "1"}},
    {"valid, cluster-scoped with an invalid namespace (ignored)", node("Bad_NS", "n9", "m")},
    {"invalid namespace", pod("Bad_NS", "p9", "m")},
    {"invalid namespace after a cluster-scoped one", pod("-x", "p9", "m")},
    {"namespace missing for a namespaced kind", pod("", "p9", "m")},
    {"invalid metric", pod("default", "p9", "bad metric")},
    {"empty metric", pod("default", "p9", "")},
    {"invalid object name", pod("default", "P_9", "m")},
    {"empty kind", Item{"", "v1", "default", "p9", "m", "1"}},
    {"empty kind after a valid one with the same apiVersion",
     Item{"", "apps/v1", "default", "p9", "m", "1"}},
    {"invalid value", Item{"Pod", "v1", "default", "p9", "m", "x"}},
    {"kind that guesses no valid resource", Item{"A_B", "v1", "default", "p9", "m", "1"}},
    {"apiVersion whose group is no valid group",
     Item{"Pod", "my_group/v1", "default", "p9", "m", "1"}},
};

// Valid items in front of the probe, chosen so the memo holds the probe's neighbours (or the
// probe's own invalid text in a field that is not checked for that kind).
struct Context {
  const char* name;
  std::vector<Item> items;
};
const std::vector<Context> kContexts = {
    {"alone", {}},
    {"one pod", {pod("default", "p1", "m")}},
    {"mixed kinds, the first key repeated",
     {pod("default", "p1", "m"), deployment("prod", "api", "n"), node("", "n1", "load"),
      pod("default", "p2", "m")}},
    {"cluster-scoped item carrying the bad namespaces",
     {pod("default", "p1", "m"), node("Bad_NS", "n1", "m"), node("-x", "n2", "m"),
      deployment("default", "d1", "m")}},
    {"namespaces and metrics alternate",
     {pod("a", "p1", "m1"), pod("b", "p1", "m2"), pod("a", "p2", "m1"),
      deployment("b", "d1", "m2")}},
};

// The probe's answer alone, then inside every context, followed or not by more valid items; a
// rejected batch stores nothing and is answered with the probe's own Status, renumbered.
TEST(PushHandlersTest, EveryBatchItemGetsTheAnswerItGetsAlone) {
  for (const auto version : {CustomVersion::V1Beta1, CustomVersion::V1Beta2}) {
    for (const auto& probe : kProbes) {
      PushServer alone_server;
      const auto alone = alone_server.post("/write-metrics", batch_body(version, {probe.item}));
      for (const auto& context : kContexts) {
        for (const bool with_tail : {false, true}) {
          SCOPED_TRACE(std::string(version_name(version)) + " / " + probe.name + " / " +
                       context.name + (with_tail ? " / with tail" : ""));
          std::vector<Item> items = context.items;
          items.push_back(probe.item);
          if (with_tail) {
            items.push_back(pod("default", "p1", "m"));
            items.push_back(deployment("prod", "api", "n"));
          }
          PushServer server;
          const auto res = server.post("/write-metrics", batch_body(version, items));
          ASSERT_EQ(res.result_int(), alone.result_int())
              << res.body() << "\nalone: " << alone.body();
          if (alone.result_int() == 200) {
            // The probe is described, and stored, as it is alone.
            const auto answer = json::parse(res.body()).at("items").as_array();
            ASSERT_EQ(answer.size(), items.size());
            EXPECT_EQ(answer.at(context.items.size()), json::parse(alone.body()).at("items").at(0));
            EXPECT_EQ(server.store().generation(), 1u);
          } else {
            EXPECT_EQ(alone.result_int(), 400);
            EXPECT_EQ(res.body(), renumbered(alone.body(), 0, context.items.size()));
            EXPECT_EQ(server.store().generation(), 0u) << "a rejected batch stored something";
            EXPECT_EQ(server.store().series_count(), 0u);
            EXPECT_EQ(server.rejected(), 1.0);
          }
        }
      }
    }
  }
}

// The memo lives for one batch: what an earlier batch validated says nothing about the next.
TEST(PushHandlersTest, ChecksAreNotRememberedAcrossBatches) {
  PushServer server;
  const auto v = CustomVersion::V1Beta2;
  ASSERT_EQ(server
                .post("/write-metrics",
                      batch_body(v, {pod("default", "p1", "m"), node("", "n1", "load")}))
                .result_int(),
            200);
  const auto stored = server.store().generation();
  struct Case {
    const char* name;
    Item item;
    const char* message_part;
  };
  const Case cases[] = {
      {"namespace", pod("Default", "p1", "m"),
       "items[1]: describedObject.namespace: invalid namespace \"Default\""},
      {"metric", pod("default", "p1", "m!"), "items[1]: metric.name: invalid metric name \"m!\""},
      {"kind", Item{"", "v1", "default", "p1", "m", "1"}, "items[1]: describedObject.kind"},
      {"namespace missing", pod("", "p1", "m"), "items[1]: describedObject.namespace: required"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    // The same valid item first, so this batch's memo is primed exactly as the last batch's was.
    const auto res =
        server.post("/write-metrics", batch_body(v, {pod("default", "p1", "m"), c.item}));
    ASSERT_EQ(res.result_int(), 400) << res.body();
    EXPECT_NE(json::parse(res.body()).at("message").as_string().find(c.message_part),
              json::string::npos)
        << res.body();
    EXPECT_EQ(server.store().generation(), stored);
  }
  // And a rejected batch leaves nothing behind that would reject the next valid one.
  ASSERT_EQ(server.post("/write-metrics", batch_body(v, {pod("other", "p2", "n")})).result_int(),
            200);
  EXPECT_EQ(server.store().find_custom({"pods", ""}, "other", "p2", "n").size(), 1u);
}

// The answer is encoded from the points just stored, one ResourceInfo per run of a
// group-resource: runs that come back (pods, deployments, pods, nodes, pods) must each describe
// their own objects. Expected bytes written out by hand from metrics-api.md §4.2.
TEST(PushHandlersTest, BatchAnswerDescribesEveryItemInOrder) {
  PushServer server;
  server.clock().advance(milliseconds{400});
  const std::string body =
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","items":[
    {"describedObject":{"kind":"Pod","namespace":"default","name":"p1","apiVersion":"v1"},"metric":{"name":"m"},"value":"1500m"},
    {"describedObject":{"kind":"Deployment","namespace":"prod","name":"api","apiVersion":"apps/v1"},"metric":{"name":"q"},"value":"2k","windowSeconds":60},
    {"describedObject":{"kind":"Deployment","namespace":"prod","name":"web","apiVersion":"apps/v1"},"metric":{"name":"q"},"value":"1Ki","timestamp":"2023-11-14T22:13:19.9Z"},
    {"describedObject":{"kind":"Pod","namespace":"default","name":"p2","apiVersion":"v1"},"metric":{"name":"m","selector":{"matchLabels":{"a":"b"}}},"value":"512.30"},
    {"describedObject":{"kind":"Node","name":"n1","apiVersion":"v1"},"metric":{"name":"load"},"value":"250m","windowSeconds":0},
    {"describedObject":{"kind":"Pod","namespace":"default","name":"p3","apiVersion":"v1"},"metric":{"name":"m"},"value":"-1","timestamp":"2023-11-14T22:13:21Z"}]})";
  const auto res = server.post("/write-metrics", body);
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(
      res.body(),
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","metadata":{},"items":[)"
      R"({"describedObject":{"kind":"Pod","namespace":"default","name":"p1","apiVersion":"v1"},)"
      R"("metric":{"name":"m","selector":null},"timestamp":"2023-11-14T22:13:20Z","value":"1500m"},)"
      R"({"describedObject":{"kind":"Deployment","namespace":"prod","name":"api","apiVersion":"apps/v1"},)"
      R"("metric":{"name":"q","selector":null},"timestamp":"2023-11-14T22:13:20Z","windowSeconds":60,"value":"2k"},)"
      R"({"describedObject":{"kind":"Deployment","namespace":"prod","name":"web","apiVersion":"apps/v1"},)"
      R"("metric":{"name":"q","selector":null},"timestamp":"2023-11-14T22:13:19Z","value":"1Ki"},)"
      R"({"describedObject":{"kind":"Pod","namespace":"default","name":"p2","apiVersion":"v1"},)"
      R"("metric":{"name":"m","selector":null},"timestamp":"2023-11-14T22:13:20Z","value":"512300m"},)"
      R"({"describedObject":{"kind":"Node","name":"n1","apiVersion":"v1"},)"
      R"("metric":{"name":"load","selector":null},"timestamp":"2023-11-14T22:13:20Z","windowSeconds":0,"value":"250m"},)"
      R"({"describedObject":{"kind":"Pod","namespace":"default","name":"p3","apiVersion":"v1"},)"
      R"("metric":{"name":"m","selector":null},"timestamp":"2023-11-14T22:13:21Z","value":"-1"}]})");
}

// An unknown kind's resource is guessed from its text; one that guesses no valid resource name
// used to pass the decoder and then crash the answer's encoding (resolve_resource failed and was
// dereferenced). It is a 400 now, and the next batch is served.
TEST(PushHandlersTest, KindsThatNameNoResourceAreRejected) {
  PushServer server;
  const std::pair<const char*, const char*> kinds[] = {{"A_B", "v1"},
                                                       {"Bad Kind", "v1"},
                                                       {"Foo.Bar", "v1"},
                                                       {"Widget", "Example.COM/v1"},
                                                       {"Widget", "x y/v1"}};
  for (const auto& [kind, api_version] : kinds) {
    SCOPED_TRACE(std::string(kind) + " " + api_version);
    const auto res = server.post(
        "/write-metrics",
        batch_body(CustomVersion::V1Beta2, {pod("default", "p1", "m"),
                                            Item{kind, api_version, "default", "p1", "m", "1"}}));
    EXPECT_EQ(res.result_int(), 400) << res.body();
    EXPECT_NE(res.body().find("items[1]: describedObject.kind: kind"), std::string::npos)
        << res.body();
  }
  EXPECT_EQ(server.store().generation(), 0u);
  EXPECT_EQ(server
                .post("/write-metrics",
                      batch_body(CustomVersion::V1Beta2,
                                 {Item{"Widget", "example.com/v1", "default", "w", "m", "1"}}))
                .result_int(),
            200);
}

// --- Single writes -------------------------------------------------------------------------

// `body` with the JSON string's characters written as \u00XX escapes: the same JSON value, but
// a body the fast path must hand to the JSON parser.
std::string escaped_equivalent(std::string_view body) {
  const auto open = body.find('"');
  const auto close = body.rfind('"');
  std::string out(body.substr(0, open + 1));
  for (const char c : body.substr(open + 1, close - open - 1)) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned char>(c));
    out += buf;
  }
  out += body.substr(close);
  return out;
}

// Plain JSON-string bodies (the fast path) against the same values spelled with escapes (the
// JSON parser): same status, same answer bytes, same stored quantity including its text.
TEST(PushHandlersTest, PlainStringBodiesStoreWhatTheJsonParserWouldStore) {
  const char* bodies[] = {"\"5\"",
                          "\"500m\"",
                          " \"5\" ",
                          "\r\n\t\"5\"\n",
                          "\" 5 \"",
                          "\"512.30\"",
                          "\"1.5Gi\"",
                          "\"2k\"",
                          "\"-250m\"",
                          "\"1e3\"",
                          "\"0\"",
                          "\"+5\"",
                          "\" \"",
                          "\"abc\"",
                          "\"NaN\"",
                          "\"+Inf\"",
                          "\"5 6\"",
                          "\"1e400\"",
                          "\"12 apples\"",
                          "\"9223372036854776\"",
                          "\"9223372036854775\"",
                          "\"'5'\"",
                          "\"5m\" "};
  for (const char* body : bodies) {
    const std::string escaped = escaped_equivalent(body);
    SCOPED_TRACE(std::string(body) + " vs " + escaped);
    for (const char* path :
         {"/write-metrics/namespaces/default/pods/p1/m", "/write-metrics/nodes/n1/m",
          "/write-external-metrics/namespaces/default/m"}) {
      SCOPED_TRACE(path);
      PushServer fast;
      PushServer parsed;
      const auto a = fast.post(path, body);
      const auto b = parsed.post(path, escaped);
      ASSERT_EQ(a.result_int(), b.result_int()) << a.body() << "\n" << b.body();
      EXPECT_EQ(a.body(), b.body());
      EXPECT_EQ(fast.store().generation(), parsed.store().generation());
    }
    PushServer fast;
    PushServer parsed;
    if (fast.post("/write-metrics/namespaces/default/pods/p1/m", body).result_int() == 200) {
      ASSERT_EQ(parsed.post("/write-metrics/namespaces/default/pods/p1/m", escaped).result_int(),
                200);
      const auto x = fast.store().find_custom({"pods", ""}, "default", "p1", "m");
      const auto y = parsed.store().find_custom({"pods", ""}, "default", "p1", "m");
      ASSERT_EQ(x.size(), 1u);
      ASSERT_EQ(y.size(), 1u);
      EXPECT_EQ(x[0].sample.value.to_string(), y[0].sample.value.to_string());
      EXPECT_EQ(x[0].sample.value.format(), y[0].sample.value.format());
      EXPECT_EQ(x[0].sample.value.compare(y[0].sample.value), 0);
      EXPECT_EQ(x[0].sample.timestamp, y[0].sample.timestamp);
    }
  }
}

// Bodies the fast path must leave to the JSON parser: escapes, control characters, DEL, UTF-8,
// trailing text, and quotes that do not close a string.
TEST(PushHandlersTest, StringBodiesThatNeedTheParserStillDecode) {
  struct Case {
    const char* body;
    const char* same_as;  // a body storing the same value; nullptr when rejected
    const char* message_part;
  };
  constexpr const char* kNotJson = "request body is not valid JSON";
  const Case cases[] = {
      {R"("5\u0030")", R"("50")", ""},
      {R"("\u0035")", "5", ""},
      {R"("\t5\n")", "5", ""},
      {R"("5\/")", nullptr, R"(invalid value "5/")"},
      {"\"5\t\"", nullptr, kNotJson},
      {R"("5" "6")", nullptr, kNotJson},
      {R"("a\"b")", nullptr, R"(invalid value "a"b")"},
      {R"("5\")", nullptr, kNotJson},
      {"\"", nullptr, kNotJson},
      {" \" ", nullptr, kNotJson},
      {"\"5", nullptr, kNotJson},
      {"5\"", nullptr, R"(invalid value "5"")"},
      {"\"5\x7f\"", nullptr, "invalid value"},
      {"\"5\xc2\xa0\"", nullptr, "invalid value"},
      {R"("")", nullptr, R"(invalid value "")"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    PushServer server;
    const auto res = server.post("/write-metrics/namespaces/default/pods/p1/m", c.body);
    if (c.same_as == nullptr) {
      EXPECT_EQ(res.result_int(), 400) << res.body();
      EXPECT_NE(json::parse(res.body()).at("message").as_string().find(c.message_part),
                json::string::npos)
          << res.body();
      EXPECT_EQ(server.store().generation(), 0u);
      continue;
    }
    PushServer reference;
    const auto want = reference.post("/write-metrics/namespaces/default/pods/p1/m", c.same_as);
    ASSERT_EQ(res.result_int(), 200) << res.body();
    EXPECT_EQ(res.body(), want.body());
  }
}

std::string answer_timestamp(const net::Response& res) {
  EXPECT_EQ(res.result_int(), 200) << res.body();
  return std::string(json::parse(res.body()).at("items").at(0).at("timestamp").as_string());
}

// The formatted second is reused across requests: it must follow the clock when the second
// changes forwards, backwards, across midnight, and between single and batch writes.
TEST(PushHandlersTest, SingleWriteTimestampFollowsTheClockSecond) {
  PushServer server;
  const std::string custom = "/write-metrics/namespaces/default/pods/p1/m";
  const std::string external = "/write-external-metrics/namespaces/default/m";
  auto write = [&](const std::string& path) {
    return answer_timestamp(server.post(path, "\"1\""));
  };

  server.clock().advance(milliseconds{200});
  EXPECT_EQ(write(custom), "2023-11-14T22:13:20Z");
  server.clock().advance(milliseconds{700});  // .900, same second
  EXPECT_EQ(write(custom), "2023-11-14T22:13:20Z");
  EXPECT_EQ(write(external), "2023-11-14T22:13:20Z");
  server.clock().advance(milliseconds{100});  // exactly the next second
  EXPECT_EQ(write(custom), "2023-11-14T22:13:21Z");
  server.clock().advance(std::chrono::nanoseconds{999'999'999});
  EXPECT_EQ(write(custom), "2023-11-14T22:13:21Z");
  server.clock().advance(std::chrono::nanoseconds{1});
  EXPECT_EQ(write(custom), "2023-11-14T22:13:22Z");
  server.clock().set_system(kStart + milliseconds{999});  // back in time
  EXPECT_EQ(write(custom), "2023-11-14T22:13:20Z");
  server.clock().set_system(core::SystemTime{seconds{1'700'006'399}} + milliseconds{999});
  EXPECT_EQ(write(custom), "2023-11-14T23:59:59Z");
  server.clock().advance(milliseconds{1});
  EXPECT_EQ(write(custom), "2023-11-15T00:00:00Z");

  // A batch with explicit timestamps formats other seconds in between; the next single write in
  // the current second must still show the current second.
  const auto batch = server.post(
      "/write-metrics",
      R"({"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","items":[
        {"describedObject":{"kind":"Pod","namespace":"default","name":"p1","apiVersion":"v1"},"metric":{"name":"m"},"value":"1","timestamp":"2023-11-15T00:00:05Z"},
        {"describedObject":{"kind":"Pod","namespace":"default","name":"p2","apiVersion":"v1"},"metric":{"name":"m"},"value":"1"},
        {"describedObject":{"kind":"Pod","namespace":"default","name":"p3","apiVersion":"v1"},"metric":{"name":"m"},"value":"1","timestamp":"2023-11-14T00:00:00.5Z"}]})");
  ASSERT_EQ(batch.result_int(), 200) << batch.body();
  const auto items = json::parse(batch.body()).at("items");
  EXPECT_EQ(items.at(0).at("timestamp"), "2023-11-15T00:00:05Z");
  EXPECT_EQ(items.at(1).at("timestamp"), "2023-11-15T00:00:00Z");
  EXPECT_EQ(items.at(2).at("timestamp"), "2023-11-14T00:00:00Z");
  EXPECT_EQ(write(custom), "2023-11-15T00:00:00Z");

  // The stored sample keeps the clock's full precision; only the text is per second.
  const auto stored = server.store().find_custom({"pods", ""}, "default", "p1", "m");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].sample.timestamp, core::SystemTime{seconds{1'700'006'400}});
  server.clock().advance(milliseconds{250});
  server.post(custom, "\"1\"");
  EXPECT_EQ(server.store().find_custom({"pods", ""}, "default", "p1", "m")[0].sample.timestamp,
            core::SystemTime{seconds{1'700'006'400}} + milliseconds{250});
}

}  // namespace
}  // namespace kscale::sources
