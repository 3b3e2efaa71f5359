#pragma once
// app::Runtime: what every long-running application owns — its io_context (run on N threads), the
// TaskGroup of its background loops and the SIGTERM/SIGINT signal set — and the shutdown order:
// drain the servers, then cancel the loops, then return.

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>

#include "net/server.h"
#include "net/task_group.h"

namespace kscale::app {

class Runtime {
 public:
  Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  boost::asio::io_context& io_context() { return ioc_; }
  net::TaskGroup& tasks() { return tasks_; }

  /// Starts a background loop as a member of tasks(); it should opt into total cancellation.
  void spawn(boost::asio::awaitable<void> loop, std::string name);

  /// Runs the io_context on `threads` threads (the caller's is one) until SIGTERM, SIGINT or
  /// stop(); then shuts each of `servers` (on this io_context) down gracefully, letting requests
  /// in progress finish for up to `drain_grace`, cancels the loops (total, then terminal after
  /// `drain_grace`) and returns.
  void run(unsigned threads, std::vector<net::Server*> servers,
           std::chrono::milliseconds drain_grace);

  /// Starts the shutdown as a signal does; safe from any thread, before or during run().
  void stop();

 private:
  boost::asio::io_context ioc_;
  net::TaskGroup tasks_;
  // The signal set and the stop request are touched on this strand only.
  boost::asio::strand<boost::asio::io_context::executor_type> control_;
  boost::asio::signal_set signals_;
  bool stop_requested_ = false;
};

}  // namespace kscale::app
