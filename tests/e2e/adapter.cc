#include "e2e/adapter.h"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "support/wait_until.h"

namespace kscale::testing {

namespace {

const std::string kManifest = std::string(KSCALE_SOURCE_DIR) + "/deploy/kscale-adapter.yaml";

std::string file_base64(const std::filesystem::path& file) {
  auto r = run_command({"base64", "-w0", file.string()});
  if (r.status != 0) {
    throw std::runtime_error("base64 " + file.string() + ": " + r.err);
  }
  return r.out;
}

}  // namespace

Adapter::Adapter(ControlPlane& cp, const std::vector<std::string>& extra_args) : cp_(cp) {
  std::vector<std::string> argv{kscale_binary(),
                                "adapter",
                                "--bind-address=127.0.0.1",
                                "--secure-port=0",
                                "--http-port=0",
                                "--tls-cert-file=" + cp.cert("adapter").string(),
                                "--tls-private-key-file=" + cp.key("adapter").string(),
                                "--v=2"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = &cp.add_component("kscale adapter", argv);
  auto https = process_->wait_for(std::regex(R"(on https://127\.0\.0\.1:(\d+))"));
  auto http = process_->wait_for(std::regex(R"(on http://127\.0\.0\.1:(\d+))"));
  if (!https || !http) {
    throw std::runtime_error("kscale adapter did not report its ports:\n" +
                             last_lines(process_->output(), 50));
  }
  secure_port_ = std::stoi(*https);
  http_port_ = std::stoi(*http);
}

bool Adapter::wait_ready(std::chrono::milliseconds timeout) const {
  return wait_until([&] { return cp_.request(https_url() + "/readyz", Identity{}).code == 200; },
                    timeout, std::chrono::milliseconds(250));
}

std::string Adapter::apiservices_yaml() const {
  const std::string ca_bundle = file_base64(cp_.cert("ca"));
  std::string out;
  for (auto doc : YAML::LoadAllFromFile(kManifest)) {
    if (!doc.IsMap() || doc["kind"].as<std::string>("") != "APIService") {
      continue;
    }
    doc["spec"]["service"]["port"] = secure_port_;
    doc["spec"].remove("insecureSkipTLSVerify");
    doc["spec"]["caBundle"] = ca_bundle;
    YAML::Emitter emitter;
    emitter << doc;
    out += std::string("---\n") + emitter.c_str() + "\n";
  }
  return out;
}

bool Adapter::register_apiservices() const {
  const std::string service = R"(apiVersion: v1
kind: Namespace
metadata: {name: kscale}
---
apiVersion: v1
kind: Service
metadata: {name: kscale-adapter, namespace: kscale}
spec: {type: ExternalName, externalName: localhost}
)";
  const std::string apiservices = apiservices_yaml();
  if (apiservices.empty()) {
    ADD_FAILURE() << "deploy/kscale-adapter.yaml has no APIService";
    return false;
  }
  if (!cp_.apply(service) || !cp_.apply(apiservices)) {
    return false;
  }
  for (const char* name : {"v1beta2.custom.metrics.k8s.io", "v1beta1.custom.metrics.k8s.io",
                           "v1beta1.external.metrics.k8s.io"}) {
    auto r = cp_.kubectl(
        {"wait", "--for=condition=Available", std::string("apiservice/") + name, "--timeout=60s"});
    if (r.status != 0) {
      auto status = cp_.kubectl({"get", "apiservice", name, "-o", "jsonpath={.status}"});
      ADD_FAILURE() << "APIService " << name << " not Available within 60 s: " << r.err
                    << "\nstatus: " << status.out << "\n"
                    << cp_.log_tails();
      return false;
    }
  }
  return true;
}

int Adapter::push(const std::string& path, const std::string& value) const {
  auto r =
      cp_.request(http_url() + path, Identity{}, {"Content-Type: application/json"}, "POST", value);
  return r.code;
}

std::filesystem::path prepare_adapter_identity(const ControlPlane& cp) {
  const std::set<std::string> kinds{"Namespace",   "ServiceAccount", "Role",
                                    "RoleBinding", "ClusterRole",    "ClusterRoleBinding"};
  std::string rbac;
  for (const auto& doc : YAML::LoadAllFromFile(kManifest)) {
    if (doc.IsMap() && kinds.count(doc["kind"].as<std::string>("")) != 0) {
      YAML::Emitter emitter;
      emitter << doc;
      rbac += std::string("---\n") + emitter.c_str() + "\n";
    }
  }
  auto applied = cp.kubectl({"apply", "-f", "-"}, rbac);
  if (applied.status != 0) {
    throw std::runtime_error("cannot apply the adapter's RBAC: " + applied.err);
  }
  const auto token_file =
      cp.write_file("adapter.token", cp.service_account_token("kscale", "kscale-adapter"));
  return cp.kubeconfig_for("adapter", Identity{.token_file = token_file.string()});
}

}  // namespace kscale::testing
