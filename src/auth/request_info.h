#pragma once
// auth::RequestInfo: the authorization attributes of a request derived from its method and
// target, exactly as k8s.io/apiserver's RequestInfoFactory.NewRequestInfo (v1.36.3) derives them.

#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"

namespace kscale::auth {

/// Upstream: k8s.io/apiserver pkg/endpoints/request/requestinfo.go, RequestInfo.
struct RequestInfo {
  bool is_resource_request = false;
  /// The decoded URL path ("%2A" is "*"), as Go's URL.Path.
  std::string path;
  /// The Kubernetes verb ("get", "list", "watch", "create", …) of a resource request; the
  /// lower-case HTTP method of a non-resource request.
  std::string verb;
  std::string api_prefix;  // "api" or "apis"
  std::string api_group;   // "" for the core group
  std::string api_version;
  std::string namespace_name;
  std::string resource;
  std::string subresource;
  std::string name;
  /// The path parts from the resource on: resource/name/subresource/….
  std::vector<std::string> parts;
  /// The raw `fieldSelector` / `labelSelector` query values, carried only for list, watch and
  /// deletecollection requests whose verb did not come from a `watch/` path prefix.
  std::string field_selector;
  std::string label_selector;
};

/// The attributes of `method target` (target = path and query as in the request line), with the
/// prefixes kube-apiserver and every aggregated server use: "api" (no group) and "apis".
/// Errors: a malformed percent-escape in the path (400, which Go's net/http answers before any
/// handler runs), and a `watch`/`proxy` prefix with nothing after it (500 "failed to create
/// RequestInfo: …", as upstream's WithRequestInfo filter answers).
[[nodiscard]] core::Result<RequestInfo> make_request_info(std::string_view method,
                                                          std::string_view target);

}  // namespace kscale::auth
