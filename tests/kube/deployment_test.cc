#include "kube/deployment.h"

#include <gtest/gtest.h>

#include "support/httpserver_deployment.h"

namespace kscale::kube {
namespace {

constexpr std::string_view kDeployment = testing::kHttpserverDeployment;

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
    ::testing::Values(BadCase{"NoCommand", "          command: [kscale]\n", "",
                              "spec.template.spec.containers[0].command"},
                      BadCase{"WrongKind", "kind: Deployment", "kind: StatefulSet", "kind"},
                      BadCase{"WrongApiVersion", "apiVersion: apps/v1",
                              "apiVersion: extensions/v1beta1", "apiVersion"},
                      BadCase{"NoName", "  name: httpserver\n", "", "metadata.name"},
                      BadCase{"NegativeReplicas", "replicas: 2", "replicas: -1", "spec.replicas"},
                      BadCase{"SelectorMismatch", "labels: {app: httpserver, tier: web}",
                              "labels: {app: other, tier: web}", "spec.template.metadata.labels"},
                      BadCase{"BadOperator", "operator: In", "operator: Like",
                              "spec.selector.matchExpressions[0].operator"},
                      BadCase{"ArgsNotStrings", "args: [httpserver, --metrics-port, $(PORT)]",
                              "args: {a: b}", "spec.template.spec.containers[0].args"},
                      BadCase{"UnknownProbePort", "httpGet: {path: /healthz, port: metrics}",
                              "httpGet: {path: /healthz, port: http}",
                              "spec.template.spec.containers[0].readinessProbe.httpGet.port"},
                      BadCase{"ExecProbe", "httpGet: {path: /healthz, port: metrics}",
                              "exec: {command: [true]}",
                              "spec.template.spec.containers[0].readinessProbe.httpGet"},
                      BadCase{"ValueFrom", "{name: GREETING, value: \"hello $(POD_NAME)\"}",
                              "{name: GREETING, valueFrom: {fieldRef: {fieldPath: metadata.name}}}",
                              "spec.template.spec.containers[0].env[0].valueFrom"},
                      BadCase{"NoPortNumber", "{name: metrics, containerPort: 9100}",
                              "{name: metrics}",
                              "spec.template.spec.containers[0].ports[0].containerPort"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace kscale::kube
