#include "sources/scraper_evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/clock.h"
#include "store/rate.h"

namespace kscale::sources {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr auto kProm = ExpositionFormat::PrometheusText;

ScrapeRule rate_rule(std::string metric = "http_requests_qps", seconds window = seconds(30)) {
  ScrapeRule r;
  r.series_name = "http_requests_total";
  r.metric = std::move(metric);
  r.kind = RuleKind::Rate;
  r.window = window;
  return r;
}

std::string counter_text(double get200, double get500 = 0) {
  return fmt::format(
      "# HELP http_requests_total Count of all HTTP requests.\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total{{code=\"200\",method=\"get\"}} {}\n"
      "http_requests_total{{code=\"500\",method=\"get\"}} {}\n"
      "process_open_fds 12\n",
      get200, get500);
}

class ScraperEvaluatorTest : public ::testing::Test {
 protected:
  void make(std::vector<ScrapeRule> rules) {
    evaluator_ = std::make_unique<ScraperEvaluator>(
        std::make_shared<const ScrapeRules>(std::move(rules)), "shop", "web-1");
  }
  // One scrape at the clock's time, then the clock moves on by `step`.
  ScrapeOutcome scrape(const std::string& text, milliseconds step = seconds(1)) {
    auto outcome = evaluator_->evaluate(text, kProm, clock_.system_now());
    EXPECT_TRUE(outcome) << outcome.error().message;
    clock_.advance(step);
    return outcome ? *outcome : ScrapeOutcome{};
  }
  static double value_of(const ScrapeOutcome& o, const std::string& metric,
                         const core::Labels& labels = {}) {
    for (const auto& p : o.points) {
      if (p.key.metric == metric && p.key.metric_labels == labels) {
        return static_cast<double>(p.sample.value.milli_value()) / 1000.0;
      }
    }
    ADD_FAILURE() << "no point for " << metric;
    return NAN;
  }

  core::ManualClock clock_{core::SystemTime{seconds(1'700'000'000)}};
  std::unique_ptr<ScraperEvaluator> evaluator_;
};

TEST_F(ScraperEvaluatorTest, SteadyCounterGivesItsRateOnceTwoSamplesAreIn) {
  make({rate_rule()});
  // 10 requests per second, scraped every second.
  auto first = scrape(counter_text(1000));
  EXPECT_TRUE(first.points.empty());  // rate() needs two samples
  EXPECT_EQ(first.samples_scraped, 3u);
  ScrapeOutcome last;
  for (int i = 1; i <= 40; ++i) {
    last = scrape(counter_text(1000 + 10 * i));
  }
  ASSERT_EQ(last.points.size(), 1u);
  const auto& p = last.points[0];
  EXPECT_EQ(p.key.group_resource, (core::GroupResource{"pods", ""}));
  EXPECT_EQ(p.key.namespace_name, "shop");
  EXPECT_EQ(p.key.object_name, "web-1");
  EXPECT_EQ(p.key.metric, "http_requests_qps");
  EXPECT_TRUE(p.key.metric_labels.empty());
  EXPECT_EQ(p.sample.window, seconds(30));
  EXPECT_EQ(p.sample.timestamp, clock_.system_now() - seconds(1));
  EXPECT_EQ(p.sample.value.to_string(), "10");
}

// The evaluator's number is exactly PromQL rate() over the samples it was given (store/rate.h),
// evaluated at the scrape time over (t - window, t], then summed over label sets.
TEST_F(ScraperEvaluatorTest, RateIsPromqlRateOverTheWindowAtTheScrapeTime) {
  make({rate_rule("qps", seconds(10))});
  std::vector<store::CounterSample> s200, s500;
  ScrapeOutcome last;
  double v200 = 0, v500 = 0;
  for (int i = 0; i < 25; ++i) {
    const auto t = std::chrono::time_point_cast<milliseconds>(clock_.system_now());
    v200 += 7 + (i % 3);
    v500 += (i % 5 == 0) ? 1 : 0;
    s200.push_back({t, v200});
    s500.push_back({t, v500});
    // Irregular spacing, as real scrapes have.
    last = scrape(counter_text(v200, v500), milliseconds(1000 + 37 * (i % 4)));
  }
  const auto end = s200.back().t;
  const auto want =
      *store::rate(s200, end - seconds(10), end) + *store::rate(s500, end - seconds(10), end);
  EXPECT_NEAR(value_of(last, "qps"), want, 0.001);
}

TEST_F(ScraperEvaluatorTest, CounterResetIsNotANegativeRate) {
  make({rate_rule("qps", seconds(10))});
  double v = 500;
  for (int i = 0; i < 12; ++i) {
    scrape(counter_text(v += 20));
  }
  // The pod restarts: its counter starts again from 0 and keeps growing 20 per second.
  v = 0;
  ScrapeOutcome after;
  for (int i = 0; i < 5; ++i) {
    after = scrape(counter_text(v += 20));
  }
  // PromQL treats the drop as a reset and adds the value before it: still 20 per second.
  EXPECT_NEAR(value_of(after, "qps"), 20.0, 0.001);
}

TEST_F(ScraperEvaluatorTest, LabelMatchersFilterAndSumAggregatesLabelSets) {
  auto only200 = rate_rule("qps_200", seconds(5));
  only200.label_matchers = {{"code", "200"}};
  auto all = rate_rule("qps_all", seconds(5));
  auto by_code = rate_rule("qps_by_code", seconds(5));
  by_code.aggregate = Aggregation::None;
  auto absent = rate_rule("qps_absent_label", seconds(5));
  absent.label_matchers = {{"handler", ""}};  // an absent label equals ""
  make({only200, all, by_code, absent});
  ScrapeOutcome last;
  for (int i = 0; i < 10; ++i) {
    last = scrape(counter_text(100 * i, 3 * i));
  }
  EXPECT_NEAR(value_of(last, "qps_200"), 100, 0.001);
  EXPECT_NEAR(value_of(last, "qps_all"), 103, 0.001);
  EXPECT_NEAR(value_of(last, "qps_absent_label"), 103, 0.001);
  EXPECT_NEAR(value_of(last, "qps_by_code", {{"code", "200"}, {"method", "get"}}), 100, 0.001);
  EXPECT_NEAR(value_of(last, "qps_by_code", {{"code", "500"}, {"method", "get"}}), 3, 0.001);
}

TEST_F(ScraperEvaluatorTest, GaugeIsTakenAsItIsFromTheLatestScrape) {
  ScrapeRule fds;
  fds.series_name = "queue_length";
  fds.metric = "queue_length";
  fds.kind = RuleKind::Gauge;
  fds.aggregate = Aggregation::Max;
  make({fds});
  auto o = scrape("queue_length{queue=\"a\"} 4\nqueue_length{queue=\"b\"} 9.5\n");
  ASSERT_EQ(o.points.size(), 1u);
  EXPECT_EQ(o.points[0].sample.value.to_string(), "9500m");
  EXPECT_FALSE(o.points[0].sample.window);
  // Queue b is gone from the exposition: it is stale and no longer counts.
  o = scrape("queue_length{queue=\"a\"} 4\n");
  EXPECT_NEAR(value_of(o, "queue_length"), 4, 0.001);
  // No series at all: no point (the last value stays in the store until it ages out).
  EXPECT_TRUE(scrape("other 1\n").points.empty());
}

TEST_F(ScraperEvaluatorTest, IncreaseOverTheWindow) {
  ScrapeRule inc = rate_rule("jobs", seconds(10));
  inc.kind = RuleKind::Increase;
  make({inc});
  ScrapeOutcome last;
  for (int i = 0; i < 20; ++i) {
    last = scrape(counter_text(3 * i));
  }
  EXPECT_NEAR(value_of(last, "jobs"), 30, 0.001);
}

TEST_F(ScraperEvaluatorTest, MalformedScrapeFailsWholeAndChangesNothing) {
  make({rate_rule("qps", seconds(10))});
  for (int i = 0; i < 12; ++i) {
    scrape(counter_text(10 * i));
  }
  // The bad line comes after a matching sample: that sample must not be kept either.
  auto bad =
      evaluator_->evaluate("http_requests_total{code=\"200\",method=\"get\"} 99999\nbroken{ 1\n",
                           kProm, clock_.system_now());
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("line 2"));
  clock_.advance(seconds(1));
  auto next = scrape(counter_text(130));
  EXPECT_NEAR(value_of(next, "qps"), 10, 0.001);
}

TEST_F(ScraperEvaluatorTest, AMalformedScrapeAddsNoNewLabelSet) {
  make({rate_rule("qps", seconds(10))});
  for (int i = 0; i < 3; ++i) {
    scrape(counter_text(10 * i));
  }
  ASSERT_EQ(evaluator_->series_held(), 2u);
  auto bad = evaluator_->evaluate("http_requests_total{code=\"404\",method=\"get\"} 1\nbroken{ 1\n",
                                  kProm, clock_.system_now());
  ASSERT_FALSE(bad);
  EXPECT_EQ(evaluator_->series_held(), 2u);
}

TEST_F(ScraperEvaluatorTest, LabelOrderInTheExpositionDoesNotSplitALabelSet) {
  auto by_code = rate_rule("qps_by_code", seconds(5));
  by_code.aggregate = Aggregation::None;
  make({by_code});
  ScrapeOutcome last;
  for (int i = 0; i < 6; ++i) {
    // Every other scrape lists the labels in another order: still one label set, one rate.
    last = scrape(
        i % 2 == 0
            ? fmt::format("http_requests_total{{code=\"200\",method=\"get\"}} {}\n", 10 * i)
            : fmt::format("http_requests_total{{method=\"get\",code=\"200\"}} {}\n", 10 * i));
  }
  EXPECT_EQ(evaluator_->series_held(), 1u);
  ASSERT_EQ(last.points.size(), 1u);
  EXPECT_NEAR(value_of(last, "qps_by_code", {{"code", "200"}, {"method", "get"}}), 10, 0.001);
}

TEST_F(ScraperEvaluatorTest, LabelSetsKeepTheirOwnRatesWhenTheExpositionReordersThem) {
  auto by_code = rate_rule("qps_by_code", seconds(5));
  by_code.aggregate = Aggregation::None;
  make({by_code});
  auto line = [](int code, double v) {
    return fmt::format("http_requests_total{{code=\"{}\"}} {}\n", code, v);
  };
  ScrapeOutcome last;
  for (int i = 0; i < 12; ++i) {
    // 200 grows 100/s, 500 3/s, 404 (from scrape 4 on) 7/s; from scrape 4 a new label set
    // comes first, from scrape 8 the order is reversed, and scrape 6 lists 500 twice.
    std::string text;
    if (i >= 4 && i < 8) {
      text += line(404, 7 * (i - 4));
    }
    if (i < 8) {
      text += line(200, 100 * i) + line(500, 3 * i);
    } else {
      text += line(500, 3 * i) + line(200, 100 * i) + line(404, 7 * (i - 4));
    }
    if (i == 6) {
      text += line(500, 999999);  // a duplicate of one scrape: the first one counts
    }
    last = scrape(text);
  }
  EXPECT_EQ(evaluator_->series_held(), 3u);
  EXPECT_NEAR(value_of(last, "qps_by_code", {{"code", "200"}}), 100, 0.001);
  EXPECT_NEAR(value_of(last, "qps_by_code", {{"code", "500"}}), 3, 0.001);
  EXPECT_NEAR(value_of(last, "qps_by_code", {{"code", "404"}}), 7, 0.001);
}

TEST_F(ScraperEvaluatorTest, ANewLabelSetTimestampedBeforeTheWindowIsDroppedAndComesBackCleanly) {
  auto by_code = rate_rule("qps_by_code", seconds(5));
  by_code.aggregate = Aggregation::None;
  make({by_code});
  auto line = [](int code, double v) {
    return fmt::format("http_requests_total{{code=\"{}\"}} {}\n", code, v);
  };
  for (int i = 0; i < 3; ++i) {
    scrape(line(200, 10 * i));
  }
  // A new label set with an exposition timestamp an hour old: held for this scrape only, gone
  // once the window is applied.
  const auto old_ms =
      std::chrono::duration_cast<milliseconds>(clock_.system_now().time_since_epoch()).count() -
      3'600'000;
  scrape(fmt::format("http_requests_total{{code=\"404\"}} 5 {}\n", old_ms) + line(200, 30));
  EXPECT_EQ(evaluator_->series_held(), 1u);
  ScrapeOutcome last;
  for (int i = 4; i < 10; ++i) {
    last = scrape(line(404, 7 * i) + line(200, 10 * i));
  }
  EXPECT_EQ(evaluator_->series_held(), 2u);
  EXPECT_NEAR(value_of(last, "qps_by_code", {{"code", "404"}}), 7, 0.001);
  EXPECT_NEAR(value_of(last, "qps_by_code", {{"code", "200"}}), 10, 0.001);
}

TEST_F(ScraperEvaluatorTest, SeriesThatStopAppearingLeaveWithTheirWindow) {
  make({rate_rule("qps", seconds(5))});
  for (int i = 0; i < 5; ++i) {
    scrape(counter_text(10 * i, 10 * i));
  }
  EXPECT_EQ(evaluator_->series_held(), 2u);
  // The code="500" series disappears; as a range selector over a stale series, it keeps
  // contributing until its samples leave the window.
  const std::string only200 = "http_requests_total{code=\"200\",method=\"get\"} ";
  auto o = scrape(only200 + "50\n");
  EXPECT_NEAR(value_of(o, "qps"), 20, 0.5);
  for (int i = 6; i < 12; ++i) {
    o = scrape(only200 + std::to_string(10 * i) + "\n");
  }
  EXPECT_EQ(evaluator_->series_held(), 1u);
  EXPECT_NEAR(value_of(o, "qps"), 10, 0.001);
}

TEST_F(ScraperEvaluatorTest, HonorsExpositionTimestampsAndOpenMetrics) {
  make({rate_rule("qps", seconds(10))});
  // The last scrape happens at `base`.
  const auto base =
      std::chrono::duration_cast<milliseconds>(clock_.system_now().time_since_epoch()).count() +
      5'000;
  ScrapeOutcome last;
  for (int i = 0; i < 6; ++i) {
    // The exposition says the samples are 2s apart although we scrape every second.
    const std::string text = fmt::format(
        "# TYPE http_requests counter\nhttp_requests_total{{code=\"200\"}} {} {}\n# EOF\n", 40 * i,
        fmt::format("{:.3f}", static_cast<double>(base - 10'000 + 2'000 * i) / 1000.0));
    auto o = evaluator_->evaluate(text, ExpositionFormat::OpenMetrics, clock_.system_now());
    ASSERT_TRUE(o) << o.error().message;
    last = *o;
    clock_.advance(seconds(1));
  }
  EXPECT_NEAR(value_of(last, "qps"), 20, 0.001);
}

TEST_F(ScraperEvaluatorTest, ValuesThatAreNoQuantityAreDropped) {
  ScrapeRule g;
  g.series_name = "big";
  g.metric = "big";
  g.kind = RuleKind::Gauge;
  make({g});
  auto o = scrape("big +Inf\n");
  EXPECT_TRUE(o.points.empty());
  EXPECT_EQ(o.values_dropped, 1u);
}

}  // namespace
}  // namespace kscale::sources
