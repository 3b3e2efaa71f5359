#pragma once
// Small text helpers shared by the decoders.

#include <string_view>

namespace kscale::core {

/// `s` without leading and trailing spaces, tabs, CRs and LFs (JSON's whitespace).
constexpr std::string_view trim_space(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) {
    return {};
  }
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

}  // namespace kscale::core
