// Content negotiation for scrapes: which exposition format a response's Content-Type names
// (format_from_content_type, declared in exposition_parser.h).

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sources/detail/exposition_strings.h"
#include "sources/exposition_parser.h"

namespace kscale::sources {

namespace {

bool is_token_char(char c) {
  // RFC 2045 token: printable ASCII except space and tspecials.
  if (c <= ' ' || c >= 0x7F) {
    return false;
  }
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

std::string_view trim_blanks(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// Takes a parameter's value (a token or a quoted string) off the front of `rest`.
bool take_parameter_value(std::string_view& rest) {
  rest.remove_prefix(std::min(rest.size(), rest.find_first_not_of(" \t")));
  if (!rest.empty() && rest.front() == '"') {
    std::size_t i = 1;
    while (i < rest.size() && rest[i] != '"') {
      i += rest[i] == '\\' ? 2 : 1;
    }
    if (i >= rest.size()) {
      return false;
    }
    rest.remove_prefix(i + 1);
    return true;
  }
  std::size_t i = 0;
  while (i < rest.size() && is_token_char(rest[i])) {
    ++i;
  }
  rest.remove_prefix(i);
  return i != 0;
}

// Whether `rest` (what follows the media type) is a valid list of `; key=value` parameters
// with distinct keys, a trailing `;` allowed.
bool valid_parameters(std::string_view rest) {
  std::vector<std::string> keys;
  while (!rest.empty()) {
    rest = trim_blanks(rest);
    if (rest.empty()) {
      break;
    }
    if (rest.front() != ';') {
      return false;
    }
    rest.remove_prefix(1);
    rest = trim_blanks(rest);
    if (rest.empty()) {
      break;
    }
    const auto eq = rest.find('=');
    if (eq == std::string_view::npos || !is_token(trim_blanks(rest.substr(0, eq)))) {
      return false;
    }
    std::string key = to_lower_ascii(trim_blanks(rest.substr(0, eq)));
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
      return false;
    }
    keys.push_back(std::move(key));
    rest = rest.substr(eq + 1);
    if (!take_parameter_value(rest)) {
      return false;
    }
  }
  return true;
}

// Go's mime.ParseMediaType, as far as deciding validity: `type/subtype` tokens, then
// `; key=value` parameters (token or quoted-string values, distinct keys), trailing `;` allowed.
// Returns the media type in lower case.
std::optional<std::string> parse_media_type(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  const std::string media = to_lower_ascii(trim_blanks(content_type.substr(0, semicolon)));
  const auto slash = media.find('/');
  if (slash == std::string::npos || !is_token(std::string_view(media).substr(0, slash)) ||
      !is_token(std::string_view(media).substr(slash + 1))) {
    return std::nullopt;
  }
  if (semicolon != std::string_view::npos && !valid_parameters(content_type.substr(semicolon))) {
    return std::nullopt;
  }
  return media;
}

}  // namespace

core::Result<ExpositionFormat> format_from_content_type(std::string_view content_type,
                                                        std::optional<ExpositionFormat> fallback) {
  const auto unsupported = [&](std::string problem) -> core::Result<ExpositionFormat> {
    if (fallback) {
      return *fallback;
    }
    return core::fail(core::Error::unsupported_media_type(
        problem + " and no fallback protocol is configured; expected text/plain; version=0.0.4 "
                  "or application/openmetrics-text; version=1.0.0"));
  };
  if (trim_blanks(content_type).empty()) {
    return unsupported("non-compliant scrape target sending blank Content-Type");
  }
  const std::optional<std::string> media = parse_media_type(content_type);
  if (!media) {
    return unsupported("cannot parse Content-Type " +
                       detail::quoted_for_message(content_type));
  }
  if (*media == "application/openmetrics-text") {
    return ExpositionFormat::OpenMetrics;
  }
  if (*media == "text/plain") {
    return ExpositionFormat::PrometheusText;
  }
  return unsupported("received unsupported Content-Type " +
                     detail::quoted_for_message(content_type));
}

}  // namespace kscale::sources
