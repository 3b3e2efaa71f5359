#include "api/read_cache.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/metric_handlers.h"
#include "api/store_metrics_provider.h"
#include "core/clock.h"
#include "kube/cluster_view.h"
#include "store/series_store.h"

namespace kscale::api {
namespace {

namespace http = net::http;
using std::chrono::seconds;

const core::GroupResource kPods{"pods", ""};
constexpr std::string_view kAllPods =
    "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/qps";
constexpr std::string_view kOnePod =
    "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/qps";

// A cluster view that knows every object and gives it the label app=web.
class WebClusterView final : public kube::ClusterView {
 public:
  // kube::ClusterView
  bool configured() const override { return true; }
  std::optional<core::Labels> labels_of(const core::GroupResource&, std::string_view,
                                        std::string_view) const override {
    return core::Labels{{"app", "web"}};
  }
  core::Result<std::vector<std::string>> select(const core::GroupResource&, std::string_view,
                                                const core::LabelSelector&) const override {
    return core::fail(core::Error::internal("WebClusterView cannot enumerate objects"));
  }
};

// The same store read through two routers: one with a ReadCache, one without. Every answer of
// the cached router must be byte-identical to the uncached one's.
class ReadCacheTest : public ::testing::Test {
 protected:
  explicit ReadCacheTest(const kube::ClusterView* cluster = nullptr)
      : store_(clock_, store::StoreOptions{seconds{300}}),
        provider_(store_, cluster ? *cluster : empty_) {
    for (auto* r : {&cached_, &uncached_}) {
      ReadCache* cache = r == &cached_ ? &cache_ : nullptr;
      const auto read = [this, cache](const net::RequestContext& ctx) {
        return handle_custom_read(ctx, provider_, cache);
      };
      r->add(http::verb::get,
             "/apis/custom.metrics.k8s.io/{version}/namespaces/{namespace}/metrics/{metric}",
             [this, cache](const net::RequestContext& ctx) {
               return handle_namespace_metric(ctx, provider_, cache);
             });
      r->add(
          http::verb::get,
          "/apis/custom.metrics.k8s.io/{version}/namespaces/{namespace}/{resource}/{name}/{metric}",
          read);
      r->add(http::verb::get, "/apis/custom.metrics.k8s.io/{version}/{resource}/{name}/{metric}",
             read);
    }
  }

  void put(std::string ns, std::string pod, int64_t milli, core::SystemTime t,
           core::Labels labels = {}) {
    store_.put_custom({store::CustomPoint{
        store::CustomSeriesKey{kPods, std::move(ns), std::move(pod), "qps", std::move(labels)},
        store::Sample{t, core::Quantity::from_milli(milli), std::nullopt}}});
  }
  void put_namespace(std::string ns, int64_t milli, core::SystemTime t) {
    store_.put_custom({store::CustomPoint{
        store::CustomSeriesKey{{"namespaces", ""}, "", std::move(ns), "qps", {}},
        store::Sample{t, core::Quantity::from_milli(milli), std::nullopt}}});
  }

  static net::Response get(const net::Router& router, std::string_view target) {
    return router.dispatch(net::Request{http::verb::get, target, 11});
  }

  // Reads through both routers and expects the same status and bytes; returns the body.
  std::string read(std::string_view target) {
    const auto a = get(cached_, target);
    const auto b = get(uncached_, target);
    EXPECT_EQ(a.result_int(), b.result_int()) << target;
    EXPECT_EQ(a.body(), b.body()) << target;
    return a.body();
  }

  core::SystemTime now() const { return clock_.system_now(); }

  kube::EmptyClusterView empty_;
  core::ManualClock clock_;
  store::SeriesStore store_;
  StoreMetricsProvider provider_;
  ReadCache cache_;
  net::Router cached_;
  net::Router uncached_;
};

TEST_F(ReadCacheTest, ServesARepeatedReadFromTheCache) {
  put("default", "web-1", 1500, now());
  put("default", "web-2", 2500, now());
  const std::string first = read(kAllPods);
  EXPECT_NE(first.find("web-2"), std::string::npos);
  EXPECT_EQ(cache_.size(), 1u);
  EXPECT_EQ(read(kAllPods), first);
  read(kOnePod);
  EXPECT_EQ(cache_.size(), 2u);
}

TEST_F(ReadCacheTest, AWriteSupersedesTheCachedAnswer) {
  put("default", "web-1", 1500, now());
  read(kAllPods);
  read(kOnePod);
  put("default", "web-1", 2000, now());
  EXPECT_NE(read(kAllPods).find("\"2\""), std::string::npos);
  EXPECT_NE(read(kOnePod).find("\"2\""), std::string::npos);
  // A write anywhere else in the store also invalidates (the generation is store-wide).
  put("elsewhere", "x", 1, now());
  EXPECT_NE(read(kAllPods).find("\"2\""), std::string::npos);
  put("default", "web-3", 7000, now());
  EXPECT_NE(read(kAllPods).find("web-3"), std::string::npos);
}

TEST_F(ReadCacheTest, AValueGoingStaleIsNotServedFromTheCache) {
  const auto t0 = now();
  put("default", "web-1", 1000, t0);
  clock_.advance(seconds{100});
  put("default", "web-2", 2000, now());
  EXPECT_NE(read(kAllPods).find("web-1"), std::string::npos);
  // web-1 is fresh up to and including t0 + max_age, and not one nanosecond later.
  clock_.set_system(t0 + seconds{300});
  EXPECT_NE(read(kAllPods).find("web-1"), std::string::npos);
  clock_.advance(std::chrono::nanoseconds{1});
  const std::string later = read(kAllPods);
  EXPECT_EQ(later.find("web-1"), std::string::npos);
  EXPECT_NE(later.find("web-2"), std::string::npos);
  // The single-object read of a value that went stale becomes a 404 in both.
  clock_.set_system(t0);
  read(kOnePod);
  clock_.set_system(t0 + seconds{301});
  EXPECT_EQ(get(cached_, kOnePod).result_int(), 404);
}

TEST_F(ReadCacheTest, AClockSteppedBackIsNotServedFromTheCache) {
  const auto t0 = now();
  put("default", "web-1", 1000, t0);
  put("default", "web-2", 2000, t0 + seconds{200});
  clock_.set_system(t0 + seconds{350});
  EXPECT_EQ(read(kAllPods).find("web-1"), std::string::npos);
  // Back to where web-1 is fresh again: the answer cached without it must not be served.
  clock_.set_system(t0 + seconds{250});
  EXPECT_NE(read(kAllPods).find("web-1"), std::string::npos);
}

TEST_F(ReadCacheTest, EmptyAnswersAndErrorsAreNotCached) {
  EXPECT_EQ(get(cached_, kAllPods).result_int(), 404);
  put("other", "web-1", 1000, now());
  EXPECT_EQ(read(kAllPods), read(kAllPods));  // known metric, no pod in default: empty list
  EXPECT_EQ(get(cached_, kOnePod).result_int(), 404);
  EXPECT_EQ(
      get(cached_,
          "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/qps?labelSelector=%3D")
          .result_int(),
      400);
  EXPECT_EQ(cache_.size(), 0u);
  // The empty list turns into NotFound when the other namespace's value goes stale.
  clock_.advance(seconds{301});
  EXPECT_EQ(get(cached_, kAllPods).result_int(), 404);
}

TEST_F(ReadCacheTest, TheTargetIsTheKeyIncludingTheQuery) {
  put("default", "web-1", 1000, now(), {{"method", "GET"}});
  put("default", "web-2", 2000, now(), {{"method", "POST"}});
  const std::string all = read(kAllPods);
  const std::string get_only = read(std::string(kAllPods) + "?metricLabelSelector=method%3DGET");
  EXPECT_NE(all, get_only);
  EXPECT_EQ(get_only.find("web-2"), std::string::npos);
  EXPECT_EQ(read(std::string(kAllPods) + "?metricLabelSelector=method%3DGET"), get_only);
  EXPECT_EQ(cache_.size(), 2u);
  // Without a cluster view labelSelector cannot select, so the answer depends on data only.
  read(std::string(kAllPods) + "?labelSelector=app%3Dweb");
  EXPECT_EQ(cache_.size(), 3u);
}

TEST_F(ReadCacheTest, NamespaceMetricsAreCachedToo) {
  put_namespace("default", 4000, now());
  const std::string path = "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/metrics/qps";
  EXPECT_NE(read(path).find("\"4\""), std::string::npos);
  EXPECT_EQ(cache_.size(), 1u);
  put_namespace("default", 5000, now());
  EXPECT_NE(read(path).find("\"5\""), std::string::npos);
}

// Random writes, clock moves (forwards and back) and reads: the cached router never differs.
TEST_F(ReadCacheTest, RandomHistoriesAnswerExactlyAsWithoutTheCache) {
  std::mt19937 rng(42);
  const std::vector<std::string> targets = {
      std::string(kAllPods), std::string(kOnePod),
      "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/qps?metricLabelSelector=m%3Da",
      "/apis/custom.metrics.k8s.io/v1beta1/namespaces/other/pods/*/qps",
      "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/web-2/qps"};
  const auto start = now();
  for (int step = 0; step < 3000; ++step) {
    SCOPED_TRACE(step);
    switch (rng() % 4) {
      case 0: {
        const std::string pod = "web-" + std::to_string(rng() % 4);
        const auto stamp = now() - seconds{static_cast<int>(rng() % 400)};
        core::Labels labels;
        if (rng() % 3 == 0) {
          labels = {{"m", rng() % 2 ? "a" : "b"}};
        }
        put(rng() % 4 == 0 ? "other" : "default", pod, static_cast<int64_t>(rng() % 10000), stamp,
            labels);
        break;
      }
      case 1:
        if (rng() % 8 == 0) {
          clock_.set_system(std::max(start, now() - seconds{static_cast<int>(rng() % 200)}));
        } else {
          clock_.advance(std::chrono::milliseconds{rng() % 60'000});
        }
        break;
      default:
        read(targets[rng() % targets.size()]);
        break;
    }
    if (HasFailure()) {
      break;
    }
  }
}

class ReadCacheWithClusterViewTest : public ReadCacheTest {
 protected:
  ReadCacheWithClusterViewTest() : ReadCacheTest(&cluster_view_) {}
  static WebClusterView cluster_view_;
};
WebClusterView ReadCacheWithClusterViewTest::cluster_view_;

TEST_F(ReadCacheWithClusterViewTest, ObjectSelectorsOfAConfiguredClusterViewAreNotCached) {
  put("default", "web-1", 1000, now());
  read(std::string(kAllPods) + "?labelSelector=app%3Dweb");
  EXPECT_EQ(cache_.size(), 0u);
  read(kAllPods);
  EXPECT_EQ(cache_.size(), 1u);
}

DataVersion version(uint64_t generation, core::SystemTime now, seconds max_age = seconds{300}) {
  return DataVersion{generation, now, max_age};
}

TEST(ReadCacheUnitTest, AWriteDuringTheReadPreventsCaching) {
  ReadCache cache;
  const core::SystemTime t{seconds{1000}};
  cache.insert("/a", std::make_shared<const std::string>("x"), version(1, t), version(2, t), t);
  EXPECT_EQ(cache.size(), 0u);
  cache.insert("/a", std::make_shared<const std::string>("x"), version(2, t), version(2, t), t);
  ASSERT_NE(cache.find("/a", version(2, t)), nullptr);
  EXPECT_EQ(cache.find("/a", version(3, t)), nullptr);
  EXPECT_EQ(cache.find("/b", version(2, t)), nullptr);
}

TEST(ReadCacheUnitTest, ZeroMaxAgeNeverExpires) {
  ReadCache cache;
  const core::SystemTime t{seconds{1000}};
  cache.insert("/a", std::make_shared<const std::string>("x"), version(1, t, seconds{0}),
               version(1, t, seconds{0}), t);
  EXPECT_NE(cache.find("/a", version(1, core::SystemTime::max(), seconds{0})), nullptr);
}

TEST(ReadCacheUnitTest, StaysWithinItsBounds) {
  ReadCache cache(ReadCache::Limits{2, 4, 6});
  const core::SystemTime t{seconds{1000}};
  const auto v = version(1, t);
  cache.insert("/big", std::make_shared<const std::string>("12345"), v, v, t);
  EXPECT_EQ(cache.size(), 0u);
  cache.insert("/a", std::make_shared<const std::string>("1234"), v, v, t);
  cache.insert("/b", std::make_shared<const std::string>("12"), v, v, t);
  EXPECT_EQ(cache.size(), 2u);
  cache.insert("/c", std::make_shared<const std::string>("1"), v, v,
               t);  // over 2 entries: emptied first
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_NE(cache.find("/c", v), nullptr);
  // Replacing an entry keeps the byte count right.
  cache.insert("/c", std::make_shared<const std::string>("1234"), v, v, t);
  cache.insert("/d", std::make_shared<const std::string>("12"), v, v, t);
  EXPECT_EQ(cache.size(), 2u);
  cache.insert("/e", std::make_shared<const std::string>("1"), v, v,
               t);  // 7 bytes > 6: emptied first
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ReadCacheUnitTest, AnOlderAnswerDoesNotReplaceANewerOne) {
  ReadCache cache;
  const core::SystemTime t{seconds{1000}};
  cache.insert("/a", std::make_shared<const std::string>("new"), version(5, t), version(5, t), t);
  cache.insert("/a", std::make_shared<const std::string>("old"), version(4, t), version(4, t), t);
  ASSERT_NE(cache.find("/a", version(5, t)), nullptr);
  EXPECT_EQ(*cache.find("/a", version(5, t)), "new");
}

}  // namespace
}  // namespace kscale::api
