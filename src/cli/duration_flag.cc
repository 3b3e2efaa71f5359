#include "cli/duration_flag.h"

#include <charconv>
#include <string>

namespace kscale::cli {

core::Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  auto bad = [&] {
    return core::fail(core::Error::bad_request("invalid duration \"" + std::string(text) +
                                               "\": want e.g. 5m, 90s, 1h30m or 0"));
  };
  if (text == "0") {
    return std::chrono::milliseconds{0};
  }
  if (text.empty()) {
    return bad();
  }
  double total_ms = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    double value = 0;
    const auto r = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (r.ec != std::errc{} || value < 0) {
      return bad();
    }
    rest.remove_prefix(static_cast<size_t>(r.ptr - rest.data()));
    double unit_ms = 0;
    if (rest.starts_with("ms")) {
      unit_ms = 1;
      rest.remove_prefix(2);
    } else if (rest.starts_with("h")) {
      unit_ms = 3'600'000;
      rest.remove_prefix(1);
    } else if (rest.starts_with("m")) {
      unit_ms = 60'000;
      rest.remove_prefix(1);
    } else if (rest.starts_with("s")) {
      unit_ms = 1000;
      rest.remove_prefix(1);
    } else {
      return bad();
    }
    total_ms += value * unit_ms;
  }
  return std::chrono::milliseconds{static_cast<int64_t>(total_ms)};
}

}  // namespace kscale::cli
