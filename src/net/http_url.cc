#include "net/http_url.h"

#include <charconv>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace kscale::net {

namespace {

core::Error invalid(std::string_view text, std::string_view why) {
  return core::Error::bad_request("invalid URL \"" + std::string(text) + "\": " + std::string(why));
}

}  // namespace

core::Result<HttpUrl> parse_url(std::string_view text) {
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    return core::fail(invalid(text, parsed.error().message() + " (want http://host:port/path)"));
  }
  const boost::urls::url_view& u = *parsed;
  HttpUrl url;
  if (u.scheme_id() == boost::urls::scheme::https) {
    url.tls = true;
    url.port = 443;
  } else if (u.scheme_id() != boost::urls::scheme::http) {
    return core::fail(invalid(text, "scheme \"" + std::string(u.scheme()) +
                                        "\" is not supported (want http:// or https://)"));
  }
  if (u.has_userinfo()) {
    return core::fail(invalid(text, "user info is not supported"));
  }
  url.host = u.host_address();
  if (url.host.empty()) {
    return core::fail(invalid(text, "no host"));
  }
  if (u.has_port()) {
    // Boost.URL's port_number() wraps ports beyond 65535; read the digits here.
    const std::string_view digits = u.port();
    uint32_t port = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port == 0 ||
        port > 65535) {
      return core::fail(
          invalid(text, "invalid port \"" + std::string(digits) + "\" (want 1-65535)"));
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

core::Result<HttpUrl> parse_http_url(std::string_view text) {
  auto url = parse_url(text);
  if (url && url->tls) {
    return core::fail(invalid(text, "scheme \"https\" is not supported (want http://)"));
  }
  return url;
}

}  // namespace kscale::net
