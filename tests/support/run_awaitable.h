#pragma once
// run_awaitable: runs a coroutine to completion on a test's io_context, bounded in time (the idea
// behind userver's UTEST; STYLE.md §12).

#include <chrono>
#include <future>
#include <stdexcept>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace kscale::testing {

/// Runs `task` on `ioc` until it completes or `limit` passes; the limit is a safety net for a
/// hung test, not a timing assertion. Objects the task uses must outlive `ioc`'s run.
template <class T>
T run_awaitable(boost::asio::io_context& ioc, boost::asio::awaitable<T> task,
                std::chrono::steady_clock::duration limit = std::chrono::seconds(60)) {
  auto future = boost::asio::co_spawn(ioc, std::move(task), boost::asio::use_future);
  ioc.restart();
  ioc.run_for(limit);
  if (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    throw std::runtime_error("run_awaitable: the task did not complete in time");
  }
  return future.get();
}

}  // namespace kscale::testing
