#include "hpa/behavior.h"

#include <gtest/gtest.h>

#include "hpa_test_util.h"

// Normalization, stabilization, policies and scale events. Vectors follow upstream
// kubernetes pkg/controller/podautoscaler/horizontal_test.go (TestConvertDesiredReplicasWithRules,
// TestCalculateScaleUpLimitWithScalingRules, TestCalculateScaleDownLimitWithBehaviors,
// TestStoreScaleEvents, TestNormalizeDesiredReplicasWithBehavior) and the spec's §6–§7.

namespace kscale::hpa {
namespace {

using namespace testing;
using std::chrono::seconds;

ResolvedRules rules(SelectPolicy select, std::vector<ScalingPolicy> policies,
                    seconds window = seconds(0)) {
  return ResolvedRules{window, select, std::move(policies), std::nullopt};
}

ScalingPolicy pods_policy(int32_t v, int s) { return {ScalingPolicyType::Pods, v, seconds(s)}; }
ScalingPolicy percent_policy(int32_t v, int s) {
  return {ScalingPolicyType::Percent, v, seconds(s)};
}

TEST(BehaviorDefaultsTest, EmptyBehaviorGetsApiDefaults) {
  const ResolvedBehavior b = resolve_behavior(Behavior{}, seconds(300));
  EXPECT_EQ(b.scale_up.stabilization_window, seconds(0));
  EXPECT_EQ(b.scale_up.select_policy, SelectPolicy::Max);
  ASSERT_EQ(b.scale_up.policies.size(), 2u);
  EXPECT_EQ(b.scale_up.policies[0].type, ScalingPolicyType::Pods);
  EXPECT_EQ(b.scale_up.policies[0].value, 4);
  EXPECT_EQ(b.scale_up.policies[0].period, seconds(15));
  EXPECT_EQ(b.scale_up.policies[1].type, ScalingPolicyType::Percent);
  EXPECT_EQ(b.scale_up.policies[1].value, 100);
  EXPECT_EQ(b.scale_down.stabilization_window, seconds(300));
  ASSERT_EQ(b.scale_down.policies.size(), 1u);
  EXPECT_EQ(b.scale_down.policies[0].type, ScalingPolicyType::Percent);
  EXPECT_EQ(b.scale_down.policies[0].value, 100);
  EXPECT_EQ(b.scale_down.policies[0].period, seconds(15));
}

TEST(BehaviorDefaultsTest, FieldsAreCopiedIndividually) {
  Behavior in;
  in.scale_up = ScalingRules{std::nullopt, std::nullopt,
                             std::vector<ScalingPolicy>{pods_policy(1, 60)}, std::nullopt};
  in.scale_down = ScalingRules{seconds(60), SelectPolicy::Min, std::nullopt, std::nullopt};
  const ResolvedBehavior b = resolve_behavior(in, seconds(300));
  EXPECT_EQ(b.scale_up.stabilization_window, seconds(0));
  EXPECT_EQ(b.scale_up.select_policy, SelectPolicy::Max);
  ASSERT_EQ(b.scale_up.policies.size(), 1u);
  EXPECT_EQ(b.scale_up.policies[0].value, 1);
  EXPECT_EQ(b.scale_down.stabilization_window, seconds(60));
  EXPECT_EQ(b.scale_down.select_policy, SelectPolicy::Min);
  EXPECT_EQ(b.scale_down.policies[0].type, ScalingPolicyType::Percent);
}

struct LegacyCase {
  std::string name;
  int current, desired, min, max;
  int expected;
  ConditionReason reason;
};
// ctest and gtest name the case by its name, not as raw bytes.
void PrintTo(const LegacyCase& c, std::ostream* os) { *os << c.name; }

class LegacyLimitsTest : public ::testing::TestWithParam<LegacyCase> {};

// Upstream: convertDesiredReplicasWithRules via normalizeDesiredReplicas with no history.
TEST_P(LegacyLimitsTest, AppliesMinMaxAndScaleUpCap) {
  const auto& c = GetParam();
  std::vector<TimestampedRecommendation> history;
  const Normalization n =
      normalize_desired_replicas(history, Replicas(c.current), Replicas(c.desired), Replicas(c.min),
                                 Replicas(c.max), LegacyLimits{}, kNow);
  EXPECT_EQ(n.desired.value(), c.expected);
  EXPECT_EQ(n.limited_reason, c.reason);
  EXPECT_EQ(n.limited, c.expected != c.desired);
}

INSTANTIATE_TEST_SUITE_P(
    Spec, LegacyLimitsTest,
    ::testing::Values(
        LegacyCase{"WithinRange", 3, 5, 1, 10, 5, ConditionReason::DesiredWithinRange},
        LegacyCase{"CapIsTwiceCurrent", 3, 20, 1, 10, 6, ConditionReason::ScaleUpLimit},
        LegacyCase{"CapIsAtLeastFour", 1, 5, 1, 10, 4, ConditionReason::ScaleUpLimit},
        LegacyCase{"MaxBelowCap", 5, 20, 1, 8, 8, ConditionReason::TooManyReplicas},
        LegacyCase{"BelowMin", 3, 0, 2, 10, 2, ConditionReason::TooFewReplicas},
        // Min and max are applied even when the result equals current.
        LegacyCase{"MinAppliedAtCurrent", 2, 1, 2, 10, 2, ConditionReason::TooFewReplicas}),
    [](const auto& info) { return info.param.name; });

TEST(LegacyStabilizationTest, KeepsHighestRecommendationInWindowIncludingCutoff) {
  std::vector<TimestampedRecommendation> history{{Replicas(8), kNow - 300s},
                                                 {Replicas(6), kNow - 100s}};
  const Normalization n = normalize_desired_replicas(history, Replicas(8), Replicas(3), Replicas(1),
                                                     Replicas(10), LegacyLimits{}, kNow);
  EXPECT_EQ(n.stabilized.value(), 8);  // the entry exactly at now − 300 s still counts
  EXPECT_EQ(n.able_reason, ConditionReason::ScaleDownStabilized);
  EXPECT_EQ(history.size(), 3u);
}

TEST(LegacyStabilizationTest, OverwritesLastExpiredEntryInPlace) {
  std::vector<TimestampedRecommendation> history{{Replicas(9), kNow - 400s},
                                                 {Replicas(7), kNow - 350s},
                                                 {Replicas(4), kNow - 10s}};
  const Normalization n = normalize_desired_replicas(history, Replicas(4), Replicas(2), Replicas(1),
                                                     Replicas(10), LegacyLimits{}, kNow);
  EXPECT_EQ(n.stabilized.value(), 4);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].replicas.value(), 9);
  EXPECT_EQ(history[1], (TimestampedRecommendation{Replicas(2), kNow}));
}

TEST(BehaviorStabilizationTest, ScaleUpWindowTakesMinimumAndHolds) {
  ResolvedBehavior b{rules(SelectPolicy::Max, {pods_policy(100, 15)}, seconds(60)),
                     rules(SelectPolicy::Max, {percent_policy(100, 15)}, seconds(300))};
  std::vector<TimestampedRecommendation> history{{Replicas(4), kNow - 30s}};
  const Normalization n = normalize_desired_replicas_with_behaviors(
      history, ControllerState{}, b, Replicas(5), Replicas(9), Replicas(1), Replicas(20), kNow);
  // upRec = min(9, 4) = 4; stabilized = clamp(current 5, lower 4, upper max(9,4)) = 5.
  EXPECT_EQ(n.stabilized.value(), 5);
  EXPECT_EQ(n.able_reason, ConditionReason::ScaleUpStabilized);
}

TEST(BehaviorStabilizationTest, EntryExactlyAtCutoffIsExcluded) {
  ResolvedBehavior b{rules(SelectPolicy::Max, {pods_policy(100, 15)}),
                     rules(SelectPolicy::Max, {percent_policy(100, 15)}, seconds(300))};
  std::vector<TimestampedRecommendation> history{{Replicas(10), kNow - 300s}};
  const Normalization n = normalize_desired_replicas_with_behaviors(
      history, ControllerState{}, b, Replicas(10), Replicas(4), Replicas(1), Replicas(20), kNow);
  EXPECT_EQ(n.stabilized.value(), 4);
  EXPECT_EQ(n.able_reason, ConditionReason::ReadyForNewScale);
}

struct RateCase {
  std::string name;
  int current, desired, min, max;
  ResolvedRules up, down;
  std::vector<ScaleEvent> up_events, down_events;
  int expected;
  ConditionReason reason;
};
// ctest and gtest name the case by its name, not as raw bytes.
void PrintTo(const RateCase& c, std::ostream* os) { *os << c.name; }

class BehaviorRateTest : public ::testing::TestWithParam<RateCase> {};

// Upstream: TestScalingWithRules / convertDesiredReplicasWithBehaviorRate.
TEST_P(BehaviorRateTest, LimitsByPolicies) {
  const auto& c = GetParam();
  ResolvedBehavior b{c.up, c.down};
  b.scale_down.stabilization_window = seconds(0);
  std::vector<TimestampedRecommendation> history;
  ControllerState events;
  events.scale_up_events = c.up_events;
  events.scale_down_events = c.down_events;
  const Normalization n = normalize_desired_replicas_with_behaviors(
      history, events, b, Replicas(c.current), Replicas(c.desired), Replicas(c.min),
      Replicas(c.max), kNow);
  EXPECT_EQ(n.desired.value(), c.expected);
  EXPECT_EQ(n.limited_reason, c.reason);
}

const ResolvedRules kDefaultUp =
    rules(SelectPolicy::Max, {pods_policy(4, 15), percent_policy(100, 15)});
const ResolvedRules kDefaultDown = rules(SelectPolicy::Max, {percent_policy(100, 15)});

INSTANTIATE_TEST_SUITE_P(
    Upstream, BehaviorRateTest,
    ::testing::Values(
        RateCase{"ScaleUpWithDefaultBehavior",
                 10,
                 50,
                 1,
                 1000,
                 kDefaultUp,
                 kDefaultDown,
                 {},
                 {},
                 20,
                 ConditionReason::ScaleUpLimit},
        RateCase{"ScaleUpPodsPolicyLargerThanPercent",
                 10,
                 500,
                 1,
                 1000,
                 rules(SelectPolicy::Max, {pods_policy(100, 60), percent_policy(100, 60)}),
                 kDefaultDown,
                 {},
                 {},
                 110,
                 ConditionReason::ScaleUpLimit},
        RateCase{"ScaleUpMinPolicyPicksSmallestChange",
                 10,
                 500,
                 1,
                 1000,
                 rules(SelectPolicy::Min, {pods_policy(4, 60), percent_policy(100, 60)}),
                 kDefaultDown,
                 {},
                 {},
                 14,
                 ConditionReason::ScaleUpLimit},
        RateCase{"ScaleUpCappedByMaxReplicas",
                 10,
                 50,
                 1,
                 15,
                 kDefaultUp,
                 kDefaultDown,
                 {},
                 {},
                 15,
                 ConditionReason::TooManyReplicas},
        RateCase{"ScaleUpDisabled",
                 10,
                 50,
                 1,
                 100,
                 rules(SelectPolicy::Disabled, {pods_policy(4, 15)}),
                 kDefaultDown,
                 {},
                 {},
                 10,
                 ConditionReason::ScaleUpLimit},
        RateCase{"ScaleUpBudgetUsedByRecentEvents",
                 10,
                 50,
                 1,
                 100,
                 rules(SelectPolicy::Max, {pods_policy(4, 60)}),
                 kDefaultDown,
                 {{Replicas(4), kNow - 30s, false}},
                 {},
                 10,
                 ConditionReason::ScaleUpLimit},
        RateCase{"ScaleUpEventExactlyOnePeriodOldNoLongerCounts",
                 10,
                 50,
                 1,
                 100,
                 rules(SelectPolicy::Max, {pods_policy(4, 60)}),
                 kDefaultDown,
                 {{Replicas(4), kNow - 60s, false}},
                 {},
                 14,
                 ConditionReason::ScaleUpLimit},
        RateCase{"ScaleUpPercentRoundsUp",
                 3,
                 50,
                 1,
                 100,
                 rules(SelectPolicy::Max, {percent_policy(10, 60)}),
                 kDefaultDown,
                 {},
                 {},
                 4,
                 ConditionReason::ScaleUpLimit},
        RateCase{"ScaleDownWithDefaultBehavior",
                 10,
                 5,
                 1,
                 100,
                 kDefaultUp,
                 kDefaultDown,
                 {},
                 {},
                 5,
                 ConditionReason::DesiredWithinRange},
        RateCase{"ScaleDownPercentTruncates",
                 10,
                 1,
                 1,
                 100,
                 kDefaultUp,
                 rules(SelectPolicy::Max, {percent_policy(15, 60)}),
                 {},
                 {},
                 8,
                 ConditionReason::ScaleDownLimit},
        RateCase{"ScaleDownPodsPolicy",
                 10,
                 1,
                 1,
                 100,
                 kDefaultUp,
                 rules(SelectPolicy::Max, {pods_policy(3, 60)}),
                 {},
                 {},
                 7,
                 ConditionReason::ScaleDownLimit},
        RateCase{"ScaleDownMinPolicyPicksSmallestChange",
                 10,
                 1,
                 1,
                 100,
                 kDefaultUp,
                 rules(SelectPolicy::Min, {pods_policy(3, 60), percent_policy(50, 60)}),
                 {},
                 {},
                 7,
                 ConditionReason::ScaleDownLimit},
        RateCase{"ScaleDownToMinReplicas",
                 10,
                 1,
                 3,
                 100,
                 kDefaultUp,
                 kDefaultDown,
                 {},
                 {},
                 3,
                 ConditionReason::TooFewReplicas},
        RateCase{"ScaleDownDisabled",
                 10,
                 1,
                 1,
                 100,
                 kDefaultUp,
                 rules(SelectPolicy::Disabled, {pods_policy(3, 60)}),
                 {},
                 {},
                 10,
                 ConditionReason::ScaleDownLimit},
        RateCase{"ScaleDownPeriodStartIncludesRecentScaleDowns",
                 8,
                 1,
                 1,
                 100,
                 kDefaultUp,
                 rules(SelectPolicy::Max, {pods_policy(3, 60)}),
                 {},
                 {{Replicas(2), kNow - 30s, false}},
                 7,
                 ConditionReason::ScaleDownLimit}),
    [](const auto& info) { return info.param.name; });

// Upstream: TestCalculateScaleUpLimitWithScalingRules.
TEST(ScaleLimitTest, ScaleUpMinPolicyFromOneReplica) {
  EXPECT_EQ(scale_up_limit(Replicas(1), ControllerState{},
                           rules(SelectPolicy::Min, {pods_policy(2, 60), percent_policy(50, 60)},
                                 seconds(300)),
                           kNow)
                .value(),
            2);
}

// Upstream: TestCalculateScaleDownLimitWithBehaviors.
TEST(ScaleLimitTest, ScaleDownMinPolicyFromFiveReplicas) {
  EXPECT_EQ(scale_down_limit(Replicas(5), ControllerState{},
                             rules(SelectPolicy::Min, {pods_policy(2, 60), percent_policy(50, 60)},
                                   seconds(300)),
                             kNow)
                .value(),
            3);
}

TEST(ScaleLimitTest, ScaleDownPercentCanBeNegativeBeforeClamp) {
  // int32(float) truncation: 1 × (1 − 1.5) = −0.5 → 0.
  EXPECT_EQ(scale_down_limit(Replicas(1), ControllerState{},
                             rules(SelectPolicy::Max, {percent_policy(150, 60)}), kNow)
                .value(),
            0);
}

// Upstream: TestStoreScaleEvents.
TEST(StoreScaleEventTest, AppendsWhenNothingIsOutdated) {
  ResolvedBehavior b{kDefaultUp, kDefaultDown};
  ControllerState s;
  s.scale_up_events = {{Replicas(5), kNow - 10s, false}};
  store_scale_event(&b, s, Replicas(3), Replicas(7), kNow);
  ASSERT_EQ(s.scale_up_events.size(), 2u);
  EXPECT_EQ(s.scale_up_events[1], (ScaleEvent{Replicas(4), kNow, false}));
}

TEST(StoreScaleEventTest, OverwritesLastOutdatedAndKeepsOthersMarked) {
  ResolvedBehavior b{kDefaultUp, kDefaultDown};
  ControllerState s;
  s.scale_down_events = {{Replicas(1), kNow - 100s, false},
                         {Replicas(2), kNow - 50s, false},
                         {Replicas(3), kNow - 5s, false}};
  store_scale_event(&b, s, Replicas(9), Replicas(7), kNow);
  ASSERT_EQ(s.scale_down_events.size(), 3u);
  EXPECT_TRUE(s.scale_down_events[0].outdated);
  EXPECT_EQ(s.scale_down_events[1], (ScaleEvent{Replicas(2), kNow, false}));
  EXPECT_FALSE(s.scale_down_events[2].outdated);
}

TEST(StoreScaleEventTest, NothingStoredWithoutBehavior) {
  ControllerState s;
  store_scale_event(nullptr, s, Replicas(3), Replicas(7), kNow);
  EXPECT_TRUE(s.scale_up_events.empty());
}

}  // namespace
}  // namespace kscale::hpa
