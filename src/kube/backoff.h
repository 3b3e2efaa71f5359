#pragma once
// kube::Backoff: the reflector's retry delays, as client-go's reflector sets them up
// (wait.Backoff{Duration: 800ms, Factor: 2, Jitter: 1.0, Cap: 30s}.DelayWithReset(clock, 2m)).

#include <chrono>
#include <functional>

#include "core/clock.h"

namespace kscale::kube {

struct BackoffPolicy {
  std::chrono::milliseconds initial{800};
  double factor = 2.0;
  double jitter = 1.0;  // adds up to jitter × delay
  std::chrono::milliseconds cap{30'000};
  std::chrono::milliseconds reset_after{120'000};
};

/// Not thread-safe (one per reflector).
class Backoff {
 public:
  /// `random` returns a uniform value in [0, 1); both it and `clock` must outlive the backoff.
  Backoff(BackoffPolicy policy, const core::Clock& clock, std::function<double()> random);

  /// The next delay: the base (initial, ×factor after each call, capped at `cap` before jitter as
  /// upstream's Backoff.Step does) plus jitter; back to `initial` when `reset_after` has passed
  /// since the previous call.
  std::chrono::milliseconds next();

 private:
  BackoffPolicy policy_;
  const core::Clock& clock_;
  std::function<double()> random_;
  std::chrono::milliseconds base_;
  bool called_ = false;
  core::MonotonicTime last_{};
};

}  // namespace kscale::kube
