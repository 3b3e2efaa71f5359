#pragma once
// store::SampleHistory: the last N samples of one counter series, kept by a scraper so that
// rate() can be computed over a window (store/rate.h). Fixed capacity, no allocation.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/clock.h"
#include "store/rate.h"

namespace kscale::store {

/// Holds up to Capacity samples in time order; appending to a full history drops the oldest.
/// The samples stay contiguous and oldest-first (samples() is the span rate() takes), so a full
/// append shifts Capacity-1 samples: a few hundred bytes at the capacities a scrape window needs
/// (a 2m window at a 10s interval is 13 samples). Not thread-safe: one owner per series.
template <std::size_t Capacity>
class SampleHistory {
  static_assert(Capacity >= 2, "rate() needs two samples");
  static_assert(Capacity <= 4096, "a history is meant to be small");

 public:
  static constexpr std::size_t capacity() { return Capacity; }

  /// Appends a sample. A sample not strictly newer than the newest held is refused (returns
  /// false, nothing changes), as Prometheus refuses out-of-order and duplicate timestamps.
  bool append(CounterSample s) {
    if (size_ > 0 && !(buf_[size_ - 1].t < s.t)) {
      return false;
    }
    if (size_ == Capacity) {
      std::copy(buf_.begin() + 1, buf_.end(), buf_.begin());
      --size_;
    }
    buf_[size_++] = s;
    return true;
  }

  /// Removes every sample at or before `t` (e.g. older than the longest window in use).
  void drop_through(core::SystemTime t) {
    const auto keep = std::partition_point(buf_.begin(), buf_.begin() + size_,
                                           [&](const CounterSample& s) { return s.t <= t; });
    const auto dropped = static_cast<uint32_t>(keep - buf_.begin());
    std::copy(keep, buf_.begin() + size_, buf_.begin());
    size_ -= dropped;
  }

  void clear() { size_ = 0; }

  /// Oldest first, strictly increasing t. Invalidated by the next append/drop_through/clear.
  std::span<const CounterSample> samples() const { return {buf_.data(), size_}; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  /// The newest sample, if any.
  std::optional<CounterSample> newest() const {
    if (size_ == 0) {
      return std::nullopt;
    }
    return buf_[size_ - 1];
  }

  /// PromQL rate() over the held samples for the range (range_start, range_end].
  std::optional<double> rate(core::SystemTime range_start, core::SystemTime range_end) const {
    return store::rate(samples(), range_start, range_end);
  }

 private:
  std::array<CounterSample, Capacity> buf_{};
  uint32_t size_ = 0;
};

}  // namespace kscale::store
