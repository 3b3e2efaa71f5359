#pragma once
// net::http_get: a one-shot HTTP/1.1 GET on Beast coroutines with a deadline, returning status,
// headers and body. Used by the scraper to fetch pods' /metrics.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

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

/// GETs `url` on the calling coroutine's executor with a fresh connection (closed afterwards).
/// Any HTTP status is a successful Result; ServiceUnavailable errors carry what failed (resolve,
/// connect, timeout after N ms, a malformed or too large response), prefixed "GET <url>: ".
/// Parameters are by value (STYLE.md §7: coroutines own their arguments).
boost::asio::awaitable<core::Result<Response>> http_get(HttpUrl url, GetOptions options);

}  // namespace kscale::net
