#include "hpa/conditions.h"

#include <gtest/gtest.h>

// Upstream: horizontal.go, setConditionInList.

namespace kscale::hpa {
namespace {

const core::SystemTime kT1{std::chrono::seconds{1000}};
const core::SystemTime kT2{std::chrono::seconds{2000}};

TEST(SetConditionTest, AppendsNewConditionWithTransitionTime) {
  std::vector<Condition> list;
  set_condition(list, ConditionType::AbleToScale, ConditionStatus::True,
                ConditionReason::SucceededGetScale, "ok", kT1);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].reason, "SucceededGetScale");
  EXPECT_EQ(list[0].last_transition_time, kT1);
}

TEST(SetConditionTest, UpdatesInPlaceAndKeepsTransitionTimeWhenStatusUnchanged) {
  std::vector<Condition> list;
  set_condition(list, ConditionType::AbleToScale, ConditionStatus::True,
                ConditionReason::SucceededGetScale, "a", kT1);
  set_condition(list, ConditionType::ScalingActive, ConditionStatus::True,
                ConditionReason::ValidMetricFound, "b", kT1);
  set_condition(list, ConditionType::AbleToScale, ConditionStatus::True,
                ConditionReason::ReadyForNewScale, "c", kT2);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].type, ConditionType::AbleToScale);
  EXPECT_EQ(list[0].reason, "ReadyForNewScale");
  EXPECT_EQ(list[0].message, "c");
  EXPECT_EQ(list[0].last_transition_time, kT1);
}

TEST(SetConditionTest, StatusChangeMovesTransitionTime) {
  std::vector<Condition> list;
  set_condition(list, ConditionType::ScalingActive, ConditionStatus::True,
                ConditionReason::ValidMetricFound, "a", kT1);
  set_condition(list, ConditionType::ScalingActive, ConditionStatus::False,
                ConditionReason::FailedGetPodsMetric, "b", kT2);
  EXPECT_EQ(list[0].last_transition_time, kT2);
  EXPECT_EQ(list[0].reason, "FailedGetPodsMetric");
}

TEST(ConditionReasonTest, NamesAreSpelledAsUpstream) {
  EXPECT_EQ(condition_reason_name(ConditionReason::ScaleDownStabilized), "ScaleDownStabilized");
  EXPECT_EQ(condition_reason_name(ConditionReason::NotScaledToZero), "NotScaledToZero");
  EXPECT_EQ(condition_reason_name(ConditionReason::FailedGetContainerResourceMetric),
            "FailedGetContainerResourceMetric");
}

}  // namespace
}  // namespace kscale::hpa
