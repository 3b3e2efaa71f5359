#pragma once
// Test support: wait on a condition with a bounded deadline instead of sleeping for a guessed
// time. Integration tests poll what the program under test shows (an answer, a file, a log line).

#include <chrono>
#include <thread>

namespace kscale::testing {

/// Calls `condition` until it returns true or `timeout` has passed, pausing `poll` between calls.
/// Returns whether the condition held; on a timeout the caller's assertion fails.
template <class Condition>
bool wait_until(Condition condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = std::chrono::milliseconds(100)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(poll);
  }
  return true;
}

}  // namespace kscale::testing
