// `kscale httpserver`: the seeds' sample app. Serves `/` (a small response), `/healthz` and
// `/metrics` with http_requests_total{method,code} and the process_* metrics, on net::Server with
// several threads so that it is never the bottleneck of a load test.

#include <memory>
#include <stdexcept>

#include <CLI/CLI.hpp>

#include "app/sample_server.h"
#include "cli/commands.h"
#include "cli/logging.h"

namespace kscale::cli {

namespace {

void run_httpserver(const app::SampleServerOptions& o, int verbosity) {
  configure_logging(verbosity);
  auto server = app::SampleServer::create(o);
  if (!server) {
    throw std::runtime_error(server.error().message);
  }
  (*server)->run();
}

}  // namespace

void add_httpserver_command(CLI::App& app) {
  auto opts = std::make_shared<app::SampleServerOptions>();
  auto verbosity = std::make_shared<int>(0);
  auto* cmd = app.add_subcommand("httpserver",
                                 "The sample app: serves / and /metrics with http_requests_total");
  cmd->add_option("--bind-address", opts->bind_address, "Address to listen on")
      ->capture_default_str();
  cmd->add_option("--port", opts->port, "Service port (0 = any free port)")->capture_default_str();
  cmd->add_option(
      "--metrics-port", opts->metrics_port,
      "Own port for /metrics, not counted as traffic (0 = any free port; default: /metrics on --port)");
  cmd->add_flag("--reuse-port", opts->reuse_port, "SO_REUSEPORT: several replicas share --port");
  cmd->add_option("--threads", opts->threads, "I/O threads")->capture_default_str();
  cmd->add_option("--v", *verbosity, "Log verbosity (2+: access log)")->capture_default_str();
  cmd->callback([opts, verbosity] { run_httpserver(*opts, *verbosity); });
}

}  // namespace kscale::cli
