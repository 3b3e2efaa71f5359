// `kscale demo [--short]`: flags → app::DemoOptions → app::Demo (seed 000's scenario on one
// machine: load in, replicas up, load stops, replicas down; an SVG timeline and a summary).

#include <memory>

#include <CLI/CLI.hpp>

#include "app/demo.h"
#include "cli/commands.h"

namespace kscale::cli {

void add_demo_command(CLI::App& app) {
  auto f = std::make_shared<app::DemoOptions>();
  auto* cmd = app.add_subcommand(
      "demo", "Seed 000 on this machine: load in, replicas up, load stops, replicas down");
  cmd->add_flag("--short", f->short_mode, "A shorter run (about 2 minutes) for CI");
  cmd->add_option("--plot", f->plot, "Where the SVG timeline is written")->capture_default_str();
  cmd->add_option("--load", f->load,
                  "Load generator: auto (hey, else ab, else built-in), hey, ab, builtin")
      ->check(CLI::IsMember({"auto", "hey", "ab", "builtin"}))
      ->capture_default_str();
  cmd->add_flag("--keep-files", f->keep_files,
                "Keep the temporary directory (manifests, logs, timeline)");
  cmd->callback([f] {
    app::Demo demo(*f);
    if (const int code = demo.run(); code != 0) {
      throw CLI::RuntimeError(code);
    }
  });
}

}  // namespace kscale::cli
