#include "federation/division_document.h"

#include <gtest/gtest.h>

namespace kscale::federation {
namespace {

constexpr const char* kHeader = "apiVersion: kscale.io/v1alpha1\nkind: ReplicaDivision\n";

TEST(DivisionDocumentTest, DecodesTheIssueExample) {
  const auto r = decode_division_document(std::string(kHeader) + R"(
replicas: 12
uid: 5f1c
replicaScheduling:
  replicaSchedulingType: Divided
  replicaDivisionPreference: Weighted
  weightPreference:
    staticWeightList:
    - targetCluster: {clusterNames: [member1]}
      weight: 3
    - targetCluster:
        labelSelector:
          matchLabels: {region: east}
          matchExpressions: [{key: tier, operator: NotIn, values: [gold]}]
        exclude: [member3]
      weight: 1
clusters:
- name: member1
  labels: {region: east}
  availableReplicas: 10
  replicas: 2
- name: member2
legacy: true
)");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->replicas, 12);
  EXPECT_EQ(r->uid, "5f1c");
  EXPECT_TRUE(r->legacy);
  EXPECT_FALSE(r->fresh);
  ASSERT_TRUE(r->scheduling.has_value());
  EXPECT_TRUE(r->scheduling->weight_preference);
  EXPECT_FALSE(r->scheduling->dynamic_weight);
  ASSERT_EQ(r->scheduling->static_weights.size(), 2u);
  EXPECT_EQ(r->scheduling->static_weights[0].weight, 3);
  const auto& second = r->scheduling->static_weights[1].target_cluster;
  ASSERT_TRUE(second.label_selector.has_value());
  EXPECT_EQ(second.label_selector->to_string(), "region=east,tier notin (gold)");
  EXPECT_TRUE(second.matches("member1", {{"region", "east"}}));
  EXPECT_FALSE(second.matches("member3", {{"region", "east"}}));
  ASSERT_EQ(r->clusters.size(), 2u);
  EXPECT_EQ(r->clusters[0].available_replicas, 10);
  EXPECT_EQ(r->clusters[0].replicas, 2);
  EXPECT_EQ(r->clusters[0].labels.at("region"), "east");
  EXPECT_FALSE(r->clusters[1].available_replicas.has_value());
}

TEST(DivisionDocumentTest, DefaultsAsKarmadasWebhook) {
  const auto r = decode_division_document(
      std::string(kHeader) + "replicas: 3\nreplicaScheduling: {}\nclusters: [{name: a}]\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->scheduling->type, ReplicaSchedulingType::Divided);
  EXPECT_EQ(r->scheduling->preference, ReplicaDivisionPreference::Weighted);
  EXPECT_FALSE(r->scheduling->weight_preference);
  const auto none = decode_division_document(std::string(kHeader) + "replicas: 3\nclusters: []\n");
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->scheduling.has_value());
}

TEST(DivisionDocumentTest, ReadsJson) {
  const auto r = decode_division_document(
      R"({"apiVersion":"kscale.io/v1alpha1","kind":"ReplicaDivision","replicas":4,)"
      R"("replicaScheduling":{"replicaDivisionPreference":"Aggregated"},)"
      R"("clusters":[{"name":"m1","availableReplicas":5}]})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->scheduling->preference, ReplicaDivisionPreference::Aggregated);
}

TEST(DivisionDocumentTest, ErrorsNameTheField) {
  struct Case {
    std::string body;
    std::string field;
    std::string message_part;
  };
  const std::string weighted =
      "replicaScheduling:\n  weightPreference:\n    staticWeightList:\n"
      "    - targetCluster: {clusterNames: [a]}\n";
  const std::vector<Case> cases = {
      {"clusters: []\n", "replicas", "Required value"},
      {"replicas: -1\nclusters: []\n", "replicas", "must be greater than or equal to 0"},
      {"replicas: \"3\"\nclusters: []\n", "replicas", "must be an integer"},
      {"replicas: 2.5\nclusters: []\n", "replicas", "must be an integer"},
      {"replicas: 3\n", "clusters", "Required value"},
      {"replicas: 3\nclusters: {}\n", "clusters", "must be a list"},
      {"replicas: 3\nclusters: [{name: a}, {name: a}]\n", "clusters[1].name", "Duplicate value"},
      {"replicas: 3\nclusters: [{labels: {}}]\n", "clusters[0].name", "Required value"},
      {"replicas: 3\nclusters: [{name: a, replica: 1}]\n", "clusters[0].replica", "unknown field"},
      {"replicas: 3\nclusters: [{name: a, availableReplicas: -2}]\n",
       "clusters[0].availableReplicas", "greater than or equal to 0"},
      {"replicas: 3\n" + weighted + "      weight: 0\nclusters: [{name: a}]\n",
       "replicaScheduling.weightPreference.staticWeightList[0].weight",
       "Invalid value: 0: must be greater than or equal to 1"},
      {"replicas: 3\n" + weighted + "clusters: [{name: a}]\n",
       "replicaScheduling.weightPreference.staticWeightList[0].weight", "Required value"},
      {"replicas: 3\nreplicaScheduling: {replicaSchedulingType: Split}\nclusters: []\n",
       "replicaScheduling.replicaSchedulingType", "Unsupported value: \"Split\""},
      {"replicas: 3\nreplicaScheduling: {weightPreference: {dynamicWeight: Cpu}}\nclusters: []\n",
       "replicaScheduling.weightPreference.dynamicWeight",
       "supported values: \"AvailableReplicas\""},
      {"replicas: 3\nreplicaScheduling: {weightPreference: {dynamicWeight: AvailableReplicas}}\n"
       "clusters: [{name: a, availableReplicas: 1}, {name: b}]\n",
       "clusters[1].availableReplicas", "Required value"},
      {"replicas: 3\nreplicaScheduling: {replicaDivisionPreference: Aggregated}\n"
       "clusters: [{name: b}]\n",
       "clusters[0].availableReplicas", "Required value"},
      {"replicas: 3\nreplicaScheduling:\n  weightPreference:\n    staticWeightList:\n"
       "    - targetCluster: {labelSelector: {matchExpressions: [{key: a, operator: In}]}}\n"
       "      weight: 1\nclusters: []\n",
       "replicaScheduling.weightPreference.staticWeightList[0].targetCluster.labelSelector."
       "matchExpressions[0].values",
       "must be specified"},
      {"replicas: 3\nreplicaScheduling:\n  weightPreference:\n    staticWeightList:\n"
       "    - targetCluster: {fieldSelector: {}}\n      weight: 1\nclusters: []\n",
       "replicaScheduling.weightPreference.staticWeightList[0].targetCluster.fieldSelector",
       "not supported"},
      {"replicas: 3\nclusters: []\nlegacy: yes\n", "legacy", "must be true or false"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    const auto r = decode_division_document(std::string(kHeader) + c.body);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().field, c.field);
    EXPECT_TRUE(r.error().message.starts_with(c.field + ": ")) << r.error().message;
    EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << r.error().message;
  }
}

TEST(DivisionDocumentTest, RejectsOtherKindsAndBrokenYaml) {
  const auto kind = decode_division_document(
      "apiVersion: kscale.io/v1alpha1\nkind: HPADecision\nreplicas: 1\nclusters: []\n");
  ASSERT_FALSE(kind.has_value());
  EXPECT_EQ(kind.error().field, "kind");
  const auto broken = decode_division_document("replicas: [1\n");
  ASSERT_FALSE(broken.has_value());
  EXPECT_NE(broken.error().message.find("not valid YAML or JSON"), std::string::npos);
  EXPECT_FALSE(decode_division_document("").has_value());
}

}  // namespace
}  // namespace kscale::federation
