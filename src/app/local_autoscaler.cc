#include "app/local_autoscaler.h"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <spdlog/spdlog.h>

#include "core/go_duration.h"
#include "kube/horizontal_pod_autoscaler.h"
#include "kube/manifest_document.h"
#include "net/asio_tokens.h"

extern char** environ;

namespace kscale::app {

namespace asio = boost::asio;

namespace {

constexpr auto kGroupTick = std::chrono::milliseconds(100);
// How long the cancelled loops may take to end (a group sync or a control sync in progress).
constexpr auto kLoopsGrace = std::chrono::seconds(30);

core::Error invalid(std::string message) { return core::Error::bad_request(std::move(message)); }

core::Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::fail(invalid("the path \"" + path + "\" does not exist or cannot be read"));
  }
  return std::string(std::istreambuf_iterator<char>(in), {});
}

core::Result<std::chrono::seconds> duration_flag(const std::string& flag, const std::string& text) {
  auto d = core::parse_go_duration(text);
  if (!d || *d < std::chrono::seconds(0)) {
    return core::fail(
        invalid(flag + " " + text + ": " + (d ? "must not be negative" : d.error().message)));
  }
  return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

// The Deployment and the HPA from -f files, by kind.
core::Result<void> read_manifests(const std::vector<std::string>& files,
                                  LocalAutoscalerConfig& config) {
  std::optional<std::string> deployment_file;
  std::optional<std::string> hpa_file;
  for (const auto& file : files) {
    auto text = read_file(file);
    if (!text) {
      return core::fail(text.error());
    }
    auto doc = kube::parse_document(*text);
    if (!doc) {
      return core::fail(invalid(file + ": " + doc.error().message));
    }
    const auto* kind = doc->is_object() ? doc->as_object().if_contains("kind") : nullptr;
    const std::string k =
        kind != nullptr && kind->is_string() ? std::string(kind->as_string()) : "";
    if (k == "Deployment") {
      auto d = kube::read_deployment_manifest(*text);
      if (!d) {
        return core::fail(invalid(file + ": " + d.error().message));
      }
      config.deployment = std::move(*d);
      deployment_file = file;
    } else if (k == "HorizontalPodAutoscaler") {
      auto h = kube::read_hpa_manifest(*text, hpa::FeatureGates{});
      if (!h) {
        return core::fail(invalid(file + ": " + h.error().message));
      }
      config.hpa = std::move(*h);
      hpa_file = file;
    } else {
      return core::fail(invalid(
          file + ": kind: Unsupported value: \"" + k +
          "\": supported values: \"Deployment\" (apps/v1), \"HorizontalPodAutoscaler\" (autoscaling/v2)"));
    }
  }
  if (!deployment_file || !hpa_file) {
    return core::fail(
        invalid(std::string("give both manifests: -f deployment.yaml -f hpa.yaml (missing the ") +
                (deployment_file ? "HorizontalPodAutoscaler" : "Deployment") + ")"));
  }
  const auto& d = config.deployment;
  const auto& h = config.hpa;
  const auto& ref = h.spec.scale_target_ref;
  if (ref.kind != "Deployment" || ref.name != d.name || h.namespace_ != d.namespace_) {
    return core::fail(invalid(*hpa_file + ": spec.scaleTargetRef: Invalid value: \"" + ref.kind +
                              "/" + h.namespace_ + "/" + ref.name +
                              "\": must name the Deployment in " + *deployment_file +
                              " (Deployment/" + d.namespace_ + "/" + d.name + ")"));
  }
  return {};
}

}  // namespace

core::Result<LocalAutoscalerConfig> complete(const LocalAutoscalerOptions& o) {
  if (!o.local) {
    return core::fail(invalid(
        "only --local is implemented: run the Deployment's pods as local processes (add --local)"));
  }
  LocalAutoscalerConfig config;
  if (auto r = read_manifests(o.files, config); !r) {
    return core::fail(r.error());
  }
  if (o.metrics_server.empty()) {
    return core::fail(invalid(
        "--metrics-server is required: the metrics API to read, e.g. https://127.0.0.1:6443 (kscale adapter)"));
  }
  auto sync_period = duration_flag("--sync-period", o.sync_period);
  if (!sync_period) {
    return core::fail(sync_period.error());
  }
  if (sync_period->count() == 0) {
    return core::fail(invalid("--sync-period must be at least 1s"));
  }
  auto stabilization = duration_flag("--horizontal-pod-autoscaler-downscale-stabilization",
                                     o.downscale_stabilization);
  if (!stabilization) {
    return core::fail(stabilization.error());
  }
  config.sync_period = *sync_period;
  config.controller.downscale_stabilization_window = *stabilization;
  config.controller.tolerance = o.tolerance;
  config.metrics = {o.metrics_server, o.certificate_authority, o.insecure_skip_tls_verify, o.token,
                    std::chrono::seconds(10)};

  const auto& d = config.deployment;
  const auto state_dir = std::filesystem::temp_directory_path() /
                         ("kscale-" + d.namespace_ + "-" + d.name + "-" + std::to_string(getpid()));
  config.group.pods_file =
      o.pods_file.empty() ? state_dir / "pods.yaml" : std::filesystem::path(o.pods_file);
  config.group.logs_dir =
      o.logs_dir.empty() ? state_dir / "logs" : std::filesystem::path(o.logs_dir);
  std::error_code ec;
  std::filesystem::create_directories(config.group.logs_dir, ec);
  if (config.group.pods_file.has_parent_path()) {
    std::filesystem::create_directories(config.group.pods_file.parent_path(), ec);
  }
  for (char** e = environ; *e != nullptr; ++e) {
    config.group.base_env.emplace_back(*e);
  }
  config.timeline = o.timeline;
  config.table = o.table;
  return config;
}

core::Result<std::unique_ptr<LocalAutoscaler>> LocalAutoscaler::create(LocalAutoscalerConfig config,
                                                                       const core::Clock& clock) {
  auto metrics = autoscaler::MetricsClient::create(config.metrics);
  if (!metrics) {
    return core::fail(metrics.error());
  }
  return std::make_unique<LocalAutoscaler>(std::move(config), std::move(*metrics), clock);
}

LocalAutoscaler::LocalAutoscaler(LocalAutoscalerConfig config,
                                 std::unique_ptr<autoscaler::MetricsSource> metrics,
                                 const core::Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      metrics_(std::move(metrics)),
      group_(config_.deployment, config_.group, clock),
      loop_(config_.hpa, group_, *metrics_, clock,
            autoscaler::ControlLoopOptions{config_.controller, config_.timeline, config_.table}) {}

LocalAutoscaler::~LocalAutoscaler() = default;

asio::awaitable<void> LocalAutoscaler::group_loop() {
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  while (true) {
    co_await group_.sync();
    loop_.record(group_.take_events());
    timer.expires_after(kGroupTick);
    auto [ec] = co_await timer.async_wait(net::use_nothrow);
    if (ec) {
      co_return;
    }
  }
}

asio::awaitable<void> LocalAutoscaler::control_loop() {
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  auto next_sync = std::chrono::steady_clock::now();
  while (true) {
    co_await loop_.sync();
    // The group loop applies a new scale on its next tick (within 100 ms).
    next_sync += config_.sync_period;
    if (next_sync < std::chrono::steady_clock::now()) {
      next_sync = std::chrono::steady_clock::now() + config_.sync_period;
    }
    timer.expires_at(next_sync);
    auto [ec] = co_await timer.async_wait(net::use_nothrow);
    if (ec) {
      co_return;
    }
  }
}

asio::awaitable<void> LocalAutoscaler::stop_replicas() {
  co_await group_.stop_all();
  loop_.record(group_.take_events());
}

void LocalAutoscaler::announce_shutdown(int signal) const {
  if (signal != 0) {
    spdlog::info("received signal {}: stopping {} replica(s)", signal, group_.replicas().size());
  } else {
    spdlog::info("stopping {} replica(s)", group_.replicas().size());
  }
}

void LocalAutoscaler::stop() { runtime_.stop(); }

int LocalAutoscaler::run() {
  spdlog::info(
      "{}: {} replica(s) of Deployment/{} as local processes; pods in {}, their output in {}",
      config_.hpa.name, config_.deployment.replicas, config_.deployment.name,
      config_.group.pods_file.string(), config_.group.logs_dir.string());
  spdlog::info("{}: metrics from {} every {}s", config_.hpa.name, config_.metrics.server,
               config_.sync_period.count());
  // The group loop first: the replicas start before the first control sync reads the scale.
  runtime_.spawn(group_loop(), "process group");
  runtime_.spawn(control_loop(), "control loop");
  // The replicas are stopped after the loops, outside the cancelled group.
  const int signal = runtime_.run(1, {}, kLoopsGrace,
                                  Runtime::Hooks{[this](int sig) { announce_shutdown(sig); },
                                                 [this] { return stop_replicas(); }});
  if (group_.unexpected_exits() > 0) {
    spdlog::info("{} replica(s) ended on their own and were replaced", group_.unexpected_exits());
  }
  return signal;
}

}  // namespace kscale::app
