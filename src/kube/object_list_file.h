#pragma once
// kube::ObjectListFile: a ClusterView read from a Kubernetes List document (what
// `kubectl get pods,services -o yaml` prints, YAML or JSON), reloaded when the file changes.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "core/clock.h"
#include "core/errors.h"
#include "kube/cluster_view.h"

namespace kscale::kube {

/// Objects by (group-resource string, namespace, name).
using ObjectIndex =
    std::map<std::tuple<std::string, std::string, std::string>, core::Labels, std::less<>>;

/// Parses a List (or a single object, or a multi-document YAML stream) into an index. Errors
/// name the item (items[3].metadata.name: required).
[[nodiscard]] core::Result<ObjectIndex> parse_object_list(std::string_view yaml_or_json);

/// The names of the index's objects of `gr` in `namespace_name` matching `selector`, sorted
/// (ClusterView::select over an index).
std::vector<std::string> select_objects(const ObjectIndex& index, const core::GroupResource& gr,
                                        std::string_view namespace_name,
                                        const core::LabelSelector& selector);

class ObjectListFile final : public ClusterView {
 public:
  /// Loads `path` now (an unreadable or invalid file is an error at startup) and re-reads it
  /// at most every `check_every` when its modification time changes; a later invalid version
  /// is logged and the previous objects are kept.
  [[nodiscard]] static core::Result<std::unique_ptr<ObjectListFile>> open(
      std::filesystem::path path, const core::Clock& clock,
      std::chrono::milliseconds check_every = std::chrono::milliseconds(1000));

  /// Use open(); public only so that std::make_unique can construct it.
  ObjectListFile(std::filesystem::path path, const core::Clock& clock,
                 std::chrono::milliseconds check_every);

  // kube::ClusterView
  bool configured() const override { return true; }
  std::optional<core::Labels> labels_of(const core::GroupResource& gr,
                                        std::string_view namespace_name,
                                        std::string_view name) const override;
  core::Result<std::vector<std::string>> select(const core::GroupResource& gr,
                                                std::string_view namespace_name,
                                                const core::LabelSelector& selector) const override;

 private:
  std::shared_ptr<const ObjectIndex> current() const;
  void maybe_reload() const;

  std::filesystem::path path_;
  const core::Clock& clock_;
  std::chrono::milliseconds check_every_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const ObjectIndex> index_;
  mutable std::filesystem::file_time_type mtime_{};
  mutable core::MonotonicTime next_check_{};
};

}  // namespace kscale::kube
