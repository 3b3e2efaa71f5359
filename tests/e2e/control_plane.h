#pragma once
// End-to-end test support: a real control plane on 127.0.0.1 (etcd, kube-apiserver,
// kube-controller-manager, kwok) as shared/specs/kubernetes-integration.md §6 describes, with the
// certificate table, an admin kubectl, and helpers to act as other users (certificates, tokens).

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/process.h"

namespace kscale::testing {

/// Who a request is made as: a client certificate from the table (its file stem, e.g. "admin",
/// "alice", "front-proxy-client", "rogue-proxy"), a bearer token, both, or neither (anonymous).
struct Identity {
  std::string cert;
  std::string token;
  std::string token_file;  // kubeconfig tokenFile (requests read it once)
};

/// The answer of one HTTP request made with curl.
struct HttpResponse {
  int code = 0;  // 0: no HTTP answer (see error)
  std::string body;
  std::string error;  // curl's standard error
};

/// What a test binary may change in the control plane it starts (§6's command lines otherwise).
struct ControlPlaneOptions {
  /// kwok's --cidr and --node-ip: pod IPs come from the CIDR (a range in 127.0.0.0/8 makes them
  /// loopback addresses a test can listen on).
  std::string kwok_cidr = "10.244.0.0/24";
  std::string kwok_node_ip = "10.244.0.1";
  /// Appended to kube-apiserver's command line.
  std::vector<std::string> apiserver_args;
  /// An audit policy (YAML); when set, kube-apiserver writes the events it selects to
  /// ControlPlane::audit_log() (JSON lines, blocking mode).
  std::string audit_policy;
};

class ControlPlane {
 public:
  /// Starts etcd → kube-apiserver → kube-controller-manager → kwok and creates node kwok-node-0.
  /// Throws std::runtime_error saying what is missing or which component did not become ready
  /// (with the last lines of every component's log).
  static std::unique_ptr<ControlPlane> start(const ControlPlaneOptions& options = {});
  /// Stops every component in reverse order (SIGTERM, 10 s, SIGKILL) and removes the run directory.
  ~ControlPlane();
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  /// The directory holding certificates, kubeconfigs and data of this run.
  const std::filesystem::path& dir() const { return dir_; }
  /// The directory of etcd, kube-apiserver, kube-controller-manager, kubectl and kwok.
  const std::filesystem::path& bin() const { return bin_; }
  /// https://127.0.0.1:<port> of kube-apiserver.
  std::string server() const;
  /// http://127.0.0.1:<port> of etcd (its v3 JSON gateway: /v3/kv/range, /v3/kv/compaction...).
  const std::string& etcd_url() const { return etcd_url_; }

  /// Stops kube-apiserver (SIGTERM, 10 s, SIGKILL); etcd and the other components keep running.
  void stop_apiserver();
  /// Starts kube-apiserver again with the same command line and port and waits for /readyz;
  /// throws (with the log tails) when it does not become ready. The stopped process's log stays
  /// in log_tails as "kube-apiserver (before restart)".
  void restart_apiserver();
  std::filesystem::path admin_kubeconfig() const { return dir_ / "admin.kubeconfig"; }
  /// kube-apiserver's audit log (see ControlPlaneOptions::audit_policy).
  std::filesystem::path audit_log() const { return dir_ / "audit.log"; }
  /// <dir>/<name>.crt and .key of the certificate table (ca, apiserver, admin, alice,
  /// front-proxy-ca, front-proxy-client, rogue-proxy, adapter).
  std::filesystem::path cert(const std::string& name) const;
  std::filesystem::path key(const std::string& name) const;

  /// kubectl as admin (kscale-admin in system:masters).
  CommandResult kubectl(const std::vector<std::string>& args, const std::string& input = {}) const;
  /// kubectl with another kubeconfig (see kubeconfig_for).
  CommandResult kubectl_with(const std::filesystem::path& kubeconfig,
                             const std::vector<std::string>& args,
                             const std::string& input = {}) const;
  /// `kubectl apply -f -` as admin; fails the calling test (ADD_FAILURE) on a non-zero exit.
  bool apply(const std::string& yaml) const;

  /// Signs a new client certificate <name>.crt/.key with `signer` ("ca" or "front-proxy-ca"),
  /// subject e.g. "/CN=carol/O=team-a".
  void issue_client_cert(const std::string& name, const std::string& subject,
                         const std::string& signer = "ca") const;
  /// Creates ServiceAccount NS/NAME if absent and returns a token for it (kubectl create token).
  std::string service_account_token(const std::string& ns, const std::string& name,
                                    const std::string& duration = "2h") const;
  /// Writes <dir>/<file_stem>.kubeconfig for kube-apiserver acting as `who` (client-certificate,
  /// token, tokenFile); returns its path. For the adapter: kubeconfig_for("adapter",
  /// {.token_file = write_file("adapter.token", service_account_token("kscale", "kscale-adapter"))}).
  std::filesystem::path kubeconfig_for(const std::string& file_stem, const Identity& who) const;
  /// Writes <dir>/<name> with `content`; returns its path.
  std::filesystem::path write_file(const std::string& name, const std::string& content) const;

  /// A request to kube-apiserver (so also through the aggregator) as `who`: path like
  /// "/apis/custom.metrics.k8s.io/v1beta2".
  HttpResponse get(const std::string& path, const Identity& who) const;
  /// Any HTTPS or HTTP request (curl) to `url` as `who`, with extra "Name: value" headers; the
  /// server is verified against ca.crt.
  HttpResponse request(const std::string& url, const Identity& who,
                       const std::vector<std::string>& headers = {},
                       const std::string& method = "GET", const std::string& body = {}) const;

  /// Starts a process that is stopped with the control plane (before it, in reverse order) and
  /// whose log is shown by log_tails.
  Process& add_component(const std::string& name, std::vector<std::string> argv);
  /// The last `lines` lines of every component's output, each under a header.
  std::string log_tails(std::size_t lines = 50) const;

 private:
  ControlPlane() = default;
  void generate_certificates();
  void start_etcd();
  void start_apiserver(const ControlPlaneOptions& options);
  void wait_apiserver_ready();
  void start_controller_manager();
  void start_kwok(const ControlPlaneOptions& options);
  void write_kwok_config() const;
  void write_admin_kubeconfig() const;
  [[noreturn]] void fail(const std::string& what) const;

  struct Component {
    std::string name;
    std::unique_ptr<Process> process;
  };
  Component& component(const std::string& name);
  std::filesystem::path dir_;
  std::filesystem::path bin_;
  std::string etcd_url_;
  int apiserver_port_ = 0;
  std::vector<std::string> apiserver_argv_;
  std::vector<Component> components_;
};

/// The directory of the control plane binaries: KSCALE_TESTENV_BIN, else what
/// scripts/build-control-plane.sh prints. Throws std::runtime_error saying what is missing.
std::filesystem::path control_plane_bin();

/// A TCP port on 127.0.0.1 nobody listens on right now.
int free_port();

/// The last `lines` lines of `text`.
std::string last_lines(const std::string& text, std::size_t lines);

}  // namespace kscale::testing
