#pragma once
// core::StringHash: a transparent hash for std::unordered_map<std::string, ...> so a lookup by
// std::string_view (with std::equal_to<>) needs no std::string built for the key.

#include <cstddef>
#include <functional>
#include <string_view>

namespace kscale::core {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

}  // namespace kscale::core
