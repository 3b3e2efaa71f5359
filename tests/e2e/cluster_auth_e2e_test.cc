// `kscale adapter` in cluster mode (--kubeconfig with the manifest's identity) against a real
// control plane, shared/specs/kubernetes-integration.md §7: the APIServices become Available, the
// authorization matrix (kube-apiserver's RBAC before proxying, then the adapter's own delegated
// authentication and authorization on direct requests), a deleted pod leaving the wildcard answer
// within 5 s, --push-authorization, and the rotation of the adapter's token without a restart.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "e2e/adapter.h"
#include "e2e/cluster_objects.h"
#include "e2e/e2e_environment.h"
#include "support/wait_until.h"

namespace kscale::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kGroupVersion = "/apis/custom.metrics.k8s.io/v1beta2";
constexpr const char* kPodsMetric =
    "/namespaces/default/pods/*/http_requests_qps?labelSelector=app%3Dhttpserver";

const std::string kManifest = std::string(KSCALE_SOURCE_DIR) + "/deploy/kscale-adapter.yaml";

// kube-apiserver audits the SubjectAccessReviews it is sent (with their spec), nothing else: the
// test's way to see which requests the adapter sent a SAR for.
[[maybe_unused]] const bool kAuditSubjectAccessReviews = [] {
  control_plane_options().audit_policy = R"(apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Request
  resources:
  - group: authorization.k8s.io
    resources: [subjectaccessreviews]
- level: None
)";
  return true;
}();

// spec.user of every SubjectAccessReview in kube-apiserver's audit log, in order.
std::vector<std::string> reviewed_users(const ControlPlane& cp) {
  std::vector<std::string> users;
  std::ifstream in(cp.audit_log());
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code ec;
    auto event = json::parse(line, ec);
    if (ec || !event.is_object()) {
      continue;
    }
    const auto* ref = event.as_object().if_contains("objectRef");
    const auto* request = event.as_object().if_contains("requestObject");
    if (ref == nullptr || request == nullptr || !ref->is_object() ||
        ref->as_object().if_contains("resource") == nullptr ||
        ref->at("resource") != "subjectaccessreviews") {
      continue;
    }
    const auto* user = request->at("spec").as_object().if_contains("user");
    users.emplace_back(user != nullptr ? std::string(user->as_string()) : "");
  }
  return users;
}

// Seed 000's Deployment on kwok's node, three replicas (no HPA here).
constexpr const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: httpserver, namespace: default}
spec:
  replicas: 3
  selector:
    matchLabels: {app: httpserver}
  template:
    metadata:
      labels: {app: httpserver}
    spec:
      nodeName: kwok-node-0
      tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]
      containers: [{name: httpserver, image: pubrepo.jiagouyun.com/demo/httpserver:guance-metrics}]
)";

// §7's Role: get on pods/http_requests_qps in custom.metrics.k8s.io, namespace default, bound to
// `subject` (a YAML flow map) as binding `binding`.
std::string metrics_reader_rbac(const std::string& binding, const std::string& subject) {
  return R"(apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: metrics-reader, namespace: default}
rules:
- apiGroups: [custom.metrics.k8s.io]
  resources: [pods/http_requests_qps]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: )" +
         binding + R"(, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: metrics-reader}
subjects:
- )" + subject +
         "\n";
}

// §4's namespaced message for `user` reading pods/http_requests_qps in default.
std::string forbidden_message(const std::string& user) {
  return "pods.custom.metrics.k8s.io \"*\" is forbidden: User \"" + user +
         "\" cannot get resource \"pods/http_requests_qps\" in API group "
         "\"custom.metrics.k8s.io\" in the namespace \"default\"";
}

// The Status of an error answer ("" fields when the body is not one).
struct StatusBody {
  std::string message;
  std::string reason;
  std::string details;  // serialized
  int64_t code = 0;
};

StatusBody status_of(const HttpResponse& r) {
  StatusBody out;
  boost::system::error_code ec;
  auto doc = json::parse(r.body, ec);
  if (ec || !doc.is_object() || doc.as_object().if_contains("kind") == nullptr ||
      doc.at("kind") != "Status") {
    return out;
  }
  const auto& o = doc.as_object();
  if (const auto* m = o.if_contains("message")) {
    out.message = std::string(m->as_string());
  }
  if (const auto* m = o.if_contains("reason")) {
    out.reason = std::string(m->as_string());
  }
  if (const auto* m = o.if_contains("details")) {
    out.details = json::serialize(*m);
  }
  if (const auto* m = o.if_contains("code")) {
    out.code = m->to_number<int64_t>();
  }
  return out;
}

// §4: the message is M, or "M: <SAR status.reason>".
::testing::AssertionResult forbids(const HttpResponse& r, const std::string& user) {
  const auto status = status_of(r);
  const auto want = forbidden_message(user);
  if (r.code == 403 && status.reason == "Forbidden" && status.code == 403 &&
      (status.message == want || status.message.starts_with(want + ": "))) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "want 403 Forbidden \"" << want << "\", got " << r.code
                                       << " " << r.body << " " << r.error;
}

::testing::AssertionResult unauthorized(const HttpResponse& r) {
  const auto status = status_of(r);
  if (r.code == 401 && status.reason == "Unauthorized" && status.message == "Unauthorized" &&
      status.code == 401) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "want 401 Unauthorized Status, got " << r.code << " " << r.body << " " << r.error;
}

// The manifest's bindings of SA kscale/kscale-adapter, renamed and bound to SA kscale/`sa`.
std::string adapter_bindings_for(const std::string& sa) {
  std::string out;
  for (auto doc : YAML::LoadAllFromFile(kManifest)) {
    const auto kind = doc.IsMap() ? doc["kind"].as<std::string>("") : "";
    if (kind != "RoleBinding" && kind != "ClusterRoleBinding") {
      continue;
    }
    bool binds_adapter = false;
    for (auto subject : doc["subjects"]) {
      if (subject["kind"].as<std::string>("") == "ServiceAccount" &&
          subject["name"].as<std::string>("") == "kscale-adapter") {
        subject["name"] = sa;
        binds_adapter = true;
      }
    }
    if (binds_adapter) {
      doc["metadata"]["name"] = doc["metadata"]["name"].as<std::string>() + "-" + sa;
      YAML::Emitter emitter;
      emitter << doc;
      out += std::string("---\n") + emitter.c_str() + "\n";
    }
  }
  return out;
}

class ClusterAuthE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& cp = control_plane();
    kubeconfig_ = prepare_adapter_identity(cp);
    adapter_ = std::make_unique<Adapter>(
        cp,
        std::vector<std::string>{"--kubeconfig=" + kubeconfig_.string(), "--metrics-max-age=30s"});
    ASSERT_TRUE(adapter_->wait_ready(seconds(60))) << cp.log_tails();
    ASSERT_TRUE(adapter_->register_apiservices());
    ASSERT_TRUE(cp.apply(kDeployment));
  }
  static void TearDownTestSuite() { adapter_.reset(); }

  // The Running pods of the Deployment once there are `n`, each with a fresh value pushed.
  static std::vector<std::string> running_pods_with_data(size_t n) {
    auto& cp = control_plane();
    std::vector<std::string> pods;
    EXPECT_TRUE(wait_until(
        [&] {
          pods = pod_names(cp, "default", "app=httpserver", true);
          return pods.size() == n;
        },
        seconds(60), milliseconds(500)))
        << "Running pods: " << pods.size();
    for (const auto& pod : pods) {
      EXPECT_EQ(adapter_->push(
                    "/write-metrics/namespaces/default/pods/" + pod + "/http_requests_qps", "30"),
                200);
    }
    std::sort(pods.begin(), pods.end());
    return pods;
  }

  static HttpResponse direct(const std::string& path, const Identity& who,
                             const std::vector<std::string>& headers = {}) {
    return control_plane().request(adapter_->https_url() + path, who, headers);
  }

  static inline std::filesystem::path kubeconfig_;
  static inline std::unique_ptr<Adapter> adapter_;
};

TEST_F(ClusterAuthE2eTest, ApiServicesAreAvailableAndServeTheDeploymentsPods) {
  auto& cp = control_plane();
  const auto pods = running_pods_with_data(3);
  MetricValues answer;
  EXPECT_TRUE(wait_until(
      [&] {
        answer = metric_values(cp.get(std::string(kGroupVersion) + kPodsMetric, {.cert = "admin"}));
        return answer.ok && names_of(answer) == pods;
      },
      seconds(15), milliseconds(250)))
      << answer.answer << " vs " << ::testing::PrintToString(pods);
  for (const auto& [pod, value] : answer.values) {
    EXPECT_EQ(value, "30") << pod;
  }
  auto discovery = cp.get(kGroupVersion, {.cert = "admin"});
  EXPECT_NE(discovery.body.find("\"pods/http_requests_qps\""), std::string::npos) << discovery.body;
}

// §7's matrix, row by row.
TEST_F(ClusterAuthE2eTest, AuthorizationMatrix) {
  auto& cp = control_plane();
  running_pods_with_data(3);
  const std::string path = std::string(kGroupVersion) + kPodsMetric;
  {
    SCOPED_TRACE("alice via the aggregator, then with a Role");
    auto alice = cp.get(path, {.cert = "alice"});
    EXPECT_TRUE(forbids(alice, "alice"));
    ASSERT_TRUE(cp.apply(metrics_reader_rbac(
        "alice-metrics-reader", "{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}")));
    HttpResponse allowed;
    EXPECT_TRUE(wait_until(
        [&] {
          allowed = cp.get(path, {.cert = "alice"});
          return allowed.code == 200;
        },
        seconds(15), milliseconds(250)))
        << allowed.code << " " << allowed.body;
    EXPECT_TRUE(metric_values(allowed).ok) << allowed.body;
  }
  {
    SCOPED_TRACE("direct: front-proxy-client certificate, X-Remote-User: bob");
    auto bob = direct(path, {.cert = "front-proxy-client"}, {"X-Remote-User: bob"});
    EXPECT_TRUE(forbids(bob, "bob"));
    EXPECT_EQ(status_of(bob).details,
              R"({"name":"*","group":"custom.metrics.k8s.io","kind":"pods"})");
  }
  {
    SCOPED_TRACE("direct: no certificate, X-Remote-User: admin, X-Remote-Group: system:masters");
    auto r = direct(path, {}, {"X-Remote-User: admin", "X-Remote-Group: system:masters"});
    EXPECT_TRUE(forbids(r, "system:anonymous"));
  }
  {
    SCOPED_TRACE("direct: rogue-proxy certificate + X-Remote-User");
    EXPECT_TRUE(unauthorized(direct(path, {.cert = "rogue-proxy"}, {"X-Remote-User: bob"})));
  }
  {
    SCOPED_TRACE("direct: Bearer not-a-token");
    EXPECT_TRUE(unauthorized(direct(path, {.token = "not-a-token"})));
  }
  {
    SCOPED_TRACE("direct: token of SA default/reader without RBAC");
    const auto token = cp.service_account_token("default", "reader");
    EXPECT_TRUE(forbids(direct(path, {.token = token}), "system:serviceaccount:default:reader"));
  }
  {
    SCOPED_TRACE("direct: admin certificate, no SubjectAccessReview sent");
    auto admin = direct(path, {.cert = "admin"});
    EXPECT_EQ(admin.code, 200) << admin.body;
    EXPECT_TRUE(metric_values(admin).ok) << admin.body;
    // carol asks after admin: once carol's SAR is in the audit log, one for admin would be too.
    EXPECT_TRUE(
        forbids(direct(path, {.cert = "front-proxy-client"}, {"X-Remote-User: carol"}), "carol"));
    std::vector<std::string> users;
    EXPECT_TRUE(wait_until(
        [&] {
          users = reviewed_users(cp);
          return std::find(users.begin(), users.end(), "carol") != users.end();
        },
        seconds(10), milliseconds(250)))
        << "no SubjectAccessReview for carol in " << cp.audit_log();
    EXPECT_EQ(std::count(users.begin(), users.end(), "kscale-admin"), 0)
        << ::testing::PrintToString(users);
  }
  for (const char* health : {"/healthz", "/livez", "/readyz"}) {
    SCOPED_TRACE(std::string("direct without credentials: ") + health);
    auto r = direct(health, {});
    EXPECT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(r.body, "ok");
  }
}

// §7: a deleted pod leaves the wildcard answer within 5 s (the cluster view drops it on the
// watch's DELETED event; its pushed series may still be fresh).
TEST_F(ClusterAuthE2eTest, DeletedPodLeavesTheWildcardAnswerWithinFiveSeconds) {
  auto& cp = control_plane();
  const auto pods = running_pods_with_data(3);
  const std::string path = std::string(kGroupVersion) + kPodsMetric;
  MetricValues answer;
  ASSERT_TRUE(wait_until(
      [&] {
        answer = metric_values(cp.get(path, {.cert = "admin"}));
        return answer.ok && names_of(answer) == pods;
      },
      seconds(15), milliseconds(250)))
      << answer.answer;

  const std::string victim = pods.front();
  const auto deadline = std::chrono::steady_clock::now() + seconds(5);
  auto deleted = cp.kubectl({"delete", "pod", "-n", "default", victim, "--wait=false"});
  ASSERT_EQ(deleted.status, 0) << deleted.err;
  const auto left = [&] {
    answer = metric_values(cp.get(path, {.cert = "admin"}));
    return answer.ok && answer.values.count(victim) == 0;
  };
  const bool gone = wait_until(left, remaining(deadline), milliseconds(100));
  EXPECT_TRUE(gone) << victim << " still listed 5 s after its deletion: " << answer.answer;
  // The other pods stay (their replacement has no data yet, so it is not listed).
  for (const auto& pod : pods) {
    if (pod != victim) {
      EXPECT_EQ(answer.values.count(pod), 1u) << pod;
    }
  }
}

// --push-authorization: the plain port refuses pushes; on the secure port a push is a `create`
// on the metric's resource in custom.metrics.k8s.io, decided by the adapter's SAR.
TEST_F(ClusterAuthE2eTest, PushAuthorizationMakesAPushACreateOnTheMetricsResource) {
  auto& cp = control_plane();
  Adapter pushed(cp, {"--kubeconfig=" + kubeconfig_.string(), "--metrics-max-age=30s",
                      "--push-authorization"});
  ASSERT_TRUE(pushed.wait_ready(seconds(60)));
  const std::string path = "/write-metrics/namespaces/default/pods/push-target/http_requests_qps";

  EXPECT_EQ(pushed.push(path, "12"), 403) << "a push on the plain port";

  const auto token = cp.service_account_token("default", "pusher");
  const auto push_secure = [&] {
    return cp.request(pushed.https_url() + path, {.token = token},
                      {"Content-Type: application/json"}, "POST", "12");
  };
  auto refused = push_secure();
  EXPECT_EQ(refused.code, 403) << refused.body;
  EXPECT_NE(refused.body.find("system:serviceaccount:default:pusher"), std::string::npos)
      << refused.body;

  ASSERT_TRUE(cp.apply(R"(apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: metrics-pusher, namespace: default}
rules:
- apiGroups: [custom.metrics.k8s.io]
  resources: [pods/http_requests_qps]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: pusher-metrics-pusher, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: metrics-pusher}
subjects:
- {kind: ServiceAccount, name: pusher, namespace: default}
)"));
  // The refusal is cached for --authorization-webhook-cache-unauthorized-ttl (10 s).
  HttpResponse accepted;
  EXPECT_TRUE(wait_until(
      [&] {
        accepted = push_secure();
        return accepted.code == 200;
      },
      seconds(20), milliseconds(500)))
      << accepted.code << " " << accepted.body;

  auto read = cp.request(pushed.https_url() + kGroupVersion +
                             "/namespaces/default/pods/push-target/http_requests_qps",
                         {.cert = "admin"});
  EXPECT_EQ(metric_values(read).values, (std::map<std::string, std::string>{{"push-target", "12"}}))
      << read.code << " " << read.body;
}

// §7's rotation, last because it deletes the adapter's service account: a token of a second SA
// with the same RBAC in the tokenFile, SA kscale-adapter deleted; within 90 s the adapter
// authenticates (TokenReview), authorizes (SAR) and sees new pods again, without a restart.
TEST_F(ClusterAuthE2eTest, TokenRotationWithoutRestart) {
  auto& cp = control_plane();
  const int pid = adapter_->pid();
  std::string old_token;
  std::getline(std::ifstream(cp.dir() / "adapter.token"), old_token);
  ASSERT_EQ(cp.get("/api", {.token = old_token}).code, 200);
  ASSERT_TRUE(cp.apply(adapter_bindings_for("kscale-adapter-rotated")));
  const auto token = cp.service_account_token("kscale", "kscale-adapter-rotated");
  // Replaced as the kubelet replaces a projected token: a new file renamed over the old one.
  std::filesystem::rename(cp.write_file("adapter.token.new", token), cp.dir() / "adapter.token");
  auto deleted = cp.kubectl({"delete", "serviceaccount", "-n", "kscale", "kscale-adapter"});
  ASSERT_EQ(deleted.status, 0) << deleted.err;
  // The old token is refused once kube-apiserver's token cache lets go of it: from then on only
  // the new one works.
  ASSERT_TRUE(wait_until([&] { return cp.get("/api", {.token = old_token}).code == 401; },
                         seconds(30), milliseconds(500)));

  // Fresh credentials and a fresh user after the deletion: nothing the adapter has cached.
  const auto checker = cp.service_account_token("default", "rotation-check");
  ASSERT_TRUE(cp.apply(
      metrics_reader_rbac("rotation-check-metrics-reader",
                          "{kind: ServiceAccount, name: rotation-check, namespace: default}")));
  ASSERT_TRUE(cp.apply(kwok_pod_yaml("default", "after-rotation", "{app: rotation}")));
  ASSERT_EQ(adapter_->push(
                "/write-metrics/namespaces/default/pods/after-rotation/http_requests_qps", "30"),
            200);

  const std::string path =
      std::string(kGroupVersion) +
      "/namespaces/default/pods/*/http_requests_qps?labelSelector=app%3Drotation";
  HttpResponse direct_answer;
  MetricValues aggregated;
  EXPECT_TRUE(wait_until(
      [&] {
        direct_answer = direct(path, {.token = checker});
        aggregated = metric_values(cp.get(path, {.cert = "admin"}));
        return direct_answer.code == 200 && aggregated.ok &&
               aggregated.values.count("after-rotation") == 1;
      },
      seconds(90), seconds(1)))
      << "direct with a new SA's token: " << direct_answer.code << " " << direct_answer.body
      << "\nthrough the aggregator: " << aggregated.answer;
  EXPECT_TRUE(adapter_->running());
  EXPECT_EQ(adapter_->pid(), pid);
}

}  // namespace
}  // namespace kscale::testing
