#include "kube/rate_limiter.h"

#include <gtest/gtest.h>

#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace kscale::kube {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

TEST(RateLimiterTest, ABurstPassesThenRequestsQueueAtQps) {
  core::ManualClock clock;
  RateLimiter limiter(2, 3, clock);  // 2 per second, 3 at once
  EXPECT_EQ(limiter.reserve(), nanoseconds{0});
  EXPECT_EQ(limiter.reserve(), nanoseconds{0});
  EXPECT_EQ(limiter.reserve(), nanoseconds{0});
  EXPECT_EQ(limiter.reserve(), milliseconds(500));
  EXPECT_EQ(limiter.reserve(), milliseconds(1000));
  clock.advance(std::chrono::seconds(2));  // 4 tokens refilled, 2 owed
  EXPECT_EQ(limiter.reserve(), nanoseconds{0});
  EXPECT_EQ(limiter.reserve(), nanoseconds{0});
  EXPECT_EQ(limiter.reserve(), milliseconds(500));
}

TEST(RateLimiterTest, TheBucketNeverHoldsMoreThanTheBurst) {
  core::ManualClock clock;
  RateLimiter limiter(10, 2, clock);
  clock.advance(std::chrono::hours(1));
  EXPECT_EQ(limiter.reserve(), nanoseconds{0});
  EXPECT_EQ(limiter.reserve(), nanoseconds{0});
  EXPECT_EQ(limiter.reserve(), milliseconds(100));
}

TEST(RateLimiterTest, NoQpsMeansNoLimit) {
  core::ManualClock clock;
  RateLimiter limiter(0, 1, clock);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(limiter.reserve(), nanoseconds{0});
  }
}

TEST(RateLimiterTest, WaitersAreServedInArrivalOrder) {
  core::RealClock clock;
  RateLimiter limiter(500, 1, clock);
  asio::io_context ioc;
  std::vector<int> served;
  for (int i = 0; i < 6; ++i) {
    asio::co_spawn(
        ioc,
        [&limiter, &served, i]() -> asio::awaitable<void> {
          co_await limiter.wait();
          served.push_back(i);
        },
        asio::detached);
  }
  ioc.run_for(std::chrono::seconds(10));
  EXPECT_EQ(served, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

}  // namespace
}  // namespace kscale::kube
