// deploy/ against a real kube-apiserver: the plain manifest and the Helm chart's rendering are
// accepted by server-side dry run (schemas, RBAC escalation checks, admission), the chart renders
// the same objects as the manifest, and the manifest's RBAC grants what
// shared/specs/kubernetes-integration.md §5 lists.

#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "e2e/adapter.h"
#include "e2e/e2e_environment.h"

namespace kscale::testing {
namespace {

namespace fs = std::filesystem;

const std::string kManifest = std::string(KSCALE_SOURCE_DIR) + "/deploy/kscale-adapter.yaml";
const std::string kChart = std::string(KSCALE_SOURCE_DIR) + "/deploy/helm/kscale";

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

// helm: KSCALE_HELM_BIN, else what scripts/build-helm.sh prints (it builds once and caches).
std::string helm_bin() {
  const char* env = std::getenv("KSCALE_HELM_BIN");
  if (env != nullptr && *env != '\0') {
    return env;
  }
  auto r = run_command({std::string(KSCALE_SOURCE_DIR) + "/scripts/build-helm.sh"});
  if (r.status != 0) {
    return {};
  }
  return last_lines(trim(r.out), 1);
}

using ObjectKey = std::tuple<std::string, std::string, std::string>;  // kind, namespace, name

std::set<ObjectKey> object_keys(const std::string& yaml_stream) {
  std::set<ObjectKey> keys;
  for (const auto& doc : YAML::LoadAll(yaml_stream)) {
    if (!doc.IsMap()) {
      continue;
    }
    keys.emplace(doc["kind"].as<std::string>(), doc["metadata"]["namespace"].as<std::string>(""),
                 doc["metadata"]["name"].as<std::string>());
  }
  return keys;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DeployE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Server-side dry run does not create the namespace its objects live in.
    control_plane().kubectl({"create", "namespace", "kscale"});
    helm_ = helm_bin();
  }

  CommandResult helm(const std::vector<std::string>& args) const {
    const auto home = control_plane().dir() / "helm";
    std::vector<std::string> argv{helm_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, {},
                       {"HELM_CACHE_HOME=" + (home / "cache").string(),
                        "HELM_CONFIG_HOME=" + (home / "config").string(),
                        "HELM_DATA_HOME=" + (home / "data").string()});
  }
  std::string render() const {
    auto r = helm({"template", "kscale", kChart, "--namespace", "kscale"});
    EXPECT_EQ(r.status, 0) << r.err;
    return r.out;
  }
  void require_helm() const {
    ASSERT_FALSE(helm_.empty())
        << "helm is missing: set KSCALE_HELM_BIN, or let scripts/build-helm.sh build it (Go >= "
           "1.26 and the Go module proxy)";
  }

  static inline std::string helm_;
};

TEST_F(DeployE2eTest, PlainManifestPassesServerSideDryRun) {
  auto r = control_plane().kubectl({"apply", "--dry-run=server", "-f", kManifest});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
}

TEST_F(DeployE2eTest, ChartPassesHelmLint) {
  require_helm();
  auto r = helm({"lint", "--strict", kChart, "--namespace", "kscale"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
}

TEST_F(DeployE2eTest, ChartRenderingPassesServerSideDryRun) {
  require_helm();
  const std::string rendered = render();
  ASSERT_FALSE(rendered.empty());
  auto r = control_plane().kubectl({"apply", "--dry-run=server", "-f", "-"}, rendered);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
}

TEST_F(DeployE2eTest, ChartRendersTheManifestsObjectsBesidesTheNamespace) {
  require_helm();
  auto manifest = object_keys(read_file(kManifest));
  manifest.erase(ObjectKey{"Namespace", "", "kscale"});  // Helm installs into an existing one
  EXPECT_EQ(object_keys(render()), manifest);
}

TEST_F(DeployE2eTest, ChartValuesReachTheRendering) {
  require_helm();
  auto r = helm({"template", "kscale", kChart, "--namespace", "metrics", "--set",
                 "image.repository=registry.example/kscale,image.tag=v9,securePort=7443,"
                 "networkPolicy.pusherNamespaceLabels.team=pushers,apiService.caBundle=Q0E=",
                 "--set-json", "extraArgs=[\"--worker-threads=4\"]"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* expected : {"image: \"registry.example/kscale:v9\"", "--secure-port=7443",
                               "containerPort: 7443", "team: pushers", "caBundle: Q0E=",
                               "- --worker-threads=4", "--tls-sni=kscale-adapter.metrics.svc,"}) {
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << r.out;
  }
  EXPECT_EQ(r.out.find("insecureSkipTLSVerify"), std::string::npos);
}

// Applied for real: what the adapter, the HPA controller and a pusher may do (§5's table).
TEST_F(DeployE2eTest, ManifestRbacGrantsWhatTheSpecLists) {
  auto& cp = control_plane();
  auto applied = cp.kubectl({"apply", "-f", kManifest});
  ASSERT_EQ(applied.status, 0) << applied.err;
  cp.kubectl({"create", "serviceaccount", "-n", "default", "pusher"});
  cp.kubectl({"create", "clusterrolebinding", "pusher", "--clusterrole=kscale-metrics-pusher",
              "--serviceaccount=default:pusher"});
  const std::string adapter = "system:serviceaccount:kscale:kscale-adapter";
  const std::string hpa = "system:serviceaccount:kube-system:horizontal-pod-autoscaler";
  struct Case {
    std::string user;
    std::vector<std::string> question;
    std::string answer;
  };
  const std::vector<Case> cases{
      {adapter, {"list", "pods", "--all-namespaces"}, "yes"},
      {adapter, {"watch", "namespaces"}, "yes"},
      {adapter, {"watch", "deployments.apps", "--all-namespaces"}, "yes"},
      {adapter, {"create", "tokenreviews.authentication.k8s.io"}, "yes"},
      {adapter, {"create", "subjectaccessreviews.authorization.k8s.io"}, "yes"},
      {adapter,
       {"get", "configmaps/extension-apiserver-authentication", "-n", "kube-system"},
       "yes"},
      {adapter, {"list", "secrets", "--all-namespaces"}, "no"},
      {"system:serviceaccount:default:pusher",
       {"post", "/write-metrics/namespaces/default/pods/p/m"},
       "yes"},
      {"system:serviceaccount:default:pusher",
       {"post", "/write-external-metrics/namespaces/default/q"},
       "yes"},
      {"system:serviceaccount:default:pusher", {"get", "/write-metrics"}, "no"},
      {"system:serviceaccount:default:reader", {"post", "/write-metrics"}, "no"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args{"auth", "can-i"};
    args.insert(args.end(), c.question.begin(), c.question.end());
    args.insert(args.end(), {"--as", c.user});
    auto r = cp.kubectl(args);
    std::string question;
    for (const auto& q : c.question) {
      question += q + " ";
    }
    EXPECT_EQ(trim(r.out), c.answer) << c.user << ": " << question << r.err;
  }
  // kubectl auth can-i resolves resources through discovery, which the metrics groups lack here
  // (no adapter behind the APIServices): ask with SubjectAccessReviews.
  for (
      const char* attributes :
      {"{namespace: default, verb: get, group: custom.metrics.k8s.io, resource: pods, "
       "subresource: http_requests_qps, name: '*'}",
       "{namespace: default, verb: list, group: external.metrics.k8s.io, resource: queue_depth}"}) {
    auto r = cp.kubectl({"create", "-o", "jsonpath={.status.allowed}", "-f", "-"},
                        "apiVersion: authorization.k8s.io/v1\nkind: SubjectAccessReview\nspec:\n"
                        "  user: " +
                            hpa + "\n  resourceAttributes: " + attributes + "\n");
    EXPECT_EQ(trim(r.out), "true") << hpa << ": " << attributes << r.err;
  }
}

// The adapter's own credentials (a service account token in a kubeconfig tokenFile, as §7 runs
// it) read what the cluster view needs and nothing else.
TEST_F(DeployE2eTest, AdapterIdentityReadsTheClusterWithItsTokenFile) {
  auto& cp = control_plane();
  const auto kubeconfig = prepare_adapter_identity(cp);
  for (const std::vector<std::string>& allowed :
       {std::vector<std::string>{"get", "pods", "--all-namespaces"},
        std::vector<std::string>{"get", "namespaces"},
        std::vector<std::string>{"get", "configmap", "-n", "kube-system",
                                 "extension-apiserver-authentication"}}) {
    auto r = cp.kubectl_with(kubeconfig, allowed);
    EXPECT_EQ(r.status, 0) << allowed[1] << ": " << r.err;
  }
  auto secrets = cp.kubectl_with(kubeconfig, {"get", "secrets", "--all-namespaces"});
  EXPECT_NE(secrets.status, 0);
  EXPECT_NE(secrets.err.find("system:serviceaccount:kscale:kscale-adapter"), std::string::npos)
      << secrets.err;
}

}  // namespace
}  // namespace kscale::testing
