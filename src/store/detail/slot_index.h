#pragma once
// store::detail::SlotIndex: an open-addressing hash from a label-set id to its position in an
// object's vector of series, so that a write to an object with many label sets finds its series
// in O(1) expected instead of scanning them. 4 bytes a slot, at most half full. Not thread-safe.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace kscale::store::detail {

class SlotIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  /// The position whose id is `id`, or kNone. `id_at(pos)` returns the id stored at `pos`.
  template <class IdAt>
  uint32_t find(uint32_t id, const IdAt& id_at) const {
    if (slots_.empty()) {
      return kNone;
    }
    const size_t mask = slots_.size() - 1;
    for (size_t i = home(id);; i = (i + 1) & mask) {
      ++probes();
      const uint32_t pos = slots_[i];
      if (pos == kNone || id_at(pos) == id) {
        return pos;
      }
    }
  }

  /// Records that position `pos` holds `id`, which the index does not hold yet.
  template <class IdAt>
  void insert(uint32_t id, uint32_t pos, const IdAt& id_at) {
    if ((size_ + 1) * 2 > slots_.size()) {
      rebuild(size_, id_at);
    }
    place(id, pos);
    ++size_;
  }

  /// Indexes positions 0..count-1 afresh (the vector grew or was compacted), with room for
  /// at least one more.
  template <class IdAt>
  void rebuild(size_t count, const IdAt& id_at) {
    const size_t n = std::bit_ceil(std::max<size_t>((count + 1) * 2, 16));
    slots_.assign(n, kNone);
    shift_ = 64 - std::countr_zero(n);
    size_ = 0;
    for (size_t p = 0; p < count; ++p) {
      place(id_at(static_cast<uint32_t>(p)), static_cast<uint32_t>(p));
      ++size_;
    }
  }

  /// Drops every entry and its memory.
  void clear() {
    slots_ = {};
    size_ = 0;
  }

  size_t size() const { return size_; }

  /// Test hook: slots examined by find on this thread since it started.
  static uint64_t& probes() {
    thread_local uint64_t count = 0;
    return count;
  }

 private:
  // Fibonacci hashing: ids are small consecutive integers, the top bits of the product spread
  // them over the table.
  size_t home(uint32_t id) const {
    return static_cast<size_t>((uint64_t{id} * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  void place(uint32_t id, uint32_t pos) {
    const size_t mask = slots_.size() - 1;
    size_t i = home(id);
    while (slots_[i] != kNone) {
      i = (i + 1) & mask;
    }
    slots_[i] = pos;
  }

  std::vector<uint32_t> slots_;
  uint32_t size_ = 0;
  int shift_ = 64;
};

}  // namespace kscale::store::detail
