#pragma once
// kube::ClusterConnection: a resolved ClientConfig made ready to use — the server URL, one client
// TLS context (CA or insecure, client certificate) and one token source, shared by every
// HttpApiClient that talks to that server.

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/errors.h"
#include "kube/kubeconfig.h"
#include "kube/token_source.h"
#include "net/http_url.h"

namespace boost::asio::ssl {
class context;
}

namespace kscale::kube {

struct ClusterConnection {
  net::HttpUrl server;
  std::shared_ptr<boost::asio::ssl::context> tls;  // null for an http:// (loopback) server
  std::shared_ptr<TokenSource> tokens;
  std::string source;  // ClientConfig::source, for logs
};

/// Builds the TLS context (certificate files are read now: errors name the kubeconfig field and
/// OpenSSL's reason) and the token source. `clock` must outlive the connection.
[[nodiscard]] core::Result<ClusterConnection> make_cluster_connection(const ClientConfig& config,
                                                                      const core::Clock& clock);

}  // namespace kscale::kube
