// kscale: autoscale Kubernetes workloads on custom metrics. One binary, one subcommand per job.

#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"kscale: custom and external metrics for the Kubernetes HPA, and the HPA itself"};
  app.require_subcommand(1);
  kscale::cli::add_adapter_command(app);
  kscale::cli::add_autoscale_command(app);
  kscale::cli::add_demo_command(app);
  kscale::cli::add_httpserver_command(app);
  kscale::cli::add_replicas_command(app);
  kscale::cli::add_simulate_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // Startup errors are fatal and say what to fix (STYLE.md §4).
    std::cerr << "kscale: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
