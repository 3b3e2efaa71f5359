// `kscale demo [--short]`: seed 000's scenario on one machine in one command — the sample
// httpserver as a Deployment run by `kscale autoscale --local`, `kscale adapter` scraping its
// replicas, the seed's HPA (http_requests_qps, AverageValue 30, 1..10) with a short scale-down
// window, load from hey (or ab, or a built-in generator), then an SVG timeline and a summary.

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <regex>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "autoscaler/child_process.h"
#include "autoscaler/simulator.h"
#include "autoscaler/svg_plot.h"
#include "cli/commands.h"
#include "core/clock.h"

extern char** environ;

namespace kscale::cli {

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using autoscaler::ChildProcess;

struct DemoFlags {
  bool short_mode = false;
  std::string plot = "kscale-demo.svg";
  std::string load = "auto";
  bool keep_files = false;
};

struct DemoTimes {
  std::chrono::seconds sync_period;
  std::chrono::seconds stabilization;
  std::chrono::seconds load;
  std::string rate_window;
  int concurrency;
  int qps_per_worker;
};

std::atomic<int> g_signal{0};
void on_signal(int sig) { g_signal.store(sig); }

struct Interrupted {};

class DemoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::vector<std::string> inherited_env() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    env.emplace_back(*e);
  }
  return env;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

uint16_t free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string p = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= p.size()) {
    const auto end = p.find(':', start);
    const std::string dir = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty() && access((fs::path(dir) / program).c_str(), X_OK) == 0) {
      return true;
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return false;
}

// Sleeps in small steps so that Ctrl-C is seen at once.
void pause_for(std::chrono::milliseconds d) {
  for (auto waited = 0ms; waited < d; waited += 100ms) {
    if (g_signal.load() != 0) {
      throw Interrupted{};
    }
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(100ms, d - waited));
  }
}

std::vector<json::object> read_timeline(const fs::path& p) {
  std::vector<json::object> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    if (!ec && v.is_object()) {
      out.push_back(v.as_object());
    }
  }
  return out;
}

double num(const json::object& o, std::string_view key, double fallback = NAN) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_number() ? v->to_number<double>() : fallback;
}

std::string str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : "";
}

// The fallback load: `workers` threads, each sending `qps` requests a second over new
// connections (so that SO_REUSEPORT spreads them over the replicas, as hey -disable-keepalive).
class BuiltinLoad {
 public:
  BuiltinLoad(uint16_t port, int workers, int qps, std::chrono::seconds duration) {
    for (int w = 0; w < workers; ++w) {
      threads_.emplace_back([this, port, qps, duration] { run(port, qps, duration); });
    }
  }
  ~BuiltinLoad() {
    stop_ = true;
    for (auto& t : threads_) {
      t.join();
    }
  }
  bool done() const { return finished_.load() == static_cast<int>(threads_.size()); }
  uint64_t requests() const { return requests_.load(); }

 private:
  void run(uint16_t port, int qps, std::chrono::seconds duration) {
    const auto interval = std::chrono::microseconds(1'000'000 / std::max(1, qps));
    const auto steps = duration / interval;
    for (int64_t i = 0; i < steps && !stop_; ++i) {
      try {
        boost::asio::io_context ioc;
        boost::asio::ip::tcp::socket s(ioc);
        s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        const std::string req = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        boost::asio::write(s, boost::asio::buffer(req));
        boost::system::error_code ec;
        std::string body;
        boost::asio::read(s, boost::asio::dynamic_buffer(body), ec);
        ++requests_;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(interval);
    }
    ++finished_;
  }

  std::atomic<bool> stop_{false};
  std::atomic<int> finished_{0};
  std::atomic<uint64_t> requests_{0};
  std::vector<std::thread> threads_;
};

std::string deployment_yaml(const std::string& exe, uint16_t service_port, const fs::path& dir) {
  return fmt::format(R"yaml(# Seed 000's httpserver Deployment, run locally: each replica is `kscale httpserver` sharing
# the service port {port} (SO_REUSEPORT spreads connections over them) with /metrics on its own $(PORT).
apiVersion: apps/v1
kind: Deployment
metadata:
  name: httpserver
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels:
      app: httpserver
  template:
    metadata:
      labels:
        app: httpserver
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/path: /metrics
        prometheus.io/port: metrics
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: httpserver
          command: ["{exe}"]
          args: ["httpserver", "--bind-address", "127.0.0.1", "--port", "{port}", "--reuse-port",
                 "--metrics-port", "$(PORT)", "--threads", "1"]
          env:
            - name: KSCALE_DEMO_DIR
              value: "{dir}"
          ports:
            - name: metrics
              containerPort: 9100
          readinessProbe:
            httpGet:
              path: /metrics
              port: metrics
            periodSeconds: 1
)yaml",
                     fmt::arg("exe", exe), fmt::arg("port", service_port), fmt::arg("dir", dir.string()));
}

std::string hpa_yaml(std::chrono::seconds stabilization) {
  return fmt::format(R"yaml(# Seed 000's HPA (examples/hpa-http-requests-qps.yaml) with a {s}s scale-down stabilization
# window instead of the default 5 minutes, so that the demo ends in a few minutes.
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: httpserver-hpa
  namespace: default
spec:
  minReplicas: 1
  maxReplicas: 10
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: httpserver
  metrics:
    - pods:
        metric:
          name: http_requests_qps
        target:
          averageValue: 30
          type: AverageValue
      type: Pods
  behavior:
    scaleDown:
      stabilizationWindowSeconds: {s}
)yaml",
                     fmt::arg("s", stabilization.count()));
}

std::string scrape_yaml(const std::string& window) {
  return fmt::format(R"yaml(# Rules only: the targets are the pods annotated prometheus.io/scrape (--scrape-annotated-pods).
rules:
  - seriesName: http_requests_total
    metric: http_requests_qps
    kind: rate
    window: {}
    aggregate: sum
)yaml",
                     window);
}

struct Summary {
  std::optional<double> first_scale_up;
  std::optional<double> first_new_ready;
  int peak = 0;
  std::optional<double> first_scale_down;
  std::optional<double> back_to_min;
};

Summary summarize(const std::vector<json::object>& tl, double load_start, double load_end, int min_replicas) {
  Summary s;
  for (const auto& e : tl) {
    const double t = num(e, "time");
    if (str(e, "type") == "sync") {
      const int before = static_cast<int>(num(e, "replicas_before", 0));
      const int after = static_cast<int>(num(e, "replicas", 0));
      s.peak = std::max(s.peak, after);
      if (!s.first_scale_up && t >= load_start && after > before) {
        s.first_scale_up = t - load_start;
      }
      if (!s.first_scale_down && t >= load_end && after < before) {
        s.first_scale_down = t - load_end;
      }
      if (!s.back_to_min && t >= load_end && after == min_replicas && before > min_replicas) {
        s.back_to_min = t - load_end;
      }
    } else if (str(e, "event") == "Ready" && s.first_scale_up && !s.first_new_ready &&
               t - load_start >= *s.first_scale_up) {
      s.first_new_ready = t - load_start;
    }
  }
  return s;
}

std::string seconds_text(const std::optional<double>& v) { return v ? fmt::format("{:.1f}s", *v) : "n/a"; }

class Demo {
 public:
  explicit Demo(DemoFlags flags) : f_(std::move(flags)) {}
  ~Demo() { cleanup(); }
  Demo(const Demo&) = delete;
  Demo& operator=(const Demo&) = delete;
  int run();

 private:
  std::string wait_for_log(const fs::path& log, const std::regex& re, std::chrono::seconds timeout, ChildProcess& p,
                           const std::string& what);
  void cleanup();

  DemoFlags f_;
  fs::path dir_;
  std::optional<ChildProcess> adapter_;
  std::optional<ChildProcess> autoscale_;
  std::optional<ChildProcess> load_;
};

std::string Demo::wait_for_log(const fs::path& log, const std::regex& re, std::chrono::seconds timeout, ChildProcess& p,
                               const std::string& what) {
  for (auto waited = 0ms; waited < timeout; waited += 100ms) {
    std::smatch m;
    const std::string text = read_text(log);
    if (std::regex_search(text, m, re)) {
      return m.size() > 1 ? m[1].str() : m[0].str();
    }
    if (!p.running()) {
      throw DemoError(fmt::format("{} ended early ({}); its log {}:\n{}", what,
                                  autoscaler::describe_exit(p.wait_status().value_or(0)), log.string(), text));
    }
    pause_for(100ms);
  }
  throw DemoError(fmt::format("{} did not start within {}s; see {}", what, timeout.count(), log.string()));
}

void Demo::cleanup() {
  if (load_) {
    load_->stop(2s);
  }
  if (autoscale_) {
    autoscale_->stop(15s);  // it stops its replicas first (their grace period is 5s)
  }
  if (adapter_) {
    adapter_->stop(5s);
  }
  load_.reset();
  autoscale_.reset();
  adapter_.reset();
  if (!dir_.empty() && !f_.keep_files) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

int Demo::run() {
  const DemoTimes t = f_.short_mode ? DemoTimes{2s, 15s, 40s, "10s", 50, 10} : DemoTimes{5s, 30s, 60s, "10s", 50, 10};
  char tmpl[] = "/tmp/kscale-demo-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    throw DemoError("cannot create a temporary directory in /tmp");
  }
  dir_ = tmpl;
  const std::string exe = autoscaler::current_executable();
  const uint16_t service_port = free_port();
  const fs::path pods = dir_ / "pods.yaml";
  const fs::path timeline = dir_ / "timeline.jsonl";
  std::ofstream(dir_ / "deployment.yaml") << deployment_yaml(exe, service_port, dir_);
  std::ofstream(dir_ / "hpa.yaml") << hpa_yaml(t.stabilization);
  std::ofstream(dir_ / "scrape.yaml") << scrape_yaml(t.rate_window);
  std::ofstream(pods) << "apiVersion: v1\nkind: List\nitems: []\n";
  std::cout << fmt::format("kscale demo: seed 000 on this machine (files in {})\n", dir_.string());
  std::cout << fmt::format("  HPA httpserver-hpa: http_requests_qps AverageValue 30 per pod, 1..10 replicas, "
                           "scale-down window {}s, sync every {}s\n",
                           t.stabilization.count(), t.sync_period.count())
            << std::flush;

  const auto env = inherited_env();
  auto adapter = ChildProcess::spawn(autoscaler::SpawnOptions{
      {exe, "adapter", "--bind-address", "127.0.0.1", "--secure-port", "0", "--http-port", "0", "--cert-dir",
       (dir_ / "certs").string(), "--objects", pods.string(), "--scrape-config", (dir_ / "scrape.yaml").string(),
       "--scrape-annotated-pods", "--scrape-annotated-pods-interval", "1s", "--metrics-max-age", "30s",
       "--worker-threads", "1"},
      env, (dir_ / "adapter.log").string(), false, true});
  if (!adapter) {
    throw DemoError("kscale adapter: " + adapter.error().message);
  }
  adapter_ = std::move(*adapter);
  const std::string https_port = wait_for_log(dir_ / "adapter.log", std::regex(R"(on https://127\.0\.0\.1:(\d+))"), 20s,
                                              *adapter_, "kscale adapter");
  const std::string server = "https://127.0.0.1:" + https_port;
  std::cout << fmt::format("  kscale adapter: metrics API at {}, scraping the annotated pods every 1s, "
                           "rate window {}\n",
                           server, t.rate_window);
  std::cout << fmt::format("  kscale autoscale --local: replicas serve 127.0.0.1:{} (SO_REUSEPORT)\n\n", service_port)
            << std::flush;
  auto autoscale = ChildProcess::spawn(autoscaler::SpawnOptions{
      {exe, "autoscale", "--local", "-f", (dir_ / "deployment.yaml").string(), "-f", (dir_ / "hpa.yaml").string(),
       "--pods-file", pods.string(), "--logs-dir", (dir_ / "logs").string(), "--metrics-server", server,
       "--certificate-authority", (dir_ / "certs" / "apiserver.crt").string(), "--sync-period",
       std::to_string(t.sync_period.count()) + "s", "--timeline", timeline.string()},
      env, (dir_ / "autoscale.log").string(), true, true});
  if (!autoscale) {
    throw DemoError("kscale autoscale: " + autoscale.error().message);
  }
  autoscale_ = std::move(*autoscale);

  // Load starts once the HPA sees the metric (TARGETS is 0/30, not <unknown>/30).
  bool flowing = false;
  for (auto waited = 0s; waited < 60s && !flowing; waited += 1s) {
    for (const auto& e : read_timeline(timeline)) {
      flowing = flowing || (str(e, "type") == "sync" && !std::isnan(num(e, "value")));
    }
    if (!autoscale_->running()) {
      throw DemoError("kscale autoscale ended early; see " + (dir_ / "autoscale.log").string() + ":\n" +
                      read_text(dir_ / "autoscale.log"));
    }
    if (!flowing) {
      pause_for(1s);
    }
  }
  if (!flowing) {
    throw DemoError("the HPA never saw http_requests_qps within 60s; see " + (dir_ / "adapter.log").string() + " and " +
                    (dir_ / "autoscale.log").string());
  }

  std::string tool = f_.load;
  if (tool == "auto") {
    tool = on_path("hey") ? "hey" : on_path("ab") ? "ab" : "builtin";
  }
  const std::string url = fmt::format("http://127.0.0.1:{}/", service_port);
  const int rps = t.concurrency * t.qps_per_worker;
  core::RealClock clock;
  auto unix_now = [&clock] { return std::chrono::duration<double>(clock.system_now().time_since_epoch()).count(); };
  const double load_start = unix_now();
  std::unique_ptr<BuiltinLoad> builtin;
  if (tool == "hey") {
    std::cout << fmt::format("\n>>> load: hey -z {}s -c {} -q {} -disable-keepalive {}  (~{} requests/s, "
                             "~{:.0f} replicas' worth at 30/s each)\n\n",
                             t.load.count(), t.concurrency, t.qps_per_worker, url, rps, std::ceil(rps / 30.0));
    auto p = ChildProcess::spawn(autoscaler::SpawnOptions{{"hey", "-z", std::to_string(t.load.count()) + "s", "-c",
                                                           std::to_string(t.concurrency), "-q",
                                                           std::to_string(t.qps_per_worker), "-disable-keepalive", url},
                                                          env, (dir_ / "load.log").string(), false, true});
    if (!p) {
      throw DemoError("hey: " + p.error().message);
    }
    load_ = std::move(*p);
  } else if (tool == "ab") {
    std::cout << fmt::format("\n>>> load: ab -t {} -n 100000000 -c 20 {}  (as fast as it goes: ab has no rate limit)\n\n",
                             t.load.count(), url);
    auto p = ChildProcess::spawn(autoscaler::SpawnOptions{
        {"ab", "-q", "-t", std::to_string(t.load.count()), "-n", "100000000", "-c", "20", url},
        env, (dir_ / "load.log").string(), false, true});
    if (!p) {
      throw DemoError("ab: " + p.error().message);
    }
    load_ = std::move(*p);
  } else {
    std::cout << fmt::format("\n>>> load: built-in generator, {} requests/s for {}s to {} (install hey for the "
                             "seeds' tool)\n\n",
                             rps, t.load.count(), url);
    builtin = std::make_unique<BuiltinLoad>(service_port, 8, rps / 8, t.load);
  }
  std::cout << std::flush;
  for (auto waited = 0s; waited < t.load + 15s; waited += 1s) {
    if ((load_ && !load_->running()) || (builtin && builtin->done())) {
      break;
    }
    pause_for(1s);
  }
  if (load_) {
    load_->stop(2s);
  }
  builtin.reset();
  const double load_end = unix_now();
  std::cout << fmt::format("\n>>> load stopped after {:.0f}s; replicas come down after the {}s stabilization window\n\n",
                           load_end - load_start, t.stabilization.count())
            << std::flush;

  const auto scale_down_budget = t.stabilization + 10s + 4 * t.sync_period + 30s;
  bool back = false;
  for (auto waited = 0s; waited < scale_down_budget && !back; waited += 1s) {
    const auto s = summarize(read_timeline(timeline), load_start, load_end, 1);
    back = s.back_to_min.has_value();
    if (!back) {
      pause_for(1s);
    }
  }
  pause_for(std::chrono::milliseconds(500));
  autoscale_->stop(15s);
  autoscale_.reset();
  adapter_->stop(5s);
  adapter_.reset();

  const auto tl = read_timeline(timeline);
  const auto s = summarize(tl, load_start, load_end, 1);
  autoscaler::SimulationResult plot;
  plot.metric_names = {"http_requests_qps"};
  plot.target_kinds = {"AverageValue"};
  plot.min_replicas = 1;
  plot.max_replicas = 10;
  double t0 = NAN;
  for (const auto& e : tl) {
    if (str(e, "type") != "sync") {
      continue;
    }
    if (std::isnan(t0)) {
      t0 = num(e, "time");
    }
    autoscaler::SimulationStep step;
    step.time_s = num(e, "time") - t0;
    step.value = {num(e, "value")};
    step.target = {num(e, "target", 30)};
    step.replicas = static_cast<int32_t>(num(e, "replicas", 0));
    step.ready_pods = static_cast<int32_t>(num(e, "ready", 0));
    step.desired = static_cast<int32_t>(num(e, "desired", 0));
    plot.steps.push_back(std::move(step));
    plot.summary.peak_replicas = std::max(plot.summary.peak_replicas, plot.steps.back().replicas);
  }
  const std::string title = fmt::format("kscale demo: seed 000 HPA, load {:.0f}s to {:.0f}s ({})",
                                        load_start - t0, load_end - t0, tool);
  std::ofstream(f_.plot) << autoscaler::render_svg(plot, title);

  std::cout << "\nSummary\n";
  std::cout << fmt::format("  load:                                   {} for {:.0f}s ({})\n", tool, load_end - load_start,
                           tool == "hey" ? fmt::format("~{} requests/s", rps) : std::string("see load.log"));
  std::cout << fmt::format("  load start -> first scale-up decision:   {}\n", seconds_text(s.first_scale_up));
  std::cout << fmt::format("  load start -> first new replica Ready:   {}\n", seconds_text(s.first_new_ready));
  std::cout << fmt::format("  peak replicas:                           {} (maxReplicas 10)\n", s.peak);
  std::cout << fmt::format("  load stop  -> first scale-down decision: {}\n", seconds_text(s.first_scale_down));
  std::cout << fmt::format("  load stop  -> back at minReplicas (1):   {}\n", seconds_text(s.back_to_min));
  std::cout << fmt::format("  timeline plot:                           {}\n", fs::absolute(f_.plot).string());
  if (f_.keep_files) {
    std::cout << fmt::format("  files (logs, timeline, manifests):       {}\n", dir_.string());
  }
  std::cout << std::flush;
  cleanup();
  return s.first_scale_up && s.back_to_min ? 0 : 1;
}

void run_demo(const DemoFlags& f) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  int code = 0;
  try {
    Demo demo(f);  // its destructor stops every process it started and removes its files
    code = demo.run();
  } catch (const Interrupted&) {
    std::cerr << "\nkscale demo: interrupted; stopping everything it started\n";
    code = 130;
  } catch (const DemoError& e) {
    std::cerr << "kscale demo: " << e.what() << "\n";
    code = 1;
  }
  if (code != 0) {
    throw CLI::RuntimeError(code);
  }
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto f = std::make_shared<DemoFlags>();
  auto* cmd = app.add_subcommand("demo", "Seed 000 on this machine: load in, replicas up, load stops, replicas down");
  cmd->add_flag("--short", f->short_mode, "A shorter run (about 2 minutes) for CI");
  cmd->add_option("--plot", f->plot, "Where the SVG timeline is written")->capture_default_str();
  cmd->add_option("--load", f->load, "Load generator: auto (hey, else ab, else built-in), hey, ab, builtin")
      ->check(CLI::IsMember({"auto", "hey", "ab", "builtin"}))
      ->capture_default_str();
  cmd->add_flag("--keep-files", f->keep_files, "Keep the temporary directory (manifests, logs, timeline)");
  cmd->callback([f] { run_demo(*f); });
}

}  // namespace kscale::cli
