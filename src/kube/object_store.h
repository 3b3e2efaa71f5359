#pragma once
// kube::ObjectStore: the in-memory objects of one watched resource (key namespace/name), stored
// compactly — namespaces and whole label sets (flattened) interned per store, name, uid and
// resourceVersion in one allocation per object — so 100k pods' metadata stays within ~200 bytes each.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/label_selector.h"
#include "core/labels.h"
#include "kube/object_metadata.h"

namespace kscale::kube {

/// Thread-safe: one writer (the resource's reflector) and any number of readers, from any
/// threads. Readers see each write whole.
class ObjectStore {
 public:
  /// `keep_detail` decides which objects keep their whole ObjectMetadata beside the compact
  /// entry (annotated pods to scrape, the authentication ConfigMap); default: none.
  explicit ObjectStore(std::function<bool(const ObjectMetadata&)> keep_detail = {});
  ~ObjectStore();
  ObjectStore(const ObjectStore&) = delete;
  ObjectStore& operator=(const ObjectStore&) = delete;

  /// ADDED / MODIFIED.
  void upsert(ObjectMetadata&& object);
  /// DELETED.
  void remove(std::string_view namespace_name, std::string_view name);

  /// A relist: begin_replace(), replace_item() for each listed object, then end_replace() swaps
  /// the listed set in (absent keys are deleted); readers see the old set until then.
  void begin_replace();
  void replace_item(ObjectMetadata&& object);
  void end_replace();

  std::size_t size() const;
  /// The labels of one object.
  std::optional<core::Labels> labels_of(std::string_view namespace_name,
                                        std::string_view name) const;
  /// Whether the object is stored.
  bool contains(std::string_view namespace_name, std::string_view name) const;
  /// Names of the objects in `namespace_name` ("" = every namespace, for cluster-scoped
  /// resources the only one) whose labels match `selector`, sorted.
  std::vector<std::string> select(std::string_view namespace_name,
                                  const core::LabelSelector& selector) const;
  /// Every kept detail (see keep_detail), in key order.
  std::vector<ObjectMetadata> details() const;
  /// Bumped by every write that adds, changes or removes a kept detail (or the object holding
  /// one), so a consumer re-reads details() only when it changed.
  uint64_t detail_version() const { return detail_version_.load(); }
  /// Bumped by every write.
  uint64_t version() const { return version_.load(); }
  /// Called (on the writer's thread, no lock held) after each write that bumps detail_version.
  /// Set before the reflector starts.
  void set_on_detail_change(std::function<void()> callback) {
    on_detail_change_ = std::move(callback);
  }

 private:
  struct Table;  // the compact entries and their interning pools

  void detail_changed();

  std::function<bool(const ObjectMetadata&)> keep_detail_;
  std::function<void()> on_detail_change_;
  mutable std::shared_mutex mutex_;
  std::unique_ptr<Table> table_;
  std::unique_ptr<Table> pending_;  // being filled by a relist; writer-only
  std::atomic<uint64_t> version_{0};
  std::atomic<uint64_t> detail_version_{0};
};

}  // namespace kscale::kube
