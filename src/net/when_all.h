#pragma once
// net::when_all: runs awaitables concurrently on the calling coroutine's executor and returns
// their results in order (Asio's ranged parallel_group, wait_for_all).

#include <exception>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kscale::net {

/// Awaits every task; the i-th result is the i-th task's. T must be default-constructible. A
/// task that throws rethrows here after all have ended. Cancelling the caller cancels them all.
template <class T>
boost::asio::awaitable<std::vector<T>> when_all(std::vector<boost::asio::awaitable<T>> tasks) {
  namespace asio = boost::asio;
  auto executor = co_await asio::this_coro::executor;
  using Op = decltype(asio::co_spawn(executor, std::declval<asio::awaitable<T>>(), asio::deferred));
  std::vector<Op> ops;
  ops.reserve(tasks.size());
  for (auto& task : tasks) {
    ops.push_back(asio::co_spawn(executor, std::move(task), asio::deferred));
  }
  if (ops.empty()) {
    co_return std::vector<T>{};
  }
  auto [order, exceptions, values] =
      co_await asio::experimental::make_parallel_group(std::move(ops))
          .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (const auto& e : exceptions) {
    if (e) {
      std::rethrow_exception(e);
    }
  }
  co_return std::move(values);
}

}  // namespace kscale::net
