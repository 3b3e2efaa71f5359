#pragma once
// kube::ClusterView: which objects exist and their labels, so that labelSelector on wildcard
// reads selects objects as the reference adapters do. Sources: a Kubernetes List file
// (--objects), the local process group, or list+watch of a real cluster (kube::ClusterCache).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"
#include "core/group_resource.h"
#include "core/label_selector.h"
#include "core/labels.h"

namespace kscale::kube {

class ClusterView {
 public:
  virtual ~ClusterView() = default;

  /// False when no source of objects is configured: callers then cannot evaluate object
  /// selectors and say so (the adapter serves every object with data). Thread-safe.
  virtual bool configured() const = 0;

  /// True when the view holds every object of the cluster (a watch): an object it does not know
  /// does not exist, and wildcard reads serve only the objects it selects. False for a file of
  /// objects offline, which filters by labels only when a selector is given. Thread-safe.
  virtual bool authoritative() const { return false; }

  /// The labels of one object, or nullopt when the view does not know it. `namespace_name` is
  /// "" for root-scoped resources. Thread-safe.
  virtual std::optional<core::Labels> labels_of(const core::GroupResource& gr,
                                                std::string_view namespace_name,
                                                std::string_view name) const = 0;

  /// Wildcard reads: the names of the objects of `gr` in `namespace_name` ("" for root-scoped
  /// resources) whose labels match `selector`, sorted. Errors: ServiceUnavailable while the view
  /// cannot answer for `gr` yet (naming it), InternalError when the view may not list it (naming
  /// the missing list,watch), NotFound when the cluster has no such listable resource.
  /// Thread-safe; never blocks on I/O.
  [[nodiscard]] virtual core::Result<std::vector<std::string>> select(
      const core::GroupResource& gr, std::string_view namespace_name,
      const core::LabelSelector& selector) const = 0;
};

/// The view used when nothing is configured: knows no object.
class EmptyClusterView final : public ClusterView {
 public:
  // kube::ClusterView
  bool configured() const override { return false; }
  std::optional<core::Labels> labels_of(const core::GroupResource&, std::string_view,
                                        std::string_view) const override {
    return std::nullopt;
  }
  core::Result<std::vector<std::string>> select(const core::GroupResource&, std::string_view,
                                                const core::LabelSelector&) const override {
    return std::vector<std::string>{};
  }
};

}  // namespace kscale::kube
