#include "auth/push_request_info.h"

#include <gtest/gtest.h>

namespace kscale::auth {
namespace {

std::string describe(const RequestInfo& i) {
  return i.verb + " " + i.api_group + " ns=" + i.namespace_name + " res=" + i.resource +
         " name=" + i.name + " sub=" + i.subresource + " version=" + i.api_version;
}

TEST(PushRequestInfoTest, MapsEachPushRouteToACreate) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/write-metrics/namespaces/default/pods/p1/http_requests_qps?windowSeconds=30",
       "create custom.metrics.k8s.io ns=default res=pods name=p1 sub=http_requests_qps version="},
      {"/write-metrics/namespaces/default/pod/p1/m",
       "create custom.metrics.k8s.io ns=default res=pods name=p1 sub=m version="},
      {"/write-metrics/namespaces/default/deployment.apps/web/m",
       "create custom.metrics.k8s.io ns=default res=deployments.apps name=web sub=m version="},
      {"/write-metrics/namespaces/default/foos.example.com/f/m",
       "create custom.metrics.k8s.io ns=default res=foos.example.com name=f sub=m version="},
      {"/write-metrics/nodes/n1/node_load",
       "create custom.metrics.k8s.io ns= res=nodes name=n1 sub=node_load version="},
      {"/write-external-metrics/namespaces/default/queue_depth?labels=queue%3Dorders",
       "create external.metrics.k8s.io ns=default res=queue_depth name= sub= version="},
      {"/write-metrics", "create custom.metrics.k8s.io ns= res=* name= sub= version="},
      {"/write-external-metrics/namespaces/default",
       "create external.metrics.k8s.io ns=default res=* name= sub= version="},
  };
  for (const auto& [target, expected] : cases) {
    SCOPED_TRACE(target);
    auto info = push_request_info("POST", target);
    ASSERT_TRUE(info);
    EXPECT_TRUE(info->is_resource_request);
    EXPECT_EQ(describe(*info), expected);
    EXPECT_EQ(info->path, target.substr(0, target.find('?')));
  }
}

TEST(PushRequestInfoTest, OtherRequestsAreNotPushes) {
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/write-metrics/namespaces/default/pods/p1/m"},
           {"POST", "/write-metrics/namespaces/default/pods/p1"},
           {"POST", "/write-external-metrics"},
           {"POST", "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/p1/m"},
           {"POST", "/healthz"},
       }) {
    SCOPED_TRACE(method + " " + target);
    EXPECT_FALSE(push_request_info(method, target));
  }
}

}  // namespace
}  // namespace kscale::auth
