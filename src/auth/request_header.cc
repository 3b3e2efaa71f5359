#include "auth/request_header.h"

#include <boost/beast/core/string.hpp>

namespace kscale::auth {

namespace {

namespace beast = boost::beast;

bool has_prefix_icase(std::string_view name, std::string_view prefix) {
  return name.size() >= prefix.size() && beast::iequals(name.substr(0, prefix.size()), prefix);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string first_value(const net::Request& request, const std::vector<std::string>& names) {
  for (const auto& name : names) {
    for (auto [it, end] = request.equal_range(name); it != end; ++it) {
      if (!it->value().empty()) {
        return std::string(it->value());
      }
      break;  // Go's Header.Get reads the first line only
    }
  }
  return {};
}

}  // namespace

// Upstream: requestheader.go unescapeExtraKey (url.PathUnescape of the lower-cased name).
std::string unescape_extra_key(std::string_view encoded) {
  std::string lower(encoded);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  std::string out;
  out.reserve(lower.size());
  for (size_t i = 0; i < lower.size(); ++i) {
    if (lower[i] != '%') {
      out.push_back(lower[i]);
      continue;
    }
    if (i + 2 >= lower.size()) {
      return lower;
    }
    const int hi = hex_value(lower[i + 1]);
    const int lo = hex_value(lower[i + 2]);
    if (hi < 0 || lo < 0) {
      return lower;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// Upstream: requestheader.go AuthenticateRequest, headerValue, allHeaderValues, newExtra.
std::optional<UserInfo> user_from_headers(const net::Request& request,
                                          const RequestHeaderNames& names) {
  UserInfo user;
  user.name = first_value(request, names.username_headers);
  if (user.name.empty()) {
    return std::nullopt;
  }
  user.uid = first_value(request, names.uid_headers);
  for (const auto& name : names.group_headers) {
    for (auto [it, end] = request.equal_range(name); it != end; ++it) {
      if (!it->value().empty()) {
        user.groups.emplace_back(it->value());
      }
    }
  }
  for (const auto& prefix : names.extra_header_prefixes) {
    for (const auto& field : request) {
      const std::string_view name = field.name_string();
      if (has_prefix_icase(name, prefix)) {
        user.extra[unescape_extra_key(name.substr(prefix.size()))].emplace_back(field.value());
      }
    }
  }
  return user;
}

void clear_authentication_headers(net::Request& request, const RequestHeaderNames& names) {
  for (const auto* list : {&names.username_headers, &names.uid_headers, &names.group_headers}) {
    for (const auto& name : *list) {
      request.erase(name);
    }
  }
  for (const auto& prefix : names.extra_header_prefixes) {
    for (auto it = request.begin(); it != request.end();) {
      if (has_prefix_icase(it->name_string(), prefix)) {
        it = request.erase(it);
      } else {
        ++it;
      }
    }
  }
}

const RequestHeaderNames& standard_request_header_names() {
  // Upstream: k8s.io/apiserver pkg/endpoints/filters/authentication.go
  // standardRequestHeaderConfig.
  static const RequestHeaderNames kStandard{{"X-Remote-User"},
                                            {"X-Remote-Uid"},
                                            {"X-Remote-Group"},
                                            {"X-Remote-Extra-"}};
  return kStandard;
}

}  // namespace kscale::auth
