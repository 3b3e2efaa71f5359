#pragma once
// auth::AuthenticationConfig: what delegated authentication trusts — the client CA and the
// front-proxy (request header) settings — resolved from the kube-system/
// extension-apiserver-authentication ConfigMap and the flags that override it, as
// k8s.io/apiserver's DelegatingAuthenticationOptions does.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.h"

namespace kscale::auth {

/// The request header (front-proxy) authenticator's settings (upstream RequestHeaderConfig).
struct RequestHeaderConfig {
  std::string client_ca;                   // PEM bundle the proxy's certificate must chain to
  std::vector<std::string> allowed_names;  // leaf CNs allowed; empty = any
  std::vector<std::string> username_headers;
  std::vector<std::string> uid_headers;
  std::vector<std::string> group_headers;
  std::vector<std::string> extra_header_prefixes;
};

struct AuthenticationConfig {
  /// PEM bundle client certificates must chain to; empty = no client-certificate path.
  std::string client_ca;
  /// nullopt = no request header path.
  std::optional<RequestHeaderConfig> request_header;
};

/// The flags of DelegatingAuthenticationOptions (names and defaults as upstream).
struct AuthenticationFlags {
  std::string client_ca_file;                // --client-ca-file (PEM path)
  std::string requestheader_client_ca_file;  // --requestheader-client-ca-file (PEM path)
  std::vector<std::string> requestheader_allowed_names;  // --requestheader-allowed-names
  std::vector<std::string> requestheader_username_headers{"x-remote-user"};
  std::vector<std::string> requestheader_uid_headers;  // --requestheader-uid-headers
  std::vector<std::string> requestheader_group_headers{"x-remote-group"};
  std::vector<std::string> requestheader_extra_headers_prefix{"x-remote-extra-"};
  std::string authentication_kubeconfig;    // --authentication-kubeconfig ("" = the cluster client)
  bool authentication_skip_lookup = false;  // --authentication-skip-lookup
  bool authentication_tolerate_lookup_failure = false;  // --authentication-tolerate-lookup-failure
  std::chrono::seconds token_webhook_cache_ttl{10};     // --authentication-token-webhook-cache-ttl
};

inline constexpr const char* kAuthenticationConfigMapNamespace = "kube-system";
inline constexpr const char* kAuthenticationConfigMapName = "extension-apiserver-authentication";

/// The configuration from the ConfigMap's `data` (empty when the lookup is skipped or failed and
/// was tolerated) and the flags. `--client-ca-file` replaces the `client-ca-file` key;
/// `--requestheader-client-ca-file` replaces every `requestheader-*` key with the
/// `--requestheader-*` flags (upstream getRequestHeader). List keys hold JSON string arrays;
/// "" or `null` = empty. Reads the flags' CA files (each call: a rotated file applies on the next
/// call). Errors: an unreadable flag file or a list key that is not a JSON string array, naming
/// the key or file. Pure otherwise, so the app re-applies it whenever the watched ConfigMap
/// changes.
[[nodiscard]] core::Result<AuthenticationConfig> resolve_authentication_config(
    const std::map<std::string, std::string>& configmap_data, const AuthenticationFlags& flags);

/// The message for a ConfigMap that cannot be read, as upstream's (names the RoleBinding to
/// create); the app exits with it unless --authentication-tolerate-lookup-failure.
std::string lookup_failure_message(const std::string& error);

}  // namespace kscale::auth
