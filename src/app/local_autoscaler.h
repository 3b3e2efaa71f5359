#pragma once
// app::LocalAutoscaler: `kscale autoscale --local` as an application — Options (what the flags
// say) → complete() → LocalAutoscalerConfig (validated, complete) → LocalAutoscaler::run(), as the
// Kubernetes generic API server goes from Options through Config.Complete() to New().

#include <chrono>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "app/runtime.h"
#include "autoscaler/control_loop.h"
#include "autoscaler/local_process_group.h"
#include "autoscaler/metrics_client.h"
#include "autoscaler/metrics_source.h"
#include "core/clock.h"
#include "core/errors.h"
#include "hpa/hpa_spec.h"
#include "hpa/reconcile.h"
#include "kube/deployment.h"

namespace kscale::app {

/// What the `kscale autoscale` flags say, unvalidated.
struct LocalAutoscalerOptions {
  bool local = false;
  std::vector<std::string> files;  // a Deployment and a HorizontalPodAutoscaler manifest
  std::string pods_file;
  std::string logs_dir;
  std::string metrics_server;
  std::string certificate_authority;
  bool insecure_skip_tls_verify = false;
  std::string token;
  std::string sync_period = "15s";
  std::string downscale_stabilization = "5m";
  double tolerance = 0.1;
  std::string timeline;
  std::ostream* table = nullptr;  // kubectl get hpa -w rows; null: nowhere
};

/// Everything the app needs, checked and defaulted.
struct LocalAutoscalerConfig {
  kube::Deployment deployment;
  hpa::HorizontalPodAutoscaler hpa;
  autoscaler::MetricsClientOptions metrics;
  autoscaler::LocalProcessGroupOptions group;
  hpa::ControllerConfig controller;
  std::chrono::seconds sync_period{15};
  std::filesystem::path timeline;
  std::ostream* table = nullptr;
};

/// Reads and checks the manifests and flags: BadRequest errors name the file, field or flag and
/// say what to fix (the CLI exits 2 with them). Defaults the pods file and logs directory to a
/// per-process directory under the temp dir (created), and the replicas' base environment to
/// this process's.
[[nodiscard]] core::Result<LocalAutoscalerConfig> complete(const LocalAutoscalerOptions& options);

/// The HPA control loop over a Deployment's pods run as local processes. Its app::Runtime runs the
/// process-group loop (reap, start/stop, probes every 100 ms) and the control loop (one sync per
/// sync period) on one thread: SIGTERM or SIGINT (or stop()) cancels both loops, then the
/// replicas are stopped gracefully (SIGTERM, SIGKILL after their grace period) and run() returns.
class LocalAutoscaler {
 public:
  /// Builds the metrics-API client from `config.metrics`; errors as MetricsClient::create.
  [[nodiscard]] static core::Result<std::unique_ptr<LocalAutoscaler>> create(
      LocalAutoscalerConfig config, const core::Clock& clock);
  /// With any metrics source (tests: a fake). `clock` must outlive the app.
  LocalAutoscaler(LocalAutoscalerConfig config, std::unique_ptr<autoscaler::MetricsSource> metrics,
                  const core::Clock& clock);
  ~LocalAutoscaler();
  LocalAutoscaler(const LocalAutoscaler&) = delete;
  LocalAutoscaler& operator=(const LocalAutoscaler&) = delete;

  /// Runs until a signal or stop(), then stops the replicas; returns the signal number (0 after
  /// stop()). Call once, from one thread.
  int run();
  /// Asks run() to shut down as a signal does. Thread-safe.
  void stop();

 private:
  boost::asio::awaitable<void> group_loop();
  boost::asio::awaitable<void> control_loop();
  boost::asio::awaitable<void> stop_replicas();
  void announce_shutdown(int signal) const;

  Runtime runtime_;  // first: its io_context outlives everything below
  LocalAutoscalerConfig config_;
  const core::Clock& clock_;
  std::unique_ptr<autoscaler::MetricsSource> metrics_;
  autoscaler::LocalProcessGroup group_;
  autoscaler::ControlLoop loop_;
};

}  // namespace kscale::app
