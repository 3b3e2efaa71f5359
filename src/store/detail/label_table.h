#pragma once
// store::detail::LabelTable: interns metric label sets so each stored series carries a 4-byte id
// instead of its own map. Hashed, so finding a set costs O(1) expected whatever the number of
// sets; reference-counted so evicted label sets are freed. Not thread-safe; the series store
// calls it under its lock.

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/labels.h"

namespace kscale::store::detail {

class LabelTable {
 public:
  /// The id of the empty label set; never counted, always valid.
  static constexpr uint32_t kEmpty = 0;
  static constexpr uint32_t kNotFound = UINT32_MAX;

  /// The id of `labels` if interned, kEmpty for an empty set, else kNotFound.
  uint32_t find(const core::Labels& labels) const;
  /// Interns `labels` (moved from only when new) and takes one reference.
  uint32_t acquire(core::Labels&& labels);
  /// Takes one more reference to an id returned by find or acquire.
  void add_ref(uint32_t id);
  /// Drops one reference; the set is freed at zero.
  void release(uint32_t id);
  /// The labels of a live id.
  const core::Labels& get(uint32_t id) const;
  /// Interned non-empty sets.
  size_t size() const { return ids_.size(); }

 private:
  struct LabelsHash {
    size_t operator()(const core::Labels& labels) const noexcept;
  };
  using Ids = std::unordered_map<core::Labels, uint32_t, LabelsHash>;
  struct Entry {
    const core::Labels* labels = nullptr;  // the key in ids_ (stable across rehashing)
    uint32_t refs = 0;
  };
  Ids ids_;
  std::vector<Entry> entries_;  // entries_[id - 1]
  std::vector<uint32_t> free_;
};

}  // namespace kscale::store::detail
