#include "app/adapter_options.h"

#include "core/go_duration.h"

namespace kscale::app {

core::Result<AdapterConfig> complete(const AdapterOptions& o) {
  auto port_ok = [](int p) { return p >= 0 && p <= 65535; };
  if (!port_ok(o.secure_port) || !port_ok(o.http_port)) {
    return core::fail(
        core::Error::bad_request("--secure-port and --http-port must be between 0 and 65535"));
  }
  if (o.worker_threads == 0) {
    return core::fail(core::Error::bad_request("--worker-threads must be at least 1"));
  }
  AdapterConfig config{o, {}, {}, {}};
  const auto max_age = core::parse_go_duration(o.metrics_max_age);
  if (!max_age) {
    return core::fail(max_age.error().with_context("--metrics-max-age"));
  }
  config.max_age = std::chrono::duration_cast<std::chrono::seconds>(*max_age);
  if (o.scrape_annotated_pods && (o.objects_file.empty() || o.scrape_config_file.empty())) {
    return core::fail(core::Error::bad_request(
        "--scrape-annotated-pods needs --objects (the pods to scrape) and --scrape-config (the rules)"));
  }
  if (!o.scrape_config_file.empty()) {
    auto file = read_scrape_file(o.scrape_config_file);
    if (!file) {
      return core::fail(file.error().with_context("--scrape-config " + o.scrape_config_file));
    }
    config.scrape_file = std::move(*file);
  }
  if (o.scrape_annotated_pods) {
    const auto interval = sources::parse_prometheus_duration(o.scrape_annotated_pods_interval);
    if (!interval) {
      return core::fail(interval.error().with_context("--scrape-annotated-pods-interval"));
    }
    config.annotated_pods_interval = *interval;
  }
  return config;
}

}  // namespace kscale::app
