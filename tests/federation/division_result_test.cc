#include "federation/division_result.h"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace kscale::federation {
namespace {

Assignment two_clusters() {
  Assignment a;
  a.clusters = {{"member1", 6}, {"member2", 3}};
  a.weights = {{0, 2, 6}, {1, 1, 3}};
  a.divided = 9;
  return a;
}

TEST(DivisionResultTest, EncodesTheIssueContract) {
  EXPECT_EQ(boost::json::serialize(encode_division_result(two_clusters())),
            R"({"apiVersion":"kscale.io/v1alpha1","kind":"ReplicaDivisionResult",)"
            R"("clusters":[{"name":"member1","replicas":6},{"name":"member2","replicas":3}],)"
            R"("error":null})");
  const core::Result<Assignment> failed =
      core::fail(core::Error::bad_request("unschedulable: no clusters available to schedule"));
  EXPECT_EQ(boost::json::serialize(encode_division_result(failed)),
            R"({"apiVersion":"kscale.io/v1alpha1","kind":"ReplicaDivisionResult",)"
            R"("clusters":[],"error":"unschedulable: no clusters available to schedule"})");
}

TEST(DivisionResultTest, EncodesYaml) {
  EXPECT_EQ(encode_division_result_yaml(two_clusters()),
            "apiVersion: kscale.io/v1alpha1\nkind: ReplicaDivisionResult\nclusters:\n"
            "  - name: member1\n    replicas: 6\n  - name: member2\n    replicas: 3\n"
            "error: null\n");
  const core::Result<Assignment> failed = core::fail(core::Error::bad_request("unschedulable: x"));
  EXPECT_EQ(encode_division_result_yaml(failed),
            "apiVersion: kscale.io/v1alpha1\nkind: ReplicaDivisionResult\nclusters: []\n"
            "error: \"unschedulable: x\"\n");
}

TEST(DivisionResultTest, ExplainsWeightsAndResult) {
  DivisionRequest r;
  r.replicas = 9;
  r.scheduling = ReplicaScheduling{};
  r.clusters.resize(2);
  r.clusters[0].name = "member1";
  r.clusters[1].name = "member2";
  const std::string text = explain_division(r, two_clusters());
  EXPECT_NE(text.find("strategy: StaticWeight"), std::string::npos) << text;
  EXPECT_NE(text.find("divided 9 replica(s) by Webster"), std::string::npos) << text;
  EXPECT_NE(text.find("member1              weight      2  +6"), std::string::npos) << text;
  EXPECT_NE(text.find("total: 9"), std::string::npos) << text;
}

}  // namespace
}  // namespace kscale::federation
