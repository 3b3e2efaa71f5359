#pragma once
// GroupResource as schema.GroupResource prints it ("pods", "deployments.apps"), plus the small
// RESTMapper kscale needs without a cluster: plural/singular/kind and whether it is namespaced.

#include <optional>
#include <string>
#include <string_view>

#include "core/errors.h"

namespace kscale::core {

struct GroupResource {
  std::string resource;  // plural, lower case: "pods"
  std::string group;     // "" for the core group, "apps", "networking.k8s.io"

  /// Splits on the first '.' (custom-metrics-apiserver's schema.ParseGroupResource).
  static GroupResource parse(std::string_view text);
  /// "resource" or "resource.group", as GroupResource.String() prints it.
  std::string to_string() const;
  auto operator<=>(const GroupResource&) const = default;
};

/// What the adapter knows of a resource: how describedObject names it and its scope.
struct ResourceInfo {
  GroupResource group_resource;  // normalised: plural
  std::string kind;              // "Pod", "Deployment"
  std::string api_version;       // "v1", "apps/v1"
  bool namespaced = true;
};

/// Normalises a path's resource segment ("pod", "Pods", "deployment.apps", "foos.example.com")
/// to ResourceInfo. Built-in kinds come from a fixed table of the Kubernetes API; any other
/// group-resource is accepted as a namespaced custom resource with a kind guessed from its name
/// (the adapter serves any group-resource, not a fixed list). Errors only on an empty or
/// malformed name.
[[nodiscard]] Result<ResourceInfo> resolve_resource(std::string_view text);

/// Maps describedObject (kind + apiVersion) to the resource, e.g. Deployment/apps/v1 →
/// deployments.apps. Unknown kinds use upstream's meta.UnsafeGuessKindToResource.
[[nodiscard]] Result<ResourceInfo> resolve_kind(std::string_view kind,
                                                std::string_view api_version);

/// DNS-1123 subdomain (object names, namespaces are DNS-1123 labels): returns an empty string
/// when valid, else the upstream validation message.
std::string validate_dns1123_subdomain(std::string_view name);
std::string validate_dns1123_label(std::string_view name);

}  // namespace kscale::core
