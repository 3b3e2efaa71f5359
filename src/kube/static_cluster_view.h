#pragma once
// kube::StaticClusterView: a ClusterView whose objects are set from code, e.g. the scraper's
// targets (pods with their labels) or the local process group, so labelSelector works for them.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/labels.h"
#include "kube/cluster_view.h"
#include "kube/object_list_file.h"

namespace kscale::kube {

/// A pod as the view knows it.
struct PodObject {
  std::string namespace_name;
  std::string name;
  core::Labels labels;
};

/// Thread-safe: set_objects/set_pods may run concurrently with labels_of from any thread; a
/// reader sees either the old or the new set, never a mix.
class StaticClusterView final : public ClusterView {
 public:
  StaticClusterView() = default;
  explicit StaticClusterView(ObjectIndex objects);
  StaticClusterView(const StaticClusterView&) = delete;
  StaticClusterView& operator=(const StaticClusterView&) = delete;

  /// Replaces every object (keys: group-resource string such as "pods", namespace, name).
  void set_objects(ObjectIndex objects);
  /// Replaces every object with these pods (group-resource "pods").
  void set_pods(const std::vector<PodObject>& pods);
  /// The current objects (a snapshot).
  std::shared_ptr<const ObjectIndex> objects() const;

  // kube::ClusterView
  bool configured() const override { return true; }
  std::optional<core::Labels> labels_of(const core::GroupResource& gr,
                                        std::string_view namespace_name,
                                        std::string_view name) const override;
  core::Result<std::vector<std::string>> select(
      const core::GroupResource& gr, std::string_view namespace_name,
      const core::LabelSelector& selector) const override {
    return select_objects(*objects(), gr, namespace_name, selector);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const ObjectIndex> objects_ = std::make_shared<const ObjectIndex>();
};

}  // namespace kscale::kube
