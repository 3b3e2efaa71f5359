#pragma once
// app::SampleServer: the seeds' sample app behind `kscale httpserver`. Serves `/` (a small
// response), `/healthz` and `/metrics` with http_requests_total{method,code} and the process_*
// metrics, on several threads so that it is never the bottleneck of a load test; drains on SIGTERM.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "app/runtime.h"
#include "core/errors.h"
#include "net/metrics_registry.h"
#include "net/server.h"

namespace kscale::app {

struct SampleServerOptions {
  std::string bind_address = "0.0.0.0";
  int port = 8080;
  int metrics_port = -1;  // -1: /metrics on the service port
  bool reuse_port = false;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::chrono::milliseconds shutdown_grace{10'000};
};

class RequestCounters;

class SampleServer {
 public:
  /// Validates the options and binds the ports; nothing runs before run().
  [[nodiscard]] static core::Result<std::unique_ptr<SampleServer>> create(
      SampleServerOptions options);
  ~SampleServer();
  SampleServer(const SampleServer&) = delete;
  SampleServer& operator=(const SampleServer&) = delete;

  /// Serves until SIGTERM, SIGINT or stop(), then drains and returns.
  void run();
  /// Starts the shutdown; safe from any thread.
  void stop();

  uint16_t port() const { return port_; }

  explicit SampleServer(SampleServerOptions options);  // use create()

 private:
  [[nodiscard]] core::Result<void> listen();

  SampleServerOptions options_;
  Runtime runtime_;  // first: its io_context outlives the servers
  net::MetricsRegistry registry_;
  std::unique_ptr<RequestCounters> counters_;
  std::unique_ptr<net::Server> service_;
  // The metrics port's own server: scrapes are not counted as traffic.
  std::unique_ptr<net::Server> metrics_;
  uint16_t port_ = 0;
};

}  // namespace kscale::app
