// `kscale adapter` end to end: push exactly as seed 000's script does (curl sends the same
// bytes as Python requests with json.dumps: the body "512.30", Content-Type application/json,
// a Bearer token), then read with the real Kubernetes client, `kubectl get --raw`, through a
// kubeconfig that points at the adapter and verifies its self-signed certificate.

#include <fstream>
#include <regex>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/process.h"
#include "support/wait_until.h"

namespace kscale::testing {
namespace {

namespace json = boost::json;

class AdapterIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto objects = dir_.path() / "objects.yaml";
    std::ofstream(objects) << R"(apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: web-1, namespace: default, labels: {app: web}}}
- {apiVersion: v1, kind: Pod, metadata: {name: web-2, namespace: default, labels: {app: web}}}
- {apiVersion: v1, kind: Pod, metadata: {name: db-1, namespace: default, labels: {app: db}}}
- {apiVersion: v1, kind: Node, metadata: {name: n1, labels: {role: worker}}}
)";
    adapter_ = std::make_unique<Process>(std::vector<std::string>{
        kscale_binary(), "adapter", "--bind-address", "127.0.0.1", "--secure-port", "0",
        "--http-port", "0", "--cert-dir", (dir_.path() / "certs").string(), "--objects",
        objects.string(), "--v", "2", "--metrics-max-age", max_age_, "--worker-threads", "2"});
    auto https = adapter_->wait_for(std::regex(R"(on https://127\.0\.0\.1:(\d+))"));
    auto http = adapter_->wait_for(std::regex(R"(on http://127\.0\.0\.1:(\d+))"));
    ASSERT_TRUE(https && http) << adapter_->output();
    https_ = "https://127.0.0.1:" + *https;
    http_ = "http://127.0.0.1:" + *http;
    kubeconfig_ = (dir_.path() / "kubeconfig").string();
    std::ofstream(kubeconfig_)
        << "apiVersion: v1\nkind: Config\nclusters:\n- name: kscale\n  cluster:\n    server: "
        << https_
        << "\n    certificate-authority: " << (dir_.path() / "certs" / "apiserver.crt").string()
        << "\ncontexts:\n- name: kscale\n  context: {cluster: kscale, user: test}\n"
           "current-context: kscale\nusers:\n- name: test\n  user: {token: test-token}\n";
  }

  // POST as the seed's Python does: requests.post(url, headers={Authorization, Content-Type},
  // data=json.dumps(value)).
  CommandResult seed_push(const std::string& path, const std::string& value) {
    return run_command({"curl", "-sS", "-o", "/dev/stdout", "-w", "\n%{http_code}", "-X", "POST",
                        "-H", "Authorization: Bearer test-token", "-H",
                        "Content-Type: application/json", "--data-binary", "\"" + value + "\"",
                        http_ + path});
  }

  CommandResult curl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"curl", "-sS", "-w", "\n%{http_code}"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
  }

  static int http_code(const CommandResult& r) {
    const auto nl = r.out.rfind('\n');
    return std::stoi(r.out.substr(nl + 1));
  }
  static json::value body(const CommandResult& r) {
    return json::parse(r.out.substr(0, r.out.rfind('\n')));
  }

  CommandResult kubectl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"kubectl", "--kubeconfig", kubeconfig_, "--cache-dir",
                                  (dir_.path() / "cache").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
  }
  json::value raw(const std::string& path) {
    auto r = kubectl({"get", "--raw", path});
    EXPECT_EQ(r.status, 0) << path << ": " << r.err;
    return r.status == 0 ? json::parse(r.out) : json::value();
  }

  // Long enough that a slow machine never expires values mid-test; the staleness test below
  // uses a short one.
  std::string max_age_ = "120s";
  TempDir dir_;
  std::unique_ptr<Process> adapter_;
  std::string https_, http_, kubeconfig_;
};

TEST_F(AdapterIntegrationTest, SeedPushIsServedToKubectlInBothVersions) {
  for (auto [pod, qps] : {std::pair{"web-1", "512.30"}, {"web-2", "30.00"}, {"db-1", "7.25"}}) {
    auto r = seed_push(
        std::string("/write-metrics/namespaces/default/pods/") + pod + "/http_requests_qps", qps);
    ASSERT_EQ(http_code(r), 200) << r.out << r.err;
  }
  // The HPA's request for a Pods metric: wildcard, object selector (metrics-api.md §5.2).
  const auto v2 = raw(
      "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests_qps?labelSelector=app%3Dweb");
  EXPECT_EQ(v2.at("kind"), "MetricValueList");
  EXPECT_EQ(v2.at("apiVersion"), "custom.metrics.k8s.io/v1beta2");
  ASSERT_EQ(v2.at("items").as_array().size(), 2u);
  EXPECT_EQ(
      v2.at("items").at(0).at("describedObject"),
      json::parse(R"({"kind":"Pod","namespace":"default","name":"web-1","apiVersion":"v1"})"));
  EXPECT_EQ(v2.at("items").at(0).at("metric"),
            json::parse(R"({"name":"http_requests_qps","selector":null})"));
  EXPECT_EQ(v2.at("items").at(0).at("value"), "512300m");
  EXPECT_EQ(v2.at("items").at(1).at("value"), "30");
  EXPECT_TRUE(std::regex_match(std::string(v2.at("items").at(0).at("timestamp").as_string()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));

  const auto v1 =
      raw("/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/web-2/http_requests_qps");
  ASSERT_EQ(v1.at("items").as_array().size(), 1u);
  EXPECT_EQ(v1.at("items").at(0).at("metricName"), "http_requests_qps");
  EXPECT_EQ(v1.at("items").at(0).at("selector"), nullptr);
  EXPECT_EQ(v1.at("items").at(0).at("value"), "30");

  // kubectl percent-encodes '*' as %2A; the literal form (curl) must work too.
  auto literal = curl(
      {"-k",
       https_ + "/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/http_requests_qps"});
  EXPECT_EQ(http_code(literal), 200);
  EXPECT_EQ(body(literal).at("items").as_array().size(), 3u);
}

TEST_F(AdapterIntegrationTest, EveryPathFamilyThroughKubectl) {
  ASSERT_EQ(http_code(seed_push("/write-metrics/nodes/n1/node_load", "250m")), 200);
  ASSERT_EQ(http_code(seed_push("/write-metrics/namespaces/default/pod_count", "4")), 200);
  ASSERT_EQ(http_code(seed_push(
                "/write-metrics/namespaces/default/deployments.apps/web/queue_length", "42")),
            200);
  ASSERT_EQ(
      http_code(curl(
          {"-X", "POST", "--data", "30",
           http_ +
               "/write-external-metrics/namespaces/default/queue_depth?labels=queue=orders,env=prod"})),
      200);
  ASSERT_EQ(
      http_code(curl(
          {"-X", "POST", "--data", "5",
           http_ +
               "/write-external-metrics/namespaces/default/queue_depth?labels=queue=orders,env=staging"})),
      200);
  ASSERT_EQ(
      http_code(seed_push(
          "/write-metrics/namespaces/default/pods/web-1/http_requests?labels=method=GET", "1.5")),
      200);

  for (const char* v : {"v1beta1", "v1beta2"}) {
    SCOPED_TRACE(v);
    const std::string p = std::string("/apis/custom.metrics.k8s.io/") + v;
    EXPECT_EQ(raw(p + "/nodes/*/node_load?labelSelector=role%3Dworker")
                  .at("items")
                  .at(0)
                  .at("describedObject")
                  .at("kind"),
              "Node");
    EXPECT_EQ(raw(p + "/nodes/n1/node_load").at("items").at(0).at("value"), "250m");
    EXPECT_EQ(raw(p + "/namespaces/default/metrics/pod_count")
                  .at("items")
                  .at(0)
                  .at("describedObject")
                  .at("name"),
              "default");
    EXPECT_EQ(raw(p + "/namespaces/default/deployments.apps/web/queue_length")
                  .at("items")
                  .at(0)
                  .at("describedObject")
                  .at("apiVersion"),
              "apps/v1");
    EXPECT_EQ(
        raw(p + "/namespaces/default/pod/web-1/http_requests?metricLabelSelector=method%3DGET")
            .at("items")
            .as_array()
            .size(),
        1u);
  }
  const auto ext = raw(
      "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth?labelSelector=queue%3Dorders");
  ASSERT_EQ(ext.at("items").as_array().size(), 2u);
  EXPECT_EQ(ext.at("items").at(0).at("metricLabels"),
            json::parse(R"({"env":"prod","queue":"orders"})"));
}

TEST_F(AdapterIntegrationTest, DiscoveryThroughKubectl) {
  ASSERT_EQ(
      http_code(seed_push("/write-metrics/namespaces/default/pods/web-1/http_requests_qps", "1")),
      200);
  ASSERT_EQ(http_code(curl({"-X", "POST", "--data", "1",
                            http_ + "/write-external-metrics/namespaces/default/queue_depth"})),
            200);
  auto versions = kubectl({"api-versions"});
  ASSERT_EQ(versions.status, 0) << versions.err;
  EXPECT_NE(versions.out.find("custom.metrics.k8s.io/v1beta1"), std::string::npos) << versions.out;
  EXPECT_NE(versions.out.find("custom.metrics.k8s.io/v1beta2"), std::string::npos);
  EXPECT_NE(versions.out.find("external.metrics.k8s.io/v1beta1"), std::string::npos);
  // api-resources walks full discovery (/api, /apis, every group-version) and must succeed;
  // it hides subresource-style names such as pods/http_requests_qps, so the list itself is
  // read raw.
  auto resources = kubectl({"api-resources", "--api-group=custom.metrics.k8s.io"});
  ASSERT_EQ(resources.status, 0) << resources.err;
  EXPECT_EQ(raw("/apis/custom.metrics.k8s.io/v1beta1").at("resources").at(0).at("name"),
            "pods/http_requests_qps");
  EXPECT_EQ(raw("/apis/external.metrics.k8s.io/v1beta1").at("resources").at(0).at("name"),
            "queue_depth");
  EXPECT_EQ(raw("/apis/custom.metrics.k8s.io").at("preferredVersion").at("version"), "v1beta2");
}

TEST_F(AdapterIntegrationTest, ErrorsReachKubectlAsStatus) {
  auto r =
      kubectl({"get", "--raw",
               "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/p4/http_requests"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("NotFound"), std::string::npos) << r.err;
  auto bad = curl(
      {"-k",
       https_ +
           "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/m?labelSelector=tier+in+%28frontend"});
  EXPECT_EQ(http_code(bad), 400);
  EXPECT_EQ(body(bad).at("reason"), "BadRequest");
}

TEST_F(AdapterIntegrationTest, BadWritesChangeNothingStored) {
  ASSERT_EQ(
      http_code(seed_push("/write-metrics/namespaces/default/pods/web-1/http_requests_qps", "10")),
      200);
  const auto big = std::string(5 * 1024 * 1024, '1');
  struct Case {
    const char* name;
    std::vector<std::string> args;
    int code;
  };
  const std::string write =
      http_ + "/write-metrics/namespaces/default/pods/web-1/http_requests_qps";
  const std::vector<Case> cases = {
      {"invalid name",
       {"-X", "POST", "--data", "1",
        http_ + "/write-metrics/namespaces/default/pods/Web_1/http_requests_qps"},
       400},
      {"NaN", {"-X", "POST", "--data", "\"NaN\"", write}, 400},
      {"Inf", {"-X", "POST", "--data", "+Inf", write}, 400},
      {"garbage", {"-X", "POST", "--data", "many", write}, 400},
      {"out of range", {"-X", "POST", "--data", "1e19", write}, 400},
      {"bad labels", {"-X", "POST", "--data", "1", write + "?labels=noequals"}, 400},
      {"wrong method", {"-X", "DELETE", write}, 405},
      {"unsupported media",
       {"-X", "POST", "-H", "Content-Type: application/xml", "--data", "1", write},
       415},
      {"truncated batch",
       {"-X", "POST", "--data", "{\"kind\":\"MetricValueList\",\"items\":[",
        http_ + "/write-metrics"},
       400},
      {"non-JSON batch", {"-X", "POST", "--data", "hello", http_ + "/write-metrics"}, 400},
      {"unknown path",
       {"-X", "POST", "--data", "1", http_ + "/write-metrics/namespaces/default"},
       404},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = curl(c.args);
    EXPECT_EQ(http_code(r), c.code) << r.out;
    const auto status = body(r);
    EXPECT_EQ(status.at("kind"), "Status");
    EXPECT_EQ(status.at("code"), c.code);
  }
  // Over the body limit (4 MiB by default): 413.
  const auto big_file = dir_.path() / "big";
  std::ofstream(big_file) << big;
  auto r = curl({"-X", "POST", "--data-binary", "@" + big_file.string(), write});
  EXPECT_EQ(http_code(r), 413) << r.out.substr(0, 300);
  const auto v =
      raw("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests_qps");
  ASSERT_EQ(v.at("items").as_array().size(), 1u);
  EXPECT_EQ(v.at("items").at(0).at("value"), "10");
}

class AdapterStalenessTest : public AdapterIntegrationTest {
 protected:
  AdapterStalenessTest() { max_age_ = "3s"; }
};

TEST_F(AdapterStalenessTest, StaleValuesExpireAfterMaxAge) {
  ASSERT_EQ(
      http_code(seed_push("/write-metrics/namespaces/default/pods/web-1/http_requests_qps", "10")),
      200);
  EXPECT_EQ(
      raw("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/http_requests_qps")
          .at("items")
          .as_array()
          .size(),
      1u);
  // max_age_ is 3s: the read fails once the value is older than that.
  EXPECT_TRUE(wait_until(
      [&] {
        return kubectl(
                   {"get", "--raw",
                    "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/http_requests_qps"})
                   .status != 0;
      },
      std::chrono::seconds(15), std::chrono::milliseconds(250)));
}

TEST_F(AdapterIntegrationTest, HealthAndOwnMetrics) {
  for (const char* p : {"/healthz", "/livez", "/readyz"}) {
    auto r = curl({http_ + p});
    EXPECT_EQ(http_code(r), 200);
    EXPECT_EQ(r.out.substr(0, 2), "ok");
  }
  ASSERT_EQ(
      http_code(seed_push("/write-metrics/namespaces/default/pods/web-1/http_requests_qps", "10")),
      200);
  curl({"-X", "POST", "--data", "x",
        http_ + "/write-metrics/namespaces/default/pods/web-1/http_requests_qps"});
  auto m = curl({http_ + "/metrics"});
  EXPECT_NE(m.out.find("kscale_http_requests_total{"), std::string::npos);
  EXPECT_NE(m.out.find("kscale_http_request_duration_seconds_bucket{"), std::string::npos);
  EXPECT_NE(m.out.find("kscale_store_series 1"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("kscale_push_writes_total 1"), std::string::npos);
  EXPECT_NE(m.out.find("kscale_push_rejected_writes_total 1"), std::string::npos);
  // promtool, from the prometheus package, lints the exposition as prometheus-cpp's lint does.
  auto lint = run_command({"promtool", "check", "metrics"}, m.out.substr(0, m.out.rfind('\n')));
  EXPECT_EQ(lint.status, 0) << lint.out << lint.err;
}

TEST_F(AdapterIntegrationTest, StopsCleanlyOnSigterm) { EXPECT_EQ(adapter_->stop(), 0); }

}  // namespace
}  // namespace kscale::testing
