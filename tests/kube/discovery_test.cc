#include "kube/discovery.h"

#include <gtest/gtest.h>

#include <map>

#include <boost/asio/io_context.hpp>

#include "fakes/fake_api_client.h"
#include "support/run_awaitable.h"

namespace kscale::kube {
namespace {

using Sent = fakes::FakeApiClient::Sent;

// Discovery documents as kube-apiserver v1.36 serves them (trimmed), with a CRD group and an
// aggregated group whose APIService is unavailable.
const std::map<std::string, std::string> kDocs{
    {"/api", R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]})"},
    {"/api/v1", R"({"kind":"APIResourceList","groupVersion":"v1","resources":[
      {"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["create","delete","get","list","patch","watch"],"shortNames":["po"]},
      {"name":"pods/log","singularName":"","namespaced":true,"kind":"Pod","verbs":["get"]},
      {"name":"services","singularName":"service","namespaced":true,"kind":"Service","verbs":["get","list","watch"],"shortNames":["svc"]},
      {"name":"bindings","singularName":"binding","namespaced":true,"kind":"Binding","verbs":["create"]},
      {"name":"nodes","singularName":"node","namespaced":false,"kind":"Node","verbs":["get","list","watch"]}]})"},
    {"/apis", R"({"kind":"APIGroupList","apiVersion":"v1","groups":[
      {"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},
      {"name":"custom.metrics.k8s.io","versions":[{"groupVersion":"custom.metrics.k8s.io/v1beta2","version":"v1beta2"}],"preferredVersion":{"groupVersion":"custom.metrics.k8s.io/v1beta2","version":"v1beta2"}},
      {"name":"example.com","versions":[{"groupVersion":"example.com/v2","version":"v2"},{"groupVersion":"example.com/v1","version":"v1"}],"preferredVersion":{"groupVersion":"example.com/v2","version":"v2"}}]})"},
    {"/apis/apps/v1", R"({"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
      {"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment","verbs":["get","list","watch"]},
      {"name":"deployments/scale","singularName":"","namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale","verbs":["get","patch","update"]}]})"},
    {"/apis/example.com/v2",
     R"({"kind":"APIResourceList","groupVersion":"example.com/v2","resources":[
      {"name":"widgets","singularName":"widget","namespaced":false,"kind":"Widget","verbs":["get","list","watch"]}]})"},
};

struct DiscoveryHarness {
  core::ManualClock clock;
  fakes::FakeApiClient api;
  Discovery discovery{api, clock};
  boost::asio::io_context ioc;
  std::map<std::string, std::string> docs = kDocs;

  DiscoveryHarness() {
    api.answer = [this](const Sent& s) -> core::Result<net::Response> {
      const auto it = docs.find(s.target);
      if (it == docs.end()) {
        return net::json_response(
            R"({"kind":"Status","message":"the server is currently unable to handle the request","reason":"ServiceUnavailable","code":503})",
            net::http::status::service_unavailable);
      }
      return net::json_response(it->second);
    };
  }
  std::optional<ApiResource> resolve(std::string gr) {
    return testing::run_awaitable(ioc, discovery.resolve(std::move(gr)));
  }
  std::size_t refreshes() const {
    return static_cast<std::size_t>(std::count_if(
        api.sent.begin(), api.sent.end(), [](const Sent& s) { return s.target == "/api"; }));
  }
};

TEST(DiscoveryTest, MapsGroupResourcesAsTheRestMapperDoes) {
  DiscoveryHarness h;
  const auto deployments = h.resolve("deployments.apps");
  ASSERT_TRUE(deployments);
  EXPECT_EQ(deployments->group, "apps");
  EXPECT_EQ(deployments->version, "v1");
  EXPECT_EQ(deployments->path("default"), "/apis/apps/v1/namespaces/default/deployments");
  EXPECT_TRUE(deployments->can_list_and_watch());
  EXPECT_EQ(h.resolve("deployment.apps")->resource, "deployments");  // singular
  EXPECT_EQ(h.resolve("Deployment.apps")->resource, "deployments");  // kind, any case

  const auto services = h.resolve("services");
  ASSERT_TRUE(services);
  EXPECT_EQ(services->group, "");
  EXPECT_EQ(services->path("shop"), "/api/v1/namespaces/shop/services");
  EXPECT_FALSE(h.resolve("svc"));  // short names are kubectl's, not the mapper's

  const auto widgets = h.resolve("widgets.example.com");  // a CRD, at its preferred version
  ASSERT_TRUE(widgets);
  EXPECT_EQ(widgets->version, "v2");
  EXPECT_FALSE(widgets->namespaced);
  EXPECT_EQ(widgets->path("ignored"), "/apis/example.com/v2/widgets");
  EXPECT_EQ(widgets->group_resource(), "widgets.example.com");

  EXPECT_FALSE(h.resolve("pods/log"));  // a subresource
  EXPECT_FALSE(h.resolve("bindings")->can_list_and_watch());
  EXPECT_FALSE(h.resolve("nodes.apps"));
}

TEST(DiscoveryTest, AGroupAnswering503IsSkipped) {
  DiscoveryHarness h;
  boost::asio::io_context ioc;
  const auto r = testing::run_awaitable(ioc, h.discovery.refresh());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(h.discovery.find("pods"));
  EXPECT_TRUE(h.discovery.find("deployments.apps"));
  EXPECT_FALSE(h.discovery.find("pods.custom.metrics.k8s.io"));
}

TEST(DiscoveryTest, FailsWithoutTheRootDocumentsAndKeepsThePreviousMapping) {
  DiscoveryHarness h;
  EXPECT_TRUE(h.resolve("pods"));
  h.docs.erase("/apis");
  h.clock.advance(std::chrono::minutes(11));
  boost::asio::io_context ioc;
  EXPECT_FALSE(testing::run_awaitable(ioc, h.discovery.refresh()));
  EXPECT_TRUE(h.discovery.find("deployments.apps"));
}

TEST(DiscoveryTest, RefreshesOnAMissAtMostEvery30SecondsAndOnTheInterval) {
  DiscoveryHarness h;
  EXPECT_TRUE(h.resolve("pods"));
  EXPECT_EQ(h.refreshes(), 1u);
  EXPECT_FALSE(h.resolve("gadgets.example.com"));  // a miss within 30 s: no refresh
  EXPECT_EQ(h.refreshes(), 1u);
  h.docs["/apis/example.com/v2"] = R"({"resources":[{"name":"gadgets","singularName":"gadget",
      "namespaced":true,"kind":"Gadget","verbs":["list","watch"]}]})";
  h.clock.advance(std::chrono::seconds(30));
  EXPECT_TRUE(h.resolve("gadgets.example.com"));  // the CRD appeared: found by the miss refresh
  EXPECT_EQ(h.refreshes(), 2u);
  EXPECT_TRUE(h.resolve("pods"));  // a hit: no refresh
  EXPECT_EQ(h.refreshes(), 2u);
  h.clock.advance(std::chrono::minutes(10));
  EXPECT_TRUE(h.resolve("pods"));  // older than the interval
  EXPECT_EQ(h.refreshes(), 3u);
}

}  // namespace
}  // namespace kscale::kube
