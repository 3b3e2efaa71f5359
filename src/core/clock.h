#pragma once
// core::Clock: the one seam through which stateful code reads time (STYLE.md §6). RealClock in
// production; ManualClock in tests and in `kscale simulate`.

#include <atomic>
#include <chrono>

namespace kscale::core {

using SystemTime = std::chrono::system_clock::time_point;
using MonotonicTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  /// Wall-clock time, for timestamps shown to users. Thread-safe.
  virtual SystemTime system_now() const = 0;
  /// Monotonic time, for intervals, TTL and timeouts. Thread-safe.
  virtual MonotonicTime monotonic_now() const = 0;
};

class RealClock final : public Clock {
 public:
  // core::Clock
  SystemTime system_now() const override;
  MonotonicTime monotonic_now() const override;
};

/// A clock that moves only when told to; both time lines advance together. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(SystemTime start = SystemTime{std::chrono::seconds{1'700'000'000}})
      : system_(start.time_since_epoch().count()) {}

  void advance(std::chrono::nanoseconds d) {
    const auto ticks = std::chrono::duration_cast<SystemTime::duration>(d).count();
    system_.fetch_add(ticks);
    monotonic_.fetch_add(std::chrono::duration_cast<MonotonicTime::duration>(d).count());
  }
  void set_system(SystemTime t) { system_.store(t.time_since_epoch().count()); }

  // core::Clock
  SystemTime system_now() const override {
    return SystemTime{SystemTime::duration{system_.load()}};
  }
  MonotonicTime monotonic_now() const override {
    return MonotonicTime{MonotonicTime::duration{monotonic_.load()}};
  }

 private:
  std::atomic<SystemTime::duration::rep> system_;
  std::atomic<MonotonicTime::duration::rep> monotonic_{0};
};

}  // namespace kscale::core
