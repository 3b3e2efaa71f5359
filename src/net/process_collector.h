#pragma once
// The process_* self-metrics (CPU seconds, memory, start time, file descriptors), read from
// /proc/self at each scrape as the Go and Python clients' process collectors do (client_golang
// prometheus/process_collector_other.go, procfs Stat).

#include "net/metrics_registry.h"

namespace kscale::net {

/// Registers process_cpu_seconds_total, process_resident_memory_bytes,
/// process_virtual_memory_bytes, process_start_time_seconds, process_open_fds and
/// process_max_fds on `registry` (once per registry).
void register_process_collector(MetricsRegistry& registry);

}  // namespace kscale::net
