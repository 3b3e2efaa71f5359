#pragma once
// api::ReadCache: encoded answers of custom-metrics reads, keyed by request target, reused for as
// long as the provider's data version proves that a new read would return the same bytes.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/custom_metrics_provider.h"
#include "core/string_hash.h"

namespace kscale::api {

/// Why it exists: the HPA (and every dashboard) polls the same few reads, and the store changes
/// far less often than it is read; encoding 100 items as JSON costs ~50x more than copying the
/// bytes of the previous answer.
///
/// An entry is served only while (see CustomMetricsProvider::data_version):
///   - the provider's generation is the one read before the answer was read (no write since),
///   - the provider's clock is not behind the time the answer was read (a clock stepped back
///     could make a value fresh again), and
///   - the clock has not passed the oldest value's timestamp + max_age (the first instant a
///     value of the answer would be dropped as stale).
/// Only non-empty successful answers are inserted: an empty answer or a NotFound can change
/// with time through data outside the answer (another namespace's values going stale).
///
/// Bounded by entry count and bytes; when an insert would exceed a bound the cache is emptied
/// (cheap, and a flood of distinct query strings cannot grow it). Thread-safe: one mutex, held
/// for a hash lookup and a shared_ptr copy.
class ReadCache {
 public:
  struct Limits {
    size_t max_entries = 1024;
    size_t max_body_bytes = 1 << 20;    // larger answers are not cached
    size_t max_total_bytes = 32 << 20;  // sum of cached bodies
  };

  ReadCache() : ReadCache(Limits{}) {}
  explicit ReadCache(Limits limits);
  ReadCache(const ReadCache&) = delete;
  ReadCache& operator=(const ReadCache&) = delete;

  /// The body cached for `target` when it is still current at `version`; null otherwise.
  std::shared_ptr<const std::string> find(std::string_view target,
                                          const DataVersion& version) const;

  /// Remembers `body`, the answer to `target` read after data_version() returned `before` and
  /// before it returned `after`; `oldest` is the oldest value timestamp in the answer. Does
  /// nothing when a write happened in between (the answer may mix states) or the body is too
  /// large.
  void insert(std::string_view target, std::shared_ptr<const std::string> body,
              const DataVersion& before, const DataVersion& after, core::SystemTime oldest);

  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const std::string> body;
    uint64_t generation = 0;
    core::SystemTime read_at;  // served only while the clock is at or after this
    core::SystemTime expires;  // ... and at or before this
  };

  Limits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry, core::StringHash, std::equal_to<>> entries_;
  size_t total_bytes_ = 0;
};

}  // namespace kscale::api
