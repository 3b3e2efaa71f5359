#pragma once
// kube::Reflector: list+watch of one resource into an ObjectStore, with client-go's reflector
// semantics (shared/specs/kubernetes-integration.md §2): paged first list from the watch cache,
// watch from the list's resourceVersion with bookmarks, relist on 410 Gone, backoff.

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/clock.h"
#include "core/errors.h"
#include "kube/api_client.h"
#include "kube/backoff.h"
#include "kube/object_metadata.h"
#include "kube/object_store.h"
#include "kube/watch_event.h"

namespace kscale::kube {

/// What to list and watch.
struct WatchTarget {
  /// The collection's path: "/api/v1/pods", "/apis/apps/v1/deployments",
  /// "/api/v1/namespaces/kube-system/configmaps".
  std::string path;
  /// "metadata.name=extension-apiserver-authentication", or empty (sent URL-encoded).
  std::string field_selector;
  /// Metadata-only Accept headers (PartialObjectMetadata); false: full objects.
  bool metadata_only = true;
  ObjectShape shape = ObjectShape::Metadata;
  /// For logs and errors: "pods", "deployments.apps".
  std::string name;
};

/// Time and randomness, injectable for tests.
struct ReflectorEnv {
  const core::Clock* clock = nullptr;
  /// Waits `d`; false when cancelled (the loop then ends). Default: a steady_timer on the
  /// coroutine's executor.
  std::function<boost::asio::awaitable<bool>(std::chrono::milliseconds d)> sleep;
  /// Uniform in [0, 1): jitter and the watch's timeoutSeconds.
  std::function<double()> random;
  BackoffPolicy backoff;
  std::chrono::milliseconds list_timeout{60'000};
};

/// A real environment: RealClock-like `clock`, steady_timer sleep, std::mt19937_64 randomness.
ReflectorEnv default_reflector_env(const core::Clock& clock);

/// The loop runs on one strand; synced(), resource_version() and last_error() may be read from
/// any thread. The client, store and env's clock must outlive run().
class Reflector {
 public:
  Reflector(ApiClient& client, WatchTarget target, ObjectStore& store, ReflectorEnv env);
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;

  /// Lists and watches until total (or terminal) cancellation, or until env.sleep answers false.
  /// Spawn it as a member of a net::TaskGroup. Never throws for API or transport failures (they
  /// are logged, backed off and retried).
  boost::asio::awaitable<void> run();

  /// The first list has been applied to the store.
  bool synced() const { return synced_.load(); }
  /// The resourceVersion the next watch starts from.
  std::string resource_version() const;
  /// The last failure of a list (e.g. 403: the RBAC to add), cleared by a successful list.
  std::optional<core::Error> last_error() const;
  const WatchTarget& target() const { return target_; }

 private:
  enum class ListKind { First, Relist, Quorum };
  enum class WatchEnd { Normal, Expired, Backoff, Cancelled };

  boost::asio::awaitable<core::Result<void>> list(ListKind kind);
  boost::asio::awaitable<core::Result<void>> list_pages(std::string first_query, bool paged);
  boost::asio::awaitable<WatchEnd> watch();
  [[nodiscard]] core::Result<void> apply(WatchEvent&& event, WatchEnd& end);
  std::string query(std::string params) const;
  net::RequestOptions options(bool list) const;
  void set_resource_version(std::string rv);
  void set_error(std::optional<core::Error> error);

  ApiClient& client_;
  WatchTarget target_;
  ObjectStore& store_;
  ReflectorEnv env_;
  Backoff backoff_;
  std::atomic<bool> synced_{false};
  mutable std::mutex mutex_;  // guards rv_ and error_
  std::string rv_;
  std::optional<core::Error> error_;
};

}  // namespace kscale::kube
