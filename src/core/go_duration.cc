#include "core/go_duration.h"

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace kscale::core {

Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  using namespace std::chrono;
  auto bad = [&] { return fail(Error::bad_request(fmt::format("invalid duration \"{}\"", text))); };
  if (text.empty()) {
    return bad();
  }
  if (text == "0") {
    return nanoseconds(0);
  }
  std::size_t i = 0;
  const bool negative = text[0] == '-';
  if (text[0] == '-' || text[0] == '+') {
    ++i;
  }
  double total = 0;
  bool any = false;
  while (i < text.size()) {
    const std::size_t start = i;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) {
      ++i;
    }
    if (start == i) {
      return bad();
    }
    const double number = std::stod(std::string(text.substr(start, i - start)));
    const std::size_t unit_start = i;
    while (i < text.size() && !((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) {
      ++i;
    }
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "ns") {
      scale = 1;
    } else if (unit == "us" || unit == "µs") {
      scale = 1e3;
    } else if (unit == "ms") {
      scale = 1e6;
    } else if (unit == "s") {
      scale = 1e9;
    } else if (unit == "m") {
      scale = 60e9;
    } else if (unit == "h") {
      scale = 3600e9;
    } else {
      return bad();
    }
    total += number * scale;
    any = true;
  }
  if (!any) {
    return bad();
  }
  return nanoseconds(static_cast<int64_t>(std::llround(negative ? -total : total)));
}

}  // namespace kscale::core
