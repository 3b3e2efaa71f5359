#pragma once
// Logging set-up shared by the long-running subcommands: --v as Kubernetes components use it.

namespace kscale::cli {

/// --v 0–1: info; 2–5: debug (access log); 6 and above: trace.
void configure_logging(int verbosity);

}  // namespace kscale::cli
