#include "e2e/control_plane.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "support/wait_until.h"

namespace kscale::testing {

namespace fs = std::filesystem;
using std::chrono::seconds;

namespace {

constexpr auto kStopGrace = seconds(10);

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// One certificate of the table in §6: CAs are self-signed, leaves signed by `signer`.
struct CertSpec {
  std::string name;
  std::string signer;  // empty: a CA
  std::string subject;
  std::string eku;
  std::string san;
};

const std::vector<CertSpec>& certificate_table() {
  static const std::vector<CertSpec> table{
      {"ca", "", "/CN=kscale-test-ca", "", ""},
      {"apiserver", "ca", "/CN=kube-apiserver", "serverAuth", "IP:127.0.0.1,DNS:localhost"},
      {"admin", "ca", "/CN=kscale-admin/O=system:masters", "clientAuth", ""},
      {"alice", "ca", "/CN=alice", "clientAuth", ""},
      {"front-proxy-ca", "", "/CN=front-proxy-ca", "", ""},
      {"front-proxy-client", "front-proxy-ca", "/CN=front-proxy-client", "clientAuth", ""},
      {"rogue-proxy", "front-proxy-ca", "/CN=rogue", "clientAuth", ""},
      {"adapter", "ca", "/CN=kscale-adapter", "serverAuth",
       "DNS:kscale-adapter.kscale.svc,DNS:localhost,IP:127.0.0.1"},
  };
  return table;
}

void openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_command(argv);
  if (r.status != 0) {
    std::string cmd;
    for (const auto& a : argv) {
      cmd += a + " ";
    }
    throw std::runtime_error("openssl failed (" + cmd + "): " + r.err);
  }
}

void make_certificate(const fs::path& dir, const CertSpec& c) {
  const std::string crt = (dir / (c.name + ".crt")).string();
  const std::string key = (dir / (c.name + ".key")).string();
  if (c.signer.empty()) {
    openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt, "-days",
             "2", "-subj", c.subject, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
             "keyUsage=critical,keyCertSign,cRLSign"});
    return;
  }
  const std::string csr = (dir / (c.name + ".csr")).string();
  const std::string ext = (dir / (c.name + ".ext")).string();
  openssl(
      {"req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", c.subject});
  {
    std::ofstream out(ext);
    out << "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        << "extendedKeyUsage=" << c.eku << "\n";
    if (!c.san.empty()) {
      out << "subjectAltName=" << c.san << "\n";
    }
  }
  const std::string signer = (dir / c.signer).string();
  openssl({"x509", "-req", "-in", csr, "-CA", signer + ".crt", "-CAkey", signer + ".key",
           "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", ext});
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) {
    out += (out.empty() ? "" : sep) + p;
  }
  return out;
}

bool curl_says_ok(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"curl", "-sS", "--max-time", "5"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_command(argv);
  return r.status == 0 && trim(r.out) == "ok";
}

}  // namespace

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot find a free port on 127.0.0.1");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::string last_lines(const std::string& text, std::size_t lines) {
  std::size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') {
    --pos;
  }
  std::size_t found = 0;
  while (pos > 0) {
    const auto nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) {
      return text;
    }
    if (++found == lines) {
      return text.substr(nl + 1);
    }
    pos = nl;
  }
  return text;
}

fs::path control_plane_bin() {
  std::string bin = env_or_empty("KSCALE_TESTENV_BIN");
  if (bin.empty()) {
    const std::string script = std::string(KSCALE_SOURCE_DIR) + "/scripts/build-control-plane.sh";
    auto r = run_command({script});
    if (r.status != 0) {
      throw std::runtime_error(
          "the end-to-end tests need the control plane binaries: set KSCALE_TESTENV_BIN, or let " +
          script + " build them (it needs Go >= 1.26 and the Go module proxy); it failed:\n" +
          last_lines(r.err, 20));
    }
    // The script prints the bin directory last.
    bin = last_lines(trim(r.out), 1);
  }
  std::vector<std::string> missing;
  for (const char* b : {"etcd", "kube-apiserver", "kube-controller-manager", "kubectl", "kwok"}) {
    if (access((fs::path(bin) / b).c_str(), X_OK) != 0) {
      missing.emplace_back(b);
    }
  }
  if (!missing.empty()) {
    throw std::runtime_error("control plane binaries missing in " + bin + ": " +
                             join(missing, ", ") +
                             " (run scripts/build-control-plane.sh, or set KSCALE_TESTENV_BIN)");
  }
  return bin;
}

std::unique_ptr<ControlPlane> ControlPlane::start(const ControlPlaneOptions& options) {
  std::unique_ptr<ControlPlane> cp(new ControlPlane());  // private constructor
  cp->bin_ = control_plane_bin();
  char tmpl[] = "/tmp/kscale-e2e-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    throw std::runtime_error("cannot create the run directory");
  }
  cp->dir_ = tmpl;
  cp->generate_certificates();
  cp->start_etcd();
  cp->start_apiserver(options);
  cp->start_controller_manager();
  cp->start_kwok(options);
  return cp;
}

ControlPlane::~ControlPlane() {
  for (auto it = components_.rbegin(); it != components_.rend(); ++it) {
    it->process->stop(kStopGrace);
  }
  components_.clear();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string ControlPlane::server() const {
  return "https://127.0.0.1:" + std::to_string(apiserver_port_);
}

fs::path ControlPlane::cert(const std::string& name) const { return dir_ / (name + ".crt"); }
fs::path ControlPlane::key(const std::string& name) const { return dir_ / (name + ".key"); }

void ControlPlane::generate_certificates() {
  for (const auto& c : certificate_table()) {
    make_certificate(dir_, c);
  }
  openssl({"genrsa", "-out", (dir_ / "sa.key").string(), "2048"});
  openssl(
      {"rsa", "-in", (dir_ / "sa.key").string(), "-pubout", "-out", (dir_ / "sa.pub").string()});
}

void ControlPlane::issue_client_cert(const std::string& name, const std::string& subject,
                                     const std::string& signer) const {
  make_certificate(dir_, CertSpec{name, signer, subject, "clientAuth", ""});
}

Process& ControlPlane::add_component(const std::string& name, std::vector<std::string> argv) {
  components_.push_back(Component{name, std::make_unique<Process>(std::move(argv))});
  return *components_.back().process;
}

std::string ControlPlane::log_tails(std::size_t lines) const {
  std::string out;
  for (const auto& c : components_) {
    out += "===== last " + std::to_string(lines) + " lines of " + c.name + " =====\n" +
           last_lines(c.process->output(), lines) + "\n";
  }
  return out;
}

void ControlPlane::fail(const std::string& what) const {
  throw std::runtime_error(what + "\n" + log_tails());
}

void ControlPlane::start_etcd() {
  const int client = free_port();
  const int peer = free_port();
  const std::string client_url = "http://127.0.0.1:" + std::to_string(client);
  const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer);
  add_component("etcd",
                {(bin_ / "etcd").string(), "--name=t", "--data-dir=" + (dir_ / "etcd").string(),
                 "--listen-client-urls=" + client_url, "--advertise-client-urls=" + client_url,
                 "--listen-peer-urls=" + peer_url, "--initial-advertise-peer-urls=" + peer_url,
                 "--initial-cluster=t=" + peer_url, "--unsafe-no-fsync", "--log-level=warn"});
  etcd_url_ = client_url;
  const bool healthy = wait_until(
      [&] {
        auto r = run_command({"curl", "-sS", "--max-time", "2", client_url + "/health"});
        return r.out.find("\"health\":\"true\"") != std::string::npos;
      },
      seconds(60), std::chrono::milliseconds(200));
  if (!healthy) {
    fail("etcd did not report health within 60 s");
  }
}

void ControlPlane::start_apiserver(const ControlPlaneOptions& options) {
  apiserver_port_ = free_port();
  const auto f = [&](const std::string& name) { return (dir_ / name).string(); };
  apiserver_argv_ = {(bin_ / "kube-apiserver").string(),
                     "--etcd-servers=" + etcd_url_,
                     "--bind-address=127.0.0.1",
                     "--advertise-address=127.0.0.1",
                     "--secure-port=" + std::to_string(apiserver_port_),
                     "--tls-cert-file=" + f("apiserver.crt"),
                     "--tls-private-key-file=" + f("apiserver.key"),
                     "--client-ca-file=" + f("ca.crt"),
                     "--service-account-issuer=https://kubernetes.default.svc",
                     "--service-account-key-file=" + f("sa.pub"),
                     "--service-account-signing-key-file=" + f("sa.key"),
                     "--service-cluster-ip-range=10.0.0.0/24",
                     "--authorization-mode=RBAC",
                     "--disable-admission-plugins=ServiceAccount",
                     "--requestheader-client-ca-file=" + f("front-proxy-ca.crt"),
                     "--requestheader-allowed-names=front-proxy-client",
                     "--requestheader-username-headers=X-Remote-User",
                     "--requestheader-group-headers=X-Remote-Group",
                     "--requestheader-extra-headers-prefix=X-Remote-Extra-",
                     "--proxy-client-cert-file=" + f("front-proxy-client.crt"),
                     "--proxy-client-key-file=" + f("front-proxy-client.key"),
                     "--enable-aggregator-routing=false"};
  if (!options.audit_policy.empty()) {
    apiserver_argv_.push_back("--audit-policy-file=" +
                              write_file("audit-policy.yaml", options.audit_policy).string());
    apiserver_argv_.push_back("--audit-log-path=" + audit_log().string());
  }
  apiserver_argv_.insert(apiserver_argv_.end(), options.apiserver_args.begin(),
                         options.apiserver_args.end());
  add_component("kube-apiserver", apiserver_argv_);
  write_admin_kubeconfig();
  wait_apiserver_ready();
  const bool configmap = wait_until(
      [&] {
        auto r =
            kubectl({"get", "configmap", "-n", "kube-system", "extension-apiserver-authentication",
                     "-o", "jsonpath={.data.requestheader-client-ca-file}"});
        return r.status == 0 && !trim(r.out).empty();
      },
      seconds(30), std::chrono::milliseconds(250));
  if (!configmap) {
    fail("kube-system/extension-apiserver-authentication has no requestheader-client-ca-file");
  }
}

void ControlPlane::wait_apiserver_ready() {
  const bool ready = wait_until([&] { return get("/readyz", Identity{"admin", ""}).body == "ok"; },
                                seconds(120), std::chrono::milliseconds(250));
  if (!ready) {
    fail("kube-apiserver did not answer /readyz with ok within 120 s");
  }
}

ControlPlane::Component& ControlPlane::component(const std::string& name) {
  for (auto& c : components_) {
    if (c.name == name) {
      return c;
    }
  }
  fail("no component " + name);
}

void ControlPlane::stop_apiserver() { component("kube-apiserver").process->stop(kStopGrace); }

void ControlPlane::restart_apiserver() {
  auto& c = component("kube-apiserver");
  c.process->stop(kStopGrace);
  // The new process takes the old one's place (stopped in the same order); the old log stays.
  auto previous = std::move(c.process);
  c.process = std::make_unique<Process>(apiserver_argv_);
  components_.push_back(Component{"kube-apiserver (before restart)", std::move(previous)});
  wait_apiserver_ready();
}

void ControlPlane::write_admin_kubeconfig() const {
  std::ofstream(admin_kubeconfig())
      << "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: "
      << server() << "\n    certificate-authority: " << cert("ca").string()
      << "\nusers:\n- name: admin\n  user:\n    client-certificate: " << cert("admin").string()
      << "\n    client-key: " << key("admin").string()
      << "\ncontexts:\n- name: test\n  context: {cluster: test, user: admin}\n"
         "current-context: test\n";
}

void ControlPlane::start_controller_manager() {
  const int port = free_port();
  add_component("kube-controller-manager",
                {(bin_ / "kube-controller-manager").string(),
                 "--kubeconfig=" + admin_kubeconfig().string(), "--bind-address=127.0.0.1",
                 "--secure-port=" + std::to_string(port), "--leader-elect=false",
                 "--controllers=deployment-controller,replicaset-controller,horizontal-pod-"
                 "autoscaler-controller",
                 "--use-service-account-credentials=true",
                 "--service-account-private-key-file=" + (dir_ / "sa.key").string(),
                 "--horizontal-pod-autoscaler-sync-period=5s",
                 "--horizontal-pod-autoscaler-downscale-stabilization=30s"});
  const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/healthz";
  if (!wait_until([&] { return curl_says_ok({"-k", url}); }, seconds(60),
                  std::chrono::milliseconds(250))) {
    fail("kube-controller-manager did not answer /healthz with ok within 60 s");
  }
}

void ControlPlane::write_kwok_config() const {
  // kwok has no built-in stages; join the ones §6 names from the cached copy of its module.
  std::vector<fs::path> roots{bin_.parent_path() / "kwok-stages"};
  const std::string modcache = env_or_empty("GOMODCACHE");
  if (!modcache.empty()) {
    roots.push_back(fs::path(modcache) / "sigs.k8s.io/kwok@v0.8.0/kustomize/stage");
  }
  for (const auto& root : roots) {
    const std::vector<fs::path> stages{
        root / "node/fast/node-initialize.yaml",
        root / "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
        root / "pod/fast/pod-ready.yaml", root / "pod/fast/pod-complete.yaml",
        root / "pod/fast/pod-delete.yaml"};
    bool all = true;
    for (const auto& s : stages) {
      all = all && fs::exists(s);
    }
    if (!all) {
      continue;
    }
    std::ofstream out(dir_ / "kwok.yaml");
    for (const auto& s : stages) {
      std::ifstream in(s);
      out << "---\n" << in.rdbuf() << "\n";
    }
    return;
  }
  fail("kwok stages not found under " + roots.front().string() +
       " (scripts/build-control-plane.sh copies them there) or $GOMODCACHE");
}

void ControlPlane::start_kwok(const ControlPlaneOptions& options) {
  write_kwok_config();
  add_component("kwok", {(bin_ / "kwok").string(), "--kubeconfig=" + admin_kubeconfig().string(),
                         "--config=" + (dir_ / "kwok.yaml").string(), "--manage-all-nodes=false",
                         "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                         "--manage-nodes-with-label-selector=", "--manage-single-node=",
                         "--cidr=" + options.kwok_cidr, "--node-ip=" + options.kwok_node_ip,
                         "--node-lease-duration-seconds=40"});
  const std::string node = R"(apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations: {kwok.x-k8s.io/node: fake}
  labels: {type: kwok}
spec:
  taints: [{key: kwok.x-k8s.io/node, value: fake, effect: NoSchedule}]
)";
  auto created = kubectl({"apply", "-f", "-"}, node);
  if (created.status != 0) {
    fail("cannot create node kwok-node-0: " + created.err);
  }
  auto ready = kubectl({"wait", "--for=condition=Ready", "node/kwok-node-0", "--timeout=60s"});
  if (ready.status != 0) {
    fail("node kwok-node-0 did not become Ready: " + ready.err);
  }
}

CommandResult ControlPlane::kubectl(const std::vector<std::string>& args,
                                    const std::string& input) const {
  return kubectl_with(admin_kubeconfig(), args, input);
}

CommandResult ControlPlane::kubectl_with(const fs::path& kubeconfig,
                                         const std::vector<std::string>& args,
                                         const std::string& input) const {
  std::vector<std::string> argv{(bin_ / "kubectl").string(), "--kubeconfig", kubeconfig.string(),
                                "--cache-dir", (dir_ / "kubectl-cache").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, input);
}

bool ControlPlane::apply(const std::string& yaml) const {
  auto r = kubectl({"apply", "-f", "-"}, yaml);
  if (r.status != 0) {
    ADD_FAILURE() << "kubectl apply failed: " << r.err << "\n" << yaml;
    return false;
  }
  return true;
}

std::string ControlPlane::service_account_token(const std::string& ns, const std::string& name,
                                                const std::string& duration) const {
  if (kubectl({"get", "serviceaccount", "-n", ns, name}).status != 0) {
    auto created = kubectl({"create", "serviceaccount", "-n", ns, name});
    if (created.status != 0) {
      throw std::runtime_error("cannot create service account " + ns + "/" + name + ": " +
                               created.err);
    }
  }
  auto r = kubectl({"create", "token", "-n", ns, name, "--duration=" + duration});
  if (r.status != 0) {
    throw std::runtime_error("cannot create a token for " + ns + "/" + name + ": " + r.err);
  }
  return trim(r.out);
}

fs::path ControlPlane::kubeconfig_for(const std::string& file_stem, const Identity& who) const {
  const fs::path path = dir_ / (file_stem + ".kubeconfig");
  std::ofstream out(path);
  out << "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: "
      << server() << "\n    certificate-authority: " << cert("ca").string()
      << "\nusers:\n- name: user\n  user:";
  if (who.cert.empty() && who.token.empty() && who.token_file.empty()) {
    out << " {}";
  }
  if (!who.cert.empty()) {
    out << "\n    client-certificate: " << cert(who.cert).string()
        << "\n    client-key: " << key(who.cert).string();
  }
  if (!who.token.empty()) {
    out << "\n    token: " << who.token;
  }
  if (!who.token_file.empty()) {
    out << "\n    tokenFile: " << who.token_file;
  }
  out << "\ncontexts:\n- name: test\n  context: {cluster: test, user: user}\n"
         "current-context: test\n";
  return path;
}

fs::path ControlPlane::write_file(const std::string& name, const std::string& content) const {
  const fs::path path = dir_ / name;
  std::ofstream(path) << content;
  return path;
}

HttpResponse ControlPlane::get(const std::string& path, const Identity& who) const {
  return request(server() + path, who);
}

HttpResponse ControlPlane::request(const std::string& url, const Identity& who,
                                   const std::vector<std::string>& headers,
                                   const std::string& method, const std::string& body) const {
  std::vector<std::string> argv{"curl", "-sS", "--max-time",     "15",       "-o",
                                "-",    "-w",  "\n%{http_code}", "--cacert", cert("ca").string(),
                                "-X",   method};
  if (!who.cert.empty()) {
    argv.insert(argv.end(), {"--cert", cert(who.cert).string(), "--key", key(who.cert).string()});
  }
  std::string token = who.token;
  if (token.empty() && !who.token_file.empty()) {
    std::ifstream in(who.token_file);
    std::getline(in, token);
  }
  if (!token.empty()) {
    argv.insert(argv.end(), {"-H", "Authorization: Bearer " + token});
  }
  for (const auto& h : headers) {
    argv.insert(argv.end(), {"-H", h});
  }
  if (!body.empty()) {
    argv.insert(argv.end(), {"--data-binary", body});
  }
  argv.push_back(url);
  auto r = run_command(argv);
  HttpResponse out;
  out.error = r.err;
  const auto nl = r.out.rfind('\n');
  if (nl == std::string::npos) {
    return out;
  }
  out.body = r.out.substr(0, nl);
  out.code = std::atoi(r.out.c_str() + nl + 1);
  return out;
}

}  // namespace kscale::testing
