#include "store/detail/slot_index.h"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

namespace kscale::store::detail {
namespace {

// Positions hold ids: the index is checked against the vector it describes.
struct Indexed {
  std::vector<uint32_t> ids;
  SlotIndex index;
  uint32_t find(uint32_t id) const {
    return index.find(id, [this](uint32_t pos) { return ids[pos]; });
  }
  void add(uint32_t id) {
    ids.push_back(id);
    index.insert(id, static_cast<uint32_t>(ids.size() - 1),
                 [this](uint32_t pos) { return ids[pos]; });
  }
};

TEST(SlotIndexTest, FindsEveryInsertedIdAtItsPositionThroughGrowth) {
  Indexed x;
  EXPECT_EQ(x.find(7), SlotIndex::kNone);
  for (uint32_t id = 1; id <= 10'000; ++id) {
    x.add(id * 3);
  }
  EXPECT_EQ(x.index.size(), 10'000u);
  for (uint32_t pos = 0; pos < x.ids.size(); ++pos) {
    ASSERT_EQ(x.find(x.ids[pos]), pos);
  }
  EXPECT_EQ(x.find(1), SlotIndex::kNone);
  EXPECT_EQ(x.find(30'001), SlotIndex::kNone);
}

TEST(SlotIndexTest, RebuildFollowsACompactedVector) {
  Indexed x;
  for (uint32_t id = 1; id <= 100; ++id) {
    x.add(id);
  }
  std::vector<uint32_t> kept;
  for (uint32_t id : x.ids) {
    if (id % 2 == 0) {
      kept.push_back(id);
    }
  }
  x.ids = kept;
  x.index.rebuild(x.ids.size(), [&x](uint32_t pos) { return x.ids[pos]; });
  EXPECT_EQ(x.index.size(), 50u);
  for (uint32_t id = 1; id <= 100; ++id) {
    const uint32_t pos = x.find(id);
    if (id % 2 == 0) {
      ASSERT_NE(pos, SlotIndex::kNone) << id;
      EXPECT_EQ(x.ids[pos], id);
    } else {
      EXPECT_EQ(pos, SlotIndex::kNone) << id;
    }
  }
  x.add(1);
  EXPECT_EQ(x.ids[x.find(1)], 1u);
  x.index.clear();
  EXPECT_EQ(x.index.size(), 0u);
  EXPECT_EQ(x.find(2), SlotIndex::kNone);
}

}  // namespace
}  // namespace kscale::store::detail
