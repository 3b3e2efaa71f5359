#pragma once
// TLS for the secure port: load --tls-cert-file/--tls-private-key-file, or generate a
// self-signed certificate into --cert-dir as the Go generic apiserver does (apiserver.crt/.key);
// and the client context the HTTP client verifies servers with.

#include <memory>
#include <string>
#include <vector>

#include "core/errors.h"

namespace boost::asio::ssl {
class context;
}

namespace kscale::net {

struct TlsOptions {
  std::string cert_file;  // PEM; with key_file, used as is
  std::string key_file;
  std::string cert_dir;  // where a self-signed pair is written when no files are given
  /// Extra SANs besides localhost and 127.0.0.1: service names (--tls-sni/--advertise-names).
  std::vector<std::string> names;
};

/// A server context (TLS 1.2+) with the certificate loaded or generated. Errors name the file
/// and the OpenSSL reason.
[[nodiscard]] core::Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const TlsOptions& options);

/// A client context (TLS 1.2+): verifies the server against `ca_file` (PEM), or the system store
/// when empty, unless `insecure_skip_verify`. Errors name the file and OpenSSL's reason.
[[nodiscard]] core::Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(
    const std::string& ca_file, bool insecure_skip_verify);

/// What a client context trusts and presents: each PEM either in a file or in memory (a
/// kubeconfig's `certificate-authority` / `certificate-authority-data`), the in-memory one
/// winning when both are set.
struct ClientTlsOptions {
  std::string ca_file;
  std::string ca_pem;
  bool insecure_skip_verify = false;  // with a CA set: a BadRequest error
  std::string cert_file;              // client certificate chain, leaf first
  std::string cert_pem;
  std::string key_file;  // its private key; both or neither of certificate and key
  std::string key_pem;
};

/// A client context (TLS 1.2+) as above, which also presents a client certificate when one is
/// given. Errors (BadRequest) name the file or "…-data" field and OpenSSL's reason.
[[nodiscard]] core::Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(
    const ClientTlsOptions& options);

/// Writes a self-signed P-256 certificate valid for one year with SANs for localhost, 127.0.0.1,
/// ::1 and `names` (IPs become IP SANs). Overwrites existing files.
[[nodiscard]] core::Result<void> write_self_signed_certificate(
    const std::string& cert_path, const std::string& key_path,
    const std::vector<std::string>& names);

}  // namespace kscale::net
