#include "sources/scrape_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kscale::sources {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(ScrapeConfigTest, LoadsRulesAndTargets) {
  auto config = load_scrape_config(R"(
interval: 2s
rules:
- seriesName: http_requests_total
  labelMatchers: {code: "200"}
  metric: http_requests_qps
  kind: rate
  window: 30s
  aggregate: sum
- seriesName: queue_length
  metric: queue_length
  kind: gauge
  aggregate: max
- seriesName: jobs_total
  metric: jobs_per_window
  kind: increase
  window: 1m30s
  aggregate: none
targets:
- namespace: shop
  pod: web-1
  labels: {app: web, tier: frontend}
  url: http://127.0.0.1:9100/metrics
- pod: web-2
  url: http://localhost:9101/metrics
  interval: 1s
  timeout: 500ms
)");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->rules.size(), 3u);
  const auto& rate = config->rules[0];
  EXPECT_EQ(rate.series_name, "http_requests_total");
  EXPECT_EQ(rate.label_matchers, (core::Labels{{"code", "200"}}));
  EXPECT_EQ(rate.metric, "http_requests_qps");
  EXPECT_EQ(rate.kind, RuleKind::Rate);
  EXPECT_EQ(rate.window, seconds(30));
  EXPECT_EQ(rate.aggregate, Aggregation::Sum);
  EXPECT_EQ(config->rules[1].kind, RuleKind::Gauge);
  EXPECT_EQ(config->rules[1].aggregate, Aggregation::Max);
  EXPECT_EQ(config->rules[2].kind, RuleKind::Increase);
  EXPECT_EQ(config->rules[2].window, seconds(90));
  EXPECT_EQ(config->rules[2].aggregate, Aggregation::None);

  ASSERT_EQ(config->targets.size(), 2u);
  const auto& web1 = config->targets[0];
  EXPECT_EQ(web1.namespace_name, "shop");
  EXPECT_EQ(web1.pod, "web-1");
  EXPECT_EQ(web1.labels, (core::Labels{{"app", "web"}, {"tier", "frontend"}}));
  EXPECT_EQ(web1.url, "http://127.0.0.1:9100/metrics");
  EXPECT_EQ(web1.interval, seconds(2));  // the top-level default
  EXPECT_EQ(web1.effective_timeout(), seconds(2));
  const auto& web2 = config->targets[1];
  EXPECT_EQ(web2.namespace_name, "default");
  EXPECT_EQ(web2.interval, seconds(1));
  EXPECT_EQ(web2.effective_timeout(), milliseconds(500));
}

TEST(ScrapeConfigTest, DefaultsFollowPrometheus) {
  auto config = load_scrape_config(R"(
rules: [{seriesName: x_total, metric: x_rate, window: 1m}]
targets: [{pod: p, url: "http://127.0.0.1:1/metrics"}]
)");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->rules[0].kind, RuleKind::Rate);
  EXPECT_EQ(config->rules[0].aggregate, Aggregation::Sum);
  EXPECT_EQ(config->targets[0].interval, kDefaultScrapeInterval);
  // scrape_timeout: the global 10s, capped at the interval.
  EXPECT_EQ(config->targets[0].effective_timeout(), seconds(5));
  Target slow;
  slow.interval = seconds(30);
  EXPECT_EQ(slow.effective_timeout(), seconds(10));
}

TEST(ScrapeConfigTest, ErrorsNameThePath) {
  const std::string rule = "- {seriesName: x_total, metric: x_rate, window: 30s}\n";
  struct Case {
    const char* name;
    std::string yaml;
    std::string path;  // the message starts with it
    std::string says;  // and contains this
  };
  const std::vector<Case> cases = {
      {"empty", "", "rules", "required"},
      {"no rules", "targets: []", "rules", "non-empty list"},
      {"unknown top-level key", "rulez: []\nrules:\n" + rule, "rulez", "unknown field"},
      {"bad window", "rules:\n- {seriesName: x_total, metric: m, window: 30 seconds}",
       "rules[0].window", "not a valid duration"},
      {"missing window", "rules:\n- {seriesName: x_total, metric: m}", "rules[0].window",
       "required for kind rate"},
      {"gauge with window", "rules:\n- {seriesName: x, metric: m, kind: gauge, window: 1m}",
       "rules[0].window", "remove window"},
      {"unknown kind", "rules:\n" + rule + "- {seriesName: x, metric: m2, kind: counter}",
       "rules[1].kind", "want rate, increase or gauge"},
      {"unknown aggregate", "rules:\n- {seriesName: x, metric: m, kind: gauge, aggregate: median}",
       "rules[0].aggregate", "want sum, avg, max, min or none"},
      {"typo in a rule", "rules:\n- {seriesName: x_total, metric: m, windw: 30s}", "rules[0].windw",
       "unknown field"},
      {"missing seriesName", "rules:\n- {metric: m, window: 30s}", "rules[0].seriesName",
       "required"},
      {"bad seriesName", "rules:\n- {seriesName: 9lives, metric: m, window: 30s}",
       "rules[0].seriesName", "invalid series name"},
      {"bad metric", "rules:\n- {seriesName: x, metric: 'a b', window: 30s}", "rules[0].metric",
       "invalid metric name"},
      {"matcher not a string",
       "rules:\n- {seriesName: x, metric: m, window: 30s, labelMatchers: {code: [1]}}",
       "rules[0].labelMatchers.code", "want a string"},
      {"duplicate metric", "rules:\n" + rule + rule, "rules[1].metric", "already made by rules[0]"},
      {"rules not a list", "rules: {seriesName: x}", "rules", "non-empty list"},
      {"target without url", "rules:\n" + rule + "targets:\n- {pod: p}", "targets[0].url",
       "required"},
      {"target without pod", "rules:\n" + rule + "targets:\n- {url: 'http://a/'}", "targets[0].pod",
       "required"},
      {"https target", "rules:\n" + rule + "targets:\n- {pod: p, url: 'https://a/metrics'}",
       "targets[0].url", "scheme \"https\" is not supported"},
      {"relative url", "rules:\n" + rule + "targets:\n- {pod: p, url: '/metrics'}",
       "targets[0].url", "invalid URL"},
      {"bad pod name", "rules:\n" + rule + "targets:\n- {pod: Web_1, url: 'http://a/'}",
       "targets[0].pod", "invalid pod name"},
      {"bad namespace",
       "rules:\n" + rule + "targets:\n- {namespace: a.b, pod: p, url: 'http://a/'}",
       "targets[0].namespace", "invalid namespace"},
      {"bad label",
       "rules:\n" + rule + "targets:\n- {pod: p, url: 'http://a/', labels: {'a b': x}}",
       "targets[0].labels.a b", ""},
      {"timeout over interval",
       "rules:\n" + rule + "targets:\n- {pod: p, url: 'http://a/', interval: 1s, timeout: 2s}",
       "targets[0].timeout", "greater than the interval 1s"},
      {"zero interval", "rules:\n" + rule + "targets:\n- {pod: p, url: 'http://a/', interval: 0}",
       "targets[0].interval", "greater than 0"},
      {"duplicate pod",
       "rules:\n" + rule + "targets:\n- {pod: p, url: 'http://a/'}\n- {pod: p, url: 'http://b/'}",
       "targets[1].pod", "already targets[0]"},
      {"window too short",
       "rules:\n" + rule + "targets:\n- {pod: p, url: 'http://a/', interval: 20s}",
       "rules[0].window", "fewer than two scrapes of targets[0]"},
      {"unknown target key", "rules:\n" + rule + "targets:\n- {pod: p, url: 'http://a/', port: 80}",
       "targets[0].port", "unknown field"},
      {"not YAML", "rules: [", "invalid YAML", "line"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto config = load_scrape_config(c.yaml);
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().code, 400);
    EXPECT_THAT(config.error().message, StartsWith(c.path + ":"));
    EXPECT_THAT(config.error().message, HasSubstr(c.says));
  }
}

TEST(ScrapeConfigTest, ParsesPrometheusDurations) {
  struct Case {
    const char* text;
    int64_t ms;
  };
  for (const auto& c : std::vector<Case>{{"0", 0},
                                         {"30s", 30'000},
                                         {"1m30s", 90'000},
                                         {"500ms", 500},
                                         {"2h", 7'200'000},
                                         {"1d", 86'400'000},
                                         {"1w", 604'800'000},
                                         {"1y", 31'536'000'000},
                                         {"1h2m3s4ms", 3'723'004}}) {
    SCOPED_TRACE(c.text);
    auto d = parse_prometheus_duration(c.text);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->count(), c.ms);
  }
  // Upstream model.ParseDuration rejects these: no fraction, units descending and once each.
  for (const char* bad : {"", "s", "1", "1.5s", "30s1m", "1s1s", "-1s", "1 s", "1sec"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_prometheus_duration(bad));
  }
  EXPECT_EQ(format_prometheus_duration(milliseconds(90'500)), "1m30s500ms");
  EXPECT_EQ(format_prometheus_duration(seconds(0)), "0s");
}

TEST(ScrapeConfigTest, ValidateTargetForTargetsFromCode) {
  Target t{"default", "web-1", {{"app", "web"}}, "http://127.0.0.1:8080/metrics"};
  EXPECT_TRUE(validate_target(t));
  t.url = "ftp://x/";
  auto r = validate_target(t);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, StartsWith("url: "));
}

}  // namespace
}  // namespace kscale::sources
