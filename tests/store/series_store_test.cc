#include "store/series_store.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdlib>
#include <functional>
#include <map>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "store/detail/slot_index.h"

// Counts heap allocations so a test can check the visitor read path makes none.
namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) {
    return p;
  }
  throw std::bad_alloc();
}
// GCC cannot see that the replaced operator new above is what allocated these pointers.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace kscale::store {
namespace {

using std::chrono::seconds;
using Format = core::Quantity::Format;

const core::GroupResource kPods{"pods", ""};
const core::GroupResource kDeployments{"deployments", "apps"};
const core::GroupResource kNodes{"nodes", ""};

core::Quantity q(std::string_view text) {
  auto parsed = core::Quantity::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? *parsed : core::Quantity{};
}

CustomPoint custom(const core::GroupResource& gr, std::string ns, std::string object,
                   std::string metric, core::Quantity value, core::SystemTime t,
                   core::Labels labels = {}, std::optional<seconds> window = std::nullopt) {
  return CustomPoint{
      CustomSeriesKey{gr, std::move(ns), std::move(object), std::move(metric), std::move(labels)},
      Sample{t, std::move(value), window}};
}

ExternalPoint external(std::string ns, std::string metric, core::Labels labels,
                       core::Quantity value, core::SystemTime t) {
  return ExternalPoint{ExternalSeriesKey{std::move(ns), std::move(metric), std::move(labels)},
                       Sample{t, std::move(value), std::nullopt}};
}

std::vector<std::string> names(std::vector<CustomPoint> points) {
  std::vector<std::string> out;
  for (const auto& p : points) {
    out.push_back(p.key.object_name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class SeriesStoreTest : public ::testing::Test {
 protected:
  core::ManualClock clock_;
  SeriesStore store_{clock_, StoreOptions{seconds{300}}};
  core::SystemTime now() const { return clock_.system_now(); }
};

TEST_F(SeriesStoreTest, FindsOneObjectByName) {
  store_.put_custom({custom(kPods, "default", "web-1", "http_requests_qps", q("1500m"), now()),
                     custom(kPods, "default", "web-2", "http_requests_qps", q("2"), now())});
  const auto found = store_.find_custom(kPods, "default", "web-1", "http_requests_qps");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].key.group_resource, kPods);
  EXPECT_EQ(found[0].key.namespace_name, "default");
  EXPECT_EQ(found[0].key.object_name, "web-1");
  EXPECT_EQ(found[0].key.metric, "http_requests_qps");
  EXPECT_EQ(found[0].sample.value.to_string(), "1500m");
  EXPECT_EQ(found[0].sample.timestamp, now());
  EXPECT_TRUE(store_.find_custom(kPods, "default", "web-3", "http_requests_qps").empty());
  EXPECT_TRUE(store_.find_custom(kPods, "default", "web-1", "other_metric").empty());
}

TEST_F(SeriesStoreTest, WildcardReturnsEveryObjectOfTheFamily) {
  store_.put_custom({custom(kPods, "default", "web-1", "qps", q("1"), now()),
                     custom(kPods, "default", "web-2", "qps", q("2"), now()),
                     custom(kPods, "default", "web-3", "qps", q("3"), now()),
                     custom(kPods, "default", "web-1", "latency", q("4"), now()),
                     custom(kPods, "other", "web-4", "qps", q("5"), now())});
  EXPECT_EQ(names(store_.find_custom(kPods, "default", std::nullopt, "qps")),
            (std::vector<std::string>{"web-1", "web-2", "web-3"}));
  EXPECT_EQ(names(store_.find_custom(kPods, "other", std::nullopt, "qps")),
            (std::vector<std::string>{"web-4"}));
  EXPECT_TRUE(store_.find_custom(kPods, "nowhere", std::nullopt, "qps").empty());
}

TEST_F(SeriesStoreTest, NamespacesGroupResourcesAndRootScopeAreSeparate) {
  store_.put_custom({custom(kPods, "a", "x", "m", q("1"), now()),
                     custom(kPods, "b", "x", "m", q("2"), now()),
                     custom(kDeployments, "a", "x", "m", q("3"), now()),
                     custom(kNodes, "", "node-1", "m", q("4"), now()),
                     custom(core::GroupResource{"namespaces", ""}, "", "a", "m", q("5"), now())});
  EXPECT_EQ(store_.find_custom(kPods, "a", "x", "m").at(0).sample.value.to_string(), "1");
  EXPECT_EQ(store_.find_custom(kPods, "b", "x", "m").at(0).sample.value.to_string(), "2");
  EXPECT_EQ(store_.find_custom(kDeployments, "a", "x", "m").at(0).sample.value.to_string(), "3");
  const auto node = store_.find_custom(kNodes, "", "node-1", "m");
  ASSERT_EQ(node.size(), 1u);
  EXPECT_EQ(node[0].key.namespace_name, "");
  EXPECT_EQ(node[0].sample.value.to_string(), "4");
  EXPECT_TRUE(store_.find_custom(kNodes, "a", "node-1", "m").empty());
  EXPECT_EQ(store_.find_custom(core::GroupResource{"namespaces", ""}, "", "a", "m").size(), 1u);
  // "deployments" in the core group is another resource than deployments.apps.
  EXPECT_TRUE(store_.find_custom(core::GroupResource{"deployments", ""}, "a", "x", "m").empty());
  EXPECT_EQ(store_.series_count(), 5u);
}

TEST_F(SeriesStoreTest, MetricLabelsMakeSeparateSeriesAndFilter) {
  store_.put_custom(
      {custom(kPods, "default", "web-1", "requests", q("1"), now(), {{"method", "GET"}}),
       custom(kPods, "default", "web-1", "requests", q("2"), now(), {{"method", "POST"}}),
       custom(kPods, "default", "web-2", "requests", q("3"), now(), {{"method", "GET"}}),
       custom(kPods, "default", "web-2", "requests", q("4"), now())});
  EXPECT_EQ(store_.series_count(), 4u);
  EXPECT_EQ(store_.find_custom(kPods, "default", "web-1", "requests").size(), 2u);

  int calls = 0;
  const auto get_only = [&calls](const core::Labels& l) {
    ++calls;
    const auto it = l.find("method");
    return it != l.end() && it->second == "GET";
  };
  const auto gets = store_.find_custom(kPods, "default", std::nullopt, "requests", get_only);
  ASSERT_EQ(gets.size(), 2u);
  for (const auto& p : gets) {
    EXPECT_EQ(p.key.metric_labels, (core::Labels{{"method", "GET"}}));
  }
  EXPECT_LE(calls, 4);

  const auto post =
      store_.find_custom(kPods, "default", "web-1", "requests", [](const core::Labels& l) {
        return l.contains("method") && l.at("method") == "POST";
      });
  ASSERT_EQ(post.size(), 1u);
  EXPECT_EQ(post[0].sample.value.to_string(), "2");

  const auto unlabelled = store_.find_custom(kPods, "default", std::nullopt, "requests",
                                             [](const core::Labels& l) { return l.empty(); });
  ASSERT_EQ(unlabelled.size(), 1u);
  EXPECT_EQ(unlabelled[0].key.object_name, "web-2");
}

TEST_F(SeriesStoreTest, LaterValueReplacesEarlier) {
  store_.put_custom({custom(kPods, "default", "web-1", "qps", q("1"), now())});
  clock_.advance(seconds{10});
  store_.put_custom({custom(kPods, "default", "web-1", "qps", q("2"), now(), {}, seconds{30})});
  auto found = store_.find_custom(kPods, "default", "web-1", "qps");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].sample.value.to_string(), "2");
  EXPECT_EQ(found[0].sample.timestamp, now());
  EXPECT_EQ(found[0].sample.window, seconds{30});
  EXPECT_EQ(store_.series_count(), 1u);

  // Within one batch the later point wins.
  store_.put_custom({custom(kPods, "default", "web-1", "qps", q("3"), now()),
                     custom(kPods, "default", "web-1", "qps", q("4"), now())});
  found = store_.find_custom(kPods, "default", "web-1", "qps");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].sample.value.to_string(), "4");
  EXPECT_EQ(found[0].sample.window, std::nullopt);
  EXPECT_EQ(store_.series_count(), 1u);
}

TEST_F(SeriesStoreTest, ExpiresSamplesAfterMaxAge) {
  store_.put_custom({custom(kPods, "default", "web-1", "qps", q("1"), now())});
  store_.put_external({external("default", "queue", {}, q("7"), now())});
  clock_.advance(seconds{300});
  // Exactly max_age old is still fresh; one nanosecond more is not.
  EXPECT_EQ(store_.find_custom(kPods, "default", "web-1", "qps").size(), 1u);
  EXPECT_TRUE(store_.has_custom_metric(kPods, "qps"));
  clock_.advance(std::chrono::nanoseconds{1});
  EXPECT_TRUE(store_.find_custom(kPods, "default", "web-1", "qps").empty());
  EXPECT_TRUE(store_.find_custom(kPods, "default", std::nullopt, "qps").empty());
  EXPECT_FALSE(store_.has_custom_metric(kPods, "qps"));
  EXPECT_TRUE(store_.list_custom_metrics().empty());
  EXPECT_TRUE(store_.find_external("default", "queue").empty());
  EXPECT_FALSE(store_.has_external_metric("queue"));
  EXPECT_TRUE(store_.list_external_metrics().empty());
  // Not yet evicted: still counted.
  EXPECT_EQ(store_.series_count(), 2u);
}

TEST_F(SeriesStoreTest, StalenessIsJudgedByTheSampleTimestamp) {
  // A sample written now but stamped long ago is stale at once; one stamped in the future is
  // fresh.
  store_.put_custom({custom(kPods, "default", "old", "qps", q("1"), now() - seconds{301}),
                     custom(kPods, "default", "future", "qps", q("2"), now() + seconds{60})});
  EXPECT_EQ(names(store_.find_custom(kPods, "default", std::nullopt, "qps")),
            (std::vector<std::string>{"future"}));
}

TEST_F(SeriesStoreTest, ReplacingWithAnOlderTimestampUpdatesFreshness) {
  store_.put_custom({custom(kPods, "default", "web-1", "qps", q("1"), now())});
  ASSERT_TRUE(store_.has_custom_metric(kPods, "qps"));
  store_.put_custom({custom(kPods, "default", "web-1", "qps", q("2"), now() - seconds{400})});
  EXPECT_FALSE(store_.has_custom_metric(kPods, "qps"));
  EXPECT_TRUE(store_.list_custom_metrics().empty());
  EXPECT_EQ(store_.evict_stale(), 1u);
}

TEST_F(SeriesStoreTest, GenerationAdvancesOnEveryPutAndOnlyThen) {
  const uint64_t g0 = store_.generation();
  store_.put_custom({custom(kPods, "default", "web-1", "qps", q("1"), now())});
  const uint64_t g1 = store_.generation();
  EXPECT_GT(g1, g0);
  // Reads, time passing and eviction change nothing a reader could have seen.
  EXPECT_EQ(store_.find_custom(kPods, "default", std::nullopt, "qps").size(), 1u);
  clock_.advance(seconds{301});
  EXPECT_EQ(store_.evict_stale(), 1u);
  EXPECT_EQ(store_.generation(), g1);
  // Rewriting the same value is still a write.
  store_.put_custom({custom(kPods, "default", "web-1", "qps", q("1"), now())});
  EXPECT_GT(store_.generation(), g1);
  const uint64_t g2 = store_.generation();
  store_.put_external({external("default", "queue", {}, q("7"), now())});
  EXPECT_GT(store_.generation(), g2);
  EXPECT_EQ(store_.max_age(), seconds{300});
  EXPECT_EQ(&store_.clock(), &clock_);
}

TEST(SeriesStoreMaxAgeTest, ZeroMaxAgeNeverExpires) {
  core::ManualClock clock;
  SeriesStore store(clock, StoreOptions{seconds{0}});
  store.put_custom({custom(kPods, "default", "web-1", "qps", q("1"), clock.system_now())});
  store.put_external({external("default", "queue", {}, q("7"), clock.system_now())});
  clock.advance(std::chrono::hours{24 * 365 * 10});
  EXPECT_EQ(store.find_custom(kPods, "default", "web-1", "qps").size(), 1u);
  EXPECT_EQ(store.find_external("default", "queue").size(), 1u);
  EXPECT_TRUE(store.has_custom_metric(kPods, "qps"));
  EXPECT_EQ(store.list_external_metrics(), (std::vector<std::string>{"queue"}));
  EXPECT_EQ(store.evict_stale(), 0u);
  EXPECT_EQ(store.series_count(), 2u);
  EXPECT_EQ(store.evictions(), 0u);
}

TEST_F(SeriesStoreTest, EvictsStaleSeriesAndCountsThem) {
  store_.put_custom({custom(kPods, "default", "web-1", "qps", q("1"), now()),
                     custom(kPods, "default", "web-2", "qps", q("1"), now()),
                     custom(kPods, "default", "web-2", "qps", q("1"), now(), {{"a", "b"}}),
                     custom(kPods, "other", "web-3", "qps", q("1"), now())});
  store_.put_external({external("default", "queue", {{"q", "1"}}, q("1"), now()),
                       external("default", "queue", {{"q", "2"}}, q("1"), now())});
  EXPECT_EQ(store_.series_count(), 6u);
  EXPECT_EQ(store_.evict_stale(), 0u);

  clock_.advance(seconds{200});
  store_.put_custom({custom(kPods, "default", "web-2", "qps", q("2"), now(), {{"a", "b"}})});
  store_.put_external({external("default", "queue", {{"q", "2"}}, q("2"), now())});
  clock_.advance(seconds{200});
  EXPECT_EQ(store_.evict_stale(), 4u);
  EXPECT_EQ(store_.series_count(), 2u);
  EXPECT_EQ(store_.evictions(), 4u);
  EXPECT_EQ(store_.evict_stale(), 0u);

  // web-2 lost its unlabelled series but keeps the labelled one.
  const auto web2 = store_.find_custom(kPods, "default", "web-2", "qps");
  ASSERT_EQ(web2.size(), 1u);
  EXPECT_EQ(web2[0].key.metric_labels, (core::Labels{{"a", "b"}}));
  EXPECT_EQ(web2[0].sample.value.to_string(), "2");
  EXPECT_TRUE(store_.find_custom(kPods, "other", std::nullopt, "qps").empty());
  const auto queue = store_.find_external("default", "queue");
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].key.metric_labels, (core::Labels{{"q", "2"}}));

  // Writing an evicted series again creates it afresh.
  store_.put_custom({custom(kPods, "default", "web-1", "qps", q("9"), now())});
  EXPECT_EQ(store_.series_count(), 3u);
  EXPECT_EQ(store_.find_custom(kPods, "default", "web-1", "qps").at(0).sample.value.to_string(),
            "9");

  clock_.advance(seconds{1000});
  EXPECT_EQ(store_.evict_stale(), 3u);
  EXPECT_EQ(store_.series_count(), 0u);
  EXPECT_EQ(store_.evictions(), 7u);
  EXPECT_TRUE(store_.list_custom_metrics().empty());
}

TEST_F(SeriesStoreTest, DiscoveryListsAreSortedDeduplicatedAndFresh) {
  store_.put_custom({custom(kPods, "b", "x", "qps", q("1"), now()),
                     custom(kPods, "a", "x", "qps", q("1"), now()),
                     custom(kPods, "a", "x", "latency", q("1"), now()),
                     custom(kDeployments, "a", "x", "qps", q("1"), now()),
                     custom(kNodes, "", "n", "cpu", q("1"), now()),
                     custom(kNodes, "", "n", "old", q("1"), now() - seconds{1000})});
  store_.put_external({external("b", "queue", {}, q("1"), now()),
                       external("a", "queue", {{"x", "y"}}, q("1"), now()),
                       external("a", "lag", {}, q("1"), now()),
                       external("a", "gone", {}, q("1"), now() - seconds{1000})});
  const std::vector<CustomMetricInfo> expected = {{kDeployments, "qps"},
                                                  {kNodes, "cpu"},
                                                  {kPods, "latency"},
                                                  {kPods, "qps"}};
  EXPECT_EQ(store_.list_custom_metrics(), expected);
  EXPECT_TRUE(std::is_sorted(expected.begin(), expected.end()));
  EXPECT_EQ(store_.list_external_metrics(), (std::vector<std::string>{"lag", "queue"}));
  EXPECT_TRUE(store_.has_custom_metric(kPods, "qps"));
  EXPECT_TRUE(store_.has_custom_metric(kDeployments, "qps"));
  EXPECT_FALSE(store_.has_custom_metric(kNodes, "qps"));
  EXPECT_FALSE(store_.has_custom_metric(kNodes, "old"));
  EXPECT_TRUE(store_.has_external_metric("queue"));
  EXPECT_FALSE(store_.has_external_metric("gone"));
  EXPECT_FALSE(store_.has_external_metric("missing"));
}

TEST_F(SeriesStoreTest, ExternalSeriesByNamespaceAndLabels) {
  store_.put_external({external("default", "queue_depth", {{"queue", "a"}}, q("10"), now()),
                       external("default", "queue_depth", {{"queue", "b"}}, q("20"), now()),
                       external("other", "queue_depth", {{"queue", "a"}}, q("30"), now())});
  auto all = store_.find_external("default", "queue_depth");
  ASSERT_EQ(all.size(), 2u);
  const auto only_b = store_.find_external("default", "queue_depth", [](const core::Labels& l) {
    return l.contains("queue") && l.at("queue") == "b";
  });
  ASSERT_EQ(only_b.size(), 1u);
  EXPECT_EQ(only_b[0].key.namespace_name, "default");
  EXPECT_EQ(only_b[0].key.metric, "queue_depth");
  EXPECT_EQ(only_b[0].sample.value.to_string(), "20");
  store_.put_external({external("default", "queue_depth", {{"queue", "b"}}, q("21"), now())});
  EXPECT_EQ(store_
                .find_external("default", "queue_depth",
                               [](const core::Labels& l) { return l.at("queue") == "b"; })
                .at(0)
                .sample.value.to_string(),
            "21");
  EXPECT_EQ(store_.find_external("other", "queue_depth").size(), 1u);
  EXPECT_EQ(store_.series_count(), 3u);
}

TEST_F(SeriesStoreTest, VisitorsSeeTheSameSeriesAsFind) {
  store_.put_custom({custom(kPods, "default", "web-1", "qps", q("1"), now(), {{"k", "v"}}),
                     custom(kPods, "default", "web-2", "qps", q("2"), now())});
  std::vector<std::string> seen;
  const size_t n =
      store_.visit_custom(kPods, "default", std::nullopt, "qps", {}, [&](const CustomPointView& v) {
        EXPECT_EQ(v.group_resource, kPods);
        EXPECT_EQ(v.namespace_name, "default");
        EXPECT_EQ(v.metric, "qps");
        seen.push_back(std::string(v.object_name) + "=" + v.sample.value.to_string() + "/" +
                       std::to_string(v.metric_labels.size()));
      });
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(seen, (std::vector<std::string>{"web-1=1/1", "web-2=2/0"}));

  store_.put_external({external("ns", "m", {{"a", "1"}}, q("5"), now())});
  size_t visited = 0;
  store_.visit_external("ns", "m", {}, [&](const ExternalPointView& v) {
    EXPECT_EQ(v.metric_labels.at("a"), "1");
    EXPECT_EQ(v.sample.value.to_string(), "5");
    ++visited;
  });
  EXPECT_EQ(visited, 1u);
}

TEST_F(SeriesStoreTest, VisitingAFamilyDoesNotAllocate) {
  std::vector<CustomPoint> points;
  for (int i = 0; i < 100; ++i) {
    points.push_back(custom(kPods, "default", "web-7d9f8-" + std::to_string(10000 + i),
                            "http_requests_qps", core::Quantity::from_milli(1500), now()));
  }
  store_.put_custom(std::move(points));
  int64_t total = 0;
  const std::function<void(const CustomPointView&)> visit = [&total](const CustomPointView& v) {
    total += v.sample.value.milli_value();
  };
  const std::function<bool(const core::Labels&)> filter = [](const core::Labels& l) {
    return l.empty();
  };
  const long before = g_allocations.load();
  const size_t n =
      store_.visit_custom(kPods, "default", std::nullopt, "http_requests_qps", filter, visit);
  const long allocations = g_allocations.load() - before;
  EXPECT_EQ(n, 100u);
  EXPECT_EQ(total, 150'000);
  EXPECT_EQ(allocations, 0);
}

// What was put comes back unchanged through every observer of Quantity, whichever
// representation the store chose for it.
TEST_F(SeriesStoreTest, StoredQuantitiesComeBackExactly) {
  std::vector<core::Quantity> values;
  for (const char* text : {"0",
                           "1",
                           "-1",
                           "1500m",
                           "512.30",
                           "0.5",
                           "1.5",
                           "1.500",
                           "+1",
                           "010",
                           "100.035k",
                           "2k",
                           "1e3",
                           "1.5e3",
                           "10e2",
                           "2E3",
                           "1Ki",
                           "1.5Gi",
                           "1.1Ki",
                           ".001Ki",
                           "1023Ki",
                           "5.444T",
                           "0.000033333",
                           "33333n",
                           "1234567890n",
                           "123456789.123456789",
                           "9223372036854775807",
                           "-9223372036854775808",
                           "123456789012345678901234567890",
                           "1e-9",
                           "0.1m",
                           "9.5E",
                           "1e19",
                           "7Ei",
                           "1.",
                           "-0",
                           "0.0",
                           "100m",
                           "1000m",
                           "999999999999999999m",
                           "12345678901234",
                           "9223372036854775m",
                           "9223372036854776m",
                           "-9223372036854775m",
                           "10G",
                           "1.5Ti"}) {
    values.push_back(q(text));
  }
  values.push_back(core::Quantity::from_milli(1500));
  values.push_back(core::Quantity::from_milli(-1, Format::BinarySI));
  values.push_back(core::Quantity::from_int(1024, Format::BinarySI));
  values.push_back(core::Quantity::from_int(7, Format::DecimalExponent));
  values.push_back(core::Quantity::from_scaled(15, -1));
  values.push_back(core::Quantity::from_scaled(1, -10));
  values.push_back(core::Quantity::from_scaled(1, 21));
  for (double d : {0.1, 2.0 / 3.0, 123456.789, -0.0005, 1e12}) {
    values.push_back(*core::Quantity::from_double_milli(d));
  }

  std::vector<CustomPoint> points;
  for (size_t i = 0; i < values.size(); ++i) {
    points.push_back(custom(kPods, "default", "obj-" + std::to_string(i), "m", values[i], now()));
  }
  store_.put_custom(points);
  for (size_t i = 0; i < values.size(); ++i) {
    const core::Quantity& want = values[i];
    SCOPED_TRACE(want.to_string());
    const auto found = store_.find_custom(kPods, "default", "obj-" + std::to_string(i), "m");
    ASSERT_EQ(found.size(), 1u);
    const core::Quantity& got = found[0].sample.value;
    EXPECT_EQ(got.to_string(), want.to_string());
    EXPECT_EQ(got.compare(want), 0);
    EXPECT_EQ(got.canonical(), want.canonical());
    EXPECT_EQ(got.format(), want.format());
    EXPECT_EQ(std::bit_cast<uint64_t>(got.as_approximate_double()),
              std::bit_cast<uint64_t>(want.as_approximate_double()));
    EXPECT_EQ(got.milli_value(), want.milli_value());
    EXPECT_EQ(got.value(), want.value());
    EXPECT_EQ(got.fits_milli(), want.fits_milli());
    EXPECT_EQ(got.sign(), want.sign());
  }
}

TEST_F(SeriesStoreTest, TimestampsAndWindowsComeBackExactly) {
  const core::SystemTime t = now() + std::chrono::nanoseconds{123'456'789};
  store_.put_custom({custom(kPods, "default", "a", "m", q("1"), t, {}, seconds{0}),
                     custom(kPods, "default", "b", "m", q("1"), t, {}, seconds{60}),
                     custom(kPods, "default", "c", "m", q("1"), t, {}, seconds{1LL << 40}),
                     custom(kPods, "default", "d", "m", q("1.500"), t, {}, seconds{-5}),
                     custom(kPods, "default", "e", "m", q("1"), t)});
  const auto get = [&](const char* name) {
    return store_.find_custom(kPods, "default", name, "m").at(0).sample;
  };
  EXPECT_EQ(get("a").timestamp, t);
  EXPECT_EQ(get("a").window, seconds{0});
  EXPECT_EQ(get("b").window, seconds{60});
  EXPECT_EQ(get("c").window, seconds{1LL << 40});
  EXPECT_EQ(get("c").timestamp, t);
  EXPECT_EQ(get("d").window, seconds{-5});
  EXPECT_EQ(get("d").value.to_string(), "1.500");
  EXPECT_EQ(get("e").window, std::nullopt);
}

TEST_F(SeriesStoreTest, ConcurrentReadersAndWritersAgree) {
  constexpr int kPodsPerWriter = 50;
  constexpr int kRounds = 200;
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      for (int round = 0; round < kRounds; ++round) {
        std::vector<CustomPoint> batch;
        for (int i = 0; i < kPodsPerWriter; ++i) {
          batch.push_back(custom(kPods, "default",
                                 "w" + std::to_string(w) + "-" + std::to_string(i), "qps",
                                 core::Quantity::from_milli(round), clock_.system_now(),
                                 round % 2 ? core::Labels{} : core::Labels{{"r", "x"}}));
        }
        store_.put_custom(std::move(batch));
        store_.put_external({external("default", "q", {{"w", std::to_string(w)}},
                                      core::Quantity::from_int(round), clock_.system_now())});
      }
    });
  }
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        for (const auto& p : store_.find_custom(kPods, "default", std::nullopt, "qps")) {
          EXPECT_EQ(p.key.metric, "qps");
          EXPECT_LT(p.sample.value.milli_value(), kRounds);
        }
        store_.find_custom(kPods, "default", "w0-1", "qps");
        store_.find_external("default", "q");
        store_.has_custom_metric(kPods, "qps");
        store_.list_custom_metrics();
        store_.list_external_metrics();
        reads.fetch_add(1);
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop.load()) {
      clock_.advance(std::chrono::milliseconds{100});
      store_.evict_stale();
      store_.series_count();
    }
  });
  threads[0].join();
  threads[1].join();
  stop.store(true);
  for (size_t i = 2; i < threads.size(); ++i) {
    threads[i].join();
  }
  EXPECT_GT(reads.load(), 0);
  // Every series written is either still stored or was evicted, never lost or doubled.
  EXPECT_GE(store_.series_count() + store_.evictions(), 2u * (2 * kPodsPerWriter + 1));
  store_.put_custom({custom(kPods, "default", "w0-0", "qps", q("1"), clock_.system_now())});
  EXPECT_EQ(store_
                .find_custom(kPods, "default", "w0-0", "qps",
                             [](const core::Labels& l) { return l.empty(); })
                .size(),
            1u);
}

// A reader-preferring lock (glibc's std::shared_mutex) lets a steady stream of readers hold
// writers off for tens of seconds; the store's lock must let writers through.
TEST_F(SeriesStoreTest, WritersAreNotStarvedByBusyReaders) {
  std::vector<CustomPoint> pods;
  for (int i = 0; i < 100; ++i) {
    pods.push_back(custom(kPods, "default", "web-" + std::to_string(i), "qps", q("1"), now()));
  }
  store_.put_custom(pods);
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        store_.find_custom(kPods, "default", std::nullopt, "qps");
      }
    });
  }
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) {
    store_.put_custom(
        {custom(kPods, "default", "web-0", "qps", core::Quantity::from_int(i), now())});
  }
  const auto took = std::chrono::steady_clock::now() - start;
  stop.store(true);
  for (auto& t : readers) {
    t.join();
  }
  EXPECT_LT(took, seconds{10});
  EXPECT_EQ(store_.find_custom(kPods, "default", "web-0", "qps").at(0).sample.value.to_string(),
            "199");
}

// Label set {"id": "<i>"}: many label sets of one metric, as one scrape target exposes them.
core::Labels label_set(int i) { return core::Labels{{"id", std::to_string(i)}}; }

std::vector<CustomPoint> label_sets_of(const std::string& object, int from, int to, int value,
                                       core::SystemTime t) {
  std::vector<CustomPoint> out;
  for (int i = from; i < to; ++i) {
    out.push_back(custom(kPods, "default", object, "hits", core::Quantity::from_int(value + i), t,
                         label_set(i)));
  }
  return out;
}

// The value stored under each label set's id, checking each id comes once.
std::map<int, std::string> values_by_id(const std::vector<CustomPoint>& points) {
  std::map<int, std::string> out;
  for (const auto& p : points) {
    const int id = std::stoi(p.key.metric_labels.at("id"));
    EXPECT_TRUE(out.emplace(id, p.sample.value.to_string()).second) << "duplicate id " << id;
  }
  return out;
}

TEST_F(SeriesStoreTest, ManyLabelSetsOnOneObjectUpdateInPlaceOrInsertInOrder) {
  store_.put_custom(label_sets_of("web-1", 0, 1000, 0, now()));
  EXPECT_EQ(store_.series_count(), 1000u);
  // Half of them again (updated in place), and 500 new ones.
  store_.put_custom(label_sets_of("web-1", 500, 1500, 10'000, now()));
  EXPECT_EQ(store_.series_count(), 1500u);

  const auto points = store_.find_custom(kPods, "default", "web-1", "hits");
  ASSERT_EQ(points.size(), 1500u);
  // One object's series come back in the order their label sets were first written.
  for (size_t i = 0; i < points.size(); ++i) {
    ASSERT_EQ(points[i].key.metric_labels, label_set(static_cast<int>(i)));
  }
  const auto values = values_by_id(points);
  EXPECT_EQ(values.at(0), "0");
  EXPECT_EQ(values.at(499), "499");
  EXPECT_EQ(values.at(500), "10500");
  EXPECT_EQ(values.at(1499), "11499");
}

TEST_F(SeriesStoreTest, EvictionKeepsAnObjectsLabelSetIndexConsistent) {
  store_.put_custom(label_sets_of("web-1", 0, 1000, 0, now()));
  clock_.advance(seconds{200});
  // Refresh the odd label sets only; the even ones (the object's first among them) go stale.
  std::vector<CustomPoint> odd;
  for (int i = 1; i < 1000; i += 2) {
    odd.push_back(custom(kPods, "default", "web-1", "hits", core::Quantity::from_int(i), now(),
                         label_set(i)));
  }
  store_.put_custom(std::move(odd));
  clock_.advance(seconds{200});
  EXPECT_EQ(store_.evict_stale(), 500u);
  EXPECT_EQ(store_.series_count(), 500u);

  // Every kept label set is found again (updated in place), every evicted one is new.
  store_.put_custom(label_sets_of("web-1", 0, 1000, 20'000, now()));
  EXPECT_EQ(store_.series_count(), 1000u);
  const auto values = values_by_id(store_.find_custom(kPods, "default", "web-1", "hits"));
  ASSERT_EQ(values.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(values.at(i), core::Quantity::from_int(20'000 + i).to_string()) << i;
  }

  // Down to a few label sets (below the index threshold), then growing again.
  clock_.advance(seconds{200});
  store_.put_custom(label_sets_of("web-1", 0, 3, 30'000, now()));
  clock_.advance(seconds{200});
  EXPECT_EQ(store_.evict_stale(), 997u);
  store_.put_custom(label_sets_of("web-1", 0, 20, 40'000, now()));
  EXPECT_EQ(store_.series_count(), 20u);
  EXPECT_EQ(values_by_id(store_.find_custom(kPods, "default", "web-1", "hits")).at(19), "40019");
}

TEST_F(SeriesStoreTest, ManyExternalLabelSetsUpdateInPlaceAndSurviveEviction) {
  const auto all = [this] {
    std::vector<ExternalPoint> out;
    for (int i = 0; i < 1000; ++i) {
      out.push_back(external("default", "queue", label_set(i), core::Quantity::from_int(i), now()));
    }
    return out;
  };
  store_.put_external(all());
  clock_.advance(seconds{200});
  std::vector<ExternalPoint> half;
  for (int i = 0; i < 1000; i += 2) {
    half.push_back(external("default", "queue", label_set(i), q("7"), now()));
  }
  store_.put_external(std::move(half));
  EXPECT_EQ(store_.series_count(), 1000u);
  clock_.advance(seconds{200});
  EXPECT_EQ(store_.evict_stale(), 500u);
  store_.put_external(all());
  EXPECT_EQ(store_.series_count(), 1000u);
  const auto points = store_.find_external("default", "queue");
  ASSERT_EQ(points.size(), 1000u);
  std::map<int, std::string> values;
  for (const auto& p : points) {
    values.emplace(std::stoi(p.key.metric_labels.at("id")), p.sample.value.to_string());
  }
  ASSERT_EQ(values.size(), 1000u);
  EXPECT_EQ(values.at(0), "0");
  EXPECT_EQ(values.at(999), "999");
}

// Label-set lookups a write makes on one object, over `writes` writes of label sets the object
// holds and `writes` of label sets it does not (but another object does).
uint64_t probes_for_writes_on_an_object_holding(int held, int writes) {
  core::ManualClock clock;
  SeriesStore store{clock, StoreOptions{seconds{300}}};
  const auto t = clock.system_now();
  store.put_custom(label_sets_of("big", 0, held, 0, t));
  store.put_custom(label_sets_of("other", held, held + writes, 0, t));
  std::vector<CustomPoint> batch = label_sets_of("big", held - writes, held + writes, 1, t);
  detail::SlotIndex::probes() = 0;
  store.put_custom(std::move(batch));
  const uint64_t probes = detail::SlotIndex::probes();
  EXPECT_EQ(store.series_count(), static_cast<size_t>(held + 2 * writes));
  return probes;
}

TEST_F(SeriesStoreTest, AWriteDoesNotScanTheObjectsOtherLabelSets) {
  constexpr int kWrites = 500;
  const uint64_t small = probes_for_writes_on_an_object_holding(1'000, kWrites);
  const uint64_t large = probes_for_writes_on_an_object_holding(64'000, kWrites);
  // A scan would look at up to `held` label sets per write (hundreds of thousands here); the
  // index looks at a few slots per write, however many label sets the object holds.
  EXPECT_GT(small, 0u);
  EXPECT_LE(small, 4u * 2 * kWrites);
  EXPECT_LE(large, 4u * 2 * kWrites);
}

}  // namespace
}  // namespace kscale::store
