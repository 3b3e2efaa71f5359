#pragma once
// One coroutine per connection, plain or TLS (STYLE.md §7). Parameters by value: the coroutine
// frame owns the stream and a reference to the immutable router.

#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <spdlog/spdlog.h>

#include "net/router.h"
#include "net/server.h"

namespace kscale::net::detail {

namespace beast = boost::beast;
namespace asio = boost::asio;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

template <class Stream>
concept TlsStream = requires(Stream& s) { s.next_layer(); s.native_handle(); };

inline bool quiet_end(const boost::system::error_code& ec) {
  return ec == beast::http::error::end_of_stream || ec == beast::error::timeout ||
         ec == asio::ssl::error::stream_truncated || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::operation_aborted;
}

template <class Stream>
asio::awaitable<void> run_session(Stream stream, std::shared_ptr<const Router> router, Limits limits) {
  if constexpr (TlsStream<Stream>) {
    beast::get_lowest_layer(stream).expires_after(limits.read_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_nothrow);
    if (ec) {
      spdlog::debug("TLS handshake failed: {}", ec.message());
      co_return;
    }
  }
  beast::flat_buffer buffer;
  for (;;) {
    beast::get_lowest_layer(stream).expires_after(limits.read_timeout);
    http::request_parser<http::string_body> parser;
    parser.body_limit(limits.body_limit);
    parser.header_limit(limits.header_limit);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_nothrow);
    Response res;
    bool keep_alive = false;
    if (ec == http::error::body_limit) {
      res = error_response(core::Error::too_large(
          "request body is larger than the limit of " + std::to_string(limits.body_limit) +
          " bytes: split the batch or raise --max-request-body-bytes"));
    } else if (ec == http::error::header_limit) {
      res = error_response(core::Error::too_large("request headers are too large"));
    } else if (quiet_end(ec)) {
      break;
    } else if (ec) {
      spdlog::debug("read failed: {}", ec.message());
      if (!parser.is_header_done()) {
        break;
      }
      res = error_response(core::Error::bad_request("malformed HTTP request: " + ec.message()));
    } else {
      const Request& req = parser.get();
      res = router->dispatch(req);
      keep_alive = req.keep_alive();
      if (req.method() == http::verb::head) {
        res.prepare_payload();
        res.body().clear();
      }
    }
    res.keep_alive(keep_alive);
    if (res.body().size() > 0 || res.find(http::field::content_length) == res.end()) {
      res.prepare_payload();
    }
    auto [wec, wn] = co_await http::async_write(stream, res, use_nothrow);
    if (wec || !keep_alive) {
      break;
    }
  }
  if constexpr (TlsStream<Stream>) {
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    co_await stream.async_shutdown(use_nothrow);
  } else {
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }
}

}  // namespace kscale::net::detail
