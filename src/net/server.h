#pragma once
// net::Server: accepts HTTP/1.1 connections (plain and TLS) and runs one coroutine per
// connection (Beast's awaitable server shape) that hands each request to an immutable Router.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "core/errors.h"
#include "net/router.h"

namespace boost::asio::ssl {
class context;
}

namespace kscale::net {

struct Limits {
  std::chrono::seconds read_timeout{60};  // idle keep-alive connections are closed after this
  uint64_t body_limit = 4 * 1024 * 1024;  // bigger bodies get 413
  uint32_t header_limit = 64 * 1024;
};

/// Per-listener socket options.
struct ListenOptions {
  /// SO_REUSEPORT: several processes (e.g. replicas of the sample app) bind the same address and
  /// port and the kernel spreads new connections over them. Every one of them must set it.
  bool reuse_port = false;
};

class Server {
 public:
  Server(std::shared_ptr<const Router> router, Limits limits);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts accepting on address:port (port 0 = any free port); `tls` null = plain
  /// HTTP. Returns the bound port. Call before run().
  [[nodiscard]] core::Result<uint16_t> listen(const std::string& address, uint16_t port,
                                              std::shared_ptr<boost::asio::ssl::context> tls,
                                              ListenOptions options = {});

  /// Runs the I/O on `threads` threads (the caller's thread is one of them) until stop().
  void run(unsigned threads);
  /// Stops accepting and ends run(); safe from any thread or a signal handler's strand.
  void stop();

  boost::asio::io_context& io_context() { return ioc_; }

 private:
  struct Listener;
  boost::asio::io_context ioc_;
  std::shared_ptr<const Router> router_;
  Limits limits_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  // Set by run() before the io_context runs; connections accepted then get no strand.
  std::atomic<bool> single_threaded_{false};
};

}  // namespace kscale::net
