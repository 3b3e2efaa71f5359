#include "auth/detail/decision_cache.h"

namespace kscale::auth::detail {

// Upstream: apimachinery pkg/util/cache/lruexpirecache.go Get — an expired entry is removed.
std::optional<SarStatus> DecisionCache::get(std::string_view key, core::MonotonicTime now) {
  std::lock_guard lock(mutex_);
  const auto it = index_.find(key);
  if (it == index_.end()) {
    return std::nullopt;
  }
  if (now > it->second->expires) {
    const auto entry = it->second;
    index_.erase(it);  // first: the index's key views the entry's string
    lru_.erase(entry);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->status;
}

// Upstream: LRUExpireCache.Add — replaces an entry of the same key, evicts the oldest when full.
void DecisionCache::put(std::string key, SarStatus status, core::MonotonicTime expires) {
  std::lock_guard lock(mutex_);
  if (const auto it = index_.find(key); it != index_.end()) {
    it->second->status = std::move(status);
    it->second->expires = expires;
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  if (capacity_ == 0) {
    return;
  }
  if (lru_.size() >= capacity_) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front(Entry{std::move(key), std::move(status), expires});
  index_.emplace(lru_.front().key, lru_.begin());
}

}  // namespace kscale::auth::detail
