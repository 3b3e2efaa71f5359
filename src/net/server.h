#pragma once
// net::Server: accepts HTTP/1.1 connections (plain and TLS) and runs one coroutine per
// connection (Beast's awaitable server shape), a member of the server's TaskGroup, that hands each
// request to an immutable Router; shuts down at once (stop) or gracefully (shutdown).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "core/errors.h"
#include "net/router.h"
#include "net/task_group.h"

namespace boost::asio::ssl {
class context;
}

namespace kscale::net {

struct Limits {
  std::chrono::seconds read_timeout{60};  // idle keep-alive connections are closed after this
  uint64_t body_limit = 4 * 1024 * 1024;  // bigger bodies get 413
  uint32_t header_limit = 64 * 1024;
};

/// What a listener knows of a connection's peer, for its request gate.
struct Peer {
  /// The certificates the client sent in the TLS handshake, leaf first, DER-encoded; empty on
  /// plain HTTP or when the client sent none. The same for every request of a connection.
  std::vector<std::string> certificates;
};

/// Runs before the router for every request of a listener that has one (delegated
/// authentication and authorization): nullopt lets the request through, as the gate may have
/// changed it (headers it consumed removed); a Response is sent instead of the router's.
using Gate = std::function<boost::asio::awaitable<std::optional<Response>>(Request&, const Peer&)>;

/// Per-listener options.
struct ListenOptions {
  /// SO_REUSEPORT: several processes (e.g. replicas of the sample app) bind the same address and
  /// port and the kernel spreads new connections over them. Every one of them must set it.
  bool reuse_port = false;
  /// TLS only: ask the client for a certificate in the handshake without requiring or verifying it
  /// there (k8s.io/apiserver's RequestClientCert), so that the gate can judge it.
  bool request_client_certificate = false;
  /// Null: every request goes straight to the router.
  Gate gate;
};

/// Runs `ioc` on `threads` threads, the caller's being one of them, until it has no more work
/// or is stopped.
void run_on_threads(boost::asio::io_context& ioc, unsigned threads);

class Server {
 public:
  /// A server with its own io_context, driven by run().
  Server(std::shared_ptr<const Router> router, Limits limits);
  /// A server on an application's io_context, which the application runs on `threads` threads
  /// (run() is not used). The io_context must outlive the server, and the server must not be
  /// destroyed before stop() or shutdown() has ended every connection.
  Server(boost::asio::io_context& ioc, std::shared_ptr<const Router> router, Limits limits,
         unsigned threads);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts accepting on address:port (port 0 = any free port); `tls` null = plain
  /// HTTP. Returns the bound port. Call before run().
  [[nodiscard]] core::Result<uint16_t> listen(const std::string& address, uint16_t port,
                                              std::shared_ptr<boost::asio::ssl::context> tls,
                                              ListenOptions options = {});

  /// Runs the own io_context on `threads` threads (the caller's thread is one of them) until
  /// stop() or shutdown() has ended every connection.
  void run(unsigned threads);
  /// Stops at once: stops accepting and abandons every connection (terminal cancellation); with
  /// an own io_context, run() returns once they have ended. Safe from any thread.
  void stop();
  /// Graceful shutdown, as Go's http.Server.Shutdown: stops accepting, closes idle connections
  /// at once, lets each request in progress be answered (its keep-alive connection is closed
  /// after the answer), and after `grace` abandons what is left (terminal cancellation).
  /// Completes when every connection has ended: true when all ended within `grace`. Run it on
  /// the server's io_context; with an own io_context, run() then returns.
  boost::asio::awaitable<bool> shutdown(std::chrono::steady_clock::duration grace);

  boost::asio::io_context& io_context() { return ioc_; }

 private:
  struct Listener;
  void end_run();

  std::unique_ptr<boost::asio::io_context> own_ioc_;  // null on an application's io_context
  boost::asio::io_context& ioc_;
  std::shared_ptr<const Router> router_;
  Limits limits_;
  // Accept loops and connections; declared after the io_context, whose timers it holds.
  TaskGroup tasks_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  // Set by run() (or the constructor) before the io_context runs; connections accepted then get
  // no strand.
  std::atomic<bool> single_threaded_{false};
  // Set by shutdown(): connections answer their current request with "Connection: close".
  std::atomic<bool> draining_{false};
};

}  // namespace kscale::net
