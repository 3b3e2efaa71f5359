#include "kube/cluster_connection.h"

#include <boost/asio/ssl/context.hpp>

#include "net/tls.h"

namespace kscale::kube {

core::Result<ClusterConnection> make_cluster_connection(const ClientConfig& config,
                                                        const core::Clock& clock) {
  ClusterConnection out;
  out.server = config.server;
  out.source = config.source;
  if (config.server.tls) {
    net::ClientTlsOptions tls;
    tls.ca_file = config.ca_file;
    tls.ca_pem = config.ca_pem;
    tls.insecure_skip_verify = config.insecure_skip_tls_verify;
    tls.cert_file = config.cert_file;
    tls.cert_pem = config.cert_pem;
    tls.key_file = config.key_file;
    tls.key_pem = config.key_pem;
    auto context = net::make_client_tls_context(tls);
    if (!context) {
      return core::fail(context.error().with_context(config.source));
    }
    out.tls = std::move(*context);
  }
  out.tokens = std::make_shared<TokenSource>(config.token, config.token_file, clock);
  return out;
}

}  // namespace kscale::kube
