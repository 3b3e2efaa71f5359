#include "net/server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>

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
  ListenOptions options;  // read by its connections, which end before the Listener
};

namespace {

// Asio has no named option for SO_REUSEPORT (Linux 3.9+); this is how its own options are made.
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// The accept loop, a member of the server's TaskGroup that ends on any cancellation (closing its
// acceptor). The Listener, `tasks` and the flags are owned by the Server, which outlives its
// TaskGroup's members.
asio::awaitable<void> accept_loop(tcp::acceptor* acceptor, std::shared_ptr<asio::ssl::context> tls,
                                  std::shared_ptr<const Router> router, Limits limits,
                                  TaskGroup* tasks, const std::atomic<bool>* single_threaded,
                                  const std::atomic<bool>* draining, const ListenOptions* options) {
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  co_await asio::this_coro::throw_if_cancelled(false);
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
            ? asio::any_io_executor(acceptor->get_executor())
            : asio::any_io_executor(asio::make_strand(acceptor->get_executor()));
    auto [ec, socket] = co_await acceptor->async_accept(executor, use_nothrow);
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) {
      break;
    }
    if (ec) {
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto socket_executor = socket.get_executor();
    beast::tcp_stream stream(std::move(socket));
    if (tls) {
      tasks->spawn(
          socket_executor,
          detail::run_session(beast::ssl_stream<beast::tcp_stream>(std::move(stream), *tls), router,
                              limits, draining, options),
          "HTTPS connection");
    } else {
      tasks->spawn(socket_executor,
                   detail::run_session(std::move(stream), router, limits, draining, options),
                   "HTTP connection");
    }
  }
  boost::system::error_code ignored;
  acceptor->close(ignored);
}

}  // namespace

Server::Server(std::shared_ptr<const Router> router, Limits limits)
    : own_ioc_(std::make_unique<asio::io_context>()),
      ioc_(*own_ioc_),
      router_(std::move(router)),
      limits_(limits),
      tasks_(ioc_.get_executor()) {}

Server::Server(asio::io_context& ioc, std::shared_ptr<const Router> router, Limits limits,
               unsigned threads)
    : ioc_(ioc), router_(std::move(router)), limits_(limits), tasks_(ioc_.get_executor()) {
  single_threaded_.store(threads <= 1, std::memory_order_relaxed);
}

Server::~Server() = default;

core::Result<uint16_t> Server::listen(const std::string& address, uint16_t port,
                                      std::shared_ptr<asio::ssl::context> tls,
                                      ListenOptions options) {
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(address, ec);
  if (ec) {
    return core::fail(
        core::Error::bad_request("invalid bind address \"" + address + "\": " + ec.message()));
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
    return core::fail(core::Error::internal("cannot listen on " + address + ":" +
                                            std::to_string(port) + ": " + ec.message()));
  }
  const uint16_t bound = listener->acceptor.local_endpoint().port();
  listener->tls = tls;
  listener->options = std::move(options);
  // On a strand of its own: the TaskGroup delivers cancellation on the member's executor.
  tasks_.spawn(asio::make_strand(ioc_),
               accept_loop(&listener->acceptor, std::move(tls), router_, limits_, &tasks_,
                           &single_threaded_, &draining_, &listener->options),
               "accept loop");
  listeners_.push_back(std::move(listener));
  return bound;
}

void run_on_threads(asio::io_context& ioc, unsigned threads) {
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) {
    pool.emplace_back([&ioc] { ioc.run(); });
  }
  ioc.run();
  for (auto& t : pool) {
    t.join();
  }
}

void Server::run(unsigned threads) {
  single_threaded_.store(threads <= 1, std::memory_order_relaxed);
  run_on_threads(ioc_, threads);
}

void Server::end_run() {
  if (own_ioc_) {
    ioc_.stop();
  }
}

void Server::stop() {
  asio::post(ioc_, [this] {
    tasks_.emit(asio::cancellation_type::terminal);
    tasks_.async_wait([this](boost::system::error_code) { end_run(); });
  });
}

asio::awaitable<bool> Server::shutdown(std::chrono::steady_clock::duration grace) {
  draining_.store(true);
  // Accept loops and connections waiting for a request's first byte end on `total`; a
  // connection inside a request does not see it and closes after its answer.
  tasks_.emit(asio::cancellation_type::total);
  const bool drained = co_await tasks_.wait_for(grace);
  if (!drained) {
    spdlog::warn("{} connection(s) still busy after the shutdown grace period: closing them",
                 tasks_.size());
    tasks_.emit(asio::cancellation_type::terminal);
    co_await tasks_.async_wait(use_nothrow);
  }
  end_run();
  co_return drained;
}

}  // namespace kscale::net
