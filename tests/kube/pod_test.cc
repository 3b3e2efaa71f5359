#include "kube/pod.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "core/time_format.h"

namespace kscale::kube {
namespace {

TEST(PodTest, ReadsWhatTheHpaControllerReads) {
  const auto v = boost::json::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"web-1","labels":{"app":"web"},"deletionTimestamp":"2026-11-23T10:00:00Z"},
    "spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"500m","memory":"64Mi"}}}],
            "initContainers":[{"name":"side","restartPolicy":"Always","resources":{"requests":{"cpu":"100m"}}}]},
    "status":{"phase":"Running","startTime":"2026-11-23T10:00:05Z",
              "conditions":[{"type":"PodScheduled","status":"True"},
                            {"type":"Ready","status":"False","lastTransitionTime":"2026-11-23T10:00:10Z"}]}})");
  auto p = decode_pod(v, "pods[0]");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->name, "web-1");
  EXPECT_EQ(p->labels.at("app"), "web");
  EXPECT_TRUE(p->deleted);
  EXPECT_EQ(p->phase, hpa::PodPhase::Running);
  EXPECT_EQ(p->start_time, *core::parse_rfc3339("2026-11-23T10:00:05Z"));
  ASSERT_TRUE(p->ready);
  EXPECT_EQ(p->ready->status, hpa::ConditionStatus::False);
  ASSERT_EQ(p->containers.size(), 1u);
  EXPECT_EQ(hpa::find_resource(p->containers[0].requests, "cpu"), 500);
  ASSERT_EQ(p->init_containers.size(), 1u);
  EXPECT_TRUE(p->init_containers[0].restart_policy_always);
}

TEST(PodTest, MissingPhaseIsUnknownAndErrorsNameTheField) {
  auto p = decode_pod(boost::json::parse(R"({"metadata":{"name":"x"}})"), "pods[1]");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->phase, hpa::PodPhase::Unknown);
  EXPECT_FALSE(p->ready);
  auto unnamed = decode_pod(boost::json::parse(R"({"metadata":{}})"), "pods[1]");
  ASSERT_FALSE(unnamed);
  EXPECT_EQ(unnamed.error().message, "pods[1].metadata.name: Required value");
  auto bad = decode_pod(boost::json::parse(R"({"metadata":{"name":"x"},"spec":{"containers":[
    {"resources":{"requests":{"cpu":"lots"}}}]}})"),
                        "pods[1]");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("pods[1].spec.containers[0].resources.requests.cpu"),
            std::string::npos)
      << bad.error().message;
}

TEST(PodTest, ResourceListsAreMilliValues) {
  auto r = decode_resource_list(boost::json::parse(R"({"cpu":"1","memory":"1Ki"})"), "usage");
  ASSERT_TRUE(r);
  EXPECT_EQ(hpa::find_resource(*r, "cpu"), 1000);
  EXPECT_EQ(hpa::find_resource(*r, "memory"), 1024000);
  EXPECT_FALSE(decode_resource_list(boost::json::parse("[]"), "usage"));
}

}  // namespace
}  // namespace kscale::kube
