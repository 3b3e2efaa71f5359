#pragma once
// net::HttpUrl and the one URL parser (Boost.URL) for http:// and https:// URLs: what the client
// needs to open a connection and send a request.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/errors.h"

namespace kscale::net {

/// An http:// or https:// URL split into what a request needs.
struct HttpUrl {
  std::string host;    // name or IP literal, without IPv6 brackets
  uint16_t port = 80;  // from the URL, else 80 (http) or 443 (https)
  std::string target;  // path and query, at least "/"
  std::string text;    // the URL as given, for messages
  bool tls = false;    // https

  bool operator==(const HttpUrl&) const = default;
};

/// Parses an absolute http:// or https:// URL (RFC 3986, with Boost.URL); a fragment is ignored.
/// Other schemes, user info, a missing host or port 0 are BadRequest errors that say what is
/// wrong.
[[nodiscard]] core::Result<HttpUrl> parse_url(std::string_view url);

/// parse_url restricted to http:// (scrape targets: plain HTTP only).
[[nodiscard]] core::Result<HttpUrl> parse_http_url(std::string_view url);

}  // namespace kscale::net
