#include "kube/static_cluster_view.h"

#include <tuple>

namespace kscale::kube {

StaticClusterView::StaticClusterView(ObjectIndex objects)
    : objects_(std::make_shared<const ObjectIndex>(std::move(objects))) {}

void StaticClusterView::set_objects(ObjectIndex objects) {
  auto next = std::make_shared<const ObjectIndex>(std::move(objects));
  std::lock_guard lock(mutex_);
  objects_.swap(next);
}

void StaticClusterView::set_pods(const std::vector<PodObject>& pods) {
  ObjectIndex index;
  for (const auto& pod : pods) {
    index[{"pods", pod.namespace_name, pod.name}] = pod.labels;
  }
  set_objects(std::move(index));
}

std::shared_ptr<const ObjectIndex> StaticClusterView::objects() const {
  std::lock_guard lock(mutex_);
  return objects_;
}

std::optional<core::Labels> StaticClusterView::labels_of(const core::GroupResource& gr,
                                                         std::string_view namespace_name,
                                                         std::string_view name) const {
  const auto index = objects();
  const auto it =
      index->find(std::make_tuple(gr.to_string(), std::string(namespace_name), std::string(name)));
  if (it == index->end()) {
    return std::nullopt;
  }
  return it->second;
}

}  // namespace kscale::kube
