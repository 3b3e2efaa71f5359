#include "kube/rate_limiter.h"

#include <algorithm>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "net/asio_tokens.h"

namespace kscale::kube {

namespace asio = boost::asio;

RateLimiter::RateLimiter(double qps, int burst, const core::Clock& clock)
    : qps_(qps),
      burst_(std::max(burst, 1)),
      clock_(clock),
      tokens_(static_cast<double>(burst_)),
      last_(clock.monotonic_now()) {}

// Upstream: golang.org/x/time/rate Limiter.reserveN (what client-go's tokenBucketRateLimiter.Wait
// calls): refill for the time elapsed, cap at the burst, take one token; a negative balance is
// the wait, so later callers queue behind earlier ones.
std::chrono::nanoseconds RateLimiter::reserve() {
  if (qps_ <= 0) {
    return std::chrono::nanoseconds{0};
  }
  std::lock_guard lock(mutex_);
  const auto now = std::max(clock_.monotonic_now(), last_);
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(static_cast<double>(burst_), tokens_ + elapsed * qps_);
  last_ = now;
  tokens_ -= 1;
  if (tokens_ >= 0) {
    return std::chrono::nanoseconds{0};
  }
  return std::chrono::nanoseconds{static_cast<int64_t>(-tokens_ / qps_ * 1e9)};
}

asio::awaitable<void> RateLimiter::wait() {
  const auto delay = reserve();
  if (delay.count() == 0) {
    co_return;
  }
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, delay);
  auto [ec] = co_await timer.async_wait(net::use_nothrow);
  (void)ec;  // cancelled: the caller sees its own cancellation state
}

}  // namespace kscale::kube
