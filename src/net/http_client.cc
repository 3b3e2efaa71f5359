#include "net/http_client.h"

#include <charconv>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace kscale::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kUserAgent = "kscale/0.1";

core::Error failure(const HttpUrl& url, std::string_view step, const boost::system::error_code& ec,
                    std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout) {
    return core::Error::unavailable("GET " + url.text + ": timed out after " + std::to_string(timeout.count()) +
                                    "ms (" + std::string(step) + ")");
  }
  return core::Error::unavailable("GET " + url.text + ": " + std::string(step) + ": " + ec.message());
}

}  // namespace

core::Result<HttpUrl> parse_http_url(std::string_view text) {
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    return core::fail(core::Error::bad_request("invalid URL \"" + std::string(text) + "\": " +
                                               parsed.error().message() + " (want http://host:port/path)"));
  }
  const boost::urls::url_view& u = *parsed;
  if (u.scheme_id() != boost::urls::scheme::http) {
    return core::fail(core::Error::bad_request("invalid URL \"" + std::string(text) + "\": scheme \"" +
                                               std::string(u.scheme()) + "\" is not supported (want http://)"));
  }
  if (u.has_userinfo()) {
    return core::fail(core::Error::bad_request("invalid URL \"" + std::string(text) +
                                               "\": user info is not supported"));
  }
  HttpUrl url;
  url.host = u.host_address();
  if (url.host.empty()) {
    return core::fail(core::Error::bad_request("invalid URL \"" + std::string(text) + "\": no host"));
  }
  if (u.has_port()) {
    // Boost.URL's port_number() wraps ports beyond 65535; read the digits here.
    const std::string_view digits = u.port();
    uint32_t port = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
      return core::fail(core::Error::bad_request("invalid URL \"" + std::string(text) + "\": invalid port \"" +
                                                 std::string(digits) + "\" (want 1-65535)"));
    }
    url.port = static_cast<uint16_t>(port);
  }
  url.target = std::string(u.encoded_target());
  if (url.target.empty() || url.target.front() != '/') {
    url.target.insert(0, "/");
  }
  url.text = std::string(text);
  return url;
}

asio::awaitable<core::Result<Response>> http_get(HttpUrl url, GetOptions options) {
  auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);

  boost::system::error_code ec;
  const auto address = asio::ip::make_address(url.host, ec);
  std::vector<tcp::endpoint> endpoints;
  if (!ec) {
    endpoints.emplace_back(address, url.port);
  } else {
    tcp::resolver resolver(executor);
    auto [rec, results] = co_await resolver.async_resolve(url.host, std::to_string(url.port), use_nothrow);
    if (rec) {
      co_return core::fail(failure(url, "resolve " + url.host, rec, options.timeout));
    }
    for (const auto& entry : results) {
      endpoints.push_back(entry.endpoint());
    }
  }

  // One absolute deadline for connect, write and read: tcp_stream keeps it until changed.
  stream.expires_after(options.timeout);
  auto [cec, endpoint] = co_await stream.async_connect(endpoints, use_nothrow);
  if (cec) {
    co_return core::fail(failure(url, "connect", cec, options.timeout));
  }

  Request req{http::verb::get, url.target, 11};
  const bool default_port = url.port == 80;
  const bool v6 = !ec && address.is_v6();
  std::string host = v6 ? "[" + url.host + "]" : url.host;
  if (!default_port) {
    host += ":" + std::to_string(url.port);
  }
  req.set(http::field::host, host);
  req.set(http::field::user_agent, kUserAgent);
  for (const auto& [name, value] : options.headers) {
    req.set(name, value);
  }
  req.keep_alive(false);
  auto [wec, written] = co_await http::async_write(stream, req, use_nothrow);
  if (wec) {
    co_return core::fail(failure(url, "write request", wec, options.timeout));
  }

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.body_limit);
  auto [rec, read] = co_await http::async_read(stream, buffer, parser, use_nothrow);
  if (rec == http::error::body_limit) {
    co_return core::fail(core::Error::unavailable("GET " + url.text + ": response body is larger than " +
                                                  std::to_string(options.body_limit) + " bytes"));
  }
  if (rec) {
    co_return core::fail(failure(url, "read response", rec, options.timeout));
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return parser.release();
}

}  // namespace kscale::net
