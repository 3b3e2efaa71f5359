// `kscale httpserver`: the seeds' sample app. Serves `/` (a small response), `/healthz` and
// `/metrics` with http_requests_total{method,code} and the process_* metrics, on net::Server with
// several threads so that it is never the bottleneck of a load test.

#include <dirent.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/logging.h"
#include "net/metrics_registry.h"
#include "net/router.h"
#include "net/server.h"

namespace kscale::cli {

namespace {

struct HttpServerOptions {
  std::string bind_address = "0.0.0.0";
  int port = 8080;
  int metrics_port = -1;  // -1: /metrics on the service port
  bool reuse_port = false;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  int verbosity = 0;
};

// --- process metrics, read from /proc/self as the Go and Python clients' process collectors do
// (client_golang prometheus/process_collector_other.go, procfs Stat). ---

struct ProcStat {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_ticks = 0;
};

ProcStat read_proc_stat() {
  ProcStat out;
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  // Field 2 (comm) may contain spaces; the fields after it start after the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) {
    return out;
  }
  std::istringstream fields(line.substr(close + 2));
  std::array<std::string, 22> f;  // fields 3..24
  for (auto& v : f) {
    fields >> v;
  }
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  auto num = [](const std::string& s) { return s.empty() ? 0.0 : std::stod(s); };
  out.cpu_seconds = (num(f[11]) + num(f[12])) / ticks;                        // utime, stime (14, 15)
  out.start_ticks = num(f[19]);                                               // starttime (22)
  out.virtual_bytes = num(f[20]);                                             // vsize (23)
  out.resident_bytes = num(f[21]) * static_cast<double>(::sysconf(_SC_PAGESIZE));  // rss (24)
  return out;
}

double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double v = 0;
      in >> v;
      return v;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return 0;
}

double open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) {
    return 0;
  }
  double n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') {
      ++n;
    }
  }
  ::closedir(dir);
  return n - 1;  // the directory stream's own descriptor
}

double max_fds() {
  std::ifstream in("/proc/self/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Max open files")) {
      std::istringstream fields(line.substr(std::string_view("Max open files").size()));
      std::string soft;
      fields >> soft;
      return soft == "unlimited" ? 0 : std::stod(soft);
    }
  }
  return 0;
}

void register_process_metrics(net::MetricsRegistry& registry) {
  const double start = boot_time_seconds() + read_proc_stat().start_ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
  registry.counter_callback("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                            [] { return read_proc_stat().cpu_seconds; });
  registry.gauge_callback("process_resident_memory_bytes", "Resident memory size in bytes.",
                          [] { return read_proc_stat().resident_bytes; });
  registry.gauge_callback("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                          [] { return read_proc_stat().virtual_bytes; });
  registry.gauge_callback("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                          [start] { return start; });
  registry.gauge_callback("process_open_fds", "Number of open file descriptors.", [] { return open_fds(); });
  registry.gauge_callback("process_max_fds", "Maximum number of open file descriptors.", [] { return max_fds(); });
}

// --- the app ---

// http_requests_total children resolved once, so that counting a request is one atomic add.
// Labels as client_golang's promhttp.InstrumentHandlerCounter writes them: lower-case method,
// numeric code.
class RequestCounters {
 public:
  explicit RequestCounters(net::MetricsRegistry& registry) {
    for (size_t m = 0; m < kMethods.size(); ++m) {
      for (size_t c = 0; c < kCodes.size(); ++c) {
        counters_[m][c] = &registry.counter("http_requests_total", "Count of all HTTP requests.",
                                            {{"method", std::string(kMethods[m])}, {"code", std::string(kCodes[c])}});
      }
    }
  }
  void inc(net::http::verb verb, bool found) {
    const size_t m = verb == net::http::verb::get ? 0 : verb == net::http::verb::head ? 1 : 2;
    counters_[m][found ? 0 : 1]->inc();
  }

 private:
  static constexpr std::array<std::string_view, 3> kMethods = {"get", "head", "post"};
  static constexpr std::array<std::string_view, 2> kCodes = {"200", "404"};
  std::array<std::array<net::Counter*, 2>, 3> counters_{};
};

net::Response metrics_response(const net::MetricsRegistry& registry) {
  return net::text_response(registry.serialize(), net::http::status::ok, "text/plain; version=0.0.4; charset=utf-8");
}

// Every request on the service port is counted, /metrics included (the seeds load-test
// /metrics itself), except /healthz, so that kubelet probes do not look like traffic.
// `counters` and `registry` outlive the router.
void install_service_routes(net::Router& router, RequestCounters& counters, const net::MetricsRegistry& registry,
                            bool serve_metrics) {
  auto handler = [&counters, &registry, serve_metrics](const net::RequestContext& ctx) -> core::Result<net::Response> {
    const std::string_view path = ctx.params.get("path");
    if (path == "healthz") {
      return net::text_response("ok");
    }
    if (path.empty()) {
      counters.inc(ctx.request.method(), true);
      return net::text_response("Hello from kscale httpserver\n");
    }
    if (path == "metrics" && serve_metrics) {
      counters.inc(ctx.request.method(), true);
      return metrics_response(registry);
    }
    counters.inc(ctx.request.method(), false);
    return net::text_response("404 page not found\n", net::http::status::not_found);
  };
  router.add(net::http::verb::get, "/{path...}", handler);
  router.add(net::http::verb::post, "/{path...}", handler);
}

void run_httpserver(const HttpServerOptions& o) {
  auto port_ok = [](int p) { return p >= 0 && p <= 65535; };
  if (!port_ok(o.port) || !(o.metrics_port == -1 || port_ok(o.metrics_port))) {
    throw std::runtime_error("--port and --metrics-port must be between 0 and 65535");
  }
  if (o.threads == 0) {
    throw std::runtime_error("--threads must be at least 1");
  }
  configure_logging(o.verbosity);

  net::MetricsRegistry registry;
  RequestCounters counters(registry);
  register_process_metrics(registry);

  const bool separate_metrics = o.metrics_port != -1;
  auto service_router = std::make_shared<net::Router>();
  install_service_routes(*service_router, counters, registry, !separate_metrics);
  net::Server service(service_router, net::Limits{});
  const auto port = service.listen(o.bind_address, static_cast<uint16_t>(o.port), nullptr,
                                   net::ListenOptions{.reuse_port = o.reuse_port});
  if (!port) {
    throw std::runtime_error("--port: " + port.error().message);
  }
  spdlog::info("listening on http://{}:{}{}", o.bind_address, *port, o.reuse_port ? " (SO_REUSEPORT)" : "");

  // The metrics port has its own server and thread: scrapes are not counted as traffic and are
  // answered even while the service threads are saturated.
  std::unique_ptr<net::Server> metrics;
  std::thread metrics_thread;
  if (separate_metrics) {
    auto router = std::make_shared<net::Router>();
    router->add(net::http::verb::get, "/metrics",
                [&registry](const net::RequestContext&) -> core::Result<net::Response> { return metrics_response(registry); });
    router->add(net::http::verb::get, "/healthz",
                [](const net::RequestContext&) -> core::Result<net::Response> { return net::text_response("ok"); });
    metrics = std::make_unique<net::Server>(router, net::Limits{});
    const auto mport = metrics->listen(o.bind_address, static_cast<uint16_t>(o.metrics_port), nullptr);
    if (!mport) {
      throw std::runtime_error("--metrics-port: " + mport.error().message);
    }
    spdlog::info("serving metrics on http://{}:{}/metrics", o.bind_address, *mport);
    metrics_thread = std::thread([&metrics] { metrics->run(1); });
  } else {
    spdlog::info("serving metrics on http://{}:{}/metrics", o.bind_address, *port);
  }

  boost::asio::signal_set signals(service.io_context(), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (!ec) {
      spdlog::info("received signal {}, shutting down", sig);
      service.stop();
    }
  });
  service.run(o.threads);
  if (metrics) {
    metrics->stop();
    metrics_thread.join();
  }
}

}  // namespace

void add_httpserver_command(CLI::App& app) {
  auto opts = std::make_shared<HttpServerOptions>();
  auto* cmd = app.add_subcommand("httpserver", "The sample app: serves / and /metrics with http_requests_total");
  cmd->add_option("--bind-address", opts->bind_address, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", opts->port, "Service port (0 = any free port)")->capture_default_str();
  cmd->add_option("--metrics-port", opts->metrics_port,
                  "Own port for /metrics, not counted as traffic (0 = any free port; default: /metrics on --port)");
  cmd->add_flag("--reuse-port", opts->reuse_port, "SO_REUSEPORT: several replicas share --port");
  cmd->add_option("--threads", opts->threads, "I/O threads")->capture_default_str();
  cmd->add_option("--v", opts->verbosity, "Log verbosity (2+: access log)")->capture_default_str();
  cmd->callback([opts] { run_httpserver(*opts); });
}

}  // namespace kscale::cli
