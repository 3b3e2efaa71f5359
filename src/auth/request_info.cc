#include "auth/request_info.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>

#include "auth/detail/field_selector.h"
#include "auth/detail/split_path.h"
#include "core/label_selector.h"
#include "net/query.h"

namespace kscale::auth {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string method_verb(std::string_view method) {
  if (method == "POST") {
    return "create";
  }
  if (method == "GET" || method == "HEAD") {
    return "get";
  }
  if (method == "PUT") {
    return "update";
  }
  if (method == "PATCH") {
    return "patch";
  }
  if (method == "DELETE") {
    return "delete";
  }
  return "";
}

// Upstream: runtime.Convert_Slice_string_To_bool — anything but "0" and "false" (any case).
bool query_bool(std::string_view v) { return v != "0" && lower(v) != "false"; }

// Upstream: strconv.ParseInt(s, 10, 64) succeeds (an optional sign, decimal digits, in range).
bool is_int64(std::string_view s) {
  if (s.starts_with('+')) {
    s.remove_prefix(1);
    if (s.starts_with('-')) {
      return false;
    }
  }
  int64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

// Upstream: validation/path IsPathSegmentName finds no error.
bool is_path_segment_name(std::string_view name) {
  return name != "." && name != ".." && name.find_first_of("/%") == std::string_view::npos;
}

// A get without a name is a list or a watch; the name may come from a metadata.name field
// selector. Upstream: DecodeParameters into metainternalversion.ListOptions, whose failure
// (a selector or an integer that does not parse) leaves only `watch` read.
void resolve_collection_verb(RequestInfo& info, const net::QueryParams& query) {
  const auto watch = query.get("watch");
  const bool is_watch = watch && query_bool(*watch);
  info.verb = is_watch ? "watch" : "list";
  for (const char* key : {"timeoutSeconds", "limit"}) {
    if (const auto v = query.get(key); v && !is_int64(*v)) {
      return;
    }
  }
  if (const auto labels = query.get("labelSelector");
      labels && !core::LabelSelector::parse(*labels)) {
    return;
  }
  const auto fields = query.get("fieldSelector");
  if (!fields) {
    return;
  }
  const auto parsed = detail::parse_field_selector(*fields);
  if (!parsed) {
    return;
  }
  if (auto name = detail::requires_exact_match(*parsed, "metadata.name");
      name && is_path_segment_name(*name)) {
    info.name = std::move(*name);
  }
}

}  // namespace

// Upstream: k8s.io/apiserver pkg/endpoints/request/requestinfo.go NewRequestInfo (v1.36.3), with
// the AuthorizeWithSelectors feature (GA, locked on since 1.34).
core::Result<RequestInfo> make_request_info(std::string_view method, std::string_view target) {
  const auto q = target.find('?');
  const std::string_view raw_path = target.substr(0, q);
  const std::string_view raw_query = q == std::string_view::npos ? "" : target.substr(q + 1);
  auto path = net::percent_decode_segment(raw_path);
  if (!path) {
    return core::fail(
        core::Error::bad_request("invalid URL escape in path \"" + std::string(raw_path) + "\""));
  }
  RequestInfo info;
  info.path = std::move(*path);
  info.verb = lower(method);

  auto parts = detail::split_path(info.path);
  if (parts.size() < 3 || (parts[0] != "api" && parts[0] != "apis")) {
    return info;
  }
  size_t at = 1;
  if (parts[0] == "apis") {
    if (parts.size() - at < 3) {
      return info;
    }
    info.api_group = parts[at++];
  }
  info.api_prefix = parts[0];
  info.is_resource_request = true;
  info.api_version = parts[at++];

  bool verb_via_path_prefix = false;
  if (parts[at] == "watch" || parts[at] == "proxy") {
    if (parts.size() - at < 2) {
      return core::fail(core::Error::internal(
          "failed to create RequestInfo: unable to determine kind and namespace from url, " +
          std::string(target)));
    }
    info.verb = parts[at++];
    verb_via_path_prefix = true;
  } else {
    info.verb = method_verb(method);
  }

  if (parts[at] == "namespaces" && parts.size() - at > 1) {
    info.namespace_name = parts[at + 1];
    if (parts.size() - at > 2 && parts[at + 2] != "status" && parts[at + 2] != "finalize") {
      at += 2;
    }
  }
  info.parts.assign(parts.begin() + static_cast<std::ptrdiff_t>(at), parts.end());
  const auto& p = info.parts;
  if (p.size() >= 3 && info.verb != "proxy") {
    info.subresource = p[2];
  }
  if (p.size() >= 2) {
    info.name = p[1];
  }
  if (!p.empty()) {
    info.resource = p[0];
  }

  const auto query = net::QueryParams::parse_lenient(raw_query);
  if (info.name.empty() && info.verb == "get") {
    resolve_collection_verb(info, query);
  }
  if (info.name.empty() && info.verb == "delete") {
    info.verb = "deletecollection";
  }
  if (!verb_via_path_prefix &&
      (info.verb == "list" || info.verb == "watch" || info.verb == "deletecollection")) {
    info.field_selector = query.get("fieldSelector").value_or("");
    info.label_selector = query.get("labelSelector").value_or("");
  }
  return info;
}

}  // namespace kscale::auth
