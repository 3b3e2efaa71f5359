#pragma once
// core::json_reader: path-tracking readers over Boost.JSON values, the one idiom every decoder of
// Kubernetes objects and documents uses; errors name the field as kubectl does ("spec.x[0].y: ...").

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/clock.h"
#include "core/errors.h"
#include "core/labels.h"

/// Inside a function returning core::Result<...>: evaluates `expr` (a Result); on failure returns
/// its error, else declares `var` holding the value. Keeps the decoders' field-by-field reads flat.
#define KSCALE_TRY(var, expr)                \
  auto var##_result = (expr);                \
  if (!var##_result) {                       \
    return core::fail(var##_result.error()); \
  }                                          \
  auto var = std::move(*var##_result)

namespace kscale::core::json_reader {

/// A failed read: Error::invalid(path, "<path>: <message>").
core::Error field_error(const std::string& path, std::string_view message);

std::string child(const std::string& path, std::string_view key);
std::string index(const std::string& path, std::size_t i);

/// The member `key` of object `v`, or nullptr when absent or null.
const boost::json::value* member(const boost::json::value& v, std::string_view key);

[[nodiscard]] core::Result<const boost::json::object*> as_object(const boost::json::value& v,
                                                                 const std::string& path);
[[nodiscard]] core::Result<const boost::json::array*> as_array(const boost::json::value& v,
                                                               const std::string& path);
[[nodiscard]] core::Result<std::string> as_string(const boost::json::value& v,
                                                  const std::string& path);
[[nodiscard]] core::Result<int64_t> as_int(const boost::json::value& v, const std::string& path);
[[nodiscard]] core::Result<double> as_double(const boost::json::value& v, const std::string& path);
/// An object of strings (labels, annotations, matchLabels).
[[nodiscard]] core::Result<core::Labels> as_string_map(const boost::json::value& v,
                                                       const std::string& path);
/// A list of strings (command, args, values).
[[nodiscard]] core::Result<std::vector<std::string>> as_strings(const boost::json::value& v,
                                                                const std::string& path);
[[nodiscard]] core::Result<bool> as_bool(const boost::json::value& v, const std::string& path);
/// A Kubernetes quantity (string or bare number) as MilliValue().
[[nodiscard]] core::Result<int64_t> as_quantity_milli(const boost::json::value& v,
                                                      const std::string& path);
/// A quantity as AsApproximateFloat64().
[[nodiscard]] core::Result<double> as_quantity_double(const boost::json::value& v,
                                                      const std::string& path);
/// An RFC 3339 time.
[[nodiscard]] core::Result<core::SystemTime> as_time(const boost::json::value& v,
                                                     const std::string& path);
/// A Go duration ("300s", "5m", "1m30s", "1.5h").
[[nodiscard]] core::Result<std::chrono::nanoseconds> as_duration(const boost::json::value& v,
                                                                 const std::string& path);

/// The member `key` of `obj` as a non-negative int32, or `fallback` when absent.
[[nodiscard]] core::Result<int32_t> member_count(const boost::json::value& obj,
                                                 std::string_view key, const std::string& path,
                                                 int32_t fallback);

/// The text of a scalar for messages ("30", "\"Foo\"").
std::string scalar_text(const boost::json::value& v);

}  // namespace kscale::core::json_reader
