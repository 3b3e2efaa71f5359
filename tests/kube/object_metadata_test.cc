#include "kube/object_metadata.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace kscale::kube {
namespace {

// As kube-apiserver sends it with the PartialObjectMetadataList Accept header.
constexpr const char* kPartialList = R"({
  "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
  "metadata": {"resourceVersion": "4711", "continue": "eyJ2IjoibWV0YS"},
  "items": [{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
    "metadata": {"name": "web-1", "namespace": "default", "uid": "0b1c", "resourceVersion": "4700",
      "labels": {"app": "web"}, "annotations": {"prometheus.io/scrape": "true"},
      "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:metadata": {}}}]}}]})";

// A server that cannot transform sends the full objects.
constexpr const char* kFullPod = R"({
  "kind": "Pod", "apiVersion": "v1",
  "metadata": {"name": "web-2", "namespace": "shop", "uid": "9f", "resourceVersion": "12",
    "labels": {"app": "web", "tier": "front"}, "deletionTimestamp": "2026-01-01T00:00:00Z",
    "annotations": {"prometheus.io/port": "metrics", "kubectl.kubernetes.io/last-applied-configuration": "{}"},
    "managedFields": [{"manager": "kube-controller-manager"}]},
  "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}, {"name": "metrics", "containerPort": 9102}]}]},
  "status": {"phase": "Running", "podIP": "10.0.0.7",
    "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "False"}]}})";

TEST(ObjectMetadataTest, DecodesAPartialObjectMetadataList) {
  std::vector<ObjectMetadata> items;
  const auto meta = decode_object_list(boost::json::parse(kPartialList), ObjectShape::Metadata,
                                       [&](ObjectMetadata&& o) { items.push_back(std::move(o)); });
  ASSERT_TRUE(meta) << meta.error().message;
  EXPECT_EQ(meta->resource_version, "4711");
  EXPECT_EQ(meta->continue_token, "eyJ2IjoibWV0YS");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].name, "web-1");
  EXPECT_EQ(items[0].namespace_name, "default");
  EXPECT_EQ(items[0].uid, "0b1c");
  EXPECT_EQ(items[0].resource_version, "4700");
  EXPECT_EQ(items[0].labels, (core::Labels{{"app", "web"}}));
  EXPECT_FALSE(items[0].deleting);
  EXPECT_TRUE(items[0].annotations.empty());  // metadata only: annotations are not kept
}

TEST(ObjectMetadataTest, DecodesAFullPodWithTheScrapeDetails) {
  const auto pod =
      decode_object_metadata(boost::json::parse(kFullPod), ObjectShape::ScrapedPod, "");
  ASSERT_TRUE(pod) << pod.error().message;
  EXPECT_EQ(pod->name, "web-2");
  EXPECT_EQ(pod->namespace_name, "shop");
  EXPECT_TRUE(pod->deleting);
  EXPECT_EQ(pod->labels.size(), 2u);
  EXPECT_EQ(pod->annotations, (core::Labels{{"prometheus.io/port", "metrics"}}));
  EXPECT_EQ(pod->phase, "Running");
  EXPECT_EQ(pod->pod_ip, "10.0.0.7");
  EXPECT_EQ(pod->ready, false);
  ASSERT_EQ(pod->ports.size(), 2u);
  EXPECT_EQ(pod->ports[1].name, "metrics");
  EXPECT_EQ(pod->ports[1].port, 9102);
}

TEST(ObjectMetadataTest, AFullObjectDecodesAsMetadataToo) {
  const auto pod = decode_object_metadata(boost::json::parse(kFullPod), ObjectShape::Metadata, "");
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->name, "web-2");
  EXPECT_TRUE(pod->pod_ip.empty());
  EXPECT_TRUE(pod->ports.empty());
}

TEST(ObjectMetadataTest, KeepsTheDataOfAConfigMap) {
  const auto cm = decode_object_metadata(
      boost::json::parse(R"({"metadata":{"name":"extension-apiserver-authentication",
        "namespace":"kube-system"},"data":{"client-ca-file":"PEM","requestheader-allowed-names":"[]"}})"),
      ObjectShape::ConfigMapData, "");
  ASSERT_TRUE(cm);
  EXPECT_EQ(cm->data.at("client-ca-file"), "PEM");
  EXPECT_EQ(cm->data.size(), 2u);
}

TEST(ObjectMetadataTest, ErrorsNameTheItem) {
  const auto r = decode_object_list(
      boost::json::parse(R"({"items":[{"metadata":{"name":"a"}},{"metadata":{}}]})"),
      ObjectShape::Metadata, [](ObjectMetadata&&) {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "items[1].metadata.name: Required value");
}

}  // namespace
}  // namespace kscale::kube
