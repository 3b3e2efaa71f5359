#pragma once
// app::Runtime: what every long-running application owns — its io_context (run on N threads), the
// TaskGroup of its background loops and the SIGTERM/SIGINT signal set — and the shutdown order:
// drain the servers, then cancel the loops, then run the application's after-loops hook, then return.

#include <chrono>
#include <functional>
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
  /// What an application adds to the shutdown; both optional.
  struct Hooks {
    /// Says that the shutdown began, on `signal` (0: stop()); by default logs "received signal N,
    /// shutting down" (or "shutting down").
    std::function<void(int signal)> announce;
    /// Runs after the loops have ended (or been abandoned), before run() returns: stops what must
    /// outlive the loops (LocalAutoscaler's replicas).
    std::function<boost::asio::awaitable<void>()> after_loops;
  };

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
  /// `drain_grace`), runs `hooks.after_loops` and returns the signal that started the shutdown
  /// (0 after stop()).
  int run(unsigned threads, std::vector<net::Server*> servers,
          std::chrono::milliseconds drain_grace, Hooks hooks = {});

  /// Starts the shutdown as a signal does; safe from any thread, before or during run().
  void stop();

 private:
  boost::asio::awaitable<void> shut_down(std::vector<net::Server*> servers,
                                         std::chrono::milliseconds grace, Hooks hooks);

  boost::asio::io_context ioc_;
  net::TaskGroup tasks_;
  // The signal set and the stop request are touched on this strand only.
  boost::asio::strand<boost::asio::io_context::executor_type> control_;
  boost::asio::signal_set signals_;
  bool stop_requested_ = false;
  int signal_ = 0;  // written on the strand before the io_context stops, read after run()
};

}  // namespace kscale::app
