#include "kube/backoff.h"

#include <gtest/gtest.h>

#include <vector>

namespace kscale::kube {
namespace {

using std::chrono::milliseconds;

std::vector<long> delays(Backoff& b, int n) {
  std::vector<long> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(b.next().count());
  }
  return out;
}

TEST(BackoffTest, DoublesFrom800MillisecondsUpToTheCap) {
  core::ManualClock clock;
  Backoff b(BackoffPolicy{}, clock, [] { return 0.0; });
  EXPECT_EQ(delays(b, 9),
            (std::vector<long>{800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000}));
}

TEST(BackoffTest, JitterAddsUpToTheDelayItself) {
  core::ManualClock clock;
  std::vector<double> randoms{0.5, 0.25, 0.999};
  std::size_t i = 0;
  Backoff b(BackoffPolicy{}, clock, [&] { return randoms[i++ % randoms.size()]; });
  // 800 + 0.5×800, 1600 + 0.25×1600, 3200 + 0.999×3200 (floored), then the capped base jittered.
  EXPECT_EQ(delays(b, 3), (std::vector<long>{1200, 2000, 6396}));
  for (int k = 0; k < 5; ++k) {
    b.next();
  }
  i = 2;
  EXPECT_EQ(b.next().count(), 59970);  // jitter applies after the cap, as upstream's Step
}

TEST(BackoffTest, StartsOverAfterTwoMinutesWithoutFailure) {
  core::ManualClock clock;
  Backoff b(BackoffPolicy{}, clock, [] { return 0.0; });
  EXPECT_EQ(delays(b, 3), (std::vector<long>{800, 1600, 3200}));
  clock.advance(std::chrono::seconds(119));
  EXPECT_EQ(b.next().count(), 6400);
  clock.advance(std::chrono::seconds(120));
  EXPECT_EQ(b.next().count(), 800);
}

}  // namespace
}  // namespace kscale::kube
