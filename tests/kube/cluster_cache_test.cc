#include "kube/cluster_cache.h"

#include <gtest/gtest.h>

#include <deque>
#include <future>
#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "fakes/fake_api_client.h"

namespace kscale::kube {
namespace {

using Sent = fakes::FakeApiClient::Sent;
using std::chrono::milliseconds;

// {"metadata":{name, namespace, labels + `in_metadata`} + `beside_metadata`}
std::string item(std::string_view ns, std::string_view name, std::string_view labels,
                 std::string_view in_metadata = "", std::string_view beside_metadata = "") {
  return R"({"metadata":{"name":")" + std::string(name) + R"(","namespace":")" + std::string(ns) +
         R"(","resourceVersion":"7","labels":{)" + std::string(labels) + "}" +
         std::string(in_metadata) + "}" + std::string(beside_metadata) + "}";
}

std::string list(const std::vector<std::string>& items) {
  std::string body =
      R"({"kind":"PartialObjectMetadataList","metadata":{"resourceVersion":"100"},"items":[)";
  for (std::size_t i = 0; i < items.size(); ++i) {
    body += (i ? "," : "") + items[i];
  }
  return body + "]}";
}

const std::string kConfigMap =
    R"({"metadata":{"name":"extension-apiserver-authentication","namespace":"kube-system","resourceVersion":"9"},"data":{"client-ca-file":"CA1"}})";

// A scripted API server: answers by the target's path (query ignored unless a more specific
// key matches first), watches stream what the test queued for the path, then end at once.
struct CacheHarness {
  core::ManualClock clock;
  fakes::FakeApiClient api;
  boost::asio::io_context ioc;
  net::TaskGroup tasks{ioc.get_executor()};
  std::map<std::string, net::Response> answers;  // by target prefix; the longest match wins
  std::map<std::string, std::deque<std::string>> events;  // by path, one event per watch
  std::unique_ptr<ClusterCache> cache;

  explicit CacheHarness(ClusterCacheOptions options = {}) {
    answer("/api/v1/pods?", list({item("default", "web-1", R"("app":"web")"),
                                  item("default", "db-1", R"("app":"db")"),
                                  item("shop", "web-2", R"("app":"web")")}));
    answer("/api/v1/namespaces?", list({item("", "default", ""), item("", "shop", "")}));
    answer("/api/v1/namespaces/kube-system/configmaps?", list({kConfigMap}));
    answer("/api", R"({"versions":["v1"]})");
    answer(
        "/api/v1",
        R"({"resources":[{"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["list","watch"]}]})");
    answer("/apis", R"({"groups":[{"name":"apps","preferredVersion":{"version":"v1"}}]})");
    answer(
        "/apis/apps/v1",
        R"({"resources":[{"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment","verbs":["list","watch"]},
      {"name":"controllerrevisions","singularName":"controllerrevision","namespaced":true,"kind":"ControllerRevision","verbs":["get"]}]})");
    answer("/apis/apps/v1/deployments?", list({item("default", "web", R"("app":"web")")}));
    api.answer = [this](const Sent& s) -> core::Result<net::Response> {
      const net::Response* best = nullptr;
      std::size_t best_length = 0;
      for (const auto& [prefix, response] : answers) {
        const bool exact = s.target == prefix;
        if ((exact || (prefix.ends_with('?') && s.target.starts_with(prefix))) &&
            prefix.size() >= best_length) {
          best = &response;
          best_length = prefix.size();
        }
      }
      if (best == nullptr) {
        return net::json_response(R"({"kind":"Status","code":404})", net::http::status::not_found);
      }
      return *best;
    };
    api.stream_answer = [this](const Sent& s, const BodySink& sink) -> core::Result<net::Response> {
      auto& queue = events[s.target.substr(0, s.target.find('?'))];
      if (!queue.empty()) {
        const auto e = std::move(queue.front());
        queue.pop_front();
        if (auto r = sink(e); !r) {
          return core::fail(r.error());
        }
      }
      return net::json_response("");
    };
    auto env = default_reflector_env(clock);
    env.backoff.initial = milliseconds(5);
    env.backoff.cap = milliseconds(20);
    cache = std::make_unique<ClusterCache>(api, tasks, ioc.get_executor(), options, env);
  }
  ~CacheHarness() {
    tasks.emit(boost::asio::cancellation_type::total);
    run_until([&] { return tasks.size() == 0; });
  }
  void answer(std::string prefix, std::string body,
              net::http::status status = net::http::status::ok) {
    answers.insert_or_assign(std::move(prefix), net::json_response(std::move(body), status));
  }
  template <class Condition>
  bool run_until(Condition condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) {
        return false;
      }
      ioc.restart();
      ioc.run_for(milliseconds(2));
    }
    return true;
  }
  core::Result<std::vector<std::string>> select_async(std::string gr, std::string ns,
                                                      std::string selector) {
    auto f =
        boost::asio::co_spawn(ioc,
                              cache->select_async(core::GroupResource::parse(gr), std::move(ns),
                                                  *core::LabelSelector::parse(selector)),
                              boost::asio::use_future);
    EXPECT_TRUE(
        run_until([&] { return f.wait_for(milliseconds(0)) == std::future_status::ready; }));
    return f.get();
  }
  bool sent(std::string_view target) const {
    return std::any_of(api.sent.begin(), api.sent.end(),
                       [&](const Sent& s) { return s.target == target; });
  }
};

core::LabelSelector selector(std::string_view s) { return *core::LabelSelector::parse(s); }
const auto kPods = core::GroupResource::parse("pods");

TEST(ClusterCacheTest, SyncedOncePodsNamespacesAndTheConfigMapAreListed) {
  CacheHarness h;
  h.answer("/api/v1/namespaces/kube-system/configmaps?", "{}", net::http::status::forbidden);
  EXPECT_FALSE(h.cache->synced());
  h.cache->start();
  ASSERT_TRUE(h.run_until([&] {
    return h.cache->unsynced() ==
           std::vector<std::string>{"configmaps/kube-system/extension-apiserver-authentication"};
  }));
  EXPECT_FALSE(h.cache->synced());
  EXPECT_TRUE(
      h.sent("/api/v1/namespaces/kube-system/configmaps?limit=500&resourceVersion=0&"
             "fieldSelector=metadata.name%3Dextension-apiserver-authentication"));
  h.answer("/api/v1/namespaces/kube-system/configmaps?", list({kConfigMap}));
  EXPECT_TRUE(h.run_until([&] { return h.cache->synced(); }));
}

TEST(ClusterCacheTest, SelectsPodsByLabelSelector) {
  CacheHarness h;
  h.cache->start();
  ASSERT_TRUE(h.run_until([&] { return h.cache->synced(); }));
  EXPECT_EQ(*h.cache->select(kPods, "default", selector("app=web")),
            std::vector<std::string>{"web-1"});
  EXPECT_EQ(*h.cache->select(kPods, "default", selector("")),
            (std::vector<std::string>{"db-1", "web-1"}));
  EXPECT_EQ(*h.cache->select(kPods, "shop", selector("app!=web")), std::vector<std::string>{});
  EXPECT_EQ(h.cache->labels_of(kPods, "shop", "web-2"), (core::Labels{{"app", "web"}}));
  EXPECT_FALSE(h.cache->labels_of(kPods, "shop", "web-1"));
}

TEST(ClusterCacheTest, TheAuthenticationConfigFollowsItsConfigMap) {
  CacheHarness h;
  int changes = 0;
  h.cache->on_authentication_config_change([&] { ++changes; });
  EXPECT_FALSE(h.cache->authentication_config());
  h.cache->start();
  ASSERT_TRUE(h.run_until([&] { return h.cache->synced(); }));
  EXPECT_EQ(h.cache->authentication_config()->at("client-ca-file"), "CA1");
  const auto version = h.cache->authentication_config_version();
  std::string rotated = kConfigMap;
  rotated.replace(rotated.find("CA1"), 3, "CA2");
  h.events["/api/v1/namespaces/kube-system/configmaps"].push_back(
      R"({"type":"MODIFIED","object":)" + rotated + "}");
  ASSERT_TRUE(h.run_until([&] { return h.cache->authentication_config_version() > version; }));
  EXPECT_EQ(h.cache->authentication_config()->at("client-ca-file"), "CA2");
  EXPECT_GE(changes, 2);
}

TEST(ClusterCacheTest, ScrapeEndpointsFollowAnnotatedPods) {
  CacheHarness h(ClusterCacheOptions{.scrape_annotated_pods = true});
  const std::string annotated =
      R"(,"annotations":{"prometheus.io/scrape":"true","prometheus.io/port":"9100"})";
  const std::string running = R"(,"status":{"phase":"Running","podIP":"10.1.0.5"})";
  auto pod = [&](std::string_view name, std::string_view status) {
    return item("default", name, R"("app":"web")", annotated, status);
  };
  h.answer("/api/v1/pods?",
           list({pod("web-1", running), pod("web-2", R"(,"status":{"phase":"Pending"})"),
                 item("default", "plain", "")}));
  int changes = 0;
  h.cache->on_scrape_change([&] { ++changes; });
  h.cache->start();
  ASSERT_TRUE(h.run_until([&] { return h.cache->synced(); }));
  const auto pods_list = std::find_if(h.api.sent.begin(), h.api.sent.end(), [](const Sent& s) {
    return s.target.starts_with("/api/v1/pods?limit");
  });
  ASSERT_NE(pods_list, h.api.sent.end());
  EXPECT_EQ(pods_list->options.headers.at(0).second, "application/json");  // full objects
  std::vector<std::string> skipped;
  const auto endpoints = h.cache->scrape_endpoints(&skipped);
  ASSERT_EQ(endpoints.size(), 1u);
  EXPECT_EQ(endpoints[0].url, "http://10.1.0.5:9100/metrics");
  EXPECT_EQ(skipped, std::vector<std::string>{"default/web-2: no status.podIP yet"});
  const auto version = h.cache->scrape_version();
  h.events["/api/v1/pods"].push_back(R"({"type":"DELETED","object":)" + pod("web-1", running) +
                                     "}");
  ASSERT_TRUE(h.run_until([&] { return h.cache->scrape_version() > version; }));
  EXPECT_TRUE(h.cache->scrape_endpoints().empty());
  EXPECT_GE(changes, 2);
}

TEST(ClusterCacheTest, WatchesAResourceNamedByAWildcardReadThroughDiscovery) {
  CacheHarness h;
  h.cache->start();
  ASSERT_TRUE(h.run_until([&] { return h.cache->synced(); }));
  const auto deployments = core::GroupResource::parse("deployments.apps");
  ASSERT_TRUE(h.run_until(
      [&] { return h.cache->select(deployments, "default", selector("app=web")).has_value(); }));
  EXPECT_EQ(*h.cache->select(deployments, "default", selector("app=web")),
            std::vector<std::string>{"web"});
  EXPECT_TRUE(h.sent("/apis/apps/v1/deployments?limit=500&resourceVersion=0"));
  EXPECT_EQ(h.select_async("deployment.apps", "default", "app=web"),
            (std::vector<std::string>{"web"}));
}

TEST(ClusterCacheTest, BeforeItsWatchSyncsAWildcardReadListsLive) {
  CacheHarness h;
  h.answer("/apis/apps/v1/deployments?", "{}", net::http::status::internal_server_error);
  h.answer("/apis/apps/v1/namespaces/default/deployments?labelSelector=app%3Dweb",
           list({item("default", "web", R"("app":"web")")}));
  h.cache->start();
  const auto r = h.select_async("deployments.apps", "default", "app=web");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, std::vector<std::string>{"web"});
  EXPECT_EQ(h.cache->select(core::GroupResource::parse("deployments.apps"), "default", selector(""))
                .error()
                .code,
            503);
  h.answers.erase("/apis/apps/v1/namespaces/default/deployments?labelSelector=app%3Dweb");
  const auto unavailable = h.select_async("deployments.apps", "default", "app=web");
  ASSERT_FALSE(unavailable);
  EXPECT_EQ(unavailable.error().code, 503);
  EXPECT_NE(unavailable.error().message.find("deployments.apps"), std::string::npos);
}

TEST(ClusterCacheTest, AForbiddenListIsA500NamingTheMissingVerbs) {
  CacheHarness h;
  h.answer("/apis/apps/v1/deployments?", R"({"kind":"Status","message":"forbidden","code":403})",
           net::http::status::forbidden);
  h.cache->start();
  const auto live = h.select_async("deployments.apps", "default", "");
  ASSERT_FALSE(live);
  EXPECT_EQ(live.error().code, 500);
  EXPECT_NE(live.error().message.find("list,watch"), std::string::npos);
  const auto gr = core::GroupResource::parse("deployments.apps");
  ASSERT_TRUE(h.run_until([&] {
    const auto r = h.cache->select(gr, "default", selector(""));
    return !r && r.error().code == 500;
  }));
}

TEST(ClusterCacheTest, AResourceWithoutListAndWatchIsUnknown) {
  CacheHarness h;
  h.cache->start();
  EXPECT_EQ(h.select_async("gizmos.example.com", "default", "").error().code, 404);
  EXPECT_EQ(h.select_async("controllerrevisions.apps", "default", "").error().code, 404);
}

}  // namespace
}  // namespace kscale::kube
