#pragma once
// app::ClusterAccess: what `kscale adapter` runs in cluster mode (kubernetes-integration.md) —
// the API clients, the live cluster cache, delegated authentication kept in step with the
// extension-apiserver-authentication ConfigMap, delegated authorization — and the gate that puts
// every request of the secure port through them.

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "app/adapter_options.h"
#include "auth/authentication_config.h"
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "core/clock.h"
#include "core/errors.h"
#include "kube/cluster_cache.h"
#include "kube/cluster_connection.h"
#include "kube/http_api_client.h"
#include "net/server.h"
#include "net/task_group.h"

namespace kscale::app {

class ClusterAccess {
 public:
  /// Cluster mode when a connection resolves (--kubeconfig, KUBECONFIG, in-cluster,
  /// ~/.kube/config); nullptr for standalone mode. Reads the authentication ConfigMap once now
  /// (running `ioc` until it answers): unreadable is an error naming the RoleBinding to create,
  /// unless --authentication-tolerate-lookup-failure. Nothing watches before start().
  [[nodiscard]] static core::Result<std::unique_ptr<ClusterAccess>> open(
      const AdapterConfig& config, boost::asio::io_context& ioc, net::TaskGroup& tasks,
      const core::Clock& clock);
  ~ClusterAccess();
  ClusterAccess(const ClusterAccess&) = delete;
  ClusterAccess& operator=(const ClusterAccess&) = delete;

  /// Starts the watches (pods, namespaces, the authentication ConfigMap) as members of the task
  /// group given to open().
  void start();

  kube::ClusterCache& cache() { return *cache_; }
  /// /readyz: the cache's first lists are in.
  bool synced() const { return cache_->synced(); }
  /// Authentication, then authorization, for every request of the secure port.
  net::Gate gate();

  ClusterAccess(const AdapterConfig& config, const core::Clock& clock);  // use open()

 private:
  [[nodiscard]] core::Result<void> connect(boost::asio::io_context& ioc, net::TaskGroup& tasks,
                                           kube::ClusterConnection connection);
  [[nodiscard]] core::Result<void> load_authentication(boost::asio::io_context& ioc);
  void apply_authentication(const std::map<std::string, std::string>& data);

  const AdapterConfig& config_;
  const core::Clock& clock_;
  auth::AuthenticationFlags authn_flags_;
  std::unique_ptr<kube::HttpApiClient> cluster_client_;  // --client-qps/--client-burst
  std::unique_ptr<kube::HttpApiClient> authn_client_;    // 200/400, as upstream's
  std::unique_ptr<kube::HttpApiClient> authz_client_;
  std::unique_ptr<kube::ClusterCache> cache_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<auth::Authorizer> authorizer_;
};

}  // namespace kscale::app
