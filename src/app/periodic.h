#pragma once
// app::every: a background loop that calls a function on a fixed period until the task group's
// total cancellation, replacing the callback timers each loop used to re-arm by hand.

#include <chrono>
#include <functional>

#include <boost/asio/awaitable.hpp>

namespace kscale::app {

/// Calls `tick` every `period` (first after one period). Spawn it into a Runtime; `tick` runs on
/// the loop's strand and whatever it references must outlive the loop.
boost::asio::awaitable<void> every(std::chrono::milliseconds period, std::function<void()> tick);

}  // namespace kscale::app
