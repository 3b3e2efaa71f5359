#pragma once
// The subcommands of the kscale binary; each registers its flags and its run callback on the
// CLI11 app. One file per subcommand (<name>_command.cc).

namespace CLI {
class App;
}

namespace kscale::cli {

void add_adapter_command(CLI::App& app);
void add_autoscale_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_divide_command(CLI::App& app);
void add_httpserver_command(CLI::App& app);
void add_replicas_command(CLI::App& app);
void add_simulate_command(CLI::App& app);

}  // namespace kscale::cli
