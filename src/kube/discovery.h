#pragma once
// kube::Discovery: group-resource strings ("deployments.apps", "services", "foos.example.com")
// mapped to the API's group, version, resource, scope and verbs through API discovery
// (GET /api, /api/v1, /apis, /apis/<group>/<preferredVersion>), refreshed periodically and on a miss.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/clock.h"
#include "core/errors.h"
#include "kube/api_client.h"

namespace kscale::kube {

struct ApiResource {
  std::string group;  // "" for the core group
  std::string version;
  std::string resource;  // plural: "deployments"
  std::string singular;
  std::string kind;
  bool namespaced = true;
  std::vector<std::string> verbs;

  bool can_list_and_watch() const;
  /// "pods", "deployments.apps".
  std::string group_resource() const;
  /// The collection's path; all namespaces when `namespace_name` is empty.
  std::string path(std::string_view namespace_name = {}) const;
};

/// Thread-safe: find() from any thread; refresh()/resolve() from coroutines on any executor
/// (concurrent refreshes are harmless, the last one wins).
class Discovery {
 public:
  /// `client` and `clock` must outlive the discovery.
  Discovery(ApiClient& client, const core::Clock& clock,
            std::chrono::milliseconds interval = std::chrono::minutes(10),
            std::chrono::milliseconds miss_interval = std::chrono::seconds(30));

  /// Reads every group now. A group answering an error (503: an unavailable APIService) is
  /// skipped and logged; errors only when /api or /apis cannot be read (the previous mapping
  /// is then kept).
  boost::asio::awaitable<core::Result<void>> refresh();

  /// Maps a group-resource string: split at the first '.', matched against plural,
  /// singularName or lower-case kind (names with '/' are subresources and ignored). Refreshes
  /// first when the mapping is older than the interval, or on a miss when the last refresh is
  /// older than the miss interval. nullopt: unknown.
  boost::asio::awaitable<std::optional<ApiResource>> resolve(std::string group_resource);

  /// The cached mapping only (no I/O).
  std::optional<ApiResource> find(std::string_view group_resource) const;
  /// A refresh has succeeded at least once.
  bool ready() const;

  /// Refreshes every interval until cancelled; spawn it as a member of a net::TaskGroup.
  boost::asio::awaitable<void> run();

 private:
  using Groups = std::map<std::string, std::vector<ApiResource>, std::less<>>;  // by group

  ApiClient& client_;
  const core::Clock& clock_;
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds miss_interval_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Groups> groups_;
  std::optional<core::MonotonicTime> refreshed_;  // last successful refresh
  std::optional<core::MonotonicTime> attempted_;  // last refresh attempt
};

/// The group-resource mapping rule alone, for a discovered set (exposed for tests).
std::optional<ApiResource> match_resource(const std::vector<ApiResource>& group_resources,
                                          std::string_view resource);

}  // namespace kscale::kube
