#include "auth/push_request_info.h"

#include "auth/detail/split_path.h"
#include "core/group_resource.h"
#include "net/query.h"

namespace kscale::auth {

namespace {

constexpr std::string_view kCustomGroup = "custom.metrics.k8s.io";
constexpr std::string_view kExternalGroup = "external.metrics.k8s.io";

RequestInfo create_in(std::string_view group, std::string path, std::string ns,
                      std::string resource, std::string name = {}, std::string subresource = {}) {
  RequestInfo info;
  info.is_resource_request = true;
  info.path = std::move(path);
  info.verb = "create";
  info.api_prefix = "apis";
  info.api_group = group;
  info.namespace_name = std::move(ns);
  info.resource = std::move(resource);
  info.name = std::move(name);
  info.subresource = std::move(subresource);
  for (auto* part : {&info.resource, &info.name, &info.subresource}) {
    if (!part->empty()) {
      info.parts.push_back(*part);
    }
  }
  return info;
}

// The resource as the push handler resolves it, so "pod" and "pods" are one RBAC resource.
std::string canonical_resource(std::string_view segment) {
  auto resolved = core::resolve_resource(segment);
  return resolved ? resolved->group_resource.to_string() : std::string(segment);
}

}  // namespace

std::optional<RequestInfo> push_request_info(std::string_view method, std::string_view target) {
  if (method != "POST") {
    return std::nullopt;
  }
  auto path = net::percent_decode_segment(target.substr(0, target.find('?')));
  if (!path) {
    return std::nullopt;
  }
  const auto p = detail::split_path(*path);
  const auto n = p.size();
  if (n == 1 && p[0] == "write-metrics") {
    return create_in(kCustomGroup, std::move(*path), "", "*");
  }
  if (n == 6 && p[0] == "write-metrics" && p[1] == "namespaces") {
    return create_in(kCustomGroup, std::move(*path), p[2], canonical_resource(p[3]), p[4], p[5]);
  }
  if (n == 4 && p[0] == "write-metrics") {
    return create_in(kCustomGroup, std::move(*path), "", canonical_resource(p[1]), p[2], p[3]);
  }
  if ((n == 3 || n == 4) && p[0] == "write-external-metrics" && p[1] == "namespaces") {
    return create_in(kExternalGroup, std::move(*path), p[2], n == 4 ? p[3] : "*");
  }
  return std::nullopt;
}

}  // namespace kscale::auth
