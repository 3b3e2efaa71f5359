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

}  // namespace

core::Result<QueryParams> QueryParams::parse(std::string_view query) {
  QueryParams q;
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
    if (!key || !value) {
      return core::fail(core::Error::bad_request("invalid query string \"" + std::string(part) +
                                                 "\": malformed percent-escape"));
    }
    q.params_.emplace_back(std::move(*key), std::move(*value));
  }
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
