// The adapter's cluster view against a real kube-apiserver that goes away mid-watch
// (shared/specs/kubernetes-integration.md §2, issue 9's "watch robustness"): kube-apiserver is
// stopped while the adapter watches pods; while it is down a pod is deleted and etcd is compacted
// past every resourceVersion the adapter has seen; after the restart another pod is deleted and
// one created. The wildcard answer converges to the pods that exist, with nothing served from a
// deleted object.
//
// How the test forces the 410: etcd is compacted through its own v3 API (the JSON gateway of the
// client port: POST /v3/kv/compaction, the RPC `etcdctl compact` sends; etcdctl is not built) at
// the revision of the deletion, which is newer than anything the adapter has seen. The adapter's
// re-watch from its last resourceVersion therefore names a compacted revision, and the restarted
// kube-apiserver's watch cache, initialised from etcd after the compaction, answers it with
// 410 Gone ("too old resource version"); only a relist that replaces the store can then drop the
// pod deleted while kube-apiserver was down, since no watch ever reports that deletion (the
// audit log of kube-apiserver shows the adapter's pod relist).
//
// The pod deleted while kube-apiserver is down is deleted in etcd directly (POST
// /v3/kv/deleterange on its key), standing in for another kube-apiserver of an HA control plane
// deleting it while the adapter's one is away.

#include <map>
#include <set>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "e2e/adapter.h"
#include "e2e/cluster_objects.h"
#include "e2e/e2e_environment.h"
#include "support/wait_until.h"

namespace kscale::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kAnswerPath =
    "/apis/custom.metrics.k8s.io/v1beta2/namespaces/watch/pods/*/http_requests_qps"
    "?labelSelector=app%3Dwatched";

// kube-apiserver audits the adapter's pod lists: a relist after the restart shows in its log.
[[maybe_unused]] const bool kAuditAdapterPodLists = [] {
  control_plane_options().audit_policy = R"(apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  users: ["system:serviceaccount:kscale:kscale-adapter"]
  verbs: [list]
  resources: [{group: "", resources: [pods]}]
- level: None
)";
  return true;
}();

// How many pod lists of the adapter kube-apiserver's audit log holds.
int adapter_pod_lists(const ControlPlane& cp) {
  auto r = run_command({"grep", "-c", "\"verb\":\"list\"", cp.audit_log().string()});
  return r.out.empty() ? 0 : std::stoi(r.out);
}

std::string base64(const std::string& text) {
  auto r = run_command({"base64", "-w0"}, text);
  return r.out;
}

// POST `body` to etcd's v3 JSON gateway at `rpc` ("/v3/kv/deleterange"); the parsed answer.
json::value etcd_call(const ControlPlane& cp, const std::string& rpc, const json::value& body) {
  auto r = run_command({"curl", "-sS", "--max-time", "10", "-X", "POST", "--data-binary",
                        json::serialize(body), cp.etcd_url() + rpc});
  boost::system::error_code ec;
  auto answer = json::parse(r.out, ec);
  if (ec) {
    ADD_FAILURE() << "etcd " << rpc << ": " << r.out << r.err;
    return nullptr;
  }
  return answer;
}

class ClusterWatchE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& cp = control_plane();
    const auto kubeconfig = prepare_adapter_identity(cp);
    // Values stay fresh through the outage: only the cluster view may drop a pod.
    adapter_ = std::make_unique<Adapter>(
        cp,
        std::vector<std::string>{"--kubeconfig=" + kubeconfig.string(), "--metrics-max-age=10m"});
    ASSERT_TRUE(adapter_->wait_ready(seconds(60))) << cp.log_tails();
  }
  static void TearDownTestSuite() { adapter_.reset(); }

  // The pods the adapter lists for app=watched in namespace watch (asked directly, as admin:
  // system:masters needs no SubjectAccessReview, so this works while kube-apiserver is down).
  static MetricValues answer() {
    return metric_values(
        control_plane().request(adapter_->https_url() + kAnswerPath, {.cert = "admin"}));
  }

  static void create_pod_with_data(const std::string& name) {
    ASSERT_TRUE(control_plane().apply(kwok_pod_yaml("watch", name, "{app: watched}")));
    ASSERT_EQ(
        adapter_->push("/write-metrics/namespaces/watch/pods/" + name + "/http_requests_qps", "5"),
        200);
  }

  static inline std::unique_ptr<Adapter> adapter_;
};

TEST_F(ClusterWatchE2eTest, ConvergesAfterKubeApiserverRestartsPastACompactedResourceVersion) {
  auto& cp = control_plane();
  ASSERT_TRUE(cp.apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: watch}\n"));
  for (const char* pod : {"w1", "w2", "w3", "w4"}) {
    create_pod_with_data(pod);
  }
  MetricValues seen;
  ASSERT_TRUE(wait_until(
      [&] {
        seen = answer();
        return names_of(seen) == std::vector<std::string>{"w1", "w2", "w3", "w4"};
      },
      seconds(15), milliseconds(250)))
      << seen.answer;

  const int lists_before = adapter_pod_lists(cp);
  cp.stop_apiserver();
  {
    SCOPED_TRACE("while kube-apiserver is down");
    auto deleted =
        etcd_call(cp, "/v3/kv/deleterange", {{"key", base64("/registry/pods/watch/w1")}});
    ASSERT_TRUE(deleted.is_object());
    ASSERT_EQ(deleted.at("deleted"), "1") << json::serialize(deleted);
    const auto revision = deleted.at("header").at("revision");
    auto compacted =
        etcd_call(cp, "/v3/kv/compaction", {{"revision", revision}, {"physical", true}});
    ASSERT_TRUE(compacted.is_object() && compacted.as_object().contains("header"))
        << json::serialize(compacted);
    // A read at a revision the adapter has seen is refused now.
    auto old_read = etcd_call(cp, "/v3/kv/range",
                              {{"key", base64("/registry/pods/watch/w2")}, {"revision", "1"}});
    EXPECT_NE(json::serialize(old_read).find("compacted"), std::string::npos)
        << json::serialize(old_read);
  }
  cp.restart_apiserver();

  auto deleted = cp.kubectl({"delete", "pod", "-n", "watch", "w2", "--wait=false"});
  ASSERT_EQ(deleted.status, 0) << deleted.err;
  create_pod_with_data("w5");

  const std::vector<std::string> expected{"w3", "w4", "w5"};
  EXPECT_TRUE(wait_until(
      [&] {
        seen = answer();
        return names_of(seen) == expected;
      },
      seconds(90), milliseconds(500)))
      << "the adapter lists " << seen.answer << ", the cluster has "
      << ::testing::PrintToString(pod_names(cp, "watch", "app=watched", false));
  // Converged for good: no later answer brings a deleted pod back.
  EXPECT_FALSE(wait_until(
      [&] {
        seen = answer();
        return names_of(seen) != expected;
      },
      seconds(5), milliseconds(250)))
      << seen.answer;
  EXPECT_GT(adapter_pod_lists(cp), lists_before) << "no relist of pods after the restart";
  EXPECT_TRUE(adapter_->running());
}

}  // namespace
}  // namespace kscale::testing
