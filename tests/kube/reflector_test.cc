#include "kube/reflector.h"

#include <gtest/gtest.h>

#include <deque>

#include <boost/asio/io_context.hpp>

#include "fakes/fake_api_client.h"
#include "net/task_group.h"
#include "support/run_awaitable.h"
#include "support/wait_until.h"

namespace kscale::kube {
namespace {

using std::chrono::milliseconds;
using Sent = fakes::FakeApiClient::Sent;

std::string pod(std::string_view name, std::string_view rv, std::string_view app = "web") {
  return R"({"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":")" +
         std::string(name) + R"(","namespace":"default","uid":"u-)" + std::string(name) +
         R"(","resourceVersion":")" + std::string(rv) + R"(","labels":{"app":")" +
         std::string(app) + R"("}}})";
}

std::string list(std::string_view rv, std::vector<std::string> items, std::string_view next = "") {
  std::string body =
      R"({"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":")" +
      std::string(rv) + R"(")";
  if (!next.empty()) {
    body += R"(,"continue":")" + std::string(next) + R"(")";
  }
  body += R"(},"items":[)";
  for (std::size_t i = 0; i < items.size(); ++i) {
    body += (i ? "," : "") + items[i];
  }
  return body + "]}";
}

std::string event(std::string_view type, const std::string& object) {
  return R"({"type":")" + std::string(type) + R"(","object":)" + object + "}\n";
}

std::string status(int code, std::string_view reason, std::string_view message = "") {
  return R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":")" +
         std::string(message) + R"(","reason":")" + std::string(reason) + R"(","code":)" +
         std::to_string(code) + "}";
}

// A scripted API server: lists answer from `lists`, watches stream `watches` in order; when a
// script runs out the request fails as a transport error (which the reflector backs off from).
// The reflector's sleep records each delay and ends the run at the `stop_at`-th sleep.
struct Harness {
  struct Stream {
    std::vector<std::string> pieces;
    net::http::status head = net::http::status::ok;
    milliseconds lasts{5000};  // how long the watch stayed open (moves the clock)
  };
  core::ManualClock clock;
  fakes::FakeApiClient api;
  ObjectStore store;
  std::deque<net::Response> lists;
  std::deque<Stream> watches;
  std::vector<milliseconds> sleeps;
  std::size_t stop_at = 1;
  double random = 0.5;

  Harness() {
    api.answer = [this](const Sent&) -> core::Result<net::Response> {
      if (lists.empty()) {
        return core::fail(core::Error::unavailable("connection refused"));
      }
      auto r = std::move(lists.front());
      lists.pop_front();
      return r;
    };
    api.stream_answer = [this](const Sent&, const BodySink& sink) -> core::Result<net::Response> {
      if (watches.empty()) {
        return core::fail(core::Error::unavailable("connection refused"));
      }
      auto w = std::move(watches.front());
      watches.pop_front();
      clock.advance(w.lasts);
      for (const auto& piece : w.pieces) {
        if (auto r = sink(piece); !r) {
          return core::fail(r.error());
        }
      }
      return net::json_response("", w.head);
    };
  }
  void list_answer(std::string body, net::http::status s = net::http::status::ok) {
    lists.push_back(net::json_response(std::move(body), s));
  }
  ReflectorEnv env() {
    ReflectorEnv e;
    e.clock = &clock;
    e.sleep = [this](milliseconds d) -> boost::asio::awaitable<bool> {
      sleeps.push_back(d);
      clock.advance(d);
      co_return sleeps.size() < stop_at;
    };
    e.random = [this] { return random; };
    return e;
  }
  std::vector<std::string> targets() const {
    std::vector<std::string> out;
    for (const auto& s : api.sent) {
      out.push_back(s.target);
    }
    return out;
  }
  void run(WatchTarget target = WatchTarget{"/api/v1/pods", "", true, ObjectShape::Metadata,
                                            "pods"}) {
    reflector = std::make_unique<Reflector>(api, std::move(target), store, env());
    boost::asio::io_context ioc;
    testing::run_awaitable(ioc, reflector->run());
  }
  std::unique_ptr<Reflector> reflector;
};

const std::string kWatch450 = "&allowWatchBookmarks=true&timeoutSeconds=450";

TEST(ReflectorTest, FirstListIsPagedFromTheWatchCacheThenWatchesFromItsResourceVersion) {
  Harness h;
  h.list_answer(list("12", {pod("a", "3")}, "tok/1"));
  h.list_answer(list("12", {pod("b", "4")}));
  h.run();
  EXPECT_EQ(h.targets(),
            (std::vector<std::string>{"/api/v1/pods?limit=500&resourceVersion=0",
                                      "/api/v1/pods?limit=500&continue=tok%2F1",
                                      "/api/v1/pods?watch=true&resourceVersion=12" + kWatch450}));
  EXPECT_TRUE(h.reflector->synced());
  EXPECT_EQ(h.store.size(), 2u);
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(1200)}));  // the refused watch
}

TEST(ReflectorTest, SendsTheMetadataOnlyAcceptHeaders) {
  Harness h;
  h.list_answer(list("1", {}));
  h.run();
  ASSERT_EQ(h.api.sent.size(), 2u);
  EXPECT_EQ(h.api.sent[0].options.headers.at(0).second,
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
  EXPECT_EQ(h.api.sent[1].options.headers.at(0).second,
            "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json");
}

TEST(ReflectorTest, FullObjectsAndTheFieldSelectorWhenAsked) {
  Harness h;
  h.list_answer(list("1", {}));
  h.run(WatchTarget{"/api/v1/namespaces/kube-system/configmaps",
                    "metadata.name=extension-apiserver-authentication", false,
                    ObjectShape::ConfigMapData, "cm"});
  EXPECT_EQ(h.targets()[0],
            "/api/v1/namespaces/kube-system/configmaps?limit=500&resourceVersion=0&fieldSelector="
            "metadata.name%3Dextension-apiserver-authentication");
  EXPECT_EQ(h.api.sent[1].options.headers.at(0).second, "application/json");
  EXPECT_TRUE(h.targets()[1].ends_with(
      "&fieldSelector=metadata.name%3Dextension-apiserver-authentication"));
}

TEST(ReflectorTest, AnExpiredContinueTokenFallsBackToOneListWithoutLimit) {
  Harness h;
  h.list_answer(list("12", {pod("a", "3")}, "tok"));
  h.list_answer(status(410, "Expired"), net::http::status::gone);
  h.list_answer(list("20", {pod("b", "4"), pod("c", "5")}));
  h.run();
  EXPECT_EQ(h.targets()[2], "/api/v1/pods?resourceVersion=0");
  EXPECT_FALSE(h.store.contains("default", "a"));  // the partial pages were dropped
  EXPECT_EQ(h.store.size(), 2u);
  EXPECT_EQ(h.targets()[3], "/api/v1/pods?watch=true&resourceVersion=20" + kWatch450);
}

TEST(ReflectorTest, WatchEventsUpsertRemoveAndMoveTheResourceVersion) {
  Harness h;
  h.list_answer(list("10", {pod("a", "3"), pod("b", "4")}));
  h.watches.push_back(
      {{event("ADDED", pod("c", "11")), event("MODIFIED", pod("a", "12", "db")),
        event("DELETED", pod("b", "13")),
        event("BOOKMARK",
              R"({"kind":"PartialObjectMetadata","metadata":{"resourceVersion":"17"}})")}});
  h.run();
  EXPECT_TRUE(h.store.contains("default", "c"));
  EXPECT_FALSE(h.store.contains("default", "b"));
  EXPECT_EQ(h.store.labels_of("default", "a"), (core::Labels{{"app", "db"}}));
  // The normal end re-watched at once (no sleep) from the bookmark's RV.
  EXPECT_EQ(h.targets()[2], "/api/v1/pods?watch=true&resourceVersion=17" + kWatch450);
  EXPECT_EQ(h.sleeps.size(), 1u);
  EXPECT_EQ(h.reflector->resource_version(), "17");
}

TEST(ReflectorTest, AnExpiredErrorEventRelistsAndReplacesTheStore) {
  Harness h;
  h.stop_at = 2;
  h.list_answer(list("10", {pod("a", "3"), pod("b", "4")}));
  h.watches.push_back({{event("ADDED", pod("c", "11")), event("ERROR", status(410, "Expired"))}});
  h.list_answer(list("30", {pod("a", "3")}));  // b and c were deleted meanwhile
  h.run();
  EXPECT_EQ(h.targets()[2], "/api/v1/pods?resourceVersion=11");  // relist: no limit
  EXPECT_EQ(h.store.size(), 1u);
  EXPECT_FALSE(h.store.contains("default", "b"));
  EXPECT_FALSE(h.store.contains("default", "c"));
  EXPECT_EQ(h.targets()[3], "/api/v1/pods?watch=true&resourceVersion=30" + kWatch450);
}

TEST(ReflectorTest, AGoneWatchAnswerRelists) {
  Harness h;
  h.stop_at = 2;
  h.list_answer(list("10", {pod("a", "3")}));
  h.watches.push_back({{}, net::http::status::gone});
  h.list_answer(list("30", {}));
  h.run();
  EXPECT_EQ(h.targets()[2], "/api/v1/pods?resourceVersion=10");
  EXPECT_EQ(h.store.size(), 0u);
}

TEST(ReflectorTest, ARelistTheWatchCacheCannotServeIsAQuorumList) {
  for (const auto& [code, answer] :
       {std::pair{net::http::status::gone, status(410, "Expired")},
        std::pair{net::http::status::gateway_timeout,
                  status(504, "Timeout", "Too large resource version: 99, current: 40")}}) {
    Harness h;
    h.stop_at = 2;
    h.list_answer(list("10", {pod("a", "3")}));
    h.watches.push_back({{event("ERROR", status(410, "Gone"))}});
    h.list_answer(answer, code);
    h.list_answer(list("40", {pod("z", "39")}));
    h.run();
    EXPECT_EQ(h.targets()[2], "/api/v1/pods?resourceVersion=10");
    EXPECT_EQ(h.targets()[3], "/api/v1/pods?limit=500");
    EXPECT_TRUE(h.store.contains("default", "z"));
  }
}

TEST(ReflectorTest, OtherErrorsBackOffAndWatchAgainFromTheSameResourceVersion) {
  Harness h;
  h.stop_at = 4;
  h.list_answer(list("10", {}));
  h.watches.push_back({{event("ERROR", status(500, "InternalError", "etcd is sad"))}});
  h.watches.push_back({{}, net::http::status::too_many_requests});
  h.watches.push_back({{}, net::http::status::ok, milliseconds(200)});  // quick end, no event
  h.run();
  const auto t = h.targets();
  ASSERT_EQ(t.size(), 5u);
  for (std::size_t i = 1; i < t.size(); ++i) {
    EXPECT_EQ(t[i], "/api/v1/pods?watch=true&resourceVersion=10" + kWatch450);  // never a list
  }
  // 800, 1600, 3200, 6400 each with +50 % jitter.
  EXPECT_EQ(h.sleeps, (std::vector<milliseconds>{milliseconds(1200), milliseconds(2400),
                                                 milliseconds(4800), milliseconds(9600)}));
}

TEST(ReflectorTest, AListFailureBacksOffAndListsAgain) {
  Harness h;
  h.stop_at = 2;
  h.list_answer(status(403, "Forbidden", "pods is forbidden"), net::http::status::forbidden);
  h.list_answer(list("5", {pod("a", "1")}));
  h.reflector = nullptr;
  h.run();
  EXPECT_EQ(h.targets()[0], "/api/v1/pods?limit=500&resourceVersion=0");
  EXPECT_EQ(h.targets()[1], "/api/v1/pods?limit=500&resourceVersion=0");
  EXPECT_TRUE(h.reflector->synced());
  EXPECT_FALSE(h.reflector->last_error());
}

TEST(ReflectorTest, NotSyncedUntilTheFirstListIsApplied) {
  Harness h;
  h.list_answer(status(403, "Forbidden", "pods is forbidden"), net::http::status::forbidden);
  h.run();
  EXPECT_FALSE(h.reflector->synced());
  ASSERT_TRUE(h.reflector->last_error());
  EXPECT_EQ(h.reflector->last_error()->code, 403);
}

TEST(ReflectorTest, WatchTimeoutIsBetweenFiveAndTenMinutes) {
  for (const auto& [random, seconds] : {std::pair{0.0, "300"}, std::pair{0.9999, "599"}}) {
    Harness h;
    h.random = random;
    h.list_answer(list("1", {}));
    h.run();
    EXPECT_TRUE(h.targets()[1].ends_with(std::string("timeoutSeconds=") + seconds));
  }
}

TEST(ReflectorTest, EndsOnTotalCancellation) {
  core::ManualClock clock;
  fakes::FakeApiClient api;
  api.answer = [](const Sent&) -> core::Result<net::Response> {
    return core::fail(core::Error::unavailable("connection refused"));
  };
  ObjectStore store;
  auto env = default_reflector_env(clock);  // a real timer: the backoff wait is cancelled
  env.backoff.initial = std::chrono::hours(1);
  Reflector reflector(api, WatchTarget{"/api/v1/pods", "", true, ObjectShape::Metadata, "pods"},
                      store, env);
  boost::asio::io_context ioc;
  net::TaskGroup tasks(ioc.get_executor());
  tasks.spawn(ioc.get_executor(), reflector.run(), "reflector");
  ioc.run_for(milliseconds(50));
  EXPECT_EQ(tasks.size(), 1u);
  tasks.emit(boost::asio::cancellation_type::total);
  ioc.restart();
  ioc.run_for(std::chrono::seconds(10));
  EXPECT_EQ(tasks.size(), 0u);
}

}  // namespace
}  // namespace kscale::kube
