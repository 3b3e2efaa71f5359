#include "federation/legacy_dispenser.h"

#include <gtest/gtest.h>

namespace kscale::federation {
namespace {

struct LegacyCase {
  std::string name;
  int32_t replicas;
  std::vector<LegacyWeight> weights;
  std::vector<Party> expected;  // in the dispenser's order
};

// Transcribed from karmada v1.15 pkg/util/helper/binding_test.go,
// TestDispenseReplicasByTargetClusters (where upstream accepts any of several results because
// the last tie is random, kscale's name order picks the first) and TestSortClusterByWeight.
TEST(LegacyDispenserTest, DividesAsKarmadaBefore116) {
  const std::vector<LegacyCase> cases = {
      {"empty clusters", 10, {}, {}},
      {"1 cluster, 5 replicas, 10 sum", 10, {{"member1", 5, 0}}, {{"member1", 5, 10}}},
      {"3 cluster, 1:1:1, 12 sum",
       12,
       {{"member1", 5, 0}, {"member2", 5, 0}, {"member3", 5, 0}},
       {{"member1", 5, 4}, {"member2", 5, 4}, {"member3", 5, 4}}},
      {"3 cluster, 1:1:1, 10 sum",
       10,
       {{"member1", 5, 0}, {"member2", 5, 0}, {"member3", 5, 0}},
       {{"member1", 5, 4}, {"member2", 5, 3}, {"member3", 5, 3}}},
      {"3 cluster, 1:2:3, 13 sum",
       13,
       {{"member1", 1, 0}, {"member2", 2, 0}, {"member3", 3, 0}},
       {{"member3", 3, 7}, {"member2", 2, 4}, {"member1", 1, 2}}},
      {"sorted by weight descending",
       0,
       {{"cluster11", 1, 0}, {"cluster12", 2, 0}, {"cluster13", 3, 0}},
       {{"cluster13", 3, 0}, {"cluster12", 2, 0}, {"cluster11", 1, 0}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(legacy_take_by_weight(c.replicas, c.weights), c.expected);
  }
}

// Upstream v1.8+: equal weights go by the previous assignment (descending) before the random
// last tie, so the remainder stays where it was.
TEST(LegacyDispenserTest, RemainderFollowsThePreviousAssignment) {
  const auto got = legacy_take_by_weight(5, {{"a", 1, 2}, {"b", 1, 3}});
  EXPECT_EQ(got, (std::vector<Party>{{"b", 1, 3}, {"a", 1, 2}}));
}

// karmada#6735: not house-monotone — 170/110/60 at 5 replicas gives B 2, at 6 only 1.
TEST(LegacyDispenserTest, IsNotHouseMonotone) {
  const std::vector<LegacyWeight> w = {{"A", 170, 0}, {"B", 110, 0}, {"C", 60, 0}};
  EXPECT_EQ(legacy_take_by_weight(5, w),
            (std::vector<Party>{{"A", 170, 3}, {"B", 110, 2}, {"C", 60, 0}}));
  EXPECT_EQ(legacy_take_by_weight(6, w),
            (std::vector<Party>{{"A", 170, 4}, {"B", 110, 1}, {"C", 60, 1}}));
}

TEST(LegacyDispenserTest, ZeroTotalWeightDividesNothing) {
  EXPECT_TRUE(legacy_take_by_weight(3, {{"a", 0, 0}}).empty());
}

}  // namespace
}  // namespace kscale::federation
