#pragma once
// kube::ClusterCache: the live cluster view — list+watch of pods, namespaces, the
// kube-system/extension-apiserver-authentication ConfigMap, and every other group-resource a
// wildcard request names (found through discovery) — behind kube::ClusterView.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/errors.h"
#include "core/labels.h"
#include "kube/annotated_pods.h"
#include "kube/api_client.h"
#include "kube/cluster_view.h"
#include "kube/discovery.h"
#include "kube/object_store.h"
#include "kube/reflector.h"
#include "net/task_group.h"

namespace kscale::kube {

struct ClusterCacheOptions {
  /// --scrape-annotated-pods: pods are watched as full objects (not metadata only) so that
  /// scrape_endpoints() knows their annotations, IP, phase and ports.
  bool scrape_annotated_pods = false;
  std::chrono::milliseconds discovery_interval = std::chrono::minutes(10);
  std::chrono::milliseconds discovery_miss_interval = std::chrono::seconds(30);
  /// Budget of the live LIST that answers a wildcard read before its resource is synced.
  std::chrono::milliseconds live_list_budget = std::chrono::seconds(5);
};

/// Thread-safe: every const member and select_async() may be used from any thread while the
/// watches run. Lifetime: `client` and `tasks` must outlive the cache, and the task group must
/// have ended every member the cache spawned before the cache is destroyed.
class ClusterCache final : public ClusterView {
 public:
  static constexpr std::string_view kAuthenticationConfigMap = "extension-apiserver-authentication";

  /// Loops are spawned into `tasks` on `executor` (a strand per loop is made from it);
  /// `env` gives time and randomness (default_reflector_env in production).
  ClusterCache(ApiClient& client, net::TaskGroup& tasks, boost::asio::any_io_executor executor,
               ClusterCacheOptions options, ReflectorEnv env);
  ~ClusterCache() override;
  ClusterCache(const ClusterCache&) = delete;
  ClusterCache& operator=(const ClusterCache&) = delete;

  /// Starts watching pods, namespaces and the authentication ConfigMap, and the discovery
  /// refresh loop. Call once.
  void start();

  /// /readyz: pods, namespaces and the ConfigMap have each applied their first list.
  bool synced() const;
  /// Names of the required watches not synced yet ("pods", "namespaces",
  /// "configmaps/kube-system/extension-apiserver-authentication"), for logs.
  std::vector<std::string> unsynced() const;

  /// The ConfigMap's data; nullopt until synced or while it does not exist.
  std::optional<core::Labels> authentication_config() const;
  /// Bumped whenever the ConfigMap appears, changes or disappears.
  uint64_t authentication_config_version() const;
  /// Called on the watch's strand after each such change (set before start()).
  void on_authentication_config_change(std::function<void()> callback);

  /// Pods annotated prometheus.io/scrape: "true" that can be scraped (see annotated_pods.h),
  /// sorted by namespace/name; why the others cannot, in `skipped`. Empty unless
  /// options.scrape_annotated_pods.
  std::vector<ScrapeEndpoint> scrape_endpoints(std::vector<std::string>* skipped = nullptr) const;
  /// Bumped whenever an annotated pod appears, changes or disappears (a deleted pod at once).
  uint64_t scrape_version() const;
  /// Called on the pod watch's strand after each such change (set before start()).
  void on_scrape_change(std::function<void()> callback);

  /// Wildcard selection that may wait on I/O: resolves `gr` through discovery (refreshing on a
  /// miss), starts its watch on first use, and while it is not synced answers from one live
  /// metadata LIST with labelSelector (options.live_list_budget). Errors as select(); 404
  /// (NotFound) for a resource discovery does not know or that has no list+watch verbs.
  boost::asio::awaitable<core::Result<std::vector<std::string>>> select_async(
      core::GroupResource gr, std::string namespace_name, core::LabelSelector selector);

  // kube::ClusterView
  bool configured() const override { return true; }
  bool authoritative() const override { return true; }
  std::optional<core::Labels> labels_of(const core::GroupResource& gr,
                                        std::string_view namespace_name,
                                        std::string_view name) const override;
  /// Without I/O: answers from the resource's store once synced; otherwise starts its watch (if
  /// discovery knows it) and answers 503 naming it.
  core::Result<std::vector<std::string>> select(const core::GroupResource& gr,
                                                std::string_view namespace_name,
                                                const core::LabelSelector& selector) const override;

 private:
  struct Watch {
    ApiResource resource;
    std::unique_ptr<ObjectStore> store;
    std::unique_ptr<Reflector> reflector;
  };

  // Adds and starts a watch under `key` (or returns the one there); mutex_ held by the caller.
  Watch* add_watch(const std::string& key, ApiResource resource, WatchTarget target,
                   std::function<bool(const ObjectMetadata&)> keep_detail = {}) const;
  // The watch of a discovered resource, started on first use.
  Watch* watch_for(const ApiResource& resource) const;
  // The watch `gr` names, by its spelling or through the cached discovery; nullptr if none.
  Watch* find_watch(const core::GroupResource& gr) const;
  // A miss: resolves `gr` through discovery in the background (refreshing it) and starts its
  // watch if it exists.
  void resolve_later(const core::GroupResource& gr) const;
  core::Result<std::vector<std::string>> answer(const Watch& w, std::string_view namespace_name,
                                                const core::LabelSelector& selector) const;
  boost::asio::awaitable<core::Result<std::vector<std::string>>> live_list(
      ApiResource resource, std::string namespace_name, core::LabelSelector selector);

  ApiClient& client_;
  net::TaskGroup& tasks_;
  boost::asio::any_io_executor executor_;
  ClusterCacheOptions options_;
  ReflectorEnv env_;
  std::unique_ptr<Discovery> discovery_;
  std::function<void()> on_auth_change_;
  std::function<void()> on_scrape_change_;
  mutable std::mutex mutex_;  // guards watches_ (entries are never removed)
  mutable std::map<std::string, std::unique_ptr<Watch>, std::less<>> watches_;
  mutable std::map<std::string, bool, std::less<>> resolving_;  // misses being resolved
  Watch* pods_ = nullptr;
  Watch* namespaces_ = nullptr;
  Watch* config_map_ = nullptr;
  std::atomic<bool> started_{false};
};

}  // namespace kscale::kube
