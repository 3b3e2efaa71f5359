#include "autoscaler/detail/http_fetch.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

namespace kscale::autoscaler::detail {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

std::string url_of(const FetchRequest& r) {
  return fmt::format("{}://{}:{}{}", r.tls ? "https" : "http", r.host, r.port, r.target);
}

core::Error failure(const FetchRequest& r, std::string_view step, const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) {
    return core::Error::unavailable(fmt::format("Get \"{}\": context deadline exceeded (Client.Timeout exceeded "
                                                "after {}ms while {})",
                                                url_of(r), r.timeout.count(), step));
  }
  return core::Error::unavailable(fmt::format("Get \"{}\": {}: {}", url_of(r), step, ec.message()));
}

template <class Stream>
asio::awaitable<core::Result<net::Response>> exchange(Stream& stream, FetchRequest r) {
  net::Request req{http::verb::get, r.target, 11};
  req.set(http::field::host, fmt::format("{}:{}", r.host, r.port));
  req.set(http::field::user_agent, "kscale-autoscale/0.1");
  for (const auto& [name, value] : r.headers) {
    req.set(name, value);
  }
  req.keep_alive(false);
  auto [wec, written] = co_await http::async_write(stream, req, use_nothrow);
  if (wec) {
    co_return core::fail(failure(r, "writing the request", wec));
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  auto [rec, read] = co_await http::async_read(stream, buffer, parser, use_nothrow);
  if (rec) {
    co_return core::fail(failure(r, "reading the response", rec));
  }
  co_return parser.release();
}

asio::awaitable<core::Result<net::Response>> fetch_one(FetchRequest r) {
  auto executor = co_await asio::this_coro::executor;
  boost::system::error_code ec;
  std::vector<tcp::endpoint> endpoints;
  const auto address = asio::ip::make_address(r.host, ec);
  if (!ec) {
    endpoints.emplace_back(address, r.port);
  } else {
    tcp::resolver resolver(executor);
    auto [rec, results] = co_await resolver.async_resolve(r.host, std::to_string(r.port), use_nothrow);
    if (rec) {
      co_return core::fail(failure(r, "dial tcp: lookup " + r.host, rec));
    }
    for (const auto& e : results) {
      endpoints.push_back(e.endpoint());
    }
  }
  beast::tcp_stream tcp_stream(executor);
  tcp_stream.expires_after(r.timeout);
  auto [cec, endpoint] = co_await tcp_stream.async_connect(endpoints, use_nothrow);
  if (cec) {
    co_return core::fail(failure(r, fmt::format("dial tcp {}:{}: connect", r.host, r.port), cec));
  }
  if (!r.tls) {
    auto result = co_await exchange(tcp_stream, r);
    boost::system::error_code ignored;
    tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return result;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *r.tls);
  if (ec) {
    // A name, not an IP literal: send SNI and check the certificate against it.
    SSL_set_tlsext_host_name(stream.native_handle(), r.host.c_str());
  }
  if (SSL_CTX_get_verify_mode(r.tls->native_handle()) != SSL_VERIFY_NONE) {
    stream.set_verify_callback(asio::ssl::host_name_verification(r.host));
  }
  auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, use_nothrow);
  if (hec) {
    co_return core::fail(failure(r, "tls", hec));
  }
  auto result = co_await exchange(stream, r);
  beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(500));
  co_await stream.async_shutdown(use_nothrow);
  co_return result;
}

}  // namespace

core::Result<std::shared_ptr<asio::ssl::context>> make_client_tls_context(const std::string& ca_file,
                                                                          bool insecure_skip_verify) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  if (insecure_skip_verify) {
    ctx->set_verify_mode(asio::ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(asio::ssl::verify_peer, ec);
  if (!ca_file.empty()) {
    ctx->load_verify_file(ca_file, ec);
    if (ec) {
      return core::fail(core::Error::bad_request(fmt::format("--certificate-authority {}: {}", ca_file, ec.message())));
    }
  } else {
    ctx->set_default_verify_paths(ec);
  }
  return ctx;
}

std::vector<core::Result<net::Response>> fetch_all(std::vector<FetchRequest> requests) {
  asio::io_context ioc;
  std::vector<core::Result<net::Response>> results(requests.size(),
                                                   core::fail(core::Error::internal("request not run")));
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto* slot = &results[i];
    asio::co_spawn(ioc, fetch_one(std::move(requests[i])),
                   [slot](std::exception_ptr e, core::Result<net::Response> r) {
                     if (e) {
                       *slot = core::fail(core::Error::internal("request failed"));
                       return;
                     }
                     *slot = std::move(r);
                   });
  }
  ioc.run();
  return results;
}

}  // namespace kscale::autoscaler::detail
