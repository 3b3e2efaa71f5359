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

namespace {

// Waits for a signal (or stop(), which cancels the wait), then shuts down in order (Beast's
// handle_signals: stop accepting, drain, cancel). `runtime` and `signals` outlive the io_context's run.
asio::awaitable<void> await_shutdown(asio::signal_set* signals, const bool* stop_requested,
                                     net::TaskGroup* tasks, asio::io_context* ioc,
                                     std::vector<net::Server*> servers,
                                     std::chrono::milliseconds grace) {
  boost::system::error_code ec = asio::error::operation_aborted;
  int sig = 0;
  if (!*stop_requested) {
    auto [wait_ec, wait_sig] = co_await signals->async_wait(asio::as_tuple(asio::use_awaitable));
    ec = wait_ec;
    sig = wait_sig;
  }
  if (!ec) {
    spdlog::info("received signal {}, shutting down", sig);
  } else {
    spdlog::info("shutting down");
  }
  for (net::Server* server : servers) {
    co_await server->shutdown(grace);
  }
  tasks->emit(asio::cancellation_type::total);
  if (!co_await tasks->wait_for(grace)) {
    spdlog::warn(
        "{} background loop(s) still running after the shutdown grace period: abandoning them",
        tasks->size());
    tasks->emit(asio::cancellation_type::terminal);
    co_await tasks->wait_for(grace);
  }
  ioc->stop();
}

}  // namespace

Runtime::Runtime()
    : tasks_(ioc_.get_executor()),
      control_(ioc_.get_executor()),
      signals_(control_, SIGINT, SIGTERM) {}

void Runtime::spawn(asio::awaitable<void> loop, std::string name) {
  tasks_.spawn(asio::make_strand(ioc_), std::move(loop), std::move(name));
}

void Runtime::run(unsigned threads, std::vector<net::Server*> servers,
                  std::chrono::milliseconds grace) {
  auto on_end = [](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        spdlog::error("shutdown failed: {}", e.what());
      }
    }
  };
  asio::co_spawn(
      control_,
      await_shutdown(&signals_, &stop_requested_, &tasks_, &ioc_, std::move(servers), grace),
      on_end);
  net::run_on_threads(ioc_, threads);
}

void Runtime::stop() {
  asio::post(control_, [this] {
    stop_requested_ = true;
    signals_.cancel();
  });
}

}  // namespace kscale::app
