#pragma once
// net::TaskGroup: the owner of every background coroutine of a server or application (sessions,
// scrape loops, reload and eviction loops, control loops), so that shutdown can cancel them all
// and wait until each has ended. Modelled on the Beast example's task_group (adapt/emit/async_wait)
// and userver's BackgroundTaskStorage.

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace kscale::net {

/// A member that should stop on a `total` cancellation opts in once at its start with
/// `co_await this_coro::reset_cancellation_state(enable_total_cancellation())`: a spawned
/// coroutine reacts only to `terminal` by default (Asio's co_spawn).
///
/// Thread-safe: spawn(), emit(), size() and async_wait() may be called from any thread.
/// Lifetime: the group must outlive its members (wait for it to be empty before destroying it);
/// whatever a member references must outlive the member.
class TaskGroup {
 public:
  explicit TaskGroup(boost::asio::any_io_executor executor);
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  /// Starts `task` on `executor` as a member of the group. An exception that escapes the task is
  /// logged with `name` (a member that fails does not take the others down). A member spawned
  /// after emit() receives what was emitted as soon as it starts, so that a group being shut down
  /// cannot gain members that never hear of it (a connection accepted during the emit).
  void spawn(boost::asio::any_io_executor executor, boost::asio::awaitable<void> task,
             std::string name);

  /// Asks every current member to stop: `total` makes its pending operation complete with
  /// operation_aborted (a loop then ends at its next wait), `terminal` also abandons operations
  /// that cannot be resumed (a half-written response). Delivered on each member's executor,
  /// because Asio's cancellation signals are not thread-safe.
  void emit(boost::asio::cancellation_type type);

  /// Members still running.
  std::size_t size() const;

  /// Completes (with no error) once the group is empty; supports total cancellation
  /// (completes with operation_aborted), so it can be raced against a timer.
  template <class CompletionToken>
  auto async_wait(CompletionToken&& token) {
    return boost::asio::async_compose<CompletionToken, void(boost::system::error_code)>(
        [this, scheduled = false](auto&& self, boost::system::error_code ec = {}) mutable {
          if (!scheduled) {
            self.reset_cancellation_state(boost::asio::enable_total_cancellation());
          }
          if (!self.cancelled() && ec == boost::asio::error::operation_aborted) {
            ec = {};  // the timer was cancelled because the group became empty
          }
          {
            std::lock_guard lock(mutex_);
            if (!members_.empty() && !ec) {
              scheduled = true;
              return empty_.async_wait(std::move(self));
            }
          }
          if (!std::exchange(scheduled, true)) {
            return boost::asio::post(boost::asio::append(std::move(self), ec));
          }
          self.complete(ec);
        },
        token, empty_);
  }

  /// Waits until the group is empty or `timeout` has passed; true when empty.
  boost::asio::awaitable<bool> wait_for(std::chrono::steady_clock::duration timeout);

 private:
  struct Member {
    boost::asio::any_io_executor executor;
    std::shared_ptr<boost::asio::cancellation_signal> signal;
  };
  void remove(std::list<Member>::iterator member);

  mutable std::mutex mutex_;
  // Never expires: cancelled to wake async_wait when the last member ends (a condition variable
  // for coroutines).
  boost::asio::steady_timer empty_;
  std::list<Member> members_;
  boost::asio::cancellation_type emitted_ =
      boost::asio::cancellation_type::none;  // every type emitted so far
};

}  // namespace kscale::net
