#include "auth/detail/field_selector.h"

#include <algorithm>
#include <array>

namespace kscale::auth::detail {

namespace {

// Upstream: splitTerms — ',' not preceded by an unconsumed '\' separates terms.
std::vector<std::string_view> split_terms(std::string_view selector) {
  std::vector<std::string_view> terms;
  if (selector.empty()) {
    return terms;
  }
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < selector.size(); ++i) {
    const char c = selector[i];
    if (in_slash) {
      in_slash = false;
    } else if (c == '\\') {
      in_slash = true;
    } else if (c == ',') {
      terms.push_back(selector.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.push_back(selector.substr(start));
  return terms;
}

// Upstream: UnescapeValue.
core::Result<std::string> unescape_value(std::string_view s) {
  std::string out;
  bool in_slash = false;
  for (const char c : s) {
    if (in_slash) {
      if (c != '\\' && c != ',' && c != '=') {
        return core::fail(core::Error::bad_request(
            "invalid field selector: invalid escape sequence: \\" + std::string(1, c)));
      }
      out += c;
      in_slash = false;
    } else if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      return core::fail(core::Error::bad_request(std::string("invalid field selector: unescaped ") +
                                                 c + " in value"));
    } else {
      out += c;
    }
  }
  if (in_slash) {
    return core::fail(
        core::Error::bad_request("invalid field selector: invalid escape sequence: \\"));
  }
  return out;
}

}  // namespace

core::Result<std::vector<FieldRequirement>> parse_field_selector(std::string_view selector) {
  auto terms = split_terms(selector);
  std::sort(terms.begin(), terms.end());
  std::vector<FieldRequirement> out;
  // Upstream: termOperators — "!=" and "==" are tried before "=" at each position.
  constexpr std::array<std::string_view, 3> kOperators{"!=", "==", "="};
  for (const auto term : terms) {
    if (term.empty()) {
      continue;
    }
    std::optional<FieldRequirement> req;
    for (size_t i = 0; i < term.size() && !req; ++i) {
      for (const auto op : kOperators) {
        if (term.substr(i).starts_with(op)) {
          auto value = unescape_value(term.substr(i + op.size()));
          if (!value) {
            return core::fail(value.error());
          }
          req = FieldRequirement{std::string(term.substr(0, i)), op == "!=", std::move(*value)};
          break;
        }
      }
    }
    if (!req) {
      return core::fail(core::Error::bad_request("invalid selector: '" + std::string(selector) +
                                                 "'; can't understand '" + std::string(term) +
                                                 "'"));
    }
    out.push_back(std::move(*req));
  }
  return out;
}

std::optional<std::string> requires_exact_match(const std::vector<FieldRequirement>& requirements,
                                                std::string_view field) {
  for (const auto& r : requirements) {
    if (!r.not_equals && r.field == field) {
      return r.value;
    }
  }
  return std::nullopt;
}

}  // namespace kscale::auth::detail
