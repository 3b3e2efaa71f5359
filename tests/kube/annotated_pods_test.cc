#include "kube/annotated_pods.h"

#include <gtest/gtest.h>

namespace kscale::kube {
namespace {

TEST(AnnotatedPodsTest, FollowsThePrometheusIoConvention) {
  auto pods = annotated_pods(R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-1
    namespace: shop
    labels: {app: web}
    annotations: {prometheus.io/scrape: "true", prometheus.io/port: "9100", prometheus.io/path: /stats}
  status: {phase: Running, podIP: 10.0.0.5}
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-2
    labels: {app: web}
    annotations: {prometheus.io/scrape: "true", prometheus.io/port: metrics}
  spec: {containers: [{name: c, ports: [{name: http, containerPort: 80}, {name: metrics, containerPort: 9102}]}]}
  status: {phase: Running, podIP: 127.0.0.1}
- apiVersion: v1
  kind: Pod
  metadata: {name: web-3, annotations: {prometheus.io/scrape: "true"}}
  spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
  status: {podIP: "fd00::1"}
- apiVersion: v1
  kind: Pod
  metadata: {name: pending, annotations: {prometheus.io/scrape: "true", prometheus.io/port: "1"}}
  status: {phase: Pending}
- apiVersion: v1
  kind: Pod
  metadata: {name: going, deletionTimestamp: "2024-01-01T00:00:00Z", annotations: {prometheus.io/scrape: "true"}}
  status: {podIP: 127.0.0.1}
- apiVersion: v1
  kind: Pod
  metadata: {name: not-annotated}
  status: {podIP: 127.0.0.1}
- apiVersion: v1
  kind: Service
  metadata: {name: svc, annotations: {prometheus.io/scrape: "true"}}
)");
  ASSERT_TRUE(pods) << pods.error().message;
  ASSERT_EQ(pods->endpoints.size(), 3u);
  EXPECT_EQ(pods->endpoints[0].namespace_name, "shop");
  EXPECT_EQ(pods->endpoints[0].pod, "web-1");
  EXPECT_EQ(pods->endpoints[0].labels.at("app"), "web");
  EXPECT_EQ(pods->endpoints[0].url, "http://10.0.0.5:9100/stats");
  EXPECT_EQ(pods->endpoints[1].namespace_name, "default");
  EXPECT_EQ(pods->endpoints[1].url, "http://127.0.0.1:9102/metrics");  // named port resolved
  EXPECT_EQ(pods->endpoints[2].url, "http://[fd00::1]:8080/metrics");  // first container port
  ASSERT_EQ(pods->skipped.size(), 2u);
  EXPECT_EQ(pods->skipped[0], "default/pending: no status.podIP yet");
  EXPECT_EQ(pods->skipped[1], "default/going: terminating");
}

TEST(AnnotatedPodsTest, ErrorsNameTheItem) {
  auto r = annotated_pods("kind: List\nitems:\n- {kind: Pod, metadata: {namespace: x}}\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "items[0].metadata.name: required");
  EXPECT_FALSE(annotated_pods("kind: [unclosed"));
}

}  // namespace
}  // namespace kscale::kube
