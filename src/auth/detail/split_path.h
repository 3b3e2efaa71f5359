#pragma once
// Path segments as k8s.io/apiserver's requestinfo.go splitPath cuts them.

#include <string>
#include <string_view>
#include <vector>

namespace kscale::auth::detail {

/// The path without leading and trailing '/', split at '/' ("" → no segments).
inline std::vector<std::string> split_path(std::string_view path) {
  const auto first = path.find_first_not_of('/');
  if (first == std::string_view::npos) {
    return {};
  }
  path = path.substr(first, path.find_last_not_of('/') - first + 1);
  std::vector<std::string> parts;
  while (true) {
    const auto slash = path.find('/');
    parts.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) {
      return parts;
    }
    path.remove_prefix(slash + 1);
  }
}

}  // namespace kscale::auth::detail
