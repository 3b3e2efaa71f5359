#include "net/task_group.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kscale::net {
namespace {

namespace asio = boost::asio;
using std::chrono::hours;
using std::chrono::milliseconds;

// A loop that waits for an hour unless cancelled; records how it ended.
asio::awaitable<void> sleeper(bool accept_total, bool* cancelled) {
  if (accept_total) {
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  }
  asio::steady_timer timer(co_await asio::this_coro::executor, hours(1));
  auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  *cancelled = ec == asio::error::operation_aborted;
}

asio::awaitable<void> thrower() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  throw std::runtime_error("boom");
}

TEST(TaskGroupTest, TotalCancellationStopsMembersThatOptIn) {
  asio::io_context ioc;
  TaskGroup group(ioc.get_executor());
  bool a = false;
  bool b = false;
  group.spawn(ioc.get_executor(), sleeper(true, &a), "a");
  group.spawn(ioc.get_executor(), sleeper(true, &b), "b");
  EXPECT_EQ(group.size(), 2u);
  std::optional<bool> drained;
  auto shutdown = [](TaskGroup* g, std::optional<bool>* out) -> asio::awaitable<void> {
    g->emit(asio::cancellation_type::total);
    *out = co_await g->wait_for(std::chrono::seconds(5));
  };
  asio::co_spawn(ioc, shutdown(&group, &drained), asio::detached);
  ioc.run_for(std::chrono::seconds(10));
  ASSERT_TRUE(drained.has_value());
  EXPECT_TRUE(*drained);
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
  EXPECT_EQ(group.size(), 0u);
}

TEST(TaskGroupTest, WaitForTimesOutWhileAMemberIgnoresTotalThenTerminalEndsIt) {
  asio::io_context ioc;
  TaskGroup group(ioc.get_executor());
  bool ignores_total = false;
  group.spawn(ioc.get_executor(), sleeper(false, &ignores_total), "ignores_total");
  std::optional<bool> after_total;
  std::optional<bool> after_terminal;
  auto shutdown = [](TaskGroup* g, std::optional<bool>* total,
                     std::optional<bool>* terminal) -> asio::awaitable<void> {
    g->emit(asio::cancellation_type::total);
    *total = co_await g->wait_for(milliseconds(100));
    g->emit(asio::cancellation_type::terminal);
    *terminal = co_await g->wait_for(std::chrono::seconds(5));
  };
  asio::co_spawn(ioc, shutdown(&group, &after_total, &after_terminal), asio::detached);
  ioc.run_for(std::chrono::seconds(10));
  ASSERT_TRUE(after_total && after_terminal);
  EXPECT_FALSE(*after_total);
  EXPECT_TRUE(*after_terminal);
  EXPECT_TRUE(ignores_total);
}

TEST(TaskGroupTest, AMemberThatThrowsLeavesTheGroup) {
  asio::io_context ioc;
  TaskGroup group(ioc.get_executor());
  group.spawn(ioc.get_executor(), thrower(), "thrower");
  ioc.run_for(std::chrono::seconds(5));
  EXPECT_EQ(group.size(), 0u);
}

TEST(TaskGroupTest, WaitOnAnEmptyGroupCompletesAtOnce) {
  asio::io_context ioc;
  TaskGroup group(ioc.get_executor());
  std::optional<bool> drained;
  auto wait = [](TaskGroup* g, std::optional<bool>* out) -> asio::awaitable<void> {
    *out = co_await g->wait_for(hours(1));
  };
  asio::co_spawn(ioc, wait(&group, &drained), asio::detached);
  ioc.run_for(std::chrono::seconds(5));
  ASSERT_TRUE(drained.has_value());
  EXPECT_TRUE(*drained);
}

}  // namespace
}  // namespace kscale::net
