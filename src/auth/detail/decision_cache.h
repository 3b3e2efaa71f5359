#pragma once
// The webhook authorizer's response cache: apimachinery's util/cache.LRUExpireCache (8192
// entries, a TTL per entry) keyed by the serialized SubjectAccessReview spec.

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/detail/subject_access_review.h"
#include "core/clock.h"
#include "core/string_hash.h"

namespace kscale::auth::detail {

/// Thread-safe. An entry past its expiry is removed when read; the least recently used entry is
/// evicted when a new key would exceed the capacity.
class DecisionCache {
 public:
  explicit DecisionCache(size_t capacity) : capacity_(capacity) {}

  std::optional<SarStatus> get(std::string_view key, core::MonotonicTime now);
  void put(std::string key, SarStatus status, core::MonotonicTime expires);

 private:
  struct Entry {
    std::string key;
    SarStatus status;
    core::MonotonicTime expires;
  };
  using Lru = std::list<Entry>;  // most recently used first

  size_t capacity_;
  std::mutex mutex_;
  Lru lru_;
  std::unordered_map<std::string_view, Lru::iterator, core::StringHash, std::equal_to<>> index_;
};

}  // namespace kscale::auth::detail
