#include "kube/backoff.h"

#include <algorithm>

namespace kscale::kube {

Backoff::Backoff(BackoffPolicy policy, const core::Clock& clock, std::function<double()> random)
    : policy_(policy), clock_(clock), random_(std::move(random)), base_(policy.initial) {}

// Upstream: k8s.io/apimachinery pkg/util/wait backoff.go, Backoff.Step and DelayWithReset: the
// delay is the current base plus up to jitter × base; the base then grows by the factor up to
// the cap (so a jittered delay may exceed the cap); a call after reset_after without one starts
// over.
std::chrono::milliseconds Backoff::next() {
  const auto now = clock_.monotonic_now();
  if (called_ && now - last_ >= policy_.reset_after) {
    base_ = policy_.initial;
  }
  called_ = true;
  last_ = now;
  const auto delay = base_;
  const auto grown = std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(
      static_cast<double>(base_.count()) * policy_.factor));
  base_ = std::min(grown, policy_.cap);
  const double jitter = policy_.jitter > 0 ? random_() * policy_.jitter : 0.0;
  return delay + std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(
                     static_cast<double>(delay.count()) * jitter));
}

}  // namespace kscale::kube
