// kscale: autoscale Kubernetes workloads on custom metrics. One binary, one subcommand per job.

#include <malloc.h>

#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace {

// glibc returns freed memory at the top of the heap to the kernel once it exceeds a threshold
// that it sizes from the largest block freed so far (~0.5 MB after a batch write). A 1,000-item
// batch write or answer uses ~1-2 MB for a moment, so each one shrank the heap and faulted the
// pages back in on the next (14% of a batch write's CPU in perf). Blocks up to 4 MB come from the
// heap, and up to 16 MB of free heap stays mapped.
void tune_malloc() {
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  tune_malloc();
  CLI::App app{"kscale: custom and external metrics for the Kubernetes HPA, and the HPA itself"};
  app.require_subcommand(1);
  kscale::cli::add_adapter_command(app);
  kscale::cli::add_autoscale_command(app);
  kscale::cli::add_demo_command(app);
  kscale::cli::add_httpserver_command(app);
  kscale::cli::add_divide_command(app);
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
