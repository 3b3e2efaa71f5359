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
constexpr size_t kReadChunk = 64 * 1024;

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

struct HttpConnection::Attempt {
  core::Result<Response> result;
  bool retry = false;  // a reused connection failed before the response began
};

HttpConnection::HttpConnection(asio::any_io_executor executor, HttpUrl url)
    : url_(std::move(url)), stream_(std::move(executor)) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(url_.host, ec);
  host_header_ = !ec && address.is_v6() ? "[" + url_.host + "]" : url_.host;
  if (url_.port != 80) {
    host_header_ += ":" + std::to_string(url_.port);
  }
}

void HttpConnection::recycle(std::string body) {
  if (body.capacity() > spare_body_.capacity()) {
    spare_body_ = std::move(body);
  }
}

void HttpConnection::close() {
  boost::system::error_code ignored;
  if (open_) {
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }
  stream_.close();
  buffer_.clear();
  open_ = false;
}

asio::awaitable<core::Result<void>> HttpConnection::connect(const GetOptions& options) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(url_.host, ec);
  std::vector<tcp::endpoint> endpoints;
  if (!ec) {
    endpoints.emplace_back(address, url_.port);
  } else {
    tcp::resolver resolver(stream_.get_executor());
    auto [rec, results] = co_await resolver.async_resolve(url_.host, std::to_string(url_.port), use_nothrow);
    if (rec) {
      co_return core::fail(failure(url_, "resolve " + url_.host, rec, options.timeout));
    }
    for (const auto& entry : results) {
      endpoints.push_back(entry.endpoint());
    }
  }
  // One deadline for connect, write and read: tcp_stream keeps it until changed.
  stream_.expires_after(options.timeout);
  auto [cec, endpoint] = co_await stream_.async_connect(endpoints, use_nothrow);
  if (cec) {
    close();
    co_return core::fail(failure(url_, "connect", cec, options.timeout));
  }
  open_ = true;
  ++connections_opened_;
  // Beast reads max(512, free capacity) bytes at a time and hands body bytes on to the body as
  // they come, so an unreserved buffer stays at 512 B: ~150 recvmsg and epoll_wait calls for a
  // 75 KB scrape. With 64 KB free (Beast's own cap per read) it is a handful.
  buffer_.reserve(kReadChunk);
  co_return core::Result<void>{};
}

asio::awaitable<HttpConnection::Attempt> HttpConnection::exchange(const GetOptions& options) {
  Request req{http::verb::get, url_.target, 11};  // HTTP/1.1: the connection stays open by default
  req.set(http::field::host, host_header_);
  req.set(http::field::user_agent, kUserAgent);
  for (const auto& [name, value] : options.headers) {
    req.set(name, value);
  }
  auto [wec, written] = co_await http::async_write(stream_, req, use_nothrow);
  if (wec) {
    close();
    co_return Attempt{core::fail(failure(url_, "write request", wec, options.timeout)), wec != beast::error::timeout};
  }

  http::response_parser<http::string_body> parser;
  spare_body_.clear();
  parser.get().body() = std::move(spare_body_);  // string_body appends to it, reserving Content-Length
  parser.body_limit(options.body_limit);
  auto [rec, read] = co_await http::async_read(stream_, buffer_, parser, use_nothrow);
  if (rec) {
    const bool nothing_received = !parser.got_some() && buffer_.size() == 0;
    close();
    if (rec == http::error::body_limit) {
      co_return Attempt{core::fail(core::Error::unavailable("GET " + url_.text + ": response body is larger than " +
                                                            std::to_string(options.body_limit) + " bytes"))};
    }
    co_return Attempt{core::fail(failure(url_, "read response", rec, options.timeout)),
                      nothing_received && rec != beast::error::timeout};
  }
  // Bytes past the response would be an answer to no request: start over rather than guess.
  if (!parser.keep_alive() || buffer_.size() != 0) {
    close();
  } else {
    stream_.expires_never();
  }
  co_return Attempt{parser.release()};
}

asio::awaitable<core::Result<Response>> HttpConnection::get(GetOptions options) {
  const bool reused = open_;
  if (!open_) {
    if (auto r = co_await connect(options); !r) {
      co_return core::fail(r.error());
    }
  } else {
    stream_.expires_after(options.timeout);
  }
  auto attempt = co_await exchange(options);
  if (attempt.result || !reused || !attempt.retry) {
    co_return std::move(attempt.result);
  }
  // The server closed the idle connection (keep-alive timeout, restart): once more on a new one.
  if (auto r = co_await connect(options); !r) {
    co_return core::fail(r.error());
  }
  auto again = co_await exchange(options);
  co_return std::move(again.result);
}

asio::awaitable<core::Result<Response>> http_get(HttpUrl url, GetOptions options) {
  // Every co_await is the whole initializer of a named local (GCC 12 coroutine temporaries).
  auto executor = co_await asio::this_coro::executor;
  HttpConnection connection(executor, std::move(url));
  auto response = co_await connection.get(std::move(options));
  co_return response;
}

}  // namespace kscale::net
