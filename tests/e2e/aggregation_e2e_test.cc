// Seed 000 end to end on a real control plane (shared/specs/kubernetes-integration.md §7): the
// real HPA controller scales the seed's Deployment (pods run on kwok's fake node) on
// pods/http_requests_qps that a pusher writes to `kscale adapter`, read through the real
// kube-aggregator from the adapter running on loopback.

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "e2e/adapter.h"
#include "e2e/e2e_environment.h"
#include "support/wait_until.h"

namespace kscale::testing {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

// Seed 000's Deployment, plus what runs it on kwok's node (no scheduler in the test cluster).
constexpr const char* kSeedDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: httpserver
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels:
      app: httpserver
  template:
    metadata:
      labels:
        app: httpserver
    spec:
      nodeName: kwok-node-0
      tolerations:
        - {key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}
      containers:
        - name: httpserver
          image: pubrepo.jiagouyun.com/demo/httpserver:guance-metrics
          imagePullPolicy: Always
)";

// Seed 000's HPA, unchanged.
const std::string kSeedHpaFile =
    std::string(KSCALE_SOURCE_DIR) + "/examples/hpa-http-requests-qps.yaml";

constexpr const char* kPodsMetricPath =
    "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests_qps"
    "?labelSelector=app%3Dhttpserver";

std::vector<std::string> running_pods(const ControlPlane& cp) {
  auto r = cp.kubectl({"get", "pods", "-n", "default", "-l", "app=httpserver",
                       "--field-selector=status.phase=Running", "-o",
                       "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}"});
  std::vector<std::string> pods;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) {
      pods.push_back(line);
    }
  }
  return pods;
}

// §7's pusher: every 2 s, list the N Running pods app=httpserver and POST L/N to each.
class Pusher {
 public:
  Pusher(const ControlPlane& cp, const Adapter& adapter)
      : thread_([this, &cp, &adapter](std::stop_token stop) { run(stop, cp, adapter); }) {}
  ~Pusher() {
    thread_.request_stop();
    wake_.notify_all();
  }
  void set_load(double load) { load_ = load; }

 private:
  void run(const std::stop_token& stop, const ControlPlane& cp, const Adapter& adapter) {
    while (!stop.stop_requested()) {
      const auto pods = running_pods(cp);
      for (const auto& pod : pods) {
        char value[32];
        std::snprintf(value, sizeof value, "%.2f", load_.load() / static_cast<double>(pods.size()));
        adapter.push("/write-metrics/namespaces/default/pods/" + pod + "/http_requests_qps", value);
      }
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, seconds(2), [] { return false; });
    }
  }

  std::atomic<double> load_{0};
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

json::value get_json(const ControlPlane& cp, const std::vector<std::string>& args) {
  auto r = cp.kubectl(args);
  if (r.status != 0) {
    return nullptr;
  }
  return json::parse(r.out);
}

int deployment_replicas(const ControlPlane& cp) {
  auto r = cp.kubectl(
      {"get", "deployment", "-n", "default", "httpserver", "-o", "jsonpath={.spec.replicas}"});
  return r.status == 0 && !r.out.empty() ? std::stoi(r.out) : -1;
}

// The HPA's condition `type` as "Status/Reason", or "" when absent.
std::string hpa_condition(const ControlPlane& cp, const std::string& type) {
  auto hpa = get_json(cp, {"get", "hpa", "-n", "default", "httpserver-hpa", "-o", "json"});
  if (!hpa.is_object()) {
    return "";
  }
  const auto* conditions = hpa.at("status").as_object().if_contains("conditions");
  if (conditions == nullptr) {
    return "";
  }
  for (const auto& c : conditions->as_array()) {
    if (c.at("type").as_string() == type) {
      return std::string(c.at("status").as_string()) + "/" +
             std::string(c.at("reason").as_string());
    }
  }
  return "";
}

std::string hpa_events(const ControlPlane& cp) {
  return cp
      .kubectl({"get", "events", "-n", "default", "--field-selector",
                "involvedObject.name=httpserver-hpa", "-o",
                "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}"})
      .out;
}

class AggregationE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Cluster mode, as deployed: the HPA controller's reads reach the adapter through the
    // aggregator's front-proxy certificate and are authorized by SubjectAccessReviews.
    adapter_ = std::make_unique<Adapter>(
        control_plane(), std::vector<std::string>{
                             "--metrics-max-age=30s",
                             "--kubeconfig=" + prepare_adapter_identity(control_plane()).string()});
    ASSERT_TRUE(adapter_->wait_ready()) << control_plane().log_tails();
  }
  static void TearDownTestSuite() { adapter_.reset(); }

  static inline std::unique_ptr<Adapter> adapter_;
};

TEST_F(AggregationE2eTest, AdapterOnLoopbackBecomesAvailableThroughExternalNameLocalhost) {
  ASSERT_TRUE(adapter_->register_apiservices());
  auto discovery =
      control_plane().get("/apis/custom.metrics.k8s.io/v1beta2", Identity{"admin", ""});
  EXPECT_EQ(discovery.code, 200) << discovery.body << discovery.error;
}

// kube-apiserver applies its own RBAC to §4's attributes before proxying (spec §7's first rows),
// in a namespace of its own so that seed 000's scenario sees only its pods.
TEST_F(AggregationE2eTest, KubeApiserverForbidsUsersWithoutRbacBeforeProxying) {
  auto& cp = control_plane();
  ASSERT_TRUE(adapter_->register_apiservices());
  ASSERT_TRUE(cp.apply(R"(apiVersion: v1
kind: Namespace
metadata: {name: authz}
---
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: authz, labels: {app: p}}
spec:
  nodeName: kwok-node-0
  tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]
  containers: [{name: c, image: example}]
)"));
  ASSERT_EQ(adapter_->push("/write-metrics/namespaces/authz/pods/p1/http_requests_qps", "7"), 200);
  const std::string path =
      "/apis/custom.metrics.k8s.io/v1beta2/namespaces/authz/pods/*/http_requests_qps"
      "?labelSelector=app%3Dp";

  auto alice = cp.get(path, Identity{.cert = "alice"});
  EXPECT_EQ(alice.code, 403) << alice.body;
  EXPECT_EQ(json::parse(alice.body).at("message").as_string(),
            "pods.custom.metrics.k8s.io \"*\" is forbidden: User \"alice\" cannot get resource "
            "\"pods/http_requests_qps\" in API group \"custom.metrics.k8s.io\" in the namespace "
            "\"authz\"");

  const std::string token = cp.service_account_token("default", "reader");
  auto reader = cp.kubectl_with(cp.kubeconfig_for("reader", Identity{.token = token}),
                                {"get", "--raw", path});
  EXPECT_NE(reader.status, 0);
  EXPECT_NE(reader.err.find("system:serviceaccount:default:reader"), std::string::npos)
      << reader.err;

  ASSERT_TRUE(cp.apply(R"(apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: metrics-reader, namespace: authz}
rules:
- apiGroups: [custom.metrics.k8s.io]
  resources: [pods/http_requests_qps]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-metrics-reader, namespace: authz}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: metrics-reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
)"));
  HttpResponse allowed;
  EXPECT_TRUE(wait_until(
      [&] {
        allowed = cp.get(path, Identity{.cert = "alice"});
        return allowed.code == 200;
      },
      seconds(10), std::chrono::milliseconds(250)))
      << allowed.code << " " << allowed.body;
}

TEST_F(AggregationE2eTest, Seed000ScalesOnPushedPodMetricsThroughTheAggregator) {
  auto& cp = control_plane();
  ASSERT_TRUE(adapter_->register_apiservices());
  Pusher pusher(cp, *adapter_);
  ASSERT_TRUE(cp.apply(kSeedDeployment));
  auto hpa = cp.kubectl({"apply", "-f", kSeedHpaFile});
  ASSERT_EQ(hpa.status, 0) << hpa.err;

  {
    SCOPED_TRACE("idle: L = 0");
    EXPECT_TRUE(
        wait_until([&] { return hpa_condition(cp, "ScalingActive") == "True/ValidMetricFound"; },
                   seconds(30), std::chrono::milliseconds(500)))
        << "ScalingActive: " << hpa_condition(cp, "ScalingActive");
    EXPECT_EQ(deployment_replicas(cp), 1);
  }
  {
    SCOPED_TRACE("load: L = 270");
    pusher.set_load(270);
    std::vector<int> seen;
    EXPECT_TRUE(wait_until(
        [&] {
          const int r = deployment_replicas(cp);
          if (r > 0 && (seen.empty() || seen.back() != r)) {
            seen.push_back(r);
          }
          return r == 9;
        },
        seconds(90), std::chrono::milliseconds(250)));
    // Seed 000's HPA has no spec.behavior and autoscaling/v2 defaulting leaves it nil, so the
    // controller takes its legacy path (upstream horizontal.go: normalizeDesiredReplicas,
    // calculateScaleUpLimit = max(2 * current, 4) per sync), not the 4-pods-per-15-s policy.
    EXPECT_EQ(seen, (std::vector<int>{1, 4, 8, 9}));
    EXPECT_TRUE(wait_until(
        [&] {
          return hpa_events(cp).find(
                     "New size: 9; reason: pods metric http_requests_qps above target") !=
                 std::string::npos;
        },
        seconds(10), std::chrono::milliseconds(500)))
        << hpa_events(cp);

    // Through the aggregator as admin: one item per running pod, each 270/9 = 30.
    std::string last;
    EXPECT_TRUE(wait_until(
        [&] {
          auto r = cp.get(kPodsMetricPath, Identity{"admin", ""});
          last = r.body;
          if (r.code != 200) {
            return false;
          }
          auto list = json::parse(r.body);
          const auto pods = running_pods(cp);
          const auto& items = list.at("items").as_array();
          if (items.size() != pods.size() || pods.size() != 9) {
            return false;
          }
          std::set<std::string> names(pods.begin(), pods.end());
          for (const auto& item : items) {
            if (item.at("value").as_string() != "30" ||
                names.count(std::string(item.at("describedObject").at("name").as_string())) == 0) {
              return false;
            }
          }
          return list.at("kind").as_string() == "MetricValueList";
        },
        seconds(30), std::chrono::milliseconds(500)))
        << last;
    auto discovery = cp.get("/apis/custom.metrics.k8s.io/v1beta2", Identity{"admin", ""});
    EXPECT_NE(discovery.body.find("\"pods/http_requests_qps\""), std::string::npos)
        << discovery.body;

    // 9 holds for 30 s.
    EXPECT_FALSE(wait_until([&] { return deployment_replicas(cp) != 9; }, seconds(30),
                            std::chrono::milliseconds(500)))
        << "replicas left 9: " << deployment_replicas(cp);
  }
  {
    SCOPED_TRACE("overload: L = 600");
    pusher.set_load(600);
    EXPECT_TRUE(wait_until(
        [&] {
          return deployment_replicas(cp) == 10 &&
                 hpa_condition(cp, "ScalingLimited") == "True/TooManyReplicas";
        },
        seconds(60), std::chrono::milliseconds(500)))
        << "replicas " << deployment_replicas(cp)
        << ", ScalingLimited: " << hpa_condition(cp, "ScalingLimited");
  }
  {
    SCOPED_TRACE("off: L = 0");
    pusher.set_load(0);
    EXPECT_TRUE(wait_until([&] { return deployment_replicas(cp) == 1; }, seconds(120),
                           std::chrono::milliseconds(500)))
        << "replicas " << deployment_replicas(cp);
    EXPECT_TRUE(wait_until(
        [&] {
          return hpa_events(cp).find("reason: All metrics below target") != std::string::npos;
        },
        seconds(10), std::chrono::milliseconds(500)))
        << hpa_events(cp);
  }
}

}  // namespace
}  // namespace kscale::testing
