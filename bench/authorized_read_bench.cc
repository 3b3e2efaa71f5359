// Authorized read, end to end (issue 9, "Speed"): the wildcard read of 100 pods from
// `kscale adapter --worker-threads 1` in cluster mode (a real kube-apiserver; bearer token →
// TokenReview cache, SubjectAccessReview cache) against the same read from an offline adapter
// (--objects, no authentication or authorization), both over HTTPS with the same wrk settings in
// the same run. Prints the adapters' CPU per request (utime+stime from /proc) and the ratio.
//
// Usage: build/bench/authorized_read_bench   (KSCALE_TESTENV_BIN = the control plane binaries)
// Environment: KSCALE (adapter binary, default the build's), ROUNDS (3), DURATION (10s),
//   CONNECTIONS (16), PODS (100), PIN (1: adapters on CPU 1, wrk on CPU 0), PERF_DIR (also
//   `perf record -g` each adapter during its runs into that directory), PERF_STAT (1: also
//   instructions per request of each adapter, from `perf stat`).

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "e2e/adapter.h"
#include "e2e/control_plane.h"
#include "support/wait_until.h"

namespace kt = kscale::testing;

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

const std::string kReadPath =
    "/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/"
    "http_requests_qps?labelSelector=app%3Dweb";

const std::string kReaderRbac = R"(apiVersion: v1
kind: ServiceAccount
metadata: {name: metrics-reader, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-qps, namespace: default}
rules:
- apiGroups: [custom.metrics.k8s.io]
  resources: [pods/http_requests_qps]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-qps, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-qps}
subjects:
- {kind: ServiceAccount, name: metrics-reader, namespace: default}
)";

std::string pods_yaml(int pods) {
  std::string out;
  for (int i = 1; i <= pods; ++i) {
    out += "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-7d9f8-" +
           std::to_string(10000 + i) +
           "\n  namespace: default\n  labels: {app: web, pod-template-hash: 7d9f8}\n"
           "spec:\n  nodeName: no-such-node\n  containers: [{name: web, image: nginx}]\n";
  }
  return out;
}

// user + system CPU of a process (all threads), in clock ticks.
long cpu_ticks(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long utime = 0;
  long stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // field 3 is the state
    if (i == 14) {
      utime = std::stol(field);
    } else if (i == 15) {
      stime = std::stol(field);
    }
  }
  return utime + stime;
}

// Resident set in KiB (VmRSS).
long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return 0;
}

struct Adapter {
  std::string name;
  kt::Process* process = nullptr;
  std::string url;  // https://127.0.0.1:<secure port>
  std::string http_url;
  std::vector<std::string> headers;  // wrk/curl -H values
};

Adapter start_adapter(kt::ControlPlane& cp, const std::string& name, const std::string& pin,
                      const std::vector<std::string>& mode_args) {
  std::vector<std::string> argv;
  if (!pin.empty()) {
    argv = {"taskset", "-c", pin};
  }
  const std::vector<std::string> common{env_or("KSCALE", kt::kscale_binary()),
                                        "adapter",
                                        "--bind-address=127.0.0.1",
                                        "--secure-port=0",
                                        "--http-port=0",
                                        "--worker-threads=1",
                                        "--tls-cert-file=" + cp.cert("adapter").string(),
                                        "--tls-private-key-file=" + cp.key("adapter").string()};
  argv.insert(argv.end(), common.begin(), common.end());
  argv.insert(argv.end(), mode_args.begin(), mode_args.end());
  Adapter a{.name = name};
  a.process = &cp.add_component("kscale adapter (" + name + ")", argv);
  auto https = a.process->wait_for(std::regex(R"(on https://127\.0\.0\.1:(\d+))"));
  auto http = a.process->wait_for(std::regex(R"(on http://127\.0\.0\.1:(\d+))"));
  if (!https || !http) {
    throw std::runtime_error(name + " adapter did not report its ports:\n" +
                             kt::last_lines(a.process->output(), 50));
  }
  a.url = "https://127.0.0.1:" + *https;
  a.http_url = "http://127.0.0.1:" + *http;
  return a;
}

kt::HttpResponse read_once(const kt::ControlPlane& cp, const Adapter& a) {
  return cp.request(a.url + kReadPath, kt::Identity{}, a.headers);
}

// The answer without the values' timestamps (each adapter stamps its own pushes).
std::string without_timestamps(const std::string& body) {
  static const std::regex stamp(R"("timestamp":"[^"]*")");
  return std::regex_replace(body, stamp, R"("timestamp":"")");
}

struct Run {
  long requests = 0;
  long ticks = 0;
  double rps = 0;
  double instructions = 0;  // PERF_STAT=1 only
  std::string errors;
};

Run run_wrk(const Adapter& a, const std::string& pin, const std::string& duration,
            const std::string& connections) {
  std::vector<std::string> argv;
  if (!pin.empty()) {
    argv = {"taskset", "-c", pin};
  }
  for (const auto& s :
       std::vector<std::string>{"wrk", "-t1", "-c" + connections, "-d" + duration}) {
    argv.push_back(s);
  }
  for (const auto& h : a.headers) {
    argv.push_back("-H");
    argv.push_back(h);
  }
  argv.push_back(a.url + kReadPath);
  // PERF_DIR: also `perf record -g` the adapter over the run (<dir>/<name>-<n>.data).
  static int perf_run = 0;
  std::unique_ptr<kt::Process> perf;
  const std::string perf_dir = env_or("PERF_DIR", "");
  if (!perf_dir.empty()) {
    perf = std::make_unique<kt::Process>(std::vector<std::string>{
        "perf", "record", "-F", "499", "--call-graph", "dwarf,16384", "-p",
        std::to_string(a.process->pid()), "-o",
        perf_dir + "/" + a.name + "-" + std::to_string(++perf_run) + ".data", "--", "sleep",
        duration});
  }
  // PERF_STAT=1: count the adapter's instructions (user + kernel) over the run as well; unlike
  // CPU time, they do not move with the machine's load.
  std::unique_ptr<kt::Process> stat;
  if (env_or("PERF_STAT", "0") == "1") {
    stat = std::make_unique<kt::Process>(
        std::vector<std::string>{"perf", "stat", "-x", ",", "-e", "instructions", "-p",
                                 std::to_string(a.process->pid()), "--", "sleep", duration});
  }
  const long t0 = cpu_ticks(a.process->pid());
  auto r = kt::run_command(argv);
  const long t1 = cpu_ticks(a.process->pid());
  for (auto* p : {perf.get(), stat.get()}) {
    if (p != nullptr) {
      kt::wait_until([&] { return !p->running(); }, std::chrono::seconds(30));
    }
  }
  std::smatch counted;
  const std::string stat_out = stat ? stat->output() : "";
  const bool has_count =
      std::regex_search(stat_out, counted, std::regex(R"((\d+),[^,\n]*,instructions)"));
  if (r.status != 0) {
    throw std::runtime_error("wrk failed: " + r.err + r.out);
  }
  Run run{.ticks = t1 - t0, .instructions = has_count ? std::stod(counted[1]) : 0.0};
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex(R"((\d+) requests in)"))) {
    run.requests = std::stol(m[1]);
  }
  if (std::regex_search(r.out, m, std::regex(R"(Requests/sec:\s+([\d.]+))"))) {
    run.rps = std::stod(m[1]);
  }
  if (std::regex_search(r.out, m, std::regex(R"((Non-2xx[^\n]*|Socket errors[^\n]*))"))) {
    run.errors = m[1];
  }
  return run;
}

void check(bool ok, const std::string& what, const kt::ControlPlane& cp) {
  if (!ok) {
    throw std::runtime_error(what + "\n" + cp.log_tails(30));
  }
}

int bench(kt::ControlPlane& cp) {
  const int pods = std::stoi(env_or("PODS", "100"));
  const int rounds = std::stoi(env_or("ROUNDS", "3"));
  const std::string duration = env_or("DURATION", "10s");
  const std::string connections = env_or("CONNECTIONS", "16");
  const bool pin = env_or("PIN", "1") == "1" && sysconf(_SC_NPROCESSORS_ONLN) >= 2;
  const std::string pin_server = pin ? "1" : "";
  const std::string pin_client = pin ? "0" : "";

  // 1. The reader's identity, the pods, and the offline adapter's copy of them.
  check(cp.apply(kReaderRbac), "cannot apply the reader's RBAC", cp);
  const std::string token = cp.service_account_token("default", "metrics-reader");
  check(cp.kubectl({"apply", "-f", "-"}, pods_yaml(pods)).status == 0, "cannot create the pods",
        cp);
  auto listed = cp.kubectl({"get", "pods", "-n", "default", "-o", "yaml"});
  check(listed.status == 0, "cannot list the pods", cp);
  const auto objects = cp.write_file("objects.yaml", listed.out);

  // 2. Both adapters, each on the server CPU; values pushed to both.
  const auto kubeconfig = kt::prepare_adapter_identity(cp);
  Adapter cluster =
      start_adapter(cp, "cluster", pin_server, {"--kubeconfig=" + kubeconfig.string()});
  cluster.headers = {"Authorization: Bearer " + token};
  Adapter offline = start_adapter(cp, "offline", pin_server, {"--objects=" + objects.string()});
  for (const Adapter* a : {&cluster, &offline}) {
    check(kt::wait_until([&] { return cp.request(a->url + "/readyz", {}).code == 200; },
                         std::chrono::seconds(60), std::chrono::milliseconds(250)),
          a->name + " adapter not ready", cp);
    for (int i = 1; i <= pods; ++i) {
      const auto r = cp.request(a->http_url + "/write-metrics/namespaces/default/pods/web-7d9f8-" +
                                    std::to_string(10000 + i) + "/http_requests_qps",
                                {}, {"Content-Type: application/json"}, "POST",
                                "\"" + std::to_string(500 + i) + ".30\"");
      check(r.code / 100 == 2, "push to the " + a->name + " adapter: " + std::to_string(r.code),
            cp);
    }
  }

  // 3. The same answer from both (the cluster one through its token and SAR caches).
  const auto from_cluster = read_once(cp, cluster);
  const auto from_offline = read_once(cp, offline);
  check(from_cluster.code == 200,
        "cluster read: " + std::to_string(from_cluster.code) + " " + from_cluster.body +
            from_cluster.error,
        cp);
  check(from_offline.code == 200, "offline read: " + std::to_string(from_offline.code), cp);
  check(without_timestamps(from_cluster.body) == without_timestamps(from_offline.body),
        "the answers differ:\n" + from_cluster.body + "\n---\n" + from_offline.body, cp);
  const auto anonymous = cp.request(cluster.url + kReadPath, kt::Identity{});
  check(anonymous.code == 401 || anonymous.code == 403,
        "the cluster adapter answered an anonymous read with " + std::to_string(anonymous.code),
        cp);
  std::size_t items = 0;
  for (auto p = from_cluster.body.find("\"describedObject\""); p != std::string::npos;
       p = from_cluster.body.find("\"describedObject\"", p + 1)) {
    ++items;
  }
  check(items == static_cast<std::size_t>(pods), "answer has " + std::to_string(items) + " items",
        cp);

  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream loadavg("/proc/loadavg");
  std::string load1, load5, load15;
  loadavg >> load1 >> load5 >> load15;
  std::printf("authorized_read_bench: GET %s (%zu items, %zu bytes), wrk -t1 -c%s -d%s, HTTPS\n",
              kReadPath.c_str(), items, from_cluster.body.size(), connections.c_str(),
              duration.c_str());
  std::printf("machine: %ld cores, load average %s %s %s; adapters on CPU %s, wrk on CPU %s\n",
              sysconf(_SC_NPROCESSORS_ONLN), load1.c_str(), load5.c_str(), load15.c_str(),
              pin ? "1" : "any", pin ? "0" : "any");
  // What each adapter spends with no requests (the cluster one watches and re-reviews), over one
  // DURATION with both idle.
  {
    const long c0 = cpu_ticks(cluster.process->pid());
    const long o0 = cpu_ticks(offline.process->pid());
    kt::run_command({"sleep", duration});
    std::printf("idle CPU over %s: cluster %.0f ms, offline %.0f ms\n", duration.c_str(),
                1e3 * static_cast<double>(cpu_ticks(cluster.process->pid()) - c0) / hz,
                1e3 * static_cast<double>(cpu_ticks(offline.process->pid()) - o0) / hz);
  }
  std::printf("%-3s | %10s %8s %12s | %10s %8s %12s | %6s\n", "rd", "cluster/s", "requests",
              "CPU us/req", "offline/s", "requests", "CPU us/req", "ratio");
  for (int round = 1; round <= rounds; ++round) {
    std::vector<Adapter*> order{&cluster, &offline};
    if (round % 2 == 0) {
      std::swap(order[0], order[1]);
    }
    Run runs[2];
    for (Adapter* a : order) {
      runs[a == &cluster ? 0 : 1] = run_wrk(*a, pin_client, duration, connections);
    }
    double us[2];
    for (int i = 0; i < 2; ++i) {
      us[i] = runs[i].requests > 0 ? 1e6 * static_cast<double>(runs[i].ticks) / hz /
                                         static_cast<double>(runs[i].requests)
                                   : 0;
      if (!runs[i].errors.empty()) {
        std::fprintf(stderr, "warning (%s): %s\n", i == 0 ? "cluster" : "offline",
                     runs[i].errors.c_str());
      }
    }
    std::printf("%-3d | %10.0f %8ld %12.2f | %10.0f %8ld %12.2f | %6.3f", round, runs[0].rps,
                runs[0].requests, us[0], runs[1].rps, runs[1].requests, us[1],
                us[1] > 0 ? us[0] / us[1] : 0.0);
    if (runs[0].instructions > 0 && runs[1].instructions > 0) {
      const double k0 = runs[0].instructions / 1e3 / static_cast<double>(runs[0].requests);
      const double k1 = runs[1].instructions / 1e3 / static_cast<double>(runs[1].requests);
      std::printf(" | instructions/req %.1f k vs %.1f k = %.3f", k0, k1, k0 / k1);
    }
    std::printf(" | RSS %ld / %ld KiB\n", rss_kib(cluster.process->pid()),
                rss_kib(offline.process->pid()));
    std::fflush(stdout);
  }
  std::printf(
      "(CPU us/req: the adapter process's utime+stime over the wrk run / wrk's requests;\n"
      " ratio: cluster (authn + authz, caches warm) / offline; target <= 1.10)\n");
  const auto after = read_once(cp, cluster);
  check(after.code == 200, "cluster read after the runs: " + std::to_string(after.code), cp);
  return 0;
}

}  // namespace

int main() {
  try {
    auto cp = kt::ControlPlane::start();
    return bench(*cp);
  } catch (const std::exception& e) {  // program edge: report and fail
    std::cerr << "authorized_read_bench: " << e.what() << "\n";
    return 1;
  }
}
