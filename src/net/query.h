#pragma once
// Query strings decoded as Go's url.ParseQuery does (application/x-www-form-urlencoded: '+' is a
// space, %XX escapes), keeping the first value of a repeated parameter as apimachinery's
// Convert_Slice_string_To_string does.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/errors.h"

namespace kscale::net {

class QueryParams {
 public:
  /// Parses the part of a request target after '?'. Malformed escapes are a 400.
  [[nodiscard]] static core::Result<QueryParams> parse(std::string_view query);
  /// As Go's URL.Query(): a pair with a malformed escape or containing ';' is dropped (Go's ParseQuery
  /// error, which Query() ignores), the rest kept. For code that must read a query as a Go
  /// server does (authorization attributes), not for handlers, which answer 400.
  static QueryParams parse_lenient(std::string_view query);

  /// The first value of `key`, if present.
  std::optional<std::string_view> get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).has_value(); }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

/// Percent-decodes one path segment ('+' stays '+'). Returns nullopt on a malformed escape.
std::optional<std::string> percent_decode_segment(std::string_view segment);

}  // namespace kscale::net
