#pragma once
// app::Demo: `kscale demo [--short]` — seed 000's scenario on one machine: the sample httpserver
// as a Deployment run by `kscale autoscale --local`, `kscale adapter` scraping its replicas, load
// from hey (or ab, or a built-in generator over the one HTTP client), then an SVG timeline and a summary.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "app/runtime.h"
#include "autoscaler/child_process.h"
#include "core/errors.h"

namespace kscale::app {

struct DemoTimes;    // the scenario's periods and load (demo.cc)
struct DemoLoadRun;  // the load that ran and when (demo.cc)

struct DemoOptions {
  bool short_mode = false;
  std::string plot = "kscale-demo.svg";
  std::string load = "auto";  // auto (hey, else ab, else builtin), hey, ab, builtin
  bool keep_files = false;
};

/// Its app::Runtime runs the scenario and the built-in load workers on one thread: SIGINT/SIGTERM
/// cancels the scenario, which then stops every process it started and removes its files.
/// Stopping a child process blocks the thread for up to its grace period.
class Demo {
 public:
  explicit Demo(DemoOptions options);
  /// Stops what is still running and removes the temporary directory (unless keep_files).
  ~Demo();
  Demo(const Demo&) = delete;
  Demo& operator=(const Demo&) = delete;

  /// Runs the scenario; 0 when it scaled up and back down, 1 when not or on an error (printed
  /// to stderr), 130 when interrupted. Call once.
  int run();

 private:
  boost::asio::awaitable<void> main();
  boost::asio::awaitable<core::Result<int>> scenario();
  /// The scenario's steps, in order. start_adapter returns the metrics API's URL.
  boost::asio::awaitable<core::Result<std::string>> start_adapter(
      const std::string& exe, const std::vector<std::string>& env);
  core::Result<void> start_autoscale(const std::string& exe, const std::string& server,
                                     std::chrono::seconds sync_period,
                                     const std::vector<std::string>& env);
  boost::asio::awaitable<core::Result<void>> wait_for_metric(const std::filesystem::path& timeline);
  boost::asio::awaitable<core::Result<DemoLoadRun>> run_load(const DemoTimes& t,
                                                             uint16_t service_port,
                                                             const std::vector<std::string>& env);
  boost::asio::awaitable<core::Result<void>> wait_for_scale_down(
      const std::filesystem::path& timeline, const DemoLoadRun& load, const DemoTimes& t);
  /// Waits `d`; false when interrupted.
  boost::asio::awaitable<bool> pause_for(std::chrono::milliseconds d);
  boost::asio::awaitable<core::Result<std::string>> wait_for_log(std::filesystem::path log,
                                                                 std::regex re,
                                                                 std::chrono::seconds timeout,
                                                                 autoscaler::ChildProcess& p,
                                                                 std::string what);
  void start_builtin_load(uint16_t port, int workers, int qps, std::chrono::seconds duration);
  boost::asio::awaitable<void> load_worker(uint16_t port, int qps, std::chrono::seconds duration);
  void cleanup();

  Runtime runtime_;  // first: its io_context outlives everything below
  DemoOptions f_;
  std::filesystem::path dir_;
  std::optional<autoscaler::ChildProcess> adapter_;
  std::optional<autoscaler::ChildProcess> autoscale_;
  std::optional<autoscaler::ChildProcess> load_;
  bool interrupted_ = false;
  bool load_stop_ = false;
  int load_workers_done_ = 0;
  uint64_t load_requests_ = 0;
  int exit_code_ = 0;
};

}  // namespace kscale::app
