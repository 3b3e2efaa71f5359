#include "store/detail/label_table.h"

#include <cassert>
#include <functional>
#include <string_view>
#include <utility>

namespace kscale::store::detail {
namespace {

const core::Labels& empty_labels() {
  static const core::Labels kNone;
  return kNone;
}

}  // namespace

size_t LabelTable::LabelsHash::operator()(const core::Labels& labels) const noexcept {
  size_t h = labels.size();
  const auto mix = [&h](std::string_view s) {
    // boost::hash_combine's mixing step.
    h ^= std::hash<std::string_view>{}(s) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  };
  for (const auto& [name, value] : labels) {
    mix(name);
    mix(value);
  }
  return h;
}

uint32_t LabelTable::find(const core::Labels& labels) const {
  if (labels.empty()) {
    return kEmpty;
  }
  const auto it = ids_.find(labels);
  return it == ids_.end() ? kNotFound : it->second;
}

uint32_t LabelTable::acquire(core::Labels&& labels) {
  if (labels.empty()) {
    return kEmpty;
  }
  const auto it = ids_.find(labels);
  if (it != ids_.end()) {
    ++entries_[it->second - 1].refs;
    return it->second;
  }
  uint32_t id = 0;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    entries_.emplace_back();
    id = static_cast<uint32_t>(entries_.size());
  }
  entries_[id - 1] = Entry{&ids_.emplace(std::move(labels), id).first->first, 1};
  return id;
}

void LabelTable::add_ref(uint32_t id) {
  if (id != kEmpty) {
    ++entries_[id - 1].refs;
  }
}

void LabelTable::release(uint32_t id) {
  if (id == kEmpty) {
    return;
  }
  Entry& e = entries_[id - 1];
  assert(e.refs > 0);
  if (--e.refs == 0) {
    ids_.erase(ids_.find(*e.labels));
    e = Entry{};
    free_.push_back(id);
  }
}

const core::Labels& LabelTable::get(uint32_t id) const {
  return id == kEmpty ? empty_labels() : *entries_[id - 1].labels;
}

}  // namespace kscale::store::detail
