#pragma once
// kube::RateLimiter: client-side request rate limit (--client-qps/--client-burst), the token
// bucket of client-go's util/flowcontrol (golang.org/x/time/rate under it), awaitable on Asio.

#include <chrono>
#include <mutex>

#include <boost/asio/awaitable.hpp>

#include "core/clock.h"

namespace kscale::kube {

/// A bucket of `burst` tokens, full at start, refilled at `qps` per second; each request takes
/// one, waiting for it when the bucket is empty (rate.Limiter.Wait: a reservation, so waiters are
/// served in arrival order). `qps` ≤ 0 means no limit (client-go builds no limiter then).
/// Thread-safe; `clock` must outlive the limiter.
class RateLimiter {
 public:
  RateLimiter(double qps, int burst, const core::Clock& clock);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  /// Takes a token now and returns how long its holder must wait before using it (zero when the
  /// bucket had one).
  std::chrono::nanoseconds reserve();

  /// reserve(), then waits that long on a timer of the calling coroutine's executor. A
  /// cancelled wait completes at once (the token is not returned, unlike rate.Limiter).
  boost::asio::awaitable<void> wait();

  double qps() const { return qps_; }
  int burst() const { return burst_; }

 private:
  const double qps_;
  const int burst_;
  const core::Clock& clock_;
  std::mutex mutex_;
  double tokens_;
  core::MonotonicTime last_;
};

}  // namespace kscale::kube
