#include "net/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include "net/asio_tokens.h"
#include "net/detail/session.h"

namespace kscale::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct Server::Listener {
  explicit Listener(asio::io_context& ioc) : acceptor(ioc) {}
  tcp::acceptor acceptor;
  std::shared_ptr<asio::ssl::context> tls;
};

namespace {

// Asio has no named option for SO_REUSEPORT (Linux 3.9+); this is how its own options are made.
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// The accept loop; the Listener and `single_threaded` are owned by the Server, which outlives
// io_context::run().
asio::awaitable<void> accept_loop(tcp::acceptor* acceptor, std::shared_ptr<asio::ssl::context> tls,
                                  std::shared_ptr<const Router> router, Limits limits,
                                  const std::atomic<bool>* single_threaded) {
  for (;;) {
    // A connection's operations (and its stream's timeout timer) need a strand only when several
    // threads run the io_context. Why skip it on one thread: the strand costs a queue and lock
    // per completion, and a strand held in an any_io_executor is a heap-allocated, ref-counted
    // target copied on every async operation — about a tenth of a small request's CPU time.
    // The executor is a named local, not a temporary inside the co_await expression: GCC 12
    // destroys such a temporary (here, the conditional's result) before the suspended accept
    // uses it, which left sockets on a dangling executor (see e11e2a5).
    const asio::any_io_executor executor =
        single_threaded->load(std::memory_order_relaxed)
            ? acceptor->get_executor()
            : asio::any_io_executor(asio::make_strand(acceptor->get_executor()));
    auto [ec, socket] = co_await acceptor->async_accept(executor, use_nothrow);
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) {
      co_return;
    }
    if (ec) {
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto socket_executor = socket.get_executor();
    beast::tcp_stream stream(std::move(socket));
    if (tls) {
      asio::co_spawn(socket_executor,
                     detail::run_session(beast::ssl_stream<beast::tcp_stream>(std::move(stream), *tls),
                                         router, limits),
                     asio::detached);
    } else {
      asio::co_spawn(socket_executor, detail::run_session(std::move(stream), router, limits), asio::detached);
    }
  }
}

}  // namespace

Server::Server(std::shared_ptr<const Router> router, Limits limits)
    : router_(std::move(router)), limits_(limits) {}

Server::~Server() = default;

core::Result<uint16_t> Server::listen(const std::string& address, uint16_t port,
                                      std::shared_ptr<asio::ssl::context> tls, ListenOptions options) {
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(address, ec);
  if (ec) {
    return core::fail(core::Error::bad_request("invalid bind address \"" + address + "\": " + ec.message()));
  }
  auto listener = std::make_unique<Listener>(ioc_);
  const tcp::endpoint endpoint{addr, port};
  listener->acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    listener->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec && options.reuse_port) {
    listener->acceptor.set_option(ReusePort(true), ec);
  }
  if (!ec) {
    listener->acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    listener->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return core::fail(core::Error::internal("cannot listen on " + address + ":" + std::to_string(port) +
                                            ": " + ec.message()));
  }
  const uint16_t bound = listener->acceptor.local_endpoint().port();
  listener->tls = tls;
  asio::co_spawn(ioc_, accept_loop(&listener->acceptor, std::move(tls), router_, limits_, &single_threaded_),
                 asio::detached);
  listeners_.push_back(std::move(listener));
  return bound;
}

void Server::run(unsigned threads) {
  single_threaded_.store(threads <= 1, std::memory_order_relaxed);
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) {
    pool.emplace_back([this] { ioc_.run(); });
  }
  ioc_.run();
  for (auto& t : pool) {
    t.join();
  }
}

void Server::stop() {
  asio::post(ioc_, [this] {
    for (auto& l : listeners_) {
      boost::system::error_code ignored;
      l->acceptor.close(ignored);
    }
    ioc_.stop();
  });
}

}  // namespace kscale::net
