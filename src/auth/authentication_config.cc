#include "auth/authentication_config.h"

#include <fstream>
#include <iterator>

#include <boost/json/parse.hpp>

namespace kscale::auth {

namespace {

[[nodiscard]] core::Result<std::string> read_pem_file(const std::string& flag,
                                                      const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::fail(core::Error::bad_request(flag + ": cannot read \"" + path + "\""));
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string value_of(const std::map<std::string, std::string>& data, const std::string& key) {
  const auto it = data.find(key);
  return it == data.end() ? std::string() : it->second;
}

// Upstream: k8s.io/apiserver pkg/server/dynamiccertificates/... requestheader_controller.go
// deserializeStrings: "" is empty, otherwise a JSON []string (null = empty).
[[nodiscard]] core::Result<std::vector<std::string>> string_list(
    const std::map<std::string, std::string>& data, const std::string& key) {
  const std::string text = value_of(data, key);
  if (text.empty()) {
    return std::vector<std::string>{};
  }
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  const auto invalid = [&key] {
    return core::Error::bad_request("configmap " + std::string(kAuthenticationConfigMapNamespace) +
                                    "/" + kAuthenticationConfigMapName + " key " + key +
                                    ": not a JSON array of strings");
  };
  if (ec || !(v.is_null() || v.is_array())) {
    return core::fail(invalid());
  }
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& item : v.get_array()) {
      if (!item.is_string()) {
        return core::fail(invalid());
      }
      out.emplace_back(item.get_string());
    }
  }
  return out;
}

[[nodiscard]] core::Result<std::optional<RequestHeaderConfig>> request_header_from_configmap(
    const std::map<std::string, std::string>& data) {
  RequestHeaderConfig c;
  c.client_ca = value_of(data, "requestheader-client-ca-file");
  if (c.client_ca.empty()) {
    return std::nullopt;  // kube-apiserver has no requestheader CA: no front proxy to trust
  }
  const std::pair<const char*, std::vector<std::string>*> lists[] = {
      {"requestheader-allowed-names", &c.allowed_names},
      {"requestheader-username-headers", &c.username_headers},
      {"requestheader-uid-headers", &c.uid_headers},
      {"requestheader-group-headers", &c.group_headers},
      {"requestheader-extra-headers-prefix", &c.extra_header_prefixes},
  };
  for (const auto& [key, field] : lists) {
    auto values = string_list(data, key);
    if (!values) {
      return core::fail(values.error());
    }
    *field = std::move(*values);
  }
  return c;
}

}  // namespace

// Upstream: k8s.io/apiserver pkg/server/options/authentication.go
// DelegatingAuthenticationOptions.ApplyTo and getRequestHeader.
core::Result<AuthenticationConfig> resolve_authentication_config(
    const std::map<std::string, std::string>& configmap_data, const AuthenticationFlags& flags) {
  AuthenticationConfig config;
  if (!flags.client_ca_file.empty()) {
    auto pem = read_pem_file("--client-ca-file", flags.client_ca_file);
    if (!pem) {
      return core::fail(pem.error());
    }
    config.client_ca = std::move(*pem);
  } else {
    config.client_ca = value_of(configmap_data, "client-ca-file");
  }
  if (!flags.requestheader_client_ca_file.empty()) {
    auto pem = read_pem_file("--requestheader-client-ca-file", flags.requestheader_client_ca_file);
    if (!pem) {
      return core::fail(pem.error());
    }
    config.request_header = RequestHeaderConfig{std::move(*pem),
                                                flags.requestheader_allowed_names,
                                                flags.requestheader_username_headers,
                                                flags.requestheader_uid_headers,
                                                flags.requestheader_group_headers,
                                                flags.requestheader_extra_headers_prefix};
    return config;
  }
  auto request_header = request_header_from_configmap(configmap_data);
  if (!request_header) {
    return core::fail(request_header.error());
  }
  config.request_header = std::move(*request_header);
  return config;
}

std::string lookup_failure_message(const std::string& error) {
  // Upstream: authentication.go ApplyTo's error and its "Usually fixed by" hint.
  return std::string("unable to load configmap based request-header-client-ca-file: ") + error +
         "; usually fixed by 'kubectl create rolebinding -n " + kAuthenticationConfigMapNamespace +
         " ROLEBINDING_NAME --role=extension-apiserver-authentication-reader "
         "--serviceaccount=YOUR_NS:YOUR_SA', or start with "
         "--authentication-tolerate-lookup-failure=true (requests may then be anonymous)";
}

}  // namespace kscale::auth
