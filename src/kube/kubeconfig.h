#pragma once
// kube::ClientConfig: where the cluster is and how to prove who we are, resolved as
// controller-runtime does (--kubeconfig, KUBECONFIG, in-cluster, $HOME/.kube/config) from
// kubeconfig files (yaml-cpp) or the pod's service account. Spec kubernetes-integration.md §1.

#include <functional>
#include <optional>
#include <string>

#include "core/errors.h"
#include "net/http_url.h"

namespace kscale::kube {

/// The connection settings of one context, every path absolute (resolved against the directory
/// of the kubeconfig that held it), every field checked (client-go's rest.Config, the subset
/// kscale supports).
struct ClientConfig {
  net::HttpUrl
      server;  // https (http only for loopback); its target is the path prefix, "/" if none
  std::string ca_file;  // PEM file; empty with ca_pem empty = the system roots
  std::string ca_pem;   // certificate-authority-data, decoded
  bool insecure_skip_tls_verify = false;
  std::string cert_file;  // client certificate: a file pair or an in-memory pair, or none
  std::string key_file;
  std::string cert_pem;
  std::string key_pem;
  std::string token;       // bearer token (kubeconfig `token`)
  std::string token_file;  // re-read as it rotates (tokenFile, or the service account's)
  /// For logs: "kubeconfig /path (context ctx)", "in-cluster service account" …
  std::string source;
};

/// Reads an environment variable; nullopt when unset. The default reads the process's.
using GetEnv = std::function<std::optional<std::string>(const std::string& name)>;
GetEnv process_env();

struct ClientConfigOptions {
  std::string kubeconfig;  // --kubeconfig: this file only; missing or unreadable is an error
  std::string context;     // --context: overrides current-context
};

/// The cluster connection in controller-runtime's order (pkg/client/config/config.go loadConfig):
/// 1. `options.kubeconfig`; 2. KUBECONFIG (':'-separated, merged: the first file to define a
/// cluster, user, context or current-context wins; missing files skipped; when it is set, 3 and 4
/// are not tried, as upstream, so naming no existing file means nullopt); 3. in-cluster, when
/// KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are set and the token is readable (the
/// service-account directory is KSCALE_SERVICEACCOUNT_DIR in tests, else
/// /var/run/secrets/kubernetes.io/serviceaccount; an unreadable ca.crt is logged and the system
/// roots used); 4. $HOME/.kube/config if it exists. nullopt: none of them — standalone mode, not
/// an error. Errors (BadRequest) name the file and the field: a context, cluster or user that
/// does not exist, a field kscale does not support (exec, auth-provider, username/password) with
/// the alternatives, a bad server URL, a CA with insecure-skip-tls-verify, a certificate without
/// its key.
[[nodiscard]] core::Result<std::optional<ClientConfig>> resolve_client_config(
    const ClientConfigOptions& options, const GetEnv& env = process_env());

/// One explicit kubeconfig file, no merging and no KUBECONFIG (--authentication-kubeconfig,
/// --authorization-kubeconfig); `context` empty = its current-context. Errors as above.
[[nodiscard]] core::Result<ClientConfig> load_kubeconfig(const std::string& path,
                                                         const std::string& context);

/// The in-cluster configuration (rest.InClusterConfig); nullopt when the two variables are not
/// both set. Errors: the token cannot be read, the host/port make no URL.
[[nodiscard]] core::Result<std::optional<ClientConfig>> in_cluster_config(const GetEnv& env);

}  // namespace kscale::kube
