#include "autoscaler/deployment_manifest.h"

#include <gtest/gtest.h>

#include "autoscaler/local_process_group.h"

namespace kscale::autoscaler {
namespace {

constexpr std::string_view kDeployment = R"yaml(apiVersion: apps/v1
kind: Deployment
metadata:
  name: httpserver
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: httpserver}
    matchExpressions:
      - {key: tier, operator: In, values: [web, front]}
  template:
    metadata:
      labels: {app: httpserver, tier: web}
      annotations: {prometheus.io/scrape: "true", prometheus.io/port: metrics}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: httpserver
          command: [kscale]
          args: [httpserver, --metrics-port, $(PORT)]
          env:
            - {name: GREETING, value: "hello $(POD_NAME)"}
          ports:
            - {name: metrics, containerPort: 9100}
          readinessProbe:
            httpGet: {path: /healthz, port: metrics}
            periodSeconds: 2
)yaml";

TEST(DeploymentManifestTest, ReadsWhatTheLocalLoopRuns) {
  auto d = read_deployment_manifest(kDeployment);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->name, "httpserver");
  EXPECT_EQ(d->namespace_, "default");
  EXPECT_EQ(d->replicas, 2);
  EXPECT_EQ(d->selector, "app=httpserver,tier in (front,web)");
  EXPECT_EQ(d->template_labels.at("tier"), "web");
  EXPECT_EQ(d->template_annotations.at("prometheus.io/port"), "metrics");
  EXPECT_EQ(d->termination_grace_period_seconds, 5);
  EXPECT_EQ(d->command, std::vector<std::string>{"kscale"});
  EXPECT_EQ(d->args, (std::vector<std::string>{"httpserver", "--metrics-port", "$(PORT)"}));
  ASSERT_EQ(d->ports.size(), 1u);
  EXPECT_EQ(d->ports[0].container_port, 9100);
  ASSERT_TRUE(d->readiness_probe);
  EXPECT_EQ(d->readiness_probe->path, "/healthz");
  EXPECT_EQ(d->readiness_probe->port, "metrics");
  EXPECT_EQ(d->readiness_probe->period_seconds, 2);
  EXPECT_EQ(d->readiness_probe->timeout_seconds, 1);  // kubelet default
}

TEST(DeploymentManifestTest, DefaultsAsTheApiServer) {
  auto d = read_deployment_manifest(R"yaml(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, command: [sleep, "60"]}]}
)yaml");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->namespace_, "default");
  EXPECT_EQ(d->replicas, 1);
  EXPECT_EQ(d->termination_grace_period_seconds, 30);
  EXPECT_FALSE(d->readiness_probe);
}

struct BadCase {
  std::string name;
  std::string from, to;
  std::string field;
};
// ctest and gtest name the case by its name, not as raw bytes.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class DeploymentManifestErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(DeploymentManifestErrorTest, NamesTheField) {
  const auto& c = GetParam();
  std::string text(kDeployment);
  const auto at = text.find(c.from);
  ASSERT_NE(at, std::string::npos) << c.from;
  text.replace(at, c.from.size(), c.to);
  auto d = read_deployment_manifest(text);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message.rfind(c.field + ": ", 0), 0u) << d.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DeploymentManifestErrorTest,
    ::testing::Values(
        BadCase{"NoCommand", "          command: [kscale]\n", "", "spec.template.spec.containers[0].command"},
        BadCase{"WrongKind", "kind: Deployment", "kind: StatefulSet", "kind"},
        BadCase{"WrongApiVersion", "apiVersion: apps/v1", "apiVersion: extensions/v1beta1", "apiVersion"},
        BadCase{"NoName", "  name: httpserver\n", "", "metadata.name"},
        BadCase{"NegativeReplicas", "replicas: 2", "replicas: -1", "spec.replicas"},
        BadCase{"SelectorMismatch", "labels: {app: httpserver, tier: web}", "labels: {app: other, tier: web}",
                "spec.template.metadata.labels"},
        BadCase{"BadOperator", "operator: In", "operator: Like", "spec.selector.matchExpressions[0].operator"},
        BadCase{"ArgsNotStrings", "args: [httpserver, --metrics-port, $(PORT)]", "args: {a: b}",
                "spec.template.spec.containers[0].args"},
        BadCase{"UnknownProbePort", "httpGet: {path: /healthz, port: metrics}", "httpGet: {path: /healthz, port: http}",
                "spec.template.spec.containers[0].readinessProbe.httpGet.port"},
        BadCase{"ExecProbe", "httpGet: {path: /healthz, port: metrics}", "exec: {command: [true]}",
                "spec.template.spec.containers[0].readinessProbe.httpGet"},
        BadCase{"ValueFrom", "{name: GREETING, value: \"hello $(POD_NAME)\"}",
                "{name: GREETING, valueFrom: {fieldRef: {fieldPath: metadata.name}}}",
                "spec.template.spec.containers[0].env[0].valueFrom"},
        BadCase{"NoPortNumber", "{name: metrics, containerPort: 9100}", "{name: metrics}",
                "spec.template.spec.containers[0].ports[0].containerPort"}),
    [](const auto& info) { return info.param.name; });

// Upstream: kubernetes third_party/forked/golang/expansion/expand_test.go, TestMapReference and
// TestMapping (the cases that do not depend on the order of a Go map).
TEST(KubeletExpansionTest, MatchesUpstreamCases) {
  const std::map<std::string, std::string> vars{{"VAR_A", "A"},       {"VAR_B", "B"},         {"VAR_C", "C"},
                                                {"VAR_REF", "$(VAR_A)"}, {"VAR_EMPTY", ""}, {"BLU", "$$"}};
  struct Case {
    std::string input, expected;
  };
  for (const auto& c : std::vector<Case>{
           {"$(VAR_A)", "A"},
           {"___$(VAR_B)___", "___B___"},
           {"$(VAR_A)-$(VAR_A)", "A-A"},
           {"f000-$$VAR_A", "f000-$VAR_A"},
           {"foo\\$(VAR_C)bar", "foo\\Cbar"},
           {"foo\\\\$(VAR_C)bar", "foo\\\\Cbar"},
           {"$(VAR_A)$(VAR_B)$(VAR_C)", "ABC"},
           {"$(VAR_REF)", "$(VAR_A)"},
           {"foo$(VAR_EMPTY)bar", "foobar"},
           {"$(VAR_DNE)", "$(VAR_DNE)"},
           {"$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"},
           {"$$$$$$$(BIG_MONEY)", "$$$$(BIG_MONEY)"},
           {"$(VAR_A", "$(VAR_A"},
           {"$(", "$("},
           {"$VAR_A", "$VAR_A"},
           {"$$", "$"},
           {"$", "$"},
           {"foo$", "foo$"},
           {"$(BLU)", "$$"},
       }) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(expand_kubelet_vars(c.input, vars), c.expected);
  }
}

TEST(KubeletExpansionTest, ReplicaEnvComesFirstAndTemplateEnvSeesIt) {
  auto d = read_deployment_manifest(kDeployment);
  ASSERT_TRUE(d);
  const auto env = replica_env(*d, "httpserver-abc-xyz12", 41234);
  ASSERT_EQ(env.size(), 5u);
  EXPECT_EQ(env[0], (std::pair<std::string, std::string>{"POD_NAME", "httpserver-abc-xyz12"}));
  EXPECT_EQ(env[1].second, "default");
  EXPECT_EQ(env[3], (std::pair<std::string, std::string>{"PORT", "41234"}));
  EXPECT_EQ(env[4], (std::pair<std::string, std::string>{"GREETING", "hello httpserver-abc-xyz12"}));
}

}  // namespace
}  // namespace kscale::autoscaler
