#include "net/process_collector.h"

#include <dirent.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace kscale::net {

namespace {

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
  out.cpu_seconds = (num(f[11]) + num(f[12])) / ticks;  // utime, stime (14, 15)
  out.start_ticks = num(f[19]);                         // starttime (22)
  out.virtual_bytes = num(f[20]);                       // vsize (23)
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

}  // namespace

void register_process_collector(MetricsRegistry& registry) {
  const double start = boot_time_seconds() +
                       read_proc_stat().start_ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
  registry.counter_callback("process_cpu_seconds_total",
                            "Total user and system CPU time spent in seconds.",
                            [] { return read_proc_stat().cpu_seconds; });
  registry.gauge_callback("process_resident_memory_bytes", "Resident memory size in bytes.",
                          [] { return read_proc_stat().resident_bytes; });
  registry.gauge_callback("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                          [] { return read_proc_stat().virtual_bytes; });
  registry.gauge_callback("process_start_time_seconds",
                          "Start time of the process since unix epoch in seconds.",
                          [start] { return start; });
  registry.gauge_callback("process_open_fds", "Number of open file descriptors.",
                          [] { return open_fds(); });
  registry.gauge_callback("process_max_fds", "Maximum number of open file descriptors.",
                          [] { return max_fds(); });
}

}  // namespace kscale::net
