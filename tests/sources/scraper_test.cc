#include "sources/scraper.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/router.h"
#include "net/server.h"

namespace kscale::sources {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

// Polls `done` for up to `limit`: the scraper runs on real timers.
bool eventually(const std::function<bool()>& done, milliseconds limit = milliseconds(5000)) {
  for (auto waited = milliseconds(0); waited < limit; waited += milliseconds(20)) {
    if (done()) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return done();
}

// A real app on 127.0.0.1: /metrics counts its own scrapes (10 per scrape); /om answers with
// the OpenMetrics content type; /missing is a 404.
class FakeApp {
 public:
  FakeApp() {
    auto router = std::make_shared<net::Router>();
    router->add(net::http::verb::get, "/metrics",
                [this](const net::RequestContext& ctx) -> core::Result<net::Response> {
                  {
                    std::lock_guard lock(mutex_);
                    accept_ = std::string(ctx.request[net::http::field::accept]);
                  }
                  const int n = ++scrapes_;
                  return net::text_response(
                      "# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} " +
                          std::to_string(10 * n) + "\n",
                      net::http::status::ok, "text/plain; version=0.0.4; charset=utf-8");
                });
    router->add(
        net::http::verb::get, "/om", [](const net::RequestContext&) -> core::Result<net::Response> {
          // Valid 0.0.4, but OpenMetrics requires the "# EOF" line.
          return net::text_response("http_requests_total 1\n", net::http::status::ok,
                                    "application/openmetrics-text; version=1.0.0; charset=utf-8");
        });
    server_ = std::make_unique<net::Server>(router, net::Limits{});
    port_ = *server_->listen("127.0.0.1", 0, nullptr);
    thread_ = std::thread([this] { server_->run(1); });
  }
  ~FakeApp() {
    server_->stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string accept() const {
    std::lock_guard lock(mutex_);
    return accept_;
  }

 private:
  std::atomic<int> scrapes_{0};
  mutable std::mutex mutex_;
  std::string accept_;
  std::unique_ptr<net::Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

class ScraperTest : public ::testing::Test {
 protected:
  ScraperTest() {
    ScrapeRule rule;
    rule.series_name = "http_requests_total";
    rule.metric = "http_requests_qps";
    rule.window = milliseconds(1000);
    scraper_ = std::make_unique<Scraper>(ioc_.get_executor(), tasks_, store_, clock_,
                                         std::make_shared<const ScrapeRules>(ScrapeRules{rule}),
                                         &registry_);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~ScraperTest() override {
    scraper_.reset();
    // The loops end once they see the stop; the group must outlive them.
    std::promise<void> empty;
    tasks_.async_wait([&empty](boost::system::error_code) { empty.set_value(); });
    empty.get_future().wait_for(std::chrono::seconds(30));
    work_.reset();
    ioc_.stop();
    thread_.join();
  }

  Target target(std::string pod, std::string url) {
    Target t;
    t.namespace_name = "default";
    t.pod = std::move(pod);
    t.labels = {{"app", "web"}};
    t.url = std::move(url);
    t.interval = milliseconds(100);
    return t;
  }
  std::optional<TargetHealth> health(const std::string& pod) const {
    for (const auto& s : scraper_->status()) {
      if (s.target.pod == pod) {
        return s.health;
      }
    }
    return std::nullopt;
  }
  bool has_value(const std::string& pod) const {
    return !store_.find_custom(core::GroupResource{"pods", ""}, "default", pod, "http_requests_qps")
                .empty();
  }

  core::RealClock clock_;
  store::SeriesStore store_{clock_, store::StoreOptions{}};
  net::MetricsRegistry registry_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
  net::TaskGroup tasks_{ioc_.get_executor()};
  std::unique_ptr<Scraper> scraper_;
  std::thread thread_;
  FakeApp app_;
};

TEST_F(ScraperTest, ScrapesIntoTheStoreAndABadTargetDisturbsNoOther) {
  // A port nobody listens on: bind one, note it, close it.
  uint16_t closed = 0;
  {
    asio::io_context tmp;
    asio::ip::tcp::acceptor a(tmp, {asio::ip::make_address("127.0.0.1"), 0});
    closed = a.local_endpoint().port();
  }
  ASSERT_TRUE(scraper_->set_targets(
      {target("web-1", app_.url("/metrics")),
       target("web-2", "http://127.0.0.1:" + std::to_string(closed) + "/metrics"),
       target("web-3", app_.url("/missing"))}));
  ASSERT_TRUE(eventually([&] { return has_value("web-1"); }));
  const auto points =
      store_.find_custom(core::GroupResource{"pods", ""}, "default", "web-1", "http_requests_qps");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_GT(points[0].sample.value.milli_value(), 0);
  EXPECT_EQ(points[0].sample.window, std::chrono::seconds(1));
  EXPECT_EQ(app_.accept(), kScrapeAcceptHeader);

  ASSERT_TRUE(eventually([&] { return health("web-2") && health("web-2")->failures > 0; }));
  ASSERT_TRUE(eventually([&] { return health("web-3") && health("web-3")->failures > 0; }));
  EXPECT_TRUE(health("web-1")->up);
  EXPECT_EQ(health("web-1")->failures, 0u);
  EXPECT_FALSE(health("web-2")->up);
  EXPECT_THAT(health("web-2")->last_error, HasSubstr("connect"));
  EXPECT_THAT(health("web-3")->last_error, HasSubstr("server returned HTTP status 404 Not Found"));
  EXPECT_FALSE(has_value("web-2"));

  const auto text = registry_.serialize();
  EXPECT_THAT(text, HasSubstr("kscale_scrape_up{namespace=\"default\",pod=\"web-1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("kscale_scrape_up{namespace=\"default\",pod=\"web-2\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("kscale_scrape_failures_total{namespace=\"default\",pod=\"web-2\"}"));
  EXPECT_THAT(text,
              HasSubstr("kscale_scrape_duration_seconds{namespace=\"default\",pod=\"web-1\"}"));
  EXPECT_THAT(text, HasSubstr("kscale_scrape_targets 3\n"));
}

TEST_F(ScraperTest, PicksTheParserFromContentType) {
  ASSERT_TRUE(scraper_->set_targets({target("om", app_.url("/om"))}));
  ASSERT_TRUE(eventually([&] { return health("om") && health("om")->scrapes > 0; }));
  EXPECT_FALSE(health("om")->up);
  EXPECT_THAT(health("om")->last_error, HasSubstr("EOF"));
}

TEST_F(ScraperTest, TimesOutATargetThatNeverAnswers) {
  asio::io_context silent_ioc;
  asio::ip::tcp::acceptor silent(silent_ioc,
                                 {asio::ip::make_address("127.0.0.1"), 0});  // never accepts
  auto t = target("slow", "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) +
                              "/metrics");
  t.interval = milliseconds(400);
  t.timeout = milliseconds(150);
  ASSERT_TRUE(scraper_->set_targets({t}));
  ASSERT_TRUE(eventually([&] { return health("slow") && health("slow")->failures > 0; }));
  EXPECT_THAT(health("slow")->last_error, HasSubstr("timed out after 150ms"));
  EXPECT_LT(health("slow")->last_duration.count(), 0.4);
}

TEST_F(ScraperTest, SetTargetsKeepsUnchangedTargetsAndIsAllOrNothing) {
  ASSERT_TRUE(scraper_->set_targets({target("web-1", app_.url("/metrics"))}));
  ASSERT_TRUE(eventually([&] { return health("web-1") && health("web-1")->scrapes >= 3; }));
  const auto before = health("web-1")->scrapes;

  // Same identity, URL and interval, new labels: the loop (and its rate history) carries on.
  auto relabelled = target("web-1", app_.url("/metrics"));
  relabelled.labels = {{"app", "web"}, {"track", "canary"}};
  ASSERT_TRUE(scraper_->set_targets({relabelled}));
  const auto status = scraper_->status();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].target.labels, relabelled.labels);
  EXPECT_GE(status[0].health.scrapes, before);

  // An invalid list changes nothing and names the culprit.
  auto r = scraper_->set_targets(
      {target("web-1", app_.url("/metrics")), target("web-2", "https://x/metrics")});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, ::testing::StartsWith("targets[1].url: "));
  auto dup = scraper_->set_targets(
      {target("web-1", app_.url("/metrics")), target("web-1", app_.url("/metrics"))});
  ASSERT_FALSE(dup);
  EXPECT_THAT(dup.error().message, HasSubstr("targets[1].pod"));
  auto slow = target("web-9", app_.url("/metrics"));
  slow.interval = milliseconds(800);  // the rule's 1s window cannot hold two scrapes
  auto window = scraper_->set_targets({slow});
  ASSERT_FALSE(window);
  EXPECT_THAT(window.error().message, HasSubstr("targets[0].interval"));
  EXPECT_EQ(scraper_->status().size(), 1u);

  ASSERT_TRUE(scraper_->set_targets({}));
  EXPECT_TRUE(scraper_->status().empty());
  EXPECT_THAT(registry_.serialize(), HasSubstr("kscale_scrape_targets 0\n"));
}

}  // namespace
}  // namespace kscale::sources
