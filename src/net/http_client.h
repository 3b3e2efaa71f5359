#pragma once
// net::HttpConnection: HTTP/1.1 GETs to one origin over a kept-alive connection, on Beast
// coroutines with a deadline per request; net::http_get: a one-shot GET. The scraper keeps one
// HttpConnection per target, as Prometheus's scrape client keeps its connections (Go net/http
// Transport): a scrape then costs a request and a response, not a TCP handshake and teardown.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "core/errors.h"
#include "net/http_types.h"

namespace kscale::net {

/// An http:// URL split into what a request needs.
struct HttpUrl {
  std::string host;    // name or IP literal, without IPv6 brackets
  uint16_t port = 80;  // from the URL, else 80
  std::string target;  // path and query, at least "/"
  std::string text;    // the URL as given, for messages

  bool operator==(const HttpUrl&) const = default;
};

/// Parses an absolute http:// URL (RFC 3986, with Boost.URL); a fragment is ignored. https and
/// other schemes, user info, a missing host or port 0 are BadRequest errors that say what is
/// wrong.
[[nodiscard]] core::Result<HttpUrl> parse_http_url(std::string_view url);

struct GetOptions {
  /// Extra request headers (Host and User-Agent are always set).
  std::vector<std::pair<std::string, std::string>> headers;
  /// Deadline for connect + request + whole response. Name resolution of a host that is not an
  /// IP literal happens before the deadline starts (getaddrinfo cannot be cancelled).
  std::chrono::milliseconds timeout{10'000};
  /// Bigger response bodies fail the request.
  uint64_t body_limit = 64 * 1024 * 1024;
};

/// GETs of one URL over one connection that stays open between requests.
///
/// The connection is opened by the first get() and reused while the server keeps it: a response
/// with "Connection: close" (or an HTTP/1.0 one without keep-alive), an error or a timeout closes
/// it, and the next get() opens a new one. When a reused connection fails before any byte of the
/// response arrived, the server closed it while idle: the GET is sent once more on a new
/// connection, as Go's Transport retries an idempotent request (net/http transport.go
/// shouldRetryRequest).
///
/// Not thread-safe: one get() at a time, from coroutines on `executor` (a strand when several
/// threads run its context). Destroying it closes the connection.
class HttpConnection {
 public:
  HttpConnection(boost::asio::any_io_executor executor, HttpUrl url);

  /// Any HTTP status is a successful Result; ServiceUnavailable errors carry what failed
  /// (resolve, connect, timeout after N ms, a malformed or too large response), prefixed
  /// "GET <url>: ". `options.timeout` bounds this request, connecting included.
  boost::asio::awaitable<core::Result<Response>> get(GetOptions options);

  /// Hands a body read earlier back, so the next response is read into its memory instead of a
  /// new allocation (a scrape body is the same size every time).
  void recycle(std::string body);

  const HttpUrl& url() const { return url_; }
  /// Connections opened so far (a figure for tests and metrics).
  uint64_t connections_opened() const { return connections_opened_; }

 private:
  struct Attempt;
  boost::asio::awaitable<core::Result<void>> connect(const GetOptions& options);
  boost::asio::awaitable<Attempt> exchange(const GetOptions& options);
  void close();

  HttpUrl url_;
  std::string host_header_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;  // holds the bytes read past a message: none, unless the server misbehaves
  std::string spare_body_;
  bool open_ = false;
  uint64_t connections_opened_ = 0;
};

/// GETs `url` on the calling coroutine's executor with a fresh connection (closed afterwards);
/// errors as HttpConnection::get. Parameters are by value (STYLE.md §7: coroutines own their
/// arguments).
boost::asio::awaitable<core::Result<Response>> http_get(HttpUrl url, GetOptions options);

}  // namespace kscale::net
