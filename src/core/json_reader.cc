#include "core/json_reader.h"

#include <cmath>
#include <limits>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "core/go_duration.h"
#include "core/quantity.h"
#include "core/time_format.h"

namespace kscale::core::json_reader {

Error field_error(const std::string& path, std::string_view message) {
  return Error::invalid(path, fmt::format("{}: {}", path, message));
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

Result<const boost::json::object*> as_object(const boost::json::value& v, const std::string& path) {
  if (!v.is_object()) {
    return fail(field_error(path, "Invalid value: expected an object"));
  }
  return &v.as_object();
}

Result<const boost::json::array*> as_array(const boost::json::value& v, const std::string& path) {
  if (!v.is_array()) {
    return fail(field_error(path, "Invalid value: expected a list"));
  }
  return &v.as_array();
}

Result<std::string> as_string(const boost::json::value& v, const std::string& path) {
  if (!v.is_string()) {
    return fail(
        field_error(path, fmt::format("Invalid value: {}: expected a string", scalar_text(v))));
  }
  return std::string(v.as_string());
}

Result<int64_t> as_int(const boost::json::value& v, const std::string& path) {
  if (v.is_int64()) {
    return v.as_int64();
  }
  if (v.is_uint64() &&
      v.as_uint64() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(v.as_uint64());
  }
  if (v.is_double() && std::trunc(v.as_double()) == v.as_double()) {
    return static_cast<int64_t>(v.as_double());
  }
  return fail(
      field_error(path, fmt::format("Invalid value: {}: expected an integer", scalar_text(v))));
}

Result<double> as_double(const boost::json::value& v, const std::string& path) {
  if (v.is_number()) {
    return v.to_number<double>();
  }
  return fail(
      field_error(path, fmt::format("Invalid value: {}: expected a number", scalar_text(v))));
}

Result<Labels> as_string_map(const boost::json::value& v, const std::string& path) {
  KSCALE_TRY(obj, as_object(v, path));
  Labels out;
  for (const auto& kv : *obj) {
    KSCALE_TRY(s, as_string(kv.value(), child(path, kv.key())));
    out.emplace(std::string(kv.key()), s);
  }
  return out;
}

Result<std::vector<std::string>> as_strings(const boost::json::value& v, const std::string& path) {
  KSCALE_TRY(arr, as_array(v, path));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    KSCALE_TRY(s, as_string((*arr)[i], index(path, i)));
    out.push_back(std::move(s));
  }
  return out;
}

Result<bool> as_bool(const boost::json::value& v, const std::string& path) {
  if (!v.is_bool()) {
    return fail(field_error(
        path, fmt::format("Invalid value: {}: expected true or false", scalar_text(v))));
  }
  return v.as_bool();
}

namespace {

Result<Quantity> as_quantity(const boost::json::value& v, const std::string& path) {
  std::string text;
  if (v.is_string()) {
    text = std::string(v.as_string());
  } else if (v.is_number()) {
    text = scalar_text(v);
  } else {
    return fail(
        field_error(path, fmt::format("Invalid value: {}: expected a quantity", scalar_text(v))));
  }
  auto q = Quantity::parse(text);
  if (!q) {
    return fail(
        field_error(path, fmt::format("Invalid value: \"{}\": {}", text, q.error().message)));
  }
  return *q;
}

}  // namespace

Result<int64_t> as_quantity_milli(const boost::json::value& v, const std::string& path) {
  return as_quantity(v, path).map([](const Quantity& q) { return q.milli_value(); });
}

Result<double> as_quantity_double(const boost::json::value& v, const std::string& path) {
  return as_quantity(v, path).map([](const Quantity& q) { return q.as_approximate_double(); });
}

Result<SystemTime> as_time(const boost::json::value& v, const std::string& path) {
  auto s = as_string(v, path);
  if (!s) {
    return fail(s.error());
  }
  auto t = parse_rfc3339(*s);
  if (!t) {
    return fail(field_error(path, fmt::format("Invalid value: \"{}\": not an RFC 3339 time: {}", *s,
                                              t.error().message)));
  }
  return *t;
}

Result<std::chrono::nanoseconds> as_duration(const boost::json::value& v, const std::string& path) {
  if (v.is_number()) {
    return fail(
        field_error(path, fmt::format("Invalid value: {}: a duration needs a unit, e.g. \"300s\"",
                                      scalar_text(v))));
  }
  auto s = as_string(v, path);
  if (!s) {
    return fail(s.error());
  }
  auto d = core::parse_go_duration(*s);
  if (!d) {
    return fail(field_error(path, fmt::format("Invalid value: \"{}\": {}", *s, d.error().message)));
  }
  return *d;
}

Result<int32_t> member_count(const boost::json::value& obj, std::string_view key,
                             const std::string& path, int32_t fallback) {
  const auto* v = member(obj, key);
  if (v == nullptr) {
    return fallback;
  }
  KSCALE_TRY(n, as_int(*v, child(path, key)));
  if (n < 0) {
    return fail(field_error(child(path, key), fmt::format("Invalid value: {}: must be "
                                                          "greater than or equal to 0",
                                                          n)));
  }
  return static_cast<int32_t>(n);
}

}  // namespace kscale::core::json_reader
