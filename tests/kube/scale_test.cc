#include "kube/scale.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace kscale::kube {
namespace {

TEST(ScaleTest, ReadsReplicasAndSelector) {
  auto s = decode_scale(boost::json::parse(R"({"apiVersion":"autoscaling/v1","kind":"Scale",
    "metadata":{"name":"web"},"spec":{"replicas":3},"status":{"replicas":2,"selector":"app=web"}})"),
                        "scale");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->spec_replicas.value(), 3);
  EXPECT_EQ(s->status_replicas.value(), 2);
  EXPECT_EQ(s->selector, "app=web");
}

TEST(ScaleTest, AbsentReplicasAreZeroAndNegativeOnesAreRefused) {
  auto empty = decode_scale(boost::json::parse("{}"), "scale");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->spec_replicas.value(), 0);
  EXPECT_EQ(empty->selector, "");
  auto negative = decode_scale(boost::json::parse(R"({"spec":{"replicas":-1}})"), "scale");
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().message,
            "scale.spec.replicas: Invalid value: -1: must be greater than or equal to 0");
}

}  // namespace
}  // namespace kscale::kube
