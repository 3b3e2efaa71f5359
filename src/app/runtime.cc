#include "app/runtime.h"

#include <csignal>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace kscale::app {

namespace asio = boost::asio;

// Waits for a signal (or stop(), which cancels the wait), then shuts down in order (Beast's
// handle_signals: stop accepting, drain, cancel). Runs on control_.
asio::awaitable<void> Runtime::shut_down(std::vector<net::Server*> servers,
                                         std::chrono::milliseconds grace, Hooks hooks) {
  if (!stop_requested_) {
    auto [ec, sig] = co_await signals_.async_wait(asio::as_tuple(asio::use_awaitable));
    signal_ = ec ? 0 : sig;
  }
  if (hooks.announce) {
    hooks.announce(signal_);
  } else if (signal_ != 0) {
    spdlog::info("received signal {}, shutting down", signal_);
  } else {
    spdlog::info("shutting down");
  }
  for (net::Server* server : servers) {
    co_await server->shutdown(grace);
  }
  tasks_.emit(asio::cancellation_type::total);
  if (!co_await tasks_.wait_for(grace)) {
    spdlog::warn(
        "{} background loop(s) still running after the shutdown grace period: abandoning them",
        tasks_.size());
    tasks_.emit(asio::cancellation_type::terminal);
    co_await tasks_.wait_for(grace);
  }
  if (hooks.after_loops) {
    co_await hooks.after_loops();
  }
  ioc_.stop();
}

Runtime::Runtime()
    : tasks_(ioc_.get_executor()),
      control_(ioc_.get_executor()),
      signals_(control_, SIGINT, SIGTERM) {}

void Runtime::spawn(asio::awaitable<void> loop, std::string name) {
  tasks_.spawn(asio::make_strand(ioc_), std::move(loop), std::move(name));
}

int Runtime::run(unsigned threads, std::vector<net::Server*> servers,
                 std::chrono::milliseconds grace, Hooks hooks) {
  auto on_end = [this](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        spdlog::error("shutdown failed: {}", e.what());
      }
      ioc_.stop();
    }
  };
  asio::co_spawn(control_, shut_down(std::move(servers), grace, std::move(hooks)), on_end);
  net::run_on_threads(ioc_, threads);
  return signal_;
}

void Runtime::stop() {
  asio::post(control_, [this] {
    stop_requested_ = true;
    signals_.cancel();
  });
}

}  // namespace kscale::app
