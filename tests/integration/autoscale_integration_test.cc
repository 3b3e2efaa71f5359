// The local control loop end to end, with real processes: the metrics client against a real
// `kscale adapter` (pushed values), LocalProcessGroup running real `kscale httpserver` replicas
// (readiness, replacement of a replica killed from outside), `kscale autoscale --local` with the
// adapter scraping the replicas and `hey` as the load (up under load, down after the window),
// manifest errors (exit 2, the field named), and `kscale demo --short` leaving nothing behind.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "autoscaler/control_loop.h"
#include "autoscaler/local_process_group.h"
#include "autoscaler/metrics_client.h"
#include "core/clock.h"
#include "fakes/fake_scale_target.h"
#include "kube/deployment.h"
#include "kube/horizontal_pod_autoscaler.h"
#include "support/process.h"
#include "support/run_awaitable.h"
#include "support/wait_until.h"

namespace kscale::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string deployment_yaml(uint16_t service_port, int grace = 3) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: httpserver, namespace: default}\n"
         "spec:\n  replicas: 1\n  selector: {matchLabels: {app: httpserver}}\n  template:\n"
         "    metadata:\n      labels: {app: httpserver}\n"
         "      annotations: {prometheus.io/scrape: \"true\", prometheus.io/port: metrics}\n"
         "    spec:\n      terminationGracePeriodSeconds: " +
         std::to_string(grace) +
         "\n      containers:\n"
         "      - name: httpserver\n        command: [\"" +
         kscale_binary() +
         "\"]\n"
         "        args: [httpserver, --bind-address, 127.0.0.1, --port, \"" +
         std::to_string(service_port) +
         "\", --reuse-port, --metrics-port, $(PORT), --threads, \"1\"]\n"
         "        ports: [{name: metrics, containerPort: 9100}]\n"
         "        readinessProbe: {httpGet: {path: /metrics, port: metrics}, periodSeconds: 1}\n";
}

constexpr std::string_view kHpa = R"yaml(apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: httpserver-hpa, namespace: default}
spec:
  minReplicas: 1
  maxReplicas: 10
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: httpserver}
  metrics:
  - type: Pods
    pods:
      metric: {name: http_requests_qps}
      target: {type: AverageValue, averageValue: 30}
  behavior:
    scaleDown: {stabilizationWindowSeconds: 10}
)yaml";

uint16_t free_port() {
  auto p = Process({kscale_binary(), "httpserver", "--bind-address", "127.0.0.1", "--port", "0"});
  auto port = p.wait_for(std::regex(R"(127\.0\.0\.1:(\d+))"));
  p.stop();
  return port ? static_cast<uint16_t>(std::stoi(*port)) : 0;
}

bool alive(int pid) {
  return pid > 0 && ::kill(pid, 0) == 0 &&
         !read_text("/proc/" + std::to_string(pid) + "/stat").empty() &&
         read_text("/proc/" + std::to_string(pid) + "/stat").find(") Z") == std::string::npos;
}

struct Adapter {
  std::unique_ptr<Process> process;
  std::string https, http;
};

Adapter start_adapter(const fs::path& dir, std::vector<std::string> extra) {
  std::vector<std::string> argv{kscale_binary(),    "adapter",
                                "--bind-address",   "127.0.0.1",
                                "--secure-port",    "0",
                                "--http-port",      "0",
                                "--cert-dir",       (dir / "certs").string(),
                                "--worker-threads", "1"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Adapter a;
  a.process = std::make_unique<Process>(argv);
  auto https = a.process->wait_for(std::regex(R"(on https://127\.0\.0\.1:(\d+))"));
  auto http = a.process->wait_for(std::regex(R"(on http://127\.0\.0\.1:(\d+))"));
  if (https && http) {
    a.https = "https://127.0.0.1:" + *https;
    a.http = "http://127.0.0.1:" + *http;
  }
  return a;
}

TEST(MetricsClientIntegrationTest, ReadsARealAdapterAsTheHpaController) {
  boost::asio::io_context ioc;  // before the clients: their connections live on it
  TempDir dir;
  std::ofstream(dir.path() / "objects.yaml") << R"(apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: web-1, namespace: default, labels: {app: web}}}
- {apiVersion: v1, kind: Pod, metadata: {name: web-2, namespace: default, labels: {app: web}}}
- {apiVersion: v1, kind: Pod, metadata: {name: db-1, namespace: default, labels: {app: db}}}
)";
  auto adapter = start_adapter(dir.path(), {"--objects", (dir.path() / "objects.yaml").string()});
  ASSERT_FALSE(adapter.https.empty()) << adapter.process->output();
  for (auto [path, value] :
       {std::pair{"namespaces/default/pods/web-1/qps", "\"30.50\""},
        {"namespaces/default/pods/web-2/qps", "\"12\""},
        {"namespaces/default/pods/db-1/qps", "\"999\""},
        {"namespaces/default/deployments.apps/worker/queue_length", "\"42\""}}) {
    auto r = run_command({"curl", "-sS", "-f", "-X", "POST", "--data", value,
                          adapter.http + "/write-metrics/" + path});
    ASSERT_EQ(r.status, 0) << r.err;
  }
  auto ext = run_command(
      {"curl", "-sS", "-f", "-X", "POST", "--data", "7",
       adapter.http +
           "/write-external-metrics/namespaces/default/queue_depth?labels=queue=orders"});
  ASSERT_EQ(ext.status, 0) << ext.err;

  auto hpa = kube::read_hpa_manifest(R"(apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  maxReplicas: 10
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  metrics:
  - {type: Pods, pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: 30}}}
  - {type: Object, object: {metric: {name: queue_length}, describedObject: {apiVersion: apps/v1, kind: Deployment, name: worker}, target: {type: Value, value: 10}}}
  - {type: External, external: {metric: {name: queue_depth, selector: {matchLabels: {queue: orders}}}, target: {type: Value, value: 10}}}
  - {type: Pods, pods: {metric: {name: nope}, target: {type: AverageValue, averageValue: 30}}}
)",
                                     {});
  ASSERT_TRUE(hpa) << hpa.error().message;
  auto client = autoscaler::MetricsClient::create(
      {adapter.https, (dir.path() / "certs" / "apiserver.crt").string(), false, "", 5s});
  ASSERT_TRUE(client) << client.error().message;
  const auto snaps = run_awaitable(ioc, (*client)->fetch(*hpa, "app=web"));
  ASSERT_EQ(snaps.size(), 4u);
  EXPECT_EQ((*client)->custom_version(), "v1beta2");
  ASSERT_FALSE(snaps[0].error) << *snaps[0].error;
  ASSERT_EQ(snaps[0].values.size(), 2u);  // labelSelector=app%3Dweb leaves db-1 out
  EXPECT_EQ(snaps[0].values[0].described_name, "web-1");
  EXPECT_EQ(snaps[0].values[0].value_milli, 30500);
  EXPECT_EQ(snaps[0].values[1].value_milli, 12000);
  ASSERT_FALSE(snaps[1].error) << *snaps[1].error;
  EXPECT_EQ(snaps[1].values.at(0).value_milli, 42000);
  ASSERT_FALSE(snaps[2].error) << *snaps[2].error;
  EXPECT_EQ(snaps[2].external_values.at(0).value_milli, 7000);
  ASSERT_TRUE(snaps[3].error);
  EXPECT_EQ(*snaps[3].error, "the server could not find the metric nope for pods");

  // Another CA: the handshake fails, and the error says so (as Go's does).
  TempDir other;
  auto stranger =
      Process({kscale_binary(), "adapter", "--bind-address", "127.0.0.1", "--secure-port", "0",
               "--http-port", "0", "--cert-dir", (other.path() / "certs").string()});
  ASSERT_TRUE(stranger.wait_for(std::regex("on https://")));
  auto untrusted = autoscaler::MetricsClient::create(
      {adapter.https, (other.path() / "certs" / "apiserver.crt").string(), false, "", 5s});
  ASSERT_TRUE(untrusted);
  const auto failed = run_awaitable(ioc, (*untrusted)->fetch(*hpa, "app=web"));
  ASSERT_TRUE(failed[0].error);
  EXPECT_NE(failed[0].error->find("tls"), std::string::npos) << *failed[0].error;
  auto insecure = autoscaler::MetricsClient::create({adapter.https, "", true, "", 5s});
  ASSERT_TRUE(insecure);
  EXPECT_FALSE(run_awaitable(ioc, (*insecure)->fetch(*hpa, "app=web"))[0].error);
}

TEST(LocalProcessGroupIntegrationTest, RunsReplicasProbesThemAndReplacesAKilledOne) {
  TempDir dir;
  auto d = kube::read_deployment_manifest(deployment_yaml(free_port()));
  ASSERT_TRUE(d) << d.error().message;
  core::RealClock clock;
  autoscaler::LocalProcessGroupOptions options{dir.path() / "pods.yaml",
                                               dir.path() / "logs",
                                               {"PATH=/usr/bin:/bin"}};
  std::vector<int> pids;
  {
    boost::asio::io_context ioc;
    autoscaler::LocalProcessGroup group(*d, options, clock);
    ASSERT_TRUE(group.set_scale(hpa::Replicas(2)));
    auto all_ready = [&](std::size_t n) {
      return wait_until(
          [&] {
            run_awaitable(ioc, group.sync());
            const auto rs = group.replicas();
            return rs.size() == n &&
                   std::all_of(rs.begin(), rs.end(), [](const auto& r) { return r.ready; });
          },
          20s);
    };
    ASSERT_TRUE(all_ready(2));
    const auto replicas = group.replicas();
    EXPECT_TRUE(std::regex_match(replicas[0].name, std::regex("httpserver-[a-z0-9]+-[a-z0-9]{5}")));
    EXPECT_NE(replicas[0].port, replicas[1].port);
    const std::string pods = read_text(dir.path() / "pods.yaml");
    EXPECT_NE(pods.find("name: " + replicas[0].name), std::string::npos) << pods;
    EXPECT_NE(pods.find("podIP: 127.0.0.1"), std::string::npos);
    EXPECT_NE(pods.find("prometheus.io/port: \"" + std::to_string(replicas[1].port) + "\""),
              std::string::npos)
        << pods;
    EXPECT_NE(pods.find("status: \"True\""), std::string::npos);
    auto metrics = run_command(
        {"curl", "-sS", "-f", "http://127.0.0.1:" + std::to_string(replicas[0].port) + "/metrics"});
    EXPECT_EQ(metrics.status, 0);
    auto listed = group.list_pods();
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->at(0).labels.at("pod-template-hash"), group.template_hash());

    ::kill(replicas[0].pid,
           SIGKILL);  // from outside, as `kubectl delete pod --force` or the OOM killer
    const bool replaced = wait_until(
        [&] {
          run_awaitable(ioc, group.sync());
          const auto now = group.replicas();
          return group.unexpected_exits() == 1 && now.size() == 2 &&
                 std::none_of(now.begin(), now.end(),
                              [&](const auto& r) { return r.name == replicas[0].name; });
        },
        20s);
    EXPECT_TRUE(replaced);
    ASSERT_TRUE(all_ready(2));
    bool reported = false;
    for (const auto& e : group.take_events()) {
      reported =
          reported || (e.kind == autoscaler::ReplicaEvent::Kind::Exited &&
                       e.pod == replicas[0].name && e.detail == "killed by signal 9 (Killed)");
    }
    EXPECT_TRUE(reported);
    for (const auto& r : group.replicas()) {
      pids.push_back(r.pid);
    }
    ASSERT_TRUE(group.set_scale(hpa::Replicas(1)));
    wait_until(
        [&] {
          run_awaitable(ioc, group.sync());
          return group.replicas().size() == 1;
        },
        10s);
    EXPECT_EQ(group.replicas().size(), 1u);
    run_awaitable(ioc, group.stop_all());
  }
  for (int pid : pids) {
    EXPECT_FALSE(alive(pid)) << pid;
  }
  EXPECT_EQ(read_text(dir.path() / "pods.yaml").find("kind: Pod"), std::string::npos);
}

TEST(AutoscaleIntegrationTest, BadManifestsExit2NamingTheField) {
  TempDir dir;
  std::string deployment = deployment_yaml(8080);
  deployment.replace(deployment.find("        command:"),
                     deployment.find("        args:") - deployment.find("        command:"), "");
  std::ofstream(dir.path() / "deployment.yaml") << deployment;
  std::ofstream(dir.path() / "hpa.yaml") << kHpa;
  std::string bad_hpa(kHpa);
  bad_hpa.replace(bad_hpa.find("  maxReplicas: 10\n"), 17, "");
  std::ofstream(dir.path() / "bad-hpa.yaml") << bad_hpa;
  std::ofstream(dir.path() / "good.yaml") << deployment_yaml(8080);
  std::string other(kHpa);
  other.replace(other.find("name: httpserver}"), 17, "name: web}");
  std::ofstream(dir.path() / "other-hpa.yaml") << other;
  struct Case {
    std::string deployment, hpa, expected;
  };
  for (const auto& c : std::vector<Case>{
           {"deployment.yaml", "hpa.yaml",
            "deployment.yaml: spec.template.spec.containers[0].command: Required value"},
           {"good.yaml", "bad-hpa.yaml", "bad-hpa.yaml: spec.maxReplicas: Required value"},
           {"good.yaml", "other-hpa.yaml", "other-hpa.yaml: spec.scaleTargetRef: Invalid value"},
           {"good.yaml", "missing.yaml", "the path \""}}) {
    SCOPED_TRACE(c.expected);
    auto r = run_command({kscale_binary(), "autoscale", "--local", "-f",
                          (dir.path() / c.deployment).string(), "-f", (dir.path() / c.hpa).string(),
                          "--metrics-server", "https://127.0.0.1:1"});
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
  }
}

std::vector<json::object> timeline(const fs::path& p) {
  std::vector<json::object> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    out.push_back(json::parse(line).as_object());
  }
  return out;
}

TEST(AutoscaleIntegrationTest, ScalesUpUnderLoadAndDownAfterTheWindow) {
  TempDir dir;
  const uint16_t service_port = free_port();
  const auto pods = dir.path() / "pods.yaml";
  std::ofstream(pods) << "apiVersion: v1\nkind: List\nitems: []\n";
  std::ofstream(dir.path() / "deployment.yaml") << deployment_yaml(service_port);
  std::ofstream(dir.path() / "hpa.yaml") << kHpa;
  std::ofstream(dir.path() / "scrape.yaml")
      << "rules:\n- {seriesName: http_requests_total, metric: http_requests_qps, kind: rate, window: 5s}\n";
  auto adapter =
      start_adapter(dir.path(), {"--objects", pods.string(), "--scrape-config",
                                 (dir.path() / "scrape.yaml").string(), "--scrape-annotated-pods",
                                 "--scrape-annotated-pods-interval", "1s"});
  ASSERT_FALSE(adapter.https.empty()) << adapter.process->output();
  const auto tl = dir.path() / "timeline.jsonl";
  Process autoscale({kscale_binary(), "autoscale", "--local", "-f",
                     (dir.path() / "deployment.yaml").string(), "-f",
                     (dir.path() / "hpa.yaml").string(), "--pods-file", pods.string(),
                     "--metrics-server", adapter.https, "--certificate-authority",
                     (dir.path() / "certs" / "apiserver.crt").string(), "--sync-period", "2s",
                     "--timeline", tl.string(), "--logs-dir", (dir.path() / "logs").string()});
  auto row =
      autoscale.wait_for(std::regex(R"(httpserver-hpa\s+Deployment/httpserver\s+(\d\S*)/30)"), 30s);
  ASSERT_TRUE(row) << autoscale.output() << adapter.process->output();

  Process hey({"hey", "-z", "20s", "-c", "20", "-q", "10", "-disable-keepalive",
               "http://127.0.0.1:" + std::to_string(service_port) + "/"});
  auto peak = [&] {
    int most = 0;
    for (const auto& e : timeline(tl)) {
      if (e.at("type") == "sync") {
        most = std::max(most, static_cast<int>(e.at("replicas").to_number<int64_t>()));
      }
    }
    return most;
  };
  // 200 requests/s over 30/s per pod: ~7 replicas.
  EXPECT_TRUE(wait_until([&] { return peak() >= 4; }, 25s, 1s)) << autoscale.output();
  {
    // Kill a replica from outside while the loop runs under load: it is reported and replaced.
    const std::string text = read_text(pods);
    std::smatch m;
    if (std::regex_search(text, m, std::regex(R"(kscale.io/pid: \"(\d+)\")"))) {
      ::kill(std::stoi(m[1]), SIGKILL);
    }
  }
  EXPECT_TRUE(
      wait_until([&] { return !hey.running(); }, 40s, 1s));  // hey -z 20s ends the load itself
  hey.stop();
  EXPECT_GE(peak(), 4) << autoscale.output();
  EXPECT_LE(peak(), 10);
  const bool back_to_one = wait_until(
      [&] {
        for (const auto& e : timeline(tl)) {
          if (e.at("type") == "sync" && e.at("replicas") == 1 &&
              e.at("replicas_before").to_number<int64_t>() > 1) {
            return true;
          }
        }
        return false;
      },
      60s, 1s);
  EXPECT_TRUE(back_to_one) << autoscale.output();
  EXPECT_NE(autoscale.output().find("without being asked to stop; replacing it"), std::string::npos)
      << autoscale.output();
  EXPECT_NE(autoscale.output().find("event Normal SuccessfulRescale: New size:"),
            std::string::npos);
  EXPECT_EQ(autoscale.stop(10s), 0);
  std::smatch m;
  const std::string after = read_text(pods);
  EXPECT_EQ(after.find("kind: Pod"), std::string::npos) << after;
}

TEST(DemoIntegrationTest, ShortDemoRunsToCompletionAndLeavesNothingBehind) {
  TempDir dir;
  const auto plot = dir.path() / "demo.svg";
  auto r = run_command({kscale_binary(), "demo", "--short", "--plot", plot.string()});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("load start -> first scale-up decision:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("peak replicas:"), std::string::npos);
  EXPECT_NE(read_text(plot).find("<svg"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(files in (/tmp/kscale-demo-\w+))")))
      << r.out;
  const std::string demo_dir = m[1];
  EXPECT_FALSE(fs::exists(demo_dir));
  // No process the demo started survives: the adapter and autoscaler name the directory on their
  // command line, and every replica carries it in its environment (KSCALE_DEMO_DIR).
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos ||
        name == std::to_string(getpid())) {
      continue;
    }
    std::string cmdline = read_text(entry.path() / "cmdline");
    std::string environ = read_text(entry.path() / "environ");
    EXPECT_EQ(cmdline.find(demo_dir), std::string::npos) << name << ": " << cmdline;
    EXPECT_EQ(environ.find(demo_dir), std::string::npos) << name << ": " << cmdline;
  }
}

}  // namespace
}  // namespace kscale::testing

namespace kscale::testing {
namespace {

hpa::Pod ready_pod(std::string name, core::SystemTime since) {
  hpa::Pod p;
  p.name = std::move(name);
  p.labels = {{"app", "web"}};
  p.ready = hpa::PodReadyCondition{hpa::ConditionStatus::True, since};
  p.start_time = since;
  return p;
}

// The loop against a fake /scale and a real adapter holding pushed values, on a ManualClock:
// the decisions and the stabilization window follow the clock, not the wall.
TEST(ControlLoopIntegrationTest, ScalesTheTargetAsTheEngineDecides) {
  boost::asio::io_context ioc;
  TempDir dir;
  std::ofstream(dir.path() / "objects.yaml")
      << "apiVersion: v1\nkind: List\nitems:\n"
         "- {apiVersion: v1, kind: Pod, metadata: {name: web-1, namespace: default, labels: {app: web}}}\n"
         "- {apiVersion: v1, kind: Pod, metadata: {name: web-2, namespace: default, labels: {app: web}}}\n";
  auto adapter = start_adapter(dir.path(), {"--objects", (dir.path() / "objects.yaml").string()});
  ASSERT_FALSE(adapter.https.empty()) << adapter.process->output();
  auto push = [&](const std::string& pod, const std::string& value) {
    auto r = run_command(
        {"curl", "-sS", "-f", "-X", "POST", "--data", value,
         adapter.http + "/write-metrics/namespaces/default/pods/" + pod + "/http_requests_qps"});
    ASSERT_EQ(r.status, 0) << r.err;
  };
  push("web-1", "90");
  push("web-2", "60");
  std::string manifest(kHpa);
  manifest.replace(manifest.find("name: httpserver}"), 17, "name: web}");
  auto hpa = kube::read_hpa_manifest(manifest, {});
  ASSERT_TRUE(hpa) << hpa.error().message;
  auto client = autoscaler::MetricsClient::create(
      {adapter.https, (dir.path() / "certs" / "apiserver.crt").string()});
  ASSERT_TRUE(client) << client.error().message;

  core::ManualClock clock;
  fakes::FakeScaleTarget target;
  target.spec_replicas = 2;
  target.pods = {ready_pod("web-1", clock.system_now() - 10min),
                 ready_pod("web-2", clock.system_now() - 10min)};
  std::ostringstream table;
  autoscaler::ControlLoop loop(*hpa, target, **client, clock,
                               {hpa::ControllerConfig{}, {}, &table});
  auto d = run_awaitable(ioc, loop.sync());
  EXPECT_EQ(target.scales, std::vector<int32_t>{5});  // (90 + 60) / 30
  EXPECT_EQ(d.rescale_reason, "pods metric http_requests_qps above target");
  EXPECT_NE(table.str().find("75/30"), std::string::npos) << table.str();

  push("web-1", "1");
  push("web-2", "1");
  clock.advance(5s);
  run_awaitable(ioc, loop.sync());
  EXPECT_EQ(target.scales.size(), 1u);  // within the 10s scale-down window: stabilized
  clock.advance(11s);
  run_awaitable(ioc, loop.sync());
  ASSERT_EQ(target.scales.size(), 2u);
  EXPECT_EQ(target.scales.back(), 1);

  target.get_error = core::Error::unavailable("connection refused");
  clock.advance(15s);
  d = run_awaitable(ioc, loop.sync());
  EXPECT_EQ(d.branch, hpa::ReconcileBranch::FailedGetScale);
}

}  // namespace
}  // namespace kscale::testing
