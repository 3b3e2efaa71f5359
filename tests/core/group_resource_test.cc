#include "core/group_resource.h"

#include <gtest/gtest.h>

namespace kscale::core {
namespace {

TEST(GroupResourceTest, SplitsOnFirstDot) {
  const auto gr = GroupResource::parse("ingresses.networking.k8s.io");
  EXPECT_EQ(gr.resource, "ingresses");
  EXPECT_EQ(gr.group, "networking.k8s.io");
  EXPECT_EQ(gr.to_string(), "ingresses.networking.k8s.io");
  EXPECT_EQ(GroupResource::parse("pods").to_string(), "pods");
}

TEST(GroupResourceTest, NormalisesSingularAndCase) {
  for (const char* in : {"pods", "pod", "Pods"}) {
    SCOPED_TRACE(in);
    auto info = resolve_resource(in);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->group_resource.to_string(), "pods");
    EXPECT_EQ(info->kind, "Pod");
    EXPECT_EQ(info->api_version, "v1");
    EXPECT_TRUE(info->namespaced);
  }
  auto dep = resolve_resource("deployment.apps");
  ASSERT_TRUE(dep);
  EXPECT_EQ(dep->group_resource.to_string(), "deployments.apps");
  EXPECT_EQ(dep->api_version, "apps/v1");
}

TEST(GroupResourceTest, RootScopedResourcesAreNotNamespaced) {
  EXPECT_FALSE(resolve_resource("nodes")->namespaced);
  EXPECT_FALSE(resolve_resource("namespaces")->namespaced);
  EXPECT_FALSE(resolve_resource("persistentvolumes")->namespaced);
}

TEST(GroupResourceTest, AcceptsAnyCustomGroupResource) {
  auto info = resolve_resource("rollouts.argoproj.io");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->kind, "Rollout");
  EXPECT_EQ(info->api_version, "argoproj.io/v1");
  EXPECT_TRUE(info->namespaced);
}

TEST(GroupResourceTest, RejectsMalformedResource) {
  EXPECT_FALSE(resolve_resource("").has_value());
  EXPECT_FALSE(resolve_resource("po ds").has_value());
  EXPECT_FALSE(resolve_resource("pods_x").has_value());
}

TEST(GroupResourceTest, ResolvesKindsFromDescribedObject) {
  EXPECT_EQ(resolve_kind("Pod", "v1")->group_resource.to_string(), "pods");
  EXPECT_EQ(resolve_kind("Pod", "/v1")->group_resource.to_string(), "pods");
  EXPECT_EQ(resolve_kind("Deployment", "apps/v1")->group_resource.to_string(), "deployments.apps");
  EXPECT_FALSE(resolve_kind("Node", "v1")->namespaced);
  // Upstream UnsafeGuessKindToResource for unknown kinds.
  EXPECT_EQ(resolve_kind("Policy", "example.com/v1")->group_resource.to_string(),
            "policies.example.com");
  EXPECT_EQ(resolve_kind("Ingress", "example.com/v1")->group_resource.to_string(),
            "ingresses.example.com");
  EXPECT_FALSE(resolve_kind("", "v1").has_value());
}

TEST(GroupResourceTest, ValidatesDnsNames) {
  EXPECT_TRUE(validate_dns1123_subdomain("web-1.example").empty());
  EXPECT_FALSE(validate_dns1123_subdomain("Web").empty());
  EXPECT_FALSE(validate_dns1123_subdomain("-web").empty());
  EXPECT_FALSE(validate_dns1123_subdomain("a..b").empty());
  EXPECT_FALSE(validate_dns1123_subdomain(std::string(254, 'a')).empty());
  EXPECT_TRUE(validate_dns1123_label("default").empty());
  EXPECT_FALSE(validate_dns1123_label("a.b").empty());
}

}  // namespace
}  // namespace kscale::core
