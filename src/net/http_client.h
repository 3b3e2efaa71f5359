#pragma once
// net::HttpConnection: the one HTTP/1.1 client — requests to one origin over a kept-alive plain or
// TLS connection, on Beast coroutines with a deadline per request; net::http_get: a one-shot GET.
// Used by the scraper (one connection per target, as Prometheus's Go Transport keeps its
// connections), the metrics-API client, readiness probes and the demo's load generator.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "core/errors.h"
#include "net/http_types.h"
#include "net/http_url.h"

namespace boost::asio::ssl {
class context;
}

namespace kscale::net {

struct RequestOptions {
  /// Extra request headers (Host and User-Agent are always set; Content-Length for a body).
  std::vector<std::pair<std::string, std::string>> headers;
  /// Deadline for connect + TLS handshake + request + whole response. Name resolution of a host
  /// that is not an IP literal happens before the deadline starts (getaddrinfo cannot be
  /// cancelled).
  std::chrono::milliseconds timeout{10'000};
  /// Bigger response bodies fail the request.
  uint64_t body_limit = 64 * 1024 * 1024;
};
using GetOptions = RequestOptions;

/// Receives a streamed response body piece by piece as it arrives (the pieces follow the reads,
/// not the chunks or lines of the body); an error ends the stream and becomes its result.
using StreamSink = std::function<core::Result<void>(std::string_view piece)>;

/// Requests to one origin (scheme, host, port) over one connection that stays open between them.
///
/// The connection is opened by the first request and reused while the server keeps it: a
/// response with "Connection: close" (or an HTTP/1.0 one without keep-alive), an error or a
/// timeout closes it, and the next request opens a new one. When a reused connection fails before
/// any byte of the response arrived, the server closed it while idle: an idempotent request (GET,
/// HEAD, OPTIONS, TRACE) is sent once more on a new connection, as Go's Transport retries
/// (net/http transport.go shouldRetryRequest, request.go isReplayable); other methods fail.
///
/// Redirects are not followed: a 3xx is returned as a response like any other status, and the
/// caller decides (a metrics or Kubernetes API answer that redirects is an error to report, not
/// to chase to another origin with the same credentials).
///
/// https URLs need `tls` (net::make_client_tls_context); the server name is sent as SNI and, when
/// the context verifies peers, checked against the certificate.
///
/// Not thread-safe: one request at a time, from coroutines on `executor` (a strand when several
/// threads run its context). Destroying it closes the connection.
class HttpConnection {
 public:
  HttpConnection(boost::asio::any_io_executor executor, HttpUrl url,
                 std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  /// GETs the URL's own target. Any HTTP status is a successful Result; ServiceUnavailable
  /// errors carry what failed (resolve, connect, tls, timeout after N ms, a malformed or too large
  /// response), prefixed "GET <url>: ". `options.timeout` bounds this request, connecting included.
  boost::asio::awaitable<core::Result<Response>> get(RequestOptions options);

  /// Sends `verb target` (path and query on this origin) with `body` (sent with Content-Length
  /// when not empty, or for POST, PUT and PATCH; set Content-Type in `options.headers`). Errors
  /// as get(), prefixed "<VERB> <origin><target>: ".
  boost::asio::awaitable<core::Result<Response>> request(http::verb verb, std::string target,
                                                         std::string body, RequestOptions options);

  /// GETs `target` and hands a 200 response's body to `sink` as it arrives (chunked or not; a
  /// Kubernetes watch): completes when the body ends, the sink fails, or the operation is
  /// cancelled, with the response head (body empty). Any other status is returned with its whole
  /// body (up to `options.body_limit`) and the sink is not called. `options.timeout` bounds
  /// connecting and the response head only; the body has no deadline.
  ///
  /// Cancellation: a terminal or total cancellation of the calling coroutine ends it (total is
  /// forwarded to the reads as terminal, as the server's idle read does; the connection is
  /// closed) with a ServiceUnavailable error "… cancelled". It leaves the calling coroutine with
  /// total cancellation enabled (what a TaskGroup member opts into anyway).
  boost::asio::awaitable<core::Result<Response>> stream(std::string target, RequestOptions options,
                                                        StreamSink sink);

  /// Hands a body read earlier back, so the next response is read into its memory instead of a
  /// new allocation (a scrape body is the same size every time).
  void recycle(std::string body);

  const HttpUrl& url() const { return url_; }
  /// Connections opened so far (a figure for tests and metrics).
  uint64_t connections_opened() const { return connections_opened_; }

 private:
  struct Attempt;
  boost::asio::awaitable<core::Result<void>> connect(const RequestOptions& options,
                                                     const std::string& what);
  Request make_request(http::verb verb, std::string target, std::string body,
                       const RequestOptions& options) const;
  boost::asio::awaitable<core::Result<void>> open(const RequestOptions& options,
                                                  const std::string& what);
  boost::asio::awaitable<Attempt> exchange(const Request& req, const RequestOptions& options,
                                           const std::string& what);
  boost::beast::tcp_stream& lowest_layer();
  void close();

  boost::asio::any_io_executor executor_;
  HttpUrl url_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::string host_header_;
  std::string origin_;  // scheme://host[:port], for messages
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> secure_;
  boost::beast::flat_buffer
      buffer_;  // holds the bytes read past a message: none, unless the server misbehaves
  std::string spare_body_;
  uint64_t connections_opened_ = 0;
};

/// GETs `url` on the calling coroutine's executor with a fresh connection (closed afterwards);
/// errors as HttpConnection::get. Parameters are by value (STYLE.md §7: coroutines own their
/// arguments).
boost::asio::awaitable<core::Result<Response>> http_get(
    HttpUrl url, RequestOptions options, std::shared_ptr<boost::asio::ssl::context> tls = nullptr);

}  // namespace kscale::net
