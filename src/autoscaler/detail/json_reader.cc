#include "autoscaler/detail/json_reader.h"

#include <cmath>
#include <limits>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "core/quantity.h"
#include "core/time_format.h"

namespace kscale::autoscaler::detail {

core::Error field_error(const std::string& path, std::string_view message) {
  return core::Error::invalid(path, fmt::format("{}: {}", path, message));
}

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string index(const std::string& path, std::size_t i) { return fmt::format("{}[{}]", path, i); }

const boost::json::value* member(const boost::json::value& v, std::string_view key) {
  if (!v.is_object()) {
    return nullptr;
  }
  const auto* found = v.as_object().if_contains(key);
  return found == nullptr || found->is_null() ? nullptr : found;
}

std::string scalar_text(const boost::json::value& v) { return boost::json::serialize(v); }

core::Result<const boost::json::object*> as_object(const boost::json::value& v,
                                                   const std::string& path) {
  if (!v.is_object()) {
    return core::fail(field_error(path, "Invalid value: expected an object"));
  }
  return &v.as_object();
}

core::Result<const boost::json::array*> as_array(const boost::json::value& v,
                                                 const std::string& path) {
  if (!v.is_array()) {
    return core::fail(field_error(path, "Invalid value: expected a list"));
  }
  return &v.as_array();
}

core::Result<std::string> as_string(const boost::json::value& v, const std::string& path) {
  if (!v.is_string()) {
    return core::fail(
        field_error(path, fmt::format("Invalid value: {}: expected a string", scalar_text(v))));
  }
  return std::string(v.as_string());
}

core::Result<int64_t> as_int(const boost::json::value& v, const std::string& path) {
  if (v.is_int64()) {
    return v.as_int64();
  }
  if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(v.as_uint64());
  }
  if (v.is_double() && std::trunc(v.as_double()) == v.as_double()) {
    return static_cast<int64_t>(v.as_double());
  }
  return core::fail(
      field_error(path, fmt::format("Invalid value: {}: expected an integer", scalar_text(v))));
}

core::Result<double> as_double(const boost::json::value& v, const std::string& path) {
  if (v.is_number()) {
    return v.to_number<double>();
  }
  return core::fail(
      field_error(path, fmt::format("Invalid value: {}: expected a number", scalar_text(v))));
}

core::Result<bool> as_bool(const boost::json::value& v, const std::string& path) {
  if (!v.is_bool()) {
    return core::fail(
        field_error(path, fmt::format("Invalid value: {}: expected true or false", scalar_text(v))));
  }
  return v.as_bool();
}

namespace {

core::Result<core::Quantity> as_quantity(const boost::json::value& v, const std::string& path) {
  std::string text;
  if (v.is_string()) {
    text = std::string(v.as_string());
  } else if (v.is_number()) {
    text = scalar_text(v);
  } else {
    return core::fail(
        field_error(path, fmt::format("Invalid value: {}: expected a quantity", scalar_text(v))));
  }
  auto q = core::Quantity::parse(text);
  if (!q) {
    return core::fail(field_error(path, fmt::format("Invalid value: \"{}\": {}", text,
                                                    q.error().message)));
  }
  return *q;
}

}  // namespace

core::Result<int64_t> as_quantity_milli(const boost::json::value& v, const std::string& path) {
  return as_quantity(v, path).map([](const core::Quantity& q) { return q.milli_value(); });
}

core::Result<double> as_quantity_double(const boost::json::value& v, const std::string& path) {
  return as_quantity(v, path).map([](const core::Quantity& q) { return q.as_approximate_double(); });
}

core::Result<core::SystemTime> as_time(const boost::json::value& v, const std::string& path) {
  auto s = as_string(v, path);
  if (!s) {
    return core::fail(s.error());
  }
  auto t = core::parse_rfc3339(*s);
  if (!t) {
    return core::fail(field_error(
        path, fmt::format("Invalid value: \"{}\": not an RFC 3339 time: {}", *s, t.error().message)));
  }
  return *t;
}

core::Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  using namespace std::chrono;
  auto bad = [&] {
    return core::fail(core::Error::bad_request(fmt::format("invalid duration \"{}\"", text)));
  };
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

core::Result<std::chrono::nanoseconds> as_duration(const boost::json::value& v,
                                                   const std::string& path) {
  if (v.is_number()) {
    return core::fail(field_error(
        path, fmt::format("Invalid value: {}: a duration needs a unit, e.g. \"300s\"",
                          scalar_text(v))));
  }
  auto s = as_string(v, path);
  if (!s) {
    return core::fail(s.error());
  }
  auto d = parse_go_duration(*s);
  if (!d) {
    return core::fail(field_error(path, fmt::format("Invalid value: \"{}\": {}", *s,
                                                    d.error().message)));
  }
  return *d;
}

}  // namespace kscale::autoscaler::detail
