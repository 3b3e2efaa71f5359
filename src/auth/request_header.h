#pragma once
// The request header (front-proxy) rules of k8s.io/apiserver's
// pkg/authentication/request/headerrequest/requestheader.go: the user a trusted proxy names in
// its headers, and the removal of authentication headers once a request is authenticated.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_info.h"
#include "net/http_types.h"

namespace kscale::auth {

struct RequestHeaderNames {
  std::vector<std::string> username_headers;
  std::vector<std::string> uid_headers;
  std::vector<std::string> group_headers;
  std::vector<std::string> extra_header_prefixes;
};

/// The user the headers name (upstream AuthenticateRequest): name = first non-empty username
/// header (none → nullopt); uid likewise; groups = every non-empty value of every group header
/// line, in order, never comma-split; extra = every header starting with a prefix (ASCII
/// case-insensitive), key = remainder lower-cased then percent-decoded, one value per line.
std::optional<UserInfo> user_from_headers(const net::Request& request,
                                          const RequestHeaderNames& names);

/// An extra key from a header name's remainder: lower-cased, then percent-decoded as Go's
/// url.PathUnescape; kept lower-cased as is when the escaping is invalid.
std::string unescape_extra_key(std::string_view encoded);

/// Removes the headers of `names` (every extra header under each prefix).
void clear_authentication_headers(net::Request& request, const RequestHeaderNames& names);

/// The standard names (X-Remote-User, X-Remote-Uid, X-Remote-Group, X-Remote-Extra-), always
/// removed after authentication.
const RequestHeaderNames& standard_request_header_names();

}  // namespace kscale::auth
