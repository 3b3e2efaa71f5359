// kscale's scraped rate against a real Prometheus (the Debian package): both scrape the same
// running `kscale httpserver` every second while `hey` drives a steady load, and kscale's
// http_requests_qps (read with `kubectl get --raw`) must agree with Prometheus's
// rate(http_requests_total[30s]) (read from its HTTP API) within 2%.
//
// How the two are aligned:
// - Same input: both scrape the same target (the app's own metrics port, so the scrapes are not
//   counted as traffic) at the same 1s interval; the counter only moves with hey's requests.
// - Same function: kscale evaluates PromQL rate() over (t - 30s, t] at each of its scrapes t
//   (store/rate.h, extrapolation included); Prometheus evaluates it at the query time.
// - The phases differ: the two scrape loops start at different offsets within the second, and
//   kscale's value is from its last scrape (up to one interval before the comparison) while
//   Prometheus's window ends at the query. So the windows are shifted by up to ~1s against
//   each other, which changes nothing while the load is steady across both. The test compares
//   only once both windows lie wholly inside the load (Prometheus's sample from W + 6s earlier
//   already counts requests, and the load still runs), and compares several times, each on a new
//   kscale scrape.
// - What remains is the discreteness of the counter (a window holds ~1,200 requests, so a
//   request or two of phase difference is ~0.2%) and hey's own pacing jitter, well under 2%.

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/process.h"
#include "support/wait_until.h"

namespace kscale::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr int kWindowSeconds = 30;

// A port that was free a moment ago, for programs that cannot report a port-0 bind.
std::string free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return std::to_string(a.local_endpoint().port());
}

// A Kubernetes quantity as the adapter writes rates: plain decimal or milli-units ("39933m").
double quantity(const std::string& q) {
  if (!q.empty() && q.back() == 'm') {
    return std::stod(q.substr(0, q.size() - 1)) / 1000.0;
  }
  return std::stod(q);
}

class ScrapeRateIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = std::make_unique<Process>(
        std::vector<std::string>{kscale_binary(), "httpserver", "--bind-address", "127.0.0.1",
                                 "--port", "0", "--metrics-port", "0", "--threads", "2"});
    auto port = app_->wait_for(std::regex(R"(listening on http://127\.0\.0\.1:(\d+))"));
    auto metrics =
        app_->wait_for(std::regex(R"(serving metrics on http://127\.0\.0\.1:(\d+)/metrics)"));
    ASSERT_TRUE(port && metrics) << app_->output();
    app_port_ = *port;
    metrics_port_ = *metrics;

    const auto prom_yml = dir_.path() / "prometheus.yml";
    std::ofstream(prom_yml)
        << "global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}\n"
           "scrape_configs:\n"
           "- job_name: httpserver\n"
           "  static_configs: [{targets: ['127.0.0.1:"
        << metrics_port_ << "']}]\n";
    prom_port_ = free_port();
    prometheus_ = std::make_unique<Process>(std::vector<std::string>{
        "prometheus", "--config.file", prom_yml.string(), "--storage.tsdb.path",
        (dir_.path() / "tsdb").string(), "--web.listen-address", "127.0.0.1:" + prom_port_,
        "--log.level", "warn"});

    const auto scrape_yml = dir_.path() / "scrape.yaml";
    std::ofstream(scrape_yml)
        << "interval: 1s\n"
           "rules:\n"
           "- seriesName: http_requests_total\n"
           "  labelMatchers: {code: \"200\"}\n"
           "  metric: http_requests_qps\n"
           "  kind: rate\n"
           "  window: "
        << kWindowSeconds
        << "s\n"
           "targets:\n"
           "- {namespace: default, pod: httpserver-1, labels: {app: httpserver}, url: "
           "'http://127.0.0.1:"
        << metrics_port_ << "/metrics'}\n";
    adapter_ = std::make_unique<Process>(std::vector<std::string>{
        kscale_binary(), "adapter", "--bind-address", "127.0.0.1", "--secure-port", "0",
        "--http-port", "0", "--cert-dir", (dir_.path() / "certs").string(), "--scrape-config",
        scrape_yml.string(), "--worker-threads", "2"});
    auto https = adapter_->wait_for(std::regex(R"(on https://127\.0\.0\.1:(\d+))"));
    auto http = adapter_->wait_for(std::regex(R"(on http://127\.0\.0\.1:(\d+))"));
    ASSERT_TRUE(https && http) << adapter_->output();
    adapter_http_ = "http://127.0.0.1:" + *http;
    kubeconfig_ = (dir_.path() / "kubeconfig").string();
    std::ofstream(kubeconfig_)
        << "apiVersion: v1\nkind: Config\nclusters:\n- name: kscale\n  cluster:\n    server: https://127.0.0.1:"
        << *https
        << "\n    certificate-authority: " << (dir_.path() / "certs" / "apiserver.crt").string()
        << "\ncontexts:\n- name: kscale\n  context: {cluster: kscale, user: test}\n"
           "current-context: kscale\nusers:\n- name: test\n  user: {token: test-token}\n";
    // Prometheus's TSDB start takes a moment; its readiness line is logged at info, so ask.
    const bool ready = wait_until(
        [&] {
          return run_command({"curl", "-sf", "http://127.0.0.1:" + prom_port_ + "/-/ready"})
                     .status == 0;
        },
        10s);
    ASSERT_TRUE(ready) << prometheus_->output();
  }

  json::value kubectl_raw(const std::string& path) {
    auto r = run_command({"kubectl", "--kubeconfig", kubeconfig_, "--cache-dir",
                          (dir_.path() / "cache").string(), "get", "--raw", path});
    EXPECT_EQ(r.status, 0) << path << ": " << r.err;
    return r.status == 0 ? json::parse(r.out) : json::value();
  }

  // kscale's value and the time of the scrape it comes from.
  struct Reading {
    double qps = 0;
    std::string timestamp;
  };
  std::optional<Reading> kscale_reading() {
    const auto v = kubectl_raw(
        "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/httpserver-1/http_requests_qps");
    if (!v.is_object() || v.at("items").as_array().empty()) {
      return std::nullopt;
    }
    const auto& item = v.at("items").at(0);
    EXPECT_EQ(item.at("windowSeconds"), kWindowSeconds);
    return Reading{quantity(std::string(item.at("value").as_string())),
                   std::string(item.at("timestamp").as_string())};
  }

  // The result vector of an instant PromQL query evaluated now.
  json::array prometheus_query(const std::string& expr) {
    auto r = run_command({"curl", "-sS", "--get", "--data-urlencode", "query=" + expr,
                          "http://127.0.0.1:" + prom_port_ + "/api/v1/query"});
    EXPECT_EQ(r.status, 0) << r.err;
    if (r.status != 0) {
      return {};
    }
    return json::parse(r.out).at("data").at("result").as_array();
  }

  std::optional<double> prometheus_qps() {
    const auto result = prometheus_query("sum(rate(http_requests_total{code=\"200\"}[" +
                                         std::to_string(kWindowSeconds) + "s]))");
    if (result.empty()) {
      return std::nullopt;
    }
    return std::stod(std::string(result.at(0).at("value").at(1).as_string()));
  }

  TempDir dir_;
  std::unique_ptr<Process> app_, prometheus_, adapter_;
  std::string app_port_, metrics_port_, prom_port_, adapter_http_, kubeconfig_;
};

TEST_F(ScrapeRateIntegrationTest, RateAgreesWithPrometheusWithinTwoPercent) {
  // 2 workers x 20 requests/s = a steady 40 requests/s for up to 50 s.
  const auto load_start = std::chrono::steady_clock::now();
  Process hey({"hey", "-z", "50s", "-c", "2", "-q", "20", "http://127.0.0.1:" + app_port_ + "/"});

  // Both windows must lie wholly inside the load: wait until Prometheus's own scrapes show the
  // load under way W + 6s ago (its sample from then already counts requests), then compare three
  // times, each on a new kscale scrape.
  const std::string started =
      "http_requests_total{code=\"200\"} offset " + std::to_string(kWindowSeconds + 6) + "s > 0";
  ASSERT_TRUE(wait_until([&] { return !prometheus_query(started).empty(); }, 45s, 500ms))
      << prometheus_->output();
  double worst = 0;
  std::string previous_scrape;
  for (int i = 0; i < 3; ++i) {
    std::optional<Reading> reading;
    ASSERT_TRUE(wait_until(
        [&] {
          reading = kscale_reading();
          return reading && reading->timestamp != previous_scrape;
        },
        10s, 250ms))
        << adapter_->output();
    previous_scrape = reading->timestamp;
    const std::optional<double> k = reading->qps;
    const auto p = prometheus_qps();
    ASSERT_TRUE(k && p) << "kscale " << k.value_or(-1) << ", prometheus " << p.value_or(-1) << "\n"
                        << adapter_->output();
    const double diff = std::fabs(*k - *p) / *p;
    worst = std::max(worst, diff);
    std::printf("kscale http_requests_qps %.3f, prometheus rate() %.3f, difference %.2f%%\n", *k,
                *p, 100 * diff);
    EXPECT_LT(diff, 0.02) << "kscale " << *k << " vs prometheus " << *p;
    EXPECT_GT(*p, 30);  // the load is really there (40/s nominal)
    EXPECT_LT(*p, 45);
  }
  ::testing::Test::RecordProperty("worst_difference_percent", std::to_string(100 * worst));
  EXPECT_LT(std::chrono::steady_clock::now() - load_start, 50s)
      << "the comparisons ran past the load";

  // The scraped pod is selectable by its labels from the scrape config (no --objects given).
  const auto selected = kubectl_raw(
      "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests_qps?labelSelector=app%3Dhttpserver");
  ASSERT_TRUE(selected.is_object());
  EXPECT_EQ(selected.at("items").as_array().size(), 1u);
  const auto none = kubectl_raw(
      "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests_qps?labelSelector=app%3Dother");
  ASSERT_TRUE(none.is_object());
  EXPECT_TRUE(none.at("items").as_array().empty());

  // The scrape's health on kscale's own /metrics, which promtool accepts.
  auto m = run_command({"curl", "-sS", adapter_http_ + "/metrics"});
  EXPECT_NE(m.out.find("kscale_scrape_up{namespace=\"default\",pod=\"httpserver-1\"} 1\n"),
            std::string::npos)
      << m.out;
  auto lint = run_command({"promtool", "check", "metrics"}, m.out);
  EXPECT_EQ(lint.status, 0) << lint.out << lint.err;
  hey.stop();
}

// Targets follow the --scrape-config file as it is rewritten (how a separate process can add and
// remove replicas), a bad edit keeps the previous targets, and labelSelector follows the targets.
TEST(ScrapeConfigReloadIntegrationTest, TargetsFollowTheFile) {
  TempDir dir;
  Process app({kscale_binary(), "httpserver", "--bind-address", "127.0.0.1", "--port", "0",
               "--metrics-port", "0"});
  auto metrics =
      app.wait_for(std::regex(R"(serving metrics on http://127\.0\.0\.1:(\d+)/metrics)"));
  ASSERT_TRUE(metrics) << app.output();
  const std::string url = "http://127.0.0.1:" + *metrics + "/metrics";
  const auto file = dir.path() / "scrape.yaml";
  const std::string rules =
      "interval: 200ms\nrules:\n- {seriesName: http_requests_total, metric: qps, window: 2s}\n";
  std::ofstream(file) << rules << "targets:\n- {pod: a, labels: {app: x}, url: '" << url << "'}\n";
  Process adapter({kscale_binary(), "adapter", "--bind-address", "127.0.0.1", "--secure-port", "0",
                   "--http-port", "0", "--cert-dir", (dir.path() / "certs").string(),
                   "--scrape-config", file.string()});
  auto http = adapter.wait_for(std::regex(R"(on http://127\.0\.0\.1:(\d+))"));
  ASSERT_TRUE(http) << adapter.output();
  const std::string self = "http://127.0.0.1:" + *http + "/metrics";
  auto scraped = [&](const std::string& needle) {
    return wait_until(
        [&] { return run_command({"curl", "-sS", self}).out.find(needle) != std::string::npos; },
        10s);
  };
  // The adapter notices a rewrite by the file's modification time: wait until a file written now
  // gets a newer one than the config has (at once on most file systems, up to 1s on coarse ones).
  auto newer_mtime_possible = [&] {
    const auto probe = dir.path() / "probe";
    return wait_until(
        [&] {
          std::ofstream(probe) << "x";
          return std::filesystem::last_write_time(probe) > std::filesystem::last_write_time(file);
        },
        5s, 50ms);
  };
  EXPECT_TRUE(scraped("kscale_scrape_up{namespace=\"default\",pod=\"a\"} 1\n"));
  EXPECT_TRUE(scraped("kscale_scrape_targets 1\n"));

  ASSERT_TRUE(newer_mtime_possible());
  std::ofstream(file) << rules << "targets:\n- {pod: a, labels: {app: x}, url: '" << url << "'}\n"
                      << "- {pod: b, labels: {app: x}, url: '" << url << "'}\n";
  EXPECT_TRUE(adapter.wait_for(std::regex("scrape\\.yaml: 2 targets")));
  EXPECT_TRUE(scraped("kscale_scrape_up{namespace=\"default\",pod=\"b\"} 1\n"));

  ASSERT_TRUE(newer_mtime_possible());
  std::ofstream(file) << rules << "targets:\n- {pod: a, url: 'https://nope/'}\n";
  EXPECT_TRUE(adapter.wait_for(std::regex("keeping the previous targets: targets\\[0\\]\\.url")));
  EXPECT_TRUE(scraped("kscale_scrape_targets 2\n"));
  EXPECT_EQ(adapter.stop(), 0);
}

}  // namespace
}  // namespace kscale::testing
