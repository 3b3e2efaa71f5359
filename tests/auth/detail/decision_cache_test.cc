#include "auth/detail/decision_cache.h"

#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace kscale::auth::detail {
namespace {

using namespace std::chrono_literals;

TEST(DecisionCacheTest, ExpiresAfterTheEntrysTime) {
  DecisionCache cache(8);
  const core::MonotonicTime t0{};
  cache.put("k", SarStatus{true, false, "r"}, t0 + 10s);
  ASSERT_TRUE(cache.get("k", t0 + 10s));
  EXPECT_EQ(cache.get("k", t0 + 10s)->reason, "r");
  EXPECT_FALSE(cache.get("k", t0 + 10s + 1ns));
  EXPECT_FALSE(cache.get("k", t0));  // removed when found expired
}

TEST(DecisionCacheTest, EvictsTheLeastRecentlyUsedWhenFull) {
  DecisionCache cache(2);
  const core::MonotonicTime t0{};
  cache.put("a", SarStatus{true}, t0 + 1h);
  cache.put("b", SarStatus{true}, t0 + 1h);
  ASSERT_TRUE(cache.get("a", t0));  // b is now the oldest
  cache.put("c", SarStatus{false}, t0 + 1h);
  EXPECT_TRUE(cache.get("a", t0));
  EXPECT_FALSE(cache.get("b", t0));
  EXPECT_TRUE(cache.get("c", t0));
  cache.put("a", SarStatus{false}, t0 + 1h);  // replaces
  EXPECT_FALSE(cache.get("a", t0)->allowed);
}

TEST(DecisionCacheTest, ConcurrentUseIsSafe) {
  DecisionCache cache(64);
  const core::MonotonicTime t0{};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t, t0] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = std::to_string((i * 7 + t) % 100);
        if (!cache.get(key, t0 + std::chrono::seconds(i % 3))) {
          cache.put(key, SarStatus{true}, t0 + 1s);
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  SUCCEED();
}

}  // namespace
}  // namespace kscale::auth::detail
