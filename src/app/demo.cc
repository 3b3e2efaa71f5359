#include "app/demo.h"

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>
#include <regex>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "autoscaler/simulator.h"
#include "autoscaler/svg_plot.h"
#include "core/clock.h"
#include "net/asio_tokens.h"
#include "net/http_client.h"

extern char** environ;

namespace kscale::app {

namespace fs = std::filesystem;
namespace asio = boost::asio;

struct DemoTimes {
  std::chrono::seconds sync_period;
  std::chrono::seconds stabilization;
  std::chrono::seconds load;
  std::string rate_window;
  int concurrency;
  int qps_per_worker;
};

struct DemoLoadRun {
  std::string tool;  // hey, ab or builtin
  int rps = 0;       // the rate asked for
  double start = 0;  // unix seconds
  double end = 0;
};

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using autoscaler::ChildProcess;

constexpr int kLoadWorkers = 8;
constexpr auto kShutdownGrace = std::chrono::seconds(60);

core::Error interrupted() { return core::Error::unavailable("interrupted"); }

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
    const std::string dir =
        p.substr(start, end == std::string::npos ? std::string::npos : end - start);
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

std::string deployment_yaml(const std::string& exe, uint16_t service_port, const fs::path& dir) {
  return fmt::format(
      R"yaml(# Seed 000's httpserver Deployment, run locally: each replica is `kscale httpserver` sharing
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
  return fmt::format(
      R"yaml(# Seed 000's HPA (examples/hpa-http-requests-qps.yaml) with a {s}s scale-down stabilization
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
  return fmt::format(
      R"yaml(# Rules only: the targets are the pods annotated prometheus.io/scrape (--scrape-annotated-pods).
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

Summary summarize(const std::vector<json::object>& tl, double load_start, double load_end,
                  int min_replicas) {
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

std::string seconds_text(const std::optional<double>& v) {
  return v ? fmt::format("{:.1f}s", *v) : "n/a";
}

// The manifests, the scrape rules and an empty pods list in `dir`; prints what the scenario is.
void write_scenario_files(const fs::path& dir, const std::string& exe, uint16_t service_port,
                          const DemoTimes& t) {
  std::ofstream(dir / "deployment.yaml") << deployment_yaml(exe, service_port, dir);
  std::ofstream(dir / "hpa.yaml") << hpa_yaml(t.stabilization);
  std::ofstream(dir / "scrape.yaml") << scrape_yaml(t.rate_window);
  std::ofstream(dir / "pods.yaml") << "apiVersion: v1\nkind: List\nitems: []\n";
  std::cout << fmt::format("kscale demo: seed 000 on this machine (files in {})\n", dir.string());
  std::cout
      << fmt::format(
             "  HPA httpserver-hpa: http_requests_qps AverageValue 30 per pod, 1..10 replicas, "
             "scale-down window {}s, sync every {}s\n",
             t.stabilization.count(), t.sync_period.count())
      << std::flush;
}

std::vector<std::string> adapter_args(const std::string& exe, const fs::path& dir) {
  return {exe,
          "adapter",
          "--bind-address",
          "127.0.0.1",
          "--secure-port",
          "0",
          "--http-port",
          "0",
          "--cert-dir",
          (dir / "certs").string(),
          "--objects",
          (dir / "pods.yaml").string(),
          "--scrape-config",
          (dir / "scrape.yaml").string(),
          "--scrape-annotated-pods",
          "--scrape-annotated-pods-interval",
          "1s",
          "--metrics-max-age",
          "30s",
          "--worker-threads",
          "1"};
}

// Starts hey or ab as a child process, or returns none for the built-in generator; prints the
// load line either way.
core::Result<std::optional<ChildProcess>> spawn_load(const std::string& tool, const DemoTimes& t,
                                                     const std::string& url,
                                                     const std::vector<std::string>& env,
                                                     const fs::path& dir) {
  const int rps = t.concurrency * t.qps_per_worker;
  if (tool == "hey") {
    std::cout << fmt::format(
        "\n>>> load: hey -z {}s -c {} -q {} -disable-keepalive {}  (~{} requests/s, "
        "~{:.0f} replicas' worth at 30/s each)\n\n",
        t.load.count(), t.concurrency, t.qps_per_worker, url, rps, std::ceil(rps / 30.0));
    auto p = ChildProcess::spawn(autoscaler::SpawnOptions{
        {"hey", "-z", std::to_string(t.load.count()) + "s", "-c", std::to_string(t.concurrency),
         "-q", std::to_string(t.qps_per_worker), "-disable-keepalive", url},
        env,
        (dir / "load.log").string(),
        false,
        true});
    if (!p) {
      return core::fail(core::Error::unavailable("hey: " + p.error().message));
    }
    return std::optional<ChildProcess>(std::move(*p));
  } else if (tool == "ab") {
    std::cout << fmt::format(
        "\n>>> load: ab -t {} -n 100000000 -c 20 {}  (as fast as it goes: ab has no rate limit)\n\n",
        t.load.count(), url);
    auto p = ChildProcess::spawn(autoscaler::SpawnOptions{
        {"ab", "-q", "-t", std::to_string(t.load.count()), "-n", "100000000", "-c", "20", url},
        env,
        (dir / "load.log").string(),
        false,
        true});
    if (!p) {
      return core::fail(core::Error::unavailable("ab: " + p.error().message));
    }
    return std::optional<ChildProcess>(std::move(*p));
  } else {
    std::cout << fmt::format(
        "\n>>> load: built-in generator, {} requests/s for {}s to {} (install hey for the "
        "seeds' tool)\n\n",
        rps, t.load.count(), url);
  }
  return std::optional<ChildProcess>();
}

// The SVG timeline and the summary; 0 when the HPA scaled up and came back to minReplicas.
int print_report(const DemoOptions& f, const fs::path& dir, const fs::path& timeline,
                 double load_start, double load_end, const std::string& tool, int rps) {
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
  std::ofstream(f.plot) << autoscaler::render_svg(plot, title);

  std::cout << "\nSummary\n";
  std::cout << fmt::format("  load:                                   {} for {:.0f}s ({})\n", tool,
                           load_end - load_start,
                           tool == "hey" ? fmt::format("~{} requests/s", rps)
                                         : std::string("see load.log"));
  std::cout << fmt::format("  load start -> first scale-up decision:   {}\n",
                           seconds_text(s.first_scale_up));
  std::cout << fmt::format("  load start -> first new replica Ready:   {}\n",
                           seconds_text(s.first_new_ready));
  std::cout << fmt::format("  peak replicas:                           {} (maxReplicas 10)\n",
                           s.peak);
  std::cout << fmt::format("  load stop  -> first scale-down decision: {}\n",
                           seconds_text(s.first_scale_down));
  std::cout << fmt::format("  load stop  -> back at minReplicas (1):   {}\n",
                           seconds_text(s.back_to_min));
  std::cout << fmt::format("  timeline plot:                           {}\n",
                           fs::absolute(f.plot).string());
  if (f.keep_files) {
    std::cout << fmt::format("  files (logs, timeline, manifests):       {}\n", dir.string());
  }
  std::cout << std::flush;
  return s.first_scale_up && s.back_to_min ? 0 : 1;
}

}  // namespace

Demo::Demo(DemoOptions options) : f_(std::move(options)) {}

Demo::~Demo() { cleanup(); }

asio::awaitable<bool> Demo::pause_for(std::chrono::milliseconds d) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, d);
  auto [ec] = co_await timer.async_wait(net::use_nothrow);
  co_return !ec && !interrupted_;
}

asio::awaitable<core::Result<std::string>> Demo::wait_for_log(fs::path log, std::regex re,
                                                              std::chrono::seconds timeout,
                                                              ChildProcess& p, std::string what) {
  for (auto waited = 0ms; waited < timeout; waited += 100ms) {
    std::smatch m;
    const std::string text = read_text(log);
    if (std::regex_search(text, m, re)) {
      co_return m.size() > 1 ? m[1].str() : m[0].str();
    }
    if (!p.running()) {
      co_return core::fail(core::Error::unavailable(
          fmt::format("{} ended early ({}); its log {}:\n{}", what,
                      autoscaler::describe_exit(p.wait_status().value_or(0)), log.string(), text)));
    }
    if (auto ok = co_await pause_for(100ms); !ok) {
      co_return core::fail(interrupted());
    }
  }
  co_return core::fail(core::Error::unavailable(
      fmt::format("{} did not start within {}s; see {}", what, timeout.count(), log.string())));
}

// The fallback load: `workers` coroutines, each sending `qps` requests a second over new
// connections (so that SO_REUSEPORT spreads them over the replicas, as hey -disable-keepalive).
asio::awaitable<void> Demo::load_worker(uint16_t port, int qps, std::chrono::seconds duration) {
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  const auto interval = std::chrono::microseconds(1'000'000 / std::max(1, qps));
  const auto steps = duration / interval;
  net::HttpUrl url{"127.0.0.1", port, "/", fmt::format("http://127.0.0.1:{}/", port)};
  net::RequestOptions options;
  options.headers = {{"Connection", "close"}};
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  for (int64_t i = 0; i < steps && !load_stop_ && !interrupted_; ++i) {
    auto response = co_await net::http_get(url, options);
    if (response) {
      ++load_requests_;
    }
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(net::use_nothrow);
    if (ec) {
      break;
    }
  }
  ++load_workers_done_;
}

void Demo::start_builtin_load(uint16_t port, int workers, int qps, std::chrono::seconds duration) {
  for (int w = 0; w < workers; ++w) {
    runtime_.spawn(load_worker(port, qps, duration), "load worker");
  }
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

asio::awaitable<void> Demo::main() {
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  auto result = co_await scenario();
  if (interrupted_) {
    std::cerr << "\nkscale demo: interrupted; stopping everything it started\n";
    exit_code_ = 130;
  } else if (!result) {
    std::cerr << "kscale demo: " << result.error().message << "\n";
    exit_code_ = 1;
  } else {
    exit_code_ = *result;
  }
  cleanup();  // stops every process it started and removes its files
  load_stop_ = true;
  runtime_.stop();  // ends run() once the load workers have ended
}

int Demo::run() {
  runtime_.spawn(main(), "demo");
  // A signal cancels the scenario (quietly: main() says it was interrupted); the grace period
  // covers cleanup(), which blocks for up to 22s stopping the child processes.
  runtime_.run(
      1, {}, kShutdownGrace,
      Runtime::Hooks{[this](int signal) { interrupted_ = interrupted_ || signal != 0; }, {}});
  return exit_code_;
}

asio::awaitable<core::Result<int>> Demo::scenario() {
  const DemoTimes t = f_.short_mode ? DemoTimes{2s, 15s, 40s, "10s", 50, 10}
                                    : DemoTimes{5s, 30s, 60s, "10s", 50, 10};
  char tmpl[] = "/tmp/kscale-demo-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    co_return core::fail(core::Error::unavailable("cannot create a temporary directory in /tmp"));
  }
  dir_ = tmpl;
  const std::string exe = autoscaler::current_executable();
  const uint16_t service_port = free_port();
  const fs::path timeline = dir_ / "timeline.jsonl";
  write_scenario_files(dir_, exe, service_port, t);

  const auto env = inherited_env();
  auto server = co_await start_adapter(exe, env);
  if (!server) {
    co_return core::fail(server.error());
  }
  std::cout << fmt::format(
      "  kscale adapter: metrics API at {}, scraping the annotated pods every 1s, "
      "rate window {}\n",
      *server, t.rate_window);
  std::cout << fmt::format(
                   "  kscale autoscale --local: replicas serve 127.0.0.1:{} (SO_REUSEPORT)\n\n",
                   service_port)
            << std::flush;
  if (auto started = start_autoscale(exe, *server, t.sync_period, env); !started) {
    co_return core::fail(started.error());
  }
  if (auto seen = co_await wait_for_metric(timeline); !seen) {
    co_return core::fail(seen.error());
  }
  auto load = co_await run_load(t, service_port, env);
  if (!load) {
    co_return core::fail(load.error());
  }
  if (auto down = co_await wait_for_scale_down(timeline, *load, t); !down) {
    co_return core::fail(down.error());
  }
  autoscale_->stop(15s);
  autoscale_.reset();
  adapter_->stop(5s);
  adapter_.reset();

  const int code = print_report(f_, dir_, timeline, load->start, load->end, load->tool, load->rps);
  cleanup();
  co_return code;
}

asio::awaitable<core::Result<std::string>> Demo::start_adapter(
    const std::string& exe, const std::vector<std::string>& env) {
  auto adapter = ChildProcess::spawn(autoscaler::SpawnOptions{
      adapter_args(exe, dir_), env, (dir_ / "adapter.log").string(), false, true});
  if (!adapter) {
    co_return core::fail(core::Error::unavailable("kscale adapter: " + adapter.error().message));
  }
  adapter_ = std::move(*adapter);
  auto https_port =
      co_await wait_for_log(dir_ / "adapter.log", std::regex(R"(on https://127\.0\.0\.1:(\d+))"),
                            20s, *adapter_, "kscale adapter");
  if (!https_port) {
    co_return core::fail(https_port.error());
  }
  co_return "https://127.0.0.1:" + *https_port;
}

core::Result<void> Demo::start_autoscale(const std::string& exe, const std::string& server,
                                         std::chrono::seconds sync_period,
                                         const std::vector<std::string>& env) {
  auto autoscale = ChildProcess::spawn(autoscaler::SpawnOptions{
      {exe, "autoscale", "--local", "-f", (dir_ / "deployment.yaml").string(), "-f",
       (dir_ / "hpa.yaml").string(), "--pods-file", (dir_ / "pods.yaml").string(), "--logs-dir",
       (dir_ / "logs").string(), "--metrics-server", server, "--certificate-authority",
       (dir_ / "certs" / "apiserver.crt").string(), "--sync-period",
       std::to_string(sync_period.count()) + "s", "--timeline", (dir_ / "timeline.jsonl").string()},
      env,
      (dir_ / "autoscale.log").string(),
      true,
      true});
  if (!autoscale) {
    return core::fail(core::Error::unavailable("kscale autoscale: " + autoscale.error().message));
  }
  autoscale_ = std::move(*autoscale);
  return {};
}

// Load starts once the HPA sees the metric (TARGETS is 0/30, not <unknown>/30).
asio::awaitable<core::Result<void>> Demo::wait_for_metric(const fs::path& timeline) {
  bool flowing = false;
  for (auto waited = 0s; waited < 60s && !flowing; waited += 1s) {
    for (const auto& e : read_timeline(timeline)) {
      flowing = flowing || (str(e, "type") == "sync" && !std::isnan(num(e, "value")));
    }
    if (!autoscale_->running()) {
      co_return core::fail(core::Error::unavailable("kscale autoscale ended early; see " +
                                                    (dir_ / "autoscale.log").string() + ":\n" +
                                                    read_text(dir_ / "autoscale.log")));
    }
    if (!flowing) {
      if (auto ok = co_await pause_for(1s); !ok) {
        co_return core::fail(interrupted());
      }
    }
  }
  if (!flowing) {
    co_return core::fail(core::Error::unavailable(
        "the HPA never saw http_requests_qps within 60s; see " + (dir_ / "adapter.log").string() +
        " and " + (dir_ / "autoscale.log").string()));
  }
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<DemoLoadRun>> Demo::run_load(const DemoTimes& t, uint16_t service_port,
                                                          const std::vector<std::string>& env) {
  DemoLoadRun run;
  run.tool = f_.load;
  if (run.tool == "auto") {
    run.tool = on_path("hey") ? "hey" : on_path("ab") ? "ab" : "builtin";
  }
  const std::string url = fmt::format("http://127.0.0.1:{}/", service_port);
  run.rps = t.concurrency * t.qps_per_worker;
  core::RealClock clock;
  auto unix_now = [&clock] {
    return std::chrono::duration<double>(clock.system_now().time_since_epoch()).count();
  };
  run.start = unix_now();
  auto spawned = spawn_load(run.tool, t, url, env, dir_);
  if (!spawned) {
    co_return core::fail(spawned.error());
  }
  load_ = std::move(*spawned);
  const bool builtin = !load_;
  if (builtin) {
    start_builtin_load(service_port, kLoadWorkers, run.rps / kLoadWorkers, t.load);
  }
  std::cout << std::flush;
  for (auto waited = 0s; waited < t.load + 15s; waited += 1s) {
    if ((load_ && !load_->running()) || (builtin && load_workers_done_ == kLoadWorkers)) {
      break;
    }
    if (auto ok = co_await pause_for(1s); !ok) {
      co_return core::fail(interrupted());
    }
  }
  if (load_) {
    load_->stop(2s);
  }
  load_stop_ = true;
  run.end = unix_now();
  std::cout
      << fmt::format(
             "\n>>> load stopped after {:.0f}s; replicas come down after the {}s stabilization window\n\n",
             run.end - run.start, t.stabilization.count())
      << std::flush;
  co_return run;
}

asio::awaitable<core::Result<void>> Demo::wait_for_scale_down(const fs::path& timeline,
                                                              const DemoLoadRun& load,
                                                              const DemoTimes& t) {
  const auto scale_down_budget = t.stabilization + 10s + 4 * t.sync_period + 30s;
  bool back = false;
  for (auto waited = 0s; waited < scale_down_budget && !back; waited += 1s) {
    const auto s = summarize(read_timeline(timeline), load.start, load.end, 1);
    back = s.back_to_min.has_value();
    if (!back) {
      if (auto ok = co_await pause_for(1s); !ok) {
        co_return core::fail(interrupted());
      }
    }
  }
  if (auto ok = co_await pause_for(std::chrono::milliseconds(500)); !ok) {
    co_return core::fail(interrupted());
  }
  co_return core::Result<void>{};
}

}  // namespace kscale::app
