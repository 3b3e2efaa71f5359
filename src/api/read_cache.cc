#include "api/read_cache.h"

namespace kscale::api {

namespace {

// The last instant a value stamped `oldest` is still served: oldest + max_age, saturating.
core::SystemTime expiry(core::SystemTime oldest, std::chrono::seconds max_age) {
  if (max_age.count() <= 0) {
    return core::SystemTime::max();
  }
  const auto age = std::chrono::duration_cast<core::SystemTime::duration>(max_age);
  if (oldest > core::SystemTime::max() - age) {
    return core::SystemTime::max();
  }
  return oldest + age;
}

}  // namespace

ReadCache::ReadCache(Limits limits) : limits_(limits) {}

std::shared_ptr<const std::string> ReadCache::find(std::string_view target,
                                                   const DataVersion& version) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(target);
  if (it == entries_.end()) {
    return nullptr;
  }
  const Entry& e = it->second;
  if (e.generation != version.generation || version.now < e.read_at || version.now > e.expires) {
    return nullptr;
  }
  return e.body;
}

void ReadCache::insert(std::string_view target, std::shared_ptr<const std::string> body,
                       const DataVersion& before, const DataVersion& after,
                       core::SystemTime oldest) {
  if (before.generation != after.generation || body == nullptr ||
      body->size() > limits_.max_body_bytes || limits_.max_entries == 0) {
    return;
  }
  Entry entry{std::move(body), after.generation, after.now, expiry(oldest, after.max_age)};
  std::lock_guard lock(mutex_);
  auto it = entries_.find(target);
  if (it != entries_.end()) {
    if (it->second.generation > entry.generation) {
      return;  // a concurrent read already cached a newer answer
    }
    total_bytes_ -= it->second.body->size();
    total_bytes_ += entry.body->size();
    it->second = std::move(entry);
    return;
  }
  if (entries_.size() >= limits_.max_entries ||
      total_bytes_ + entry.body->size() > limits_.max_total_bytes) {
    entries_.clear();
    total_bytes_ = 0;
  }
  total_bytes_ += entry.body->size();
  entries_.emplace(std::string(target), std::move(entry));
}

size_t ReadCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace kscale::api
