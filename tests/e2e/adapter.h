#pragma once
// End-to-end test support: `kscale adapter` as a local process beside a ControlPlane, serving
// with the certificate table's adapter certificate, and registered with the aggregator through
// Service kscale/kscale-adapter (ExternalName localhost) and deploy/kscale-adapter.yaml's APIServices.

#include <chrono>
#include <string>
#include <vector>

#include "e2e/control_plane.h"

namespace kscale::testing {

class Adapter {
 public:
  /// Starts `kscale adapter` on 127.0.0.1 (any free ports) with `extra_args` appended; the
  /// process belongs to `cp` (stopped before it, log in cp.log_tails()). Throws if no port shows.
  Adapter(ControlPlane& cp, const std::vector<std::string>& extra_args = {});

  int secure_port() const { return secure_port_; }
  int http_port() const { return http_port_; }
  std::string https_url() const { return "https://127.0.0.1:" + std::to_string(secure_port_); }
  std::string http_url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }
  /// The adapter's process id, and whether that process is still running (a test of "without
  /// restart" checks both).
  int pid() const { return process_->pid(); }
  bool running() const { return process_->running(); }
  /// Everything the adapter printed so far.
  std::string output() const { return process_->output(); }

  /// Waits until GET /readyz on the secure port (no credentials) answers 200; false on timeout.
  bool wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  /// Applies namespace kscale, Service kscale/kscale-adapter (type ExternalName, externalName
  /// localhost) and the APIServices of deploy/kscale-adapter.yaml with service.port = the secure
  /// port and caBundle = ca.crt; waits until all are Available (fails the test otherwise).
  bool register_apiservices() const;
  /// The APIService objects as applied by register_apiservices (YAML stream).
  std::string apiservices_yaml() const;

  /// POST `value` (a JSON number as text) to the plain push port at `path`
  /// ("/write-metrics/namespaces/default/pods/p/m"); returns the HTTP status.
  int push(const std::string& path, const std::string& value) const;

 private:
  ControlPlane& cp_;
  Process* process_ = nullptr;
  int secure_port_ = 0;
  int http_port_ = 0;
};

/// §7's identity for `kscale adapter --kubeconfig=...` (cluster mode): applies the namespace,
/// service account, roles and bindings of deploy/kscale-adapter.yaml, writes a token of
/// kscale/kscale-adapter to <dir>/adapter.token and <dir>/adapter.kubeconfig using it as tokenFile
/// (server and CA of `cp`). Returns the kubeconfig's path; throws on failure.
std::filesystem::path prepare_adapter_identity(const ControlPlane& cp);

}  // namespace kscale::testing
