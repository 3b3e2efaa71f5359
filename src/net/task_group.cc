#include "net/task_group.h"

#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace kscale::net {

namespace asio = boost::asio;

TaskGroup::TaskGroup(asio::any_io_executor executor)
    : empty_(std::move(executor), asio::steady_timer::time_point::max()) {}

void TaskGroup::spawn(asio::any_io_executor executor, asio::awaitable<void> task,
                      std::string name) {
  std::list<Member>::iterator member;
  auto signal = std::make_shared<asio::cancellation_signal>();
  asio::cancellation_type emitted = asio::cancellation_type::none;
  {
    std::lock_guard lock(mutex_);
    member = members_.insert(members_.end(), Member{executor, signal});
    emitted = emitted_;
  }
  auto slot = signal->slot();
  auto on_end = [this, member, name = std::move(name)](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        spdlog::error("{} ended with an error: {}", name, e.what());
      }
    }
    remove(member);
  };
  asio::co_spawn(executor, std::move(task), asio::bind_cancellation_slot(slot, std::move(on_end)));
  if (emitted != asio::cancellation_type::none) {
    // Posted after the task's start, so it reaches the task's first wait.
    asio::post(executor, [signal = std::move(signal), emitted] { signal->emit(emitted); });
  }
}

void TaskGroup::remove(std::list<Member>::iterator member) {
  std::lock_guard lock(mutex_);
  members_.erase(member);
  if (members_.empty()) {
    empty_.cancel();
  }
}

void TaskGroup::emit(asio::cancellation_type type) {
  std::lock_guard lock(mutex_);
  emitted_ = emitted_ | type;
  for (const auto& m : members_) {
    asio::post(m.executor, [signal = m.signal, type] { signal->emit(type); });
  }
}

std::size_t TaskGroup::size() const {
  std::lock_guard lock(mutex_);
  return members_.size();
}

asio::awaitable<bool> TaskGroup::wait_for(std::chrono::steady_clock::duration timeout) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer deadline(co_await asio::this_coro::executor, timeout);
  co_await (async_wait(asio::as_tuple(asio::use_awaitable)) ||
            deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
  co_return size() == 0;
}

}  // namespace kscale::net
