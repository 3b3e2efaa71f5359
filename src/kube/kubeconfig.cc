#include "kube/kubeconfig.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

namespace kscale::kube {

namespace {

namespace fs = std::filesystem;

// Upstream: client-go rest/config.go InClusterConfig (tokenFile, rootCAFile).
constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

// One named cluster, user or context, with the directory its relative paths resolve against.
struct Entry {
  YAML::Node body;
  fs::path dir;
  std::string file;
};

// KUBECONFIG's files merged as clientcmd's loading rules merge them: the first file to define a
// name (or current-context) wins.
struct Merged {
  std::map<std::string, Entry> clusters;
  std::map<std::string, Entry> users;
  std::map<std::string, Entry> contexts;
  std::string current_context;
  std::vector<std::string> files;
};

core::Error config_error(const std::string& where, const std::string& message) {
  return core::Error::bad_request("kubeconfig " + where + ": " + message);
}

std::string joined(const std::vector<std::string>& files) {
  std::string out;
  for (const auto& f : files) {
    out += (out.empty() ? "" : ":") + f;
  }
  return out;
}

std::string scalar(const YAML::Node& node, const char* key) {
  const YAML::Node value = node[key];
  return value && value.IsScalar() ? value.as<std::string>() : std::string();
}

bool has(const YAML::Node& node, const char* key) {
  const YAML::Node value = node[key];
  return value && !value.IsNull() && !(value.IsScalar() && value.Scalar().empty());
}

std::string resolve_path(const std::string& path, const fs::path& dir) {
  if (path.empty() || fs::path(path).is_absolute()) {
    return path;
  }
  return (dir / path).lexically_normal().string();
}

core::Result<std::string> decode_base64(const std::string& text, const std::string& what) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  EVP_ENCODE_CTX* ctx = EVP_ENCODE_CTX_new();
  EVP_DecodeInit(ctx);
  int n = 0;
  int total = 0;
  int rc = EVP_DecodeUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &n,
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
  total = n;
  if (rc >= 0) {
    rc = EVP_DecodeFinal(ctx, reinterpret_cast<unsigned char*>(out.data()) + total, &n);
    total += n;
  }
  EVP_ENCODE_CTX_free(ctx);
  if (rc < 0) {
    return core::fail(core::Error::bad_request(what + ": not valid base64"));
  }
  out.resize(static_cast<size_t>(total));
  return out;
}

core::Result<void> merge_file(const fs::path& path, Merged& into) {
  const std::string file = path.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    return core::fail(config_error(file, "cannot read the file"));
  } catch (const YAML::Exception& e) {
    return core::fail(config_error(file, std::string("not valid YAML: ") + e.what()));
  }
  if (!root || root.IsNull()) {
    into.files.push_back(file);
    return {};
  }
  if (!root.IsMap()) {
    return core::fail(config_error(file, "not a kubeconfig (expected a map)"));
  }
  const fs::path dir = fs::absolute(path).parent_path();
  const std::pair<const char*, std::map<std::string, Entry>*> kinds[] = {
      {"clusters", &into.clusters},
      {"users", &into.users},
      {"contexts", &into.contexts}};
  for (const auto& [list, entries] : kinds) {
    const YAML::Node items = root[list];
    if (!items || items.IsNull()) {
      continue;
    }
    if (!items.IsSequence()) {
      return core::fail(config_error(file, std::string(list) + ": expected a list"));
    }
    const std::string field = std::string(list).substr(0, std::string(list).size() - 1);
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string name = scalar(items[i], "name");
      if (name.empty()) {
        return core::fail(
            config_error(file, std::string(list) + "[" + std::to_string(i) + "]: no name"));
      }
      YAML::Node body = items[i][field];
      entries->try_emplace(name, Entry{body ? body : YAML::Node(YAML::NodeType::Map), dir, file});
    }
  }
  if (into.current_context.empty()) {
    into.current_context = scalar(root, "current-context");
  }
  into.files.push_back(file);
  return {};
}

bool loopback_host(const std::string& host) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return ec ? host == "localhost" : address.is_loopback();
}

// The cluster's fields: server, CA (file or data), insecure-skip-tls-verify.
core::Result<void> read_cluster(const std::string& name, const Entry& entry, ClientConfig& out) {
  const std::string where = entry.file + ": cluster \"" + name + "\"";
  const std::string server = scalar(entry.body, "server");
  if (server.empty()) {
    return core::fail(config_error(where, "no server"));
  }
  auto url = net::parse_url(server);
  if (!url) {
    return core::fail(config_error(where, "server: " + url.error().message));
  }
  if (!url->tls && !loopback_host(url->host)) {
    return core::fail(
        config_error(where, "server " + server +
                                ": http:// is allowed only for a loopback address; use https://"));
  }
  out.server = *url;
  out.ca_file = resolve_path(scalar(entry.body, "certificate-authority"), entry.dir);
  if (has(entry.body, "certificate-authority-data")) {
    auto pem = decode_base64(scalar(entry.body, "certificate-authority-data"),
                             "certificate-authority-data");
    if (!pem) {
      return core::fail(config_error(where, pem.error().message));
    }
    if (!out.ca_file.empty()) {
      spdlog::warn(
          "kubeconfig {}: certificate-authority-data and certificate-authority are both "
          "set: using certificate-authority-data",
          where);
      out.ca_file.clear();
    }
    out.ca_pem = std::move(*pem);
  }
  out.insecure_skip_tls_verify = entry.body["insecure-skip-tls-verify"] &&
                                 entry.body["insecure-skip-tls-verify"].as<bool>(false);
  if (out.insecure_skip_tls_verify && (!out.ca_file.empty() || !out.ca_pem.empty())) {
    // Upstream: client-go transport/transport.go: a CA with the insecure flag is not allowed.
    return core::fail(config_error(where,
                                   "insecure-skip-tls-verify cannot be used with "
                                   "certificate-authority or certificate-authority-data: "
                                   "remove one of them"));
  }
  return {};
}

// A PEM from `<field>-data` (wins, with a warning) or the file `<field>`.
core::Result<void> read_pem_pair(const std::string& where, const Entry& entry,
                                 const std::string& field, std::string& file, std::string& pem) {
  file = resolve_path(scalar(entry.body, field.c_str()), entry.dir);
  const std::string data_field = field + "-data";
  if (!has(entry.body, data_field.c_str())) {
    return {};
  }
  auto decoded = decode_base64(scalar(entry.body, data_field.c_str()), data_field);
  if (!decoded) {
    return core::fail(config_error(where, decoded.error().message));
  }
  if (!file.empty()) {
    spdlog::warn("kubeconfig {}: {} and {} are both set: using {}", where, data_field, field,
                 data_field);
    file.clear();
  }
  pem = std::move(*decoded);
  return {};
}

core::Result<void> read_user(const std::string& name, const Entry& entry, ClientConfig& out) {
  const std::string where = entry.file + ": user \"" + name + "\"";
  for (const char* unsupported : {"exec", "auth-provider", "username", "password"}) {
    if (has(entry.body, unsupported)) {
      return core::fail(config_error(
          where, std::string(unsupported) +
                     " is not supported by kscale: use token, tokenFile, or "
                     "client-certificate/client-key (or their -data forms) instead, e.g. a "
                     "ServiceAccount token from `kubectl create token`"));
    }
  }
  if (auto r = read_pem_pair(where, entry, "client-certificate", out.cert_file, out.cert_pem); !r) {
    return r;
  }
  if (auto r = read_pem_pair(where, entry, "client-key", out.key_file, out.key_pem); !r) {
    return r;
  }
  const bool cert = !out.cert_file.empty() || !out.cert_pem.empty();
  const bool key = !out.key_file.empty() || !out.key_pem.empty();
  if (cert != key) {
    return core::fail(
        config_error(where, cert ? "client-certificate without client-key: set both or neither"
                                 : "client-key without client-certificate: set both or neither"));
  }
  out.token = scalar(entry.body, "token");
  out.token_file = resolve_path(scalar(entry.body, "tokenFile"), entry.dir);
  return {};
}

core::Result<ClientConfig> build(const Merged& merged, const std::string& context_override) {
  const std::string files = joined(merged.files);
  const std::string context = context_override.empty() ? merged.current_context : context_override;
  if (context.empty()) {
    return core::fail(
        config_error(files, "no current-context: set current-context or pass --context"));
  }
  const auto ctx = merged.contexts.find(context);
  if (ctx == merged.contexts.end()) {
    return core::fail(config_error(files, "context \"" + context + "\" not found"));
  }
  const std::string where = ctx->second.file + ": context \"" + context + "\"";
  const std::string cluster = scalar(ctx->second.body, "cluster");
  const auto cl = merged.clusters.find(cluster);
  if (cl == merged.clusters.end()) {
    return core::fail(config_error(where, "cluster \"" + cluster + "\" not found"));
  }
  ClientConfig out;
  if (auto r = read_cluster(cluster, cl->second, out); !r) {
    return core::fail(r.error());
  }
  const std::string user = scalar(ctx->second.body, "user");
  if (!user.empty()) {
    const auto us = merged.users.find(user);
    if (us == merged.users.end()) {
      return core::fail(config_error(where, "user \"" + user + "\" not found"));
    }
    if (auto r = read_user(user, us->second, out); !r) {
      return core::fail(r.error());
    }
  }
  out.source = "kubeconfig " + files + " (context " + context + ")";
  return out;
}

core::Result<ClientConfig> build_guarded(const Merged& merged, const std::string& context) {
  try {
    return build(merged, context);
  } catch (const YAML::Exception& e) {
    return core::fail(config_error(joined(merged.files), std::string("bad field: ") + e.what()));
  }
}

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ':')) {
    if (!item.empty()) {
      out.push_back(item);
    }
  }
  return out;
}

// Upstream: client-go rest/config.go InClusterConfig logs an unreadable CA and goes on without it.
std::string usable_ca(const fs::path& ca) {
  std::ifstream in(ca);
  std::stringstream text;
  text << in.rdbuf();
  if (!in || text.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    spdlog::error(
        "Expected to load root CA config from {}, but it is missing or holds no "
        "certificate: verifying the API server with the system roots",
        ca.string());
    return {};
  }
  return ca.string();
}

}  // namespace

GetEnv process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  };
}

core::Result<ClientConfig> load_kubeconfig(const std::string& path, const std::string& context) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return core::fail(config_error(path, "no such file"));
  }
  Merged merged;
  if (auto r = merge_file(path, merged); !r) {
    return core::fail(r.error());
  }
  return build_guarded(merged, context);
}

core::Result<std::optional<ClientConfig>> in_cluster_config(const GetEnv& env) {
  const auto host = env("KUBERNETES_SERVICE_HOST");
  const auto port = env("KUBERNETES_SERVICE_PORT");
  if (!host || !port || host->empty() || port->empty()) {
    return std::nullopt;
  }
  const fs::path dir = env("KSCALE_SERVICEACCOUNT_DIR").value_or(kServiceAccountDir);
  const fs::path token = dir / "token";
  if (std::ifstream in(token); !in) {
    return core::fail(
        core::Error::bad_request("in-cluster configuration: cannot read the "
                                 "service-account token " +
                                 token.string()));
  }
  // Upstream: InClusterConfig joins host and port with net.JoinHostPort (brackets for IPv6).
  const std::string joined_host = host->find(':') != std::string::npos ? "[" + *host + "]" : *host;
  auto url = net::parse_url("https://" + joined_host + ":" + *port);
  if (!url) {
    return core::fail(core::Error::bad_request(
        "in-cluster configuration: KUBERNETES_SERVICE_HOST/PORT: " + url.error().message));
  }
  ClientConfig out;
  out.server = *url;
  out.token_file = token.string();
  out.ca_file = usable_ca(dir / "ca.crt");
  out.source = "in-cluster service account (" + dir.string() + ")";
  return out;
}

core::Result<std::optional<ClientConfig>> resolve_client_config(const ClientConfigOptions& options,
                                                                const GetEnv& env) {
  if (!options.kubeconfig.empty()) {
    return load_kubeconfig(options.kubeconfig, options.context);
  }
  if (const auto list = env("KUBECONFIG"); list && !list->empty()) {
    Merged merged;
    for (const auto& file : split_list(*list)) {
      std::error_code ec;
      if (!fs::exists(file, ec)) {
        continue;  // clientcmd's loading rules skip missing files
      }
      if (auto r = merge_file(file, merged); !r) {
        return core::fail(r.error());
      }
    }
    if (!merged.files.empty()) {
      return build_guarded(merged, options.context);
    }
    // Upstream: controller-runtime tries in-cluster and $HOME only when KUBECONFIG is unset
    // (clientcmd's precedence is then KUBECONFIG's files alone).
    spdlog::warn("KUBECONFIG={} names no existing file: no cluster connection", *list);
    return std::nullopt;
  }
  auto in_cluster = in_cluster_config(env);
  if (!in_cluster) {
    spdlog::warn("{}; trying $HOME/.kube/config", in_cluster.error().message);
  } else if (*in_cluster) {
    return in_cluster;
  }
  if (const auto home = env("HOME"); home && !home->empty()) {
    const fs::path config = fs::path(*home) / ".kube" / "config";
    std::error_code ec;
    if (fs::exists(config, ec)) {
      return load_kubeconfig(config.string(), options.context);
    }
  }
  return std::nullopt;
}

}  // namespace kscale::kube
