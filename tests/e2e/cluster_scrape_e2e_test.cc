// Scraping discovered from the cluster (issue 9; shared/specs/kubernetes-integration.md §2):
// `kscale adapter --scrape-annotated-pods` in cluster mode scrapes the pods annotated
// prometheus.io/scrape: "true" at their status.podIP and the port of prometheus.io/port, and
// serves what it scraped through the aggregator; a deleted pod stops being served within 5 s.
//
// kwok gives pods addresses from its --cidr; this binary's control plane runs kwok with a range
// inside 127.0.0.0/8, so every pod's status.podIP is a loopback address on which the test runs a
// `kscale httpserver` for that pod. The adapter reads the real pod objects from kube-apiserver.

#include <map>
#include <memory>

#include <gtest/gtest.h>

#include "e2e/adapter.h"
#include "e2e/cluster_objects.h"
#include "e2e/e2e_environment.h"
#include "support/wait_until.h"

namespace kscale::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Pod IPs on loopback (set before main starts the control plane).
[[maybe_unused]] const bool kLoopbackPodIps = [] {
  control_plane_options().kwok_cidr = "127.1.0.0/24";
  control_plane_options().kwok_node_ip = "127.1.0.1";
  return true;
}();

constexpr const char* kAnswerPath =
    "/apis/custom.metrics.k8s.io/v1beta2/namespaces/scrape/pods/*/http_requests_qps"
    "?labelSelector=app%3Dscraped";

// http_requests_qps = the httpserver's request count (a gauge of the counter, so that the value
// is exactly the number of requests the test made to that pod; /metrics has its own port and is
// not counted).
constexpr const char* kScrapeConfig = R"(interval: 1s
rules:
- seriesName: http_requests_total
  labelMatchers: {code: "200"}
  metric: http_requests_qps
  kind: gauge
  aggregate: sum
)";

class ClusterScrapeE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& cp = control_plane();
    const auto kubeconfig = prepare_adapter_identity(cp);
    const auto config = cp.write_file("scrape.yaml", kScrapeConfig);
    adapter_ = std::make_unique<Adapter>(
        cp,
        std::vector<std::string>{"--kubeconfig=" + kubeconfig.string(), "--metrics-max-age=30s",
                                 "--scrape-annotated-pods", "--scrape-annotated-pods-interval=1s",
                                 "--scrape-config=" + config.string()});
    ASSERT_TRUE(adapter_->wait_ready(seconds(60))) << cp.log_tails();
    ASSERT_TRUE(adapter_->register_apiservices());
  }
  static void TearDownTestSuite() { adapter_.reset(); }

  static inline std::unique_ptr<Adapter> adapter_;
};

TEST_F(ClusterScrapeE2eTest, ServesAnnotatedPodsScrapedAtTheirPodIpAndDropsDeletedOnes) {
  auto& cp = control_plane();
  const int service_port = free_port();
  const int metrics_port = free_port();
  const std::string annotations = "{prometheus.io/scrape: \"true\", prometheus.io/port: \"" +
                                  std::to_string(metrics_port) + "\"}";
  ASSERT_TRUE(cp.apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: scrape}\n"));
  const std::map<std::string, int> requests{{"s1", 2}, {"s2", 5}};
  for (const auto& [pod, n] : requests) {
    ASSERT_TRUE(cp.apply(kwok_pod_yaml("scrape", pod, "{app: scraped}", annotations)));
  }
  for (const auto& [pod, n] : requests) {
    std::string ip;
    ASSERT_TRUE(wait_until(
        [&] {
          ip = pod_ip(cp, "scrape", pod);
          return !ip.empty();
        },
        seconds(30), milliseconds(250)))
        << pod << " has no status.podIP";
    ASSERT_TRUE(ip.starts_with("127.1.0."))
        << pod << "'s podIP " << ip << " is outside kwok's --cidr";
    cp.add_component("httpserver " + pod, {kscale_binary(), "httpserver", "--bind-address=" + ip,
                                           "--port=" + std::to_string(service_port),
                                           "--metrics-port=" + std::to_string(metrics_port)});
    const std::string base = "http://" + ip + ":";
    ASSERT_TRUE(wait_until(
        [&] {
          return cp.request(base + std::to_string(metrics_port) + "/metrics", {}).code == 200;
        },
        seconds(20), milliseconds(200)))
        << "httpserver for " << pod << " on " << ip;
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(cp.request(base + std::to_string(service_port) + "/", {}).code, 200);
    }
  }

  MetricValues seen;
  EXPECT_TRUE(wait_until(
      [&] {
        seen = metric_values(cp.get(kAnswerPath, {.cert = "admin"}));
        return seen.values == std::map<std::string, std::string>{{"s1", "2"}, {"s2", "5"}};
      },
      seconds(30), milliseconds(500)))
      << seen.answer;

  const auto deadline = std::chrono::steady_clock::now() + seconds(5);
  auto deleted = cp.kubectl({"delete", "pod", "-n", "scrape", "s1", "--wait=false"});
  ASSERT_EQ(deleted.status, 0) << deleted.err;
  const auto s1_gone = [&] {
    seen = metric_values(cp.get(kAnswerPath, {.cert = "admin"}));
    return seen.ok && seen.values.count("s1") == 0;
  };
  const bool gone = wait_until(s1_gone, remaining(deadline), milliseconds(100));
  EXPECT_TRUE(gone) << "s1 still served 5 s after its deletion: " << seen.answer;
  EXPECT_EQ(seen.values, (std::map<std::string, std::string>{{"s2", "5"}}));
}

}  // namespace
}  // namespace kscale::testing
