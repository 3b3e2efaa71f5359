#include "net/query.h"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/pct_string_view.hpp>

namespace kscale::net {

namespace {

// Form decoding ('+' is a space) for query components, plain percent-decoding for path
// segments; Boost.URL validates the escapes.
std::optional<std::string> decode(std::string_view in, bool plus_is_space) {
  auto pct = boost::urls::make_pct_string_view(in);
  if (!pct) {
    return std::nullopt;
  }
  boost::urls::encoding_opts opts;
  opts.space_as_plus = plus_is_space;
  return pct->decode(opts);
}

// Calls on_pair(part, key, value) for each non-empty '&'-separated part; key and value are
// nullopt when malformed. Stops when on_pair returns false.
template <class OnPair>
bool for_each_pair(std::string_view query, OnPair on_pair) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.empty()) {
      continue;
    }
    const auto eq = part.find('=');
    auto key = decode(part.substr(0, eq), true);
    auto value = eq == std::string_view::npos ? std::optional<std::string>{""}
                                              : decode(part.substr(eq + 1), true);
    if (!on_pair(part, std::move(key), std::move(value))) {
      return false;
    }
  }
  return true;
}

}  // namespace

core::Result<QueryParams> QueryParams::parse(std::string_view query) {
  QueryParams q;
  std::string bad;
  const bool ok = for_each_pair(query, [&](std::string_view part, auto key, auto value) {
    if (!key || !value) {
      bad = part;
      return false;
    }
    q.params_.emplace_back(std::move(*key), std::move(*value));
    return true;
  });
  if (!ok) {
    return core::fail(
        core::Error::bad_request("invalid query string \"" + bad + "\": malformed percent-escape"));
  }
  return q;
}

QueryParams QueryParams::parse_lenient(std::string_view query) {
  QueryParams q;
  // Upstream: Go net/url parseQuery — a pair containing ';' is an error, the pair skipped.
  for_each_pair(query, [&](std::string_view part, auto key, auto value) {
    if (key && value && part.find(';') == std::string_view::npos) {
      q.params_.emplace_back(std::move(*key), std::move(*value));
    }
    return true;
  });
  return q;
}

std::optional<std::string_view> QueryParams::get(std::string_view key) const {
  for (const auto& [k, v] : params_) {
    if (k == key) {
      return std::string_view{v};
    }
  }
  return std::nullopt;
}

std::optional<std::string> percent_decode_segment(std::string_view segment) {
  if (segment.find('%') == std::string_view::npos) {
    return std::string(segment);
  }
  return decode(segment, false);
}

}  // namespace kscale::net
