#include "federation/division.h"

#include <gtest/gtest.h>

namespace kscale::federation {
namespace {

using Clusters = std::vector<TargetCluster>;

constexpr const char* kEvenUid = "4858ca61-3ff8-4095-8267-f3d059d8074c";
constexpr const char* kOddUid = "d43fdeeb-d750-4e2b-bee3-64eb94534f4c";

/// A candidate with available replicas and a current assignment.
CandidateCluster cand(std::string name, int32_t available = 0, int32_t replicas = 0) {
  CandidateCluster c;
  c.name = std::move(name);
  c.available_replicas = available;
  c.replicas = replicas;
  return c;
}

StaticClusterWeight by_name(std::string name, int64_t weight) {
  StaticClusterWeight w;
  w.target_cluster.cluster_names = {std::move(name)};
  w.weight = weight;
  return w;
}

ReplicaScheduling static_weights(std::vector<StaticClusterWeight> rules) {
  ReplicaScheduling s;
  s.weight_preference = true;
  s.static_weights = std::move(rules);
  return s;
}

ReplicaScheduling dynamic() {
  ReplicaScheduling s;
  s.weight_preference = true;
  s.dynamic_weight = true;
  return s;
}

ReplicaScheduling aggregated() {
  ReplicaScheduling s;
  s.preference = ReplicaDivisionPreference::Aggregated;
  return s;
}

struct DivisionCase {
  std::string name;
  int32_t replicas;
  std::optional<ReplicaScheduling> scheduling;
  std::vector<CandidateCluster> clusters;
  Clusters want;  // ignored when unschedulable
  bool unschedulable = false;
  std::string uid;
  bool legacy = false;
};

void run(const std::vector<DivisionCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    DivisionRequest r;
    r.replicas = c.replicas;
    r.scheduling = c.scheduling;
    r.clusters = c.clusters;
    r.uid = c.uid;
    r.legacy = c.legacy;
    const auto got = divide(r);
    if (c.unschedulable) {
      ASSERT_FALSE(got.has_value());
      EXPECT_TRUE(is_unschedulable(got.error())) << got.error().message;
      continue;
    }
    ASSERT_TRUE(got.has_value()) << got.error().message;
    EXPECT_EQ(got->clusters, c.want);
  }
}

const std::vector<CandidateCluster> kThree = {cand("member1"), cand("member2"), cand("member3")};
const ReplicaScheduling k321 =
    static_weights({by_name("member1", 3), by_name("member2", 2), by_name("member3", 1)});

// Transcribed from karmada pkg/scheduler/core/assignment_test.go, Test_assignByStaticWeightStrategy
// (zero-replica clusters left out, as AssignReplicas does).
TEST(DivisionTest, StaticWeightsAsKarmada) {
  run({
      {"replica 12, weight 3:2:1",
       12,
       k321,
       kThree,
       {{"member1", 6}, {"member2", 4}, {"member3", 2}}},
      {"replica 12, default weight",
       12,
       ReplicaScheduling{},
       kThree,
       {{"member1", 4}, {"member2", 4}, {"member3", 4}}},
      {"replica 13, weight 3:2:1",
       13,
       k321,
       kThree,
       {{"member1", 7}, {"member2", 4}, {"member3", 2}}},
      {"replica 14, weight 3:2:1",
       14,
       k321,
       kThree,
       {{"member1", 7}, {"member2", 5}, {"member3", 2}}},
      {"insufficient replica assignment should get 0 replica",
       0,
       static_weights({by_name("member1", 1), by_name("member2", 1)}),
       {cand("member1"), cand("member2")},
       {}},
      {"selected cluster without weight should be ignored",
       2,
       static_weights({by_name("member1", 1)}),
       {cand("member1"), cand("member2")},
       {{"member1", 2}}},
      {"cluster with multiple weights",
       3,
       static_weights({by_name("member1", 1), by_name("member2", 1), by_name("member1", 2)}),
       {cand("member1"), cand("member2")},
       {{"member1", 2}, {"member2", 1}}},
  });
}

// Transcribed from karmada pkg/util/helper/binding_test.go, Test_dispenser_AllocateByWeight
// (fresh divisions; the scale-up rows are covered by WebsterTest and the dynamic cases).
TEST(DivisionTest, StaticWeightsTieBreakByUid) {
  const auto ab = std::vector<CandidateCluster>{cand("A"), cand("B")};
  const auto abc = std::vector<CandidateCluster>{cand("A"), cand("B"), cand("C")};
  const auto w21 = static_weights({by_name("A", 2), by_name("B", 1)});
  const auto w11 = static_weights({by_name("A", 1), by_name("B", 1)});
  const auto fleet = static_weights({by_name("A", 170), by_name("B", 110), by_name("C", 60)});
  run({
      {"HA scenario with weight 2:1: assign 1 replica", 1, w21, ab, {{"A", 1}}},
      {"HA scenario with weight 2:1: assign 2 replicas", 2, w21, ab, {{"A", 1}, {"B", 1}}},
      {"HA scenario with weight 2:1: assign 3 replicas", 3, w21, ab, {{"A", 2}, {"B", 1}}},
      {"brand new assign 5 replicas", 5, fleet, abc, {{"A", 2}, {"B", 2}, {"C", 1}}},
      {"brand new assign 6 replicas", 6, fleet, abc, {{"A", 3}, {"B", 2}, {"C", 1}}},
      {"brand new assign 5 replicas with odd uuid",
       5,
       w11,
       ab,
       {{"A", 2}, {"B", 3}},
       false,
       kOddUid},
      {"brand new assign 5 replicas with even uuid",
       5,
       w11,
       ab,
       {{"A", 3}, {"B", 2}},
       false,
       kEvenUid},
  });
}

// Spec 5.3: the weight is the maximum over matching rules (names, label selectors, exclude); a
// candidate no rule matches is dropped; when none matches, every candidate weighs 1.
TEST(DivisionTest, StaticWeightsByLabelSelector) {
  auto east = cand("member1");
  east.labels = {{"region", "east"}};
  auto west = cand("member2");
  west.labels = {{"region", "west"}};
  auto west2 = cand("member3");
  west2.labels = {{"region", "west"}};
  StaticClusterWeight by_region;
  by_region.target_cluster.label_selector = *core::LabelSelector::parse("region=west");
  by_region.weight = 2;
  StaticClusterWeight everyone_but_3;
  everyone_but_3.target_cluster.exclude = {"member3"};
  everyone_but_3.weight = 1;
  StaticClusterWeight nobody = by_name("member9", 5);
  run({
      {"selector weight 2, exclude-rule weight 1, maximum wins",
       10,
       static_weights({by_region, everyone_but_3}),
       {east, west, west2},
       {{"member1", 2}, {"member2", 4}, {"member3", 4}}},
      {"unmatched candidate dropped",
       6,
       static_weights({by_region}),
       {east, west, west2},
       {{"member2", 3}, {"member3", 3}}},
      {"no rule matches: all weigh 1",
       3,
       static_weights({nobody}),
       {east, west, west2},
       {{"member1", 1}, {"member2", 1}, {"member3", 1}}},
  });
}

// Transcribed from karmada pkg/scheduler/core/assignment_test.go, Test_dynamicScale and
// Test_dynamicScaleUp, and division_algorithm_test.go, Test_dynamicDivideReplicas (its
// pre-sorted availableClusters given as candidates in that order).
TEST(DivisionTest, DynamicWeightsAsKarmada) {
  const auto d = dynamic();
  run({
      {"replica 12 -> 6, dynamic weighted 1:1:1",
       6,
       d,
       {cand("member1", 1, 2), cand("member2", 1, 4), cand("member3", 1, 6)},
       {{"member1", 1}, {"member2", 2}, {"member3", 3}}},
      {"replica 12 -> 24, dynamic weighted 10:10:10",
       24,
       d,
       {cand("member1", 10, 2), cand("member2", 10, 4), cand("member3", 10, 6)},
       {{"member1", 6}, {"member2", 8}, {"member3", 10}}},
      {"replica 12 -> 24, dynamic weighted 1:1:1",
       24,
       d,
       {cand("member1", 1, 2), cand("member2", 1, 4), cand("member3", 1, 6)},
       {},
       true},
      {"replica 12, dynamic weight 6:8:10",
       12,
       d,
       {cand("member1", 6), cand("member2", 8), cand("member3", 10)},
       {{"member1", 3}, {"member2", 4}, {"member3", 5}}},
      {"replica 12, dynamic weight 8:8:10",
       12,
       d,
       {cand("member1", 8), cand("member2", 8), cand("member3", 10)},
       {{"member1", 4}, {"member2", 4}, {"member3", 4}}},
      {"replica 12, dynamic weight 3:3:3",
       12,
       d,
       {cand("member1", 3), cand("member2", 3), cand("member3", 3)},
       {},
       true},
      {"replica 12, dynamic weight 3:3, with cluster3 disappeared and cluster2 appeared",
       12,
       d,
       {cand("member1", 3, 6), cand("member2", 3)},
       {{"member1", 9}, {"member2", 3}}},
      {"replica 12, dynamic weight 18:12:6",
       12,
       d,
       {cand("member1", 18), cand("member2", 12), cand("member3", 6)},
       {{"member1", 6}, {"member2", 4}, {"member3", 2}}},
      {"replica 12, dynamic weight 20:12:6",
       12,
       d,
       {cand("member1", 20), cand("member2", 12), cand("member3", 6)},
       {{"member1", 6}, {"member2", 4}, {"member3", 2}}},
      {"replica 12, dynamic weight 6:12:6",
       12,
       d,
       {cand("member1", 6), cand("member2", 12), cand("member3", 6)},
       {{"member1", 3}, {"member2", 6}, {"member3", 3}}},
      {"steady: the current assignment is kept",
       12,
       d,
       {cand("member1", 100, 2), cand("member2", 0, 10)},
       {{"member1", 2}, {"member2", 10}}},
  });
}

TEST(DivisionTest, AggregatedAsKarmada) {
  const auto a = aggregated();
  run({
      {"replica 12 -> 6, aggregated 1:1:1",
       6,
       a,
       {cand("member1", 1, 4), cand("member2", 1, 8), cand("member3", 1)},
       {{"member2", 6}}},
      {"replica 12 -> 8, aggregated 100:100",
       8,
       a,
       {cand("member1", 100, 4), cand("member2", 100, 8)},
       {{"member2", 8}}},
      {"replica 12 -> 24, aggregated 4:6:8",
       24,
       a,
       {cand("member1", 4, 4), cand("member2", 6, 8), cand("member3", 8)},
       {{"member1", 7}, {"member2", 12}, {"member3", 5}}},
      {"replica 12 -> 24, aggregated 6:6:20",
       24,
       a,
       {cand("member1", 6, 4), cand("member2", 6, 8), cand("member3", 20)},
       {{"member1", 10}, {"member2", 14}}},
      {"replica 12 -> 24, aggregated 1:1:1",
       24,
       a,
       {cand("member1", 1, 4), cand("member2", 1, 8), cand("member3", 1)},
       {},
       true},
      {"replica 12 -> 24, aggregated 4:8:12, with cluster2 disappeared and cluster4 appeared",
       24,
       a,
       {cand("member1", 4, 4), cand("member3", 8), cand("member4", 12)},
       {{"member1", 7}, {"member3", 7}, {"member4", 10}}},
      {"replica 12, aggregated 6:8:10",
       12,
       a,
       {cand("member1", 6), cand("member2", 8), cand("member3", 10)},
       {{"member2", 5}, {"member3", 7}}},
      {"replica 12, aggregated 12:8:10",
       12,
       a,
       {cand("member1", 12), cand("member2", 8), cand("member3", 10)},
       {{"member1", 12}}},
      {"replica 12, aggregated 3:3:3",
       12,
       a,
       {cand("member1", 3), cand("member2", 3), cand("member3", 3)},
       {},
       true},
      {"replica 12, aggregated 12:6:6",
       12,
       a,
       {cand("member2", 12), cand("member1", 6), cand("member3", 6)},
       {{"member2", 12}}},
      {"replica 12, aggregated 6:6:6",
       12,
       a,
       {cand("member1", 6), cand("member2", 6), cand("member3", 6)},
       {{"member1", 6}, {"member2", 6}}},
  });
}

// Transcribed from karmada pkg/scheduler/core/assignment_test.go, Test_assignByDuplicatedStrategy,
// and common.go AssignReplicas (no candidates; replicas 0).
TEST(DivisionTest, DuplicatedAndEdges) {
  ReplicaScheduling dup;
  dup.type = ReplicaSchedulingType::Duplicated;
  run({
      {"test with multiple cluster",
       2,
       dup,
       {cand("member1"), cand("member2")},
       {{"member1", 2}, {"member2", 2}}},
      {"no replicaScheduling is Duplicated",
       3,
       std::nullopt,
       {cand("member2"), cand("member1")},
       {{"member1", 3}, {"member2", 3}}},
      {"replicas is null", 0, dup, {cand("member1"), cand("member2")}, {}},
      {"the target cluster is null", 2, dup, {}, {}, true},
  });
}

// Karmada v1.15's results for the same inputs (the v1.15 versions of the test files above);
// where v1.15 accepts several results because its last tie is random, kscale's name order
// picks the first.
TEST(DivisionTest, LegacyDispenserAsKarmada115) {
  const auto a = aggregated();
  run({
      {"replica 14, weight 3:2:1",
       14,
       k321,
       kThree,
       {{"member1", 8}, {"member2", 4}, {"member3", 2}},
       false,
       "",
       true},
      {"replica 12, weight 3:2:1",
       12,
       k321,
       kThree,
       {{"member1", 6}, {"member2", 4}, {"member3", 2}},
       false,
       "",
       true},
      {"replica 12 -> 24, aggregated 4:6:8",
       24,
       a,
       {cand("member1", 4, 4), cand("member2", 6, 8), cand("member3", 8)},
       {{"member1", 6}, {"member2", 12}, {"member3", 6}},
       false,
       "",
       true},
      {"replica 12 -> 24, aggregated 4:8:12, with cluster2 disappeared and cluster4 appeared",
       24,
       a,
       {cand("member1", 4, 4), cand("member3", 8), cand("member4", 12)},
       {{"member1", 7}, {"member3", 6}, {"member4", 11}},
       false,
       "",
       true},
      {"replica 12, dynamic weight 8:8:10",
       12,
       dynamic(),
       {cand("member1", 8), cand("member2", 8), cand("member3", 10)},
       {{"member1", 4}, {"member2", 3}, {"member3", 5}},
       false,
       "",
       true},
      {"replica 12 -> 24, aggregated 1:1:1",
       24,
       a,
       {cand("member1", 1, 4), cand("member2", 1, 8), cand("member3", 1)},
       {},
       true,
       "",
       true},
  });
}

// Spec 5.4: Fresh divides the whole total by available + current replicas.
TEST(DivisionTest, FreshModeIgnoresThePreviousLayout) {
  DivisionRequest r;
  r.replicas = 12;
  r.scheduling = dynamic();
  r.fresh = true;
  r.clusters = {cand("member1", 2, 10), cand("member2", 12, 0)};
  const auto got = divide(r);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->mode, AssignmentMode::Fresh);
  EXPECT_EQ(got->clusters, (Clusters{{"member1", 6}, {"member2", 6}}));
}

TEST(DivisionTest, UnschedulableSaysWhy) {
  DivisionRequest r;
  r.replicas = 10;
  r.scheduling = dynamic();
  r.clusters = {cand("member1", 3)};
  const auto got = divide(r);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().message,
            "unschedulable: Clusters available replicas 3 are not enough to schedule 10 replicas.");
}

}  // namespace
}  // namespace kscale::federation

namespace kscale::federation {
namespace {

// What the explanation reads: the mode, the replicas the last step divided, its weights.
TEST(DivisionTest, RecordsTheStepItTook) {
  DivisionRequest r;
  r.replicas = 6;
  r.scheduling = dynamic();
  r.clusters = {cand("member1", 1, 2), cand("member2", 1, 4), cand("member3", 1, 6)};
  auto down = divide(r);
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->mode, AssignmentMode::ScaleDown);
  EXPECT_EQ(down->divided, 6);
  EXPECT_EQ(down->weights, (std::vector<DivisionStep>{{0, 2, 1}, {1, 4, 2}, {2, 6, 3}}));
  r.replicas = 14;
  auto up = divide(r);
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(up->mode, AssignmentMode::ScaleUp);
  EXPECT_EQ(up->divided, 2);
  EXPECT_EQ(up->clusters, (Clusters{{"member1", 3}, {"member2", 5}, {"member3", 6}}));
}

}  // namespace
}  // namespace kscale::federation
