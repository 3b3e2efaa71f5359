// `kscale adapter`: the custom and external metrics API server (HTTPS on --secure-port) with the
// push API, health and /metrics also on the plain --http-port; with --scrape-config it also
// scrapes pods' /metrics and serves the rates its rules compute.

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "api/routes.h"
#include "api/store_metrics_provider.h"
#include "cli/commands.h"
#include "cli/logging.h"
#include "core/clock.h"
#include "core/go_duration.h"
#include "kube/annotated_pods.h"
#include "kube/object_list_file.h"
#include "kube/static_cluster_view.h"
#include "net/server.h"
#include "net/tls.h"
#include "sources/push_routes.h"
#include "sources/scrape_config.h"
#include "sources/scraper.h"
#include "store/series_store.h"

namespace kscale::cli {

namespace {

struct AdapterOptions {
  std::string bind_address = "0.0.0.0";
  int secure_port = 6443;
  int http_port = 8080;
  std::string cert_dir = "apiserver.local.config/certificates";
  std::string tls_cert_file;
  std::string tls_private_key_file;
  std::vector<std::string> tls_sni;
  std::string objects_file;
  std::string scrape_config_file;
  bool scrape_annotated_pods = false;
  std::string scrape_annotated_pods_interval = "5s";
  std::string metrics_max_age = "5m";
  unsigned worker_threads = std::max(1u, std::thread::hardware_concurrency());
  uint64_t max_request_body_bytes = 4 * 1024 * 1024;
  int verbosity = 0;
};

void validate(const AdapterOptions& o) {
  auto port_ok = [](int p) { return p >= 0 && p <= 65535; };
  if (!port_ok(o.secure_port) || !port_ok(o.http_port)) {
    throw std::runtime_error("--secure-port and --http-port must be between 0 and 65535");
  }
  if (o.worker_threads == 0) {
    throw std::runtime_error("--worker-threads must be at least 1");
  }
}

template <class T>
T or_throw(core::Result<T> r, const std::string& what) {
  if (!r) {
    throw std::runtime_error(what + ": " + r.error().message);
  }
  return std::move(*r);
}

// Drops values nobody refreshes so that memory follows what is live.
void schedule_eviction(boost::asio::steady_timer& timer, store::SeriesStore& store) {
  timer.expires_after(std::chrono::seconds(10));
  timer.async_wait([&timer, &store](const boost::system::error_code& ec) {
    if (ec) {
      return;
    }
    if (const size_t n = store.evict_stale(); n > 0) {
      spdlog::debug("evicted {} stale series", n);
    }
    schedule_eviction(timer, store);
  });
}

// --- --scrape-config: the file's rules and targets; the targets are re-read when the file
// changes (as Prometheus's file_sd does), so that another process, such as the local control
// loop, can add and remove replicas by rewriting it. Rules are read once.

struct ScrapeFile {
  std::filesystem::path path;
  std::filesystem::file_time_type mtime{};
  sources::ScrapeConfig config;
};

core::Result<ScrapeFile> read_scrape_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    return core::fail(core::Error::bad_request("cannot read the file"));
  }
  std::stringstream text;
  text << in.rdbuf();
  auto config = sources::load_scrape_config(text.str());
  if (!config) {
    return core::fail(config.error());
  }
  std::error_code ec;
  return ScrapeFile{path, std::filesystem::last_write_time(path, ec), std::move(*config)};
}

// The scraper's targets, and (without --objects) the pods the cluster view knows.
core::Result<void> apply_targets(sources::Scraper& scraper, kube::StaticClusterView* pods,
                                 const std::vector<sources::Target>& targets) {
  if (auto r = scraper.set_targets(targets); !r) {
    return r;
  }
  if (pods != nullptr) {
    std::vector<kube::PodObject> objects;
    for (const auto& t : targets) {
      objects.push_back(kube::PodObject{t.namespace_name, t.pod, t.labels});
    }
    pods->set_pods(objects);
  }
  return {};
}

void schedule_scrape_reload(boost::asio::steady_timer& timer, ScrapeFile& file, sources::Scraper& scraper,
                            kube::StaticClusterView* pods) {
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([&timer, &file, &scraper, pods](const boost::system::error_code& ec) {
    if (ec) {
      return;
    }
    std::error_code fec;
    if (const auto mtime = std::filesystem::last_write_time(file.path, fec); !fec && mtime != file.mtime) {
      file.mtime = mtime;
      auto next = read_scrape_file(file.path);
      if (!next) {
        spdlog::warn("--scrape-config {}: keeping the previous targets: {}", file.path.string(), next.error().message);
      } else if (next->config.rules != file.config.rules) {
        spdlog::warn("--scrape-config {}: rules changed; restart the adapter to apply them (targets are reloaded)",
                     file.path.string());
      }
      if (next) {
        if (auto r = apply_targets(scraper, pods, next->config.targets); !r) {
          spdlog::warn("--scrape-config {}: keeping the previous targets: {}", file.path.string(), r.error().message);
        } else {
          spdlog::info("--scrape-config {}: {} targets", file.path.string(), next->config.targets.size());
          file.config.targets = std::move(next->config.targets);
        }
      }
    }
    schedule_scrape_reload(timer, file, scraper, pods);
  });
}

// --- --scrape-annotated-pods: the pods of the --objects file annotated prometheus.io/scrape:
// "true" are scraped at <scheme>://<podIP>:<port><path> (the kubernetes-pods convention), joined
// with --scrape-config's own targets, and followed as the file changes (e.g. as `kscale autoscale
// --local` starts and stops replicas).

struct PodDiscovery {
  std::filesystem::path objects;
  std::filesystem::file_time_type mtime{};
  std::chrono::milliseconds interval{5'000};
  std::vector<sources::Target> static_targets;
  std::vector<sources::Target> applied;
  std::vector<std::string> skipped;
};

void discover_pods(PodDiscovery& d, sources::Scraper& scraper) {
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(d.objects, ec);
  if (ec || mtime == d.mtime) {
    return;
  }
  d.mtime = mtime;
  std::ifstream in(d.objects);
  std::stringstream text;
  text << in.rdbuf();
  auto pods = kube::annotated_pods(text.str());
  if (!pods) {
    spdlog::warn("--scrape-annotated-pods {}: keeping the previous targets: {}", d.objects.string(), pods.error().message);
    return;
  }
  std::vector<sources::Target> targets = d.static_targets;
  for (auto& e : pods->endpoints) {
    if (!e.url.starts_with("http://")) {
      pods->skipped.push_back(e.namespace_name + "/" + e.pod + ": only http:// is scraped (" + e.url + ")");
      continue;
    }
    sources::Target t;
    t.namespace_name = e.namespace_name;
    t.pod = e.pod;
    t.labels = e.labels;
    t.url = e.url;
    t.interval = d.interval;
    targets.push_back(std::move(t));
  }
  if (pods->skipped != d.skipped) {
    for (const auto& s : pods->skipped) {
      spdlog::info("--scrape-annotated-pods: not scraping {}", s);
    }
    d.skipped = pods->skipped;
  }
  if (targets == d.applied) {
    return;
  }
  if (auto r = scraper.set_targets(targets); !r) {
    spdlog::warn("--scrape-annotated-pods {}: keeping the previous targets: {}", d.objects.string(), r.error().message);
    return;
  }
  spdlog::info("--scrape-annotated-pods {}: scraping {} pod(s)", d.objects.string(), targets.size() - d.static_targets.size());
  d.applied = std::move(targets);
}

void schedule_pod_discovery(boost::asio::steady_timer& timer, PodDiscovery& d, sources::Scraper& scraper) {
  timer.expires_after(std::chrono::milliseconds(250));
  timer.async_wait([&timer, &d, &scraper](const boost::system::error_code& ec) {
    if (ec) {
      return;
    }
    discover_pods(d, scraper);
    schedule_pod_discovery(timer, d, scraper);
  });
}

void run_adapter(const AdapterOptions& o) {
  validate(o);
  configure_logging(o.verbosity);
  const auto max_age = or_throw(core::parse_go_duration(o.metrics_max_age), "--metrics-max-age");

  core::RealClock clock;
  store::SeriesStore store(clock, store::StoreOptions{std::chrono::duration_cast<std::chrono::seconds>(max_age)});
  if (o.scrape_annotated_pods && (o.objects_file.empty() || o.scrape_config_file.empty())) {
    throw std::runtime_error("--scrape-annotated-pods needs --objects (the pods to scrape) and --scrape-config (the rules)");
  }
  std::optional<ScrapeFile> scrape_file;
  if (!o.scrape_config_file.empty()) {
    scrape_file = or_throw(read_scrape_file(o.scrape_config_file), "--scrape-config " + o.scrape_config_file);
  }
  std::unique_ptr<kube::ClusterView> cluster = std::make_unique<kube::EmptyClusterView>();
  kube::StaticClusterView* scraped_pods = nullptr;  // owned by `cluster`
  if (!o.objects_file.empty()) {
    cluster = or_throw(kube::ObjectListFile::open(o.objects_file, clock), "--objects");
  } else if (scrape_file) {
    auto view = std::make_unique<kube::StaticClusterView>();
    scraped_pods = view.get();
    cluster = std::move(view);
    spdlog::info("no --objects file: labelSelector selects among the scraped pods, by their labels in --scrape-config");
  } else {
    spdlog::info("no --objects file: labelSelector cannot be evaluated and every object with data is served");
  }
  api::StoreMetricsProvider provider(store, *cluster);

  net::MetricsRegistry registry;
  registry.gauge_callback("kscale_store_series", "Series held in the store.",
                          [&store] { return static_cast<double>(store.series_count()); });
  registry.counter_callback("kscale_store_evictions_total", "Series evicted because nobody refreshed them.",
                          [&store] { return static_cast<double>(store.evictions()); });
  sources::PushContext push{
      store, clock,
      registry.counter("kscale_push_writes_total", "Metric values stored through the push API."),
      registry.counter("kscale_push_rejected_writes_total", "Push requests rejected as invalid.")};
  api::ServerInfo info;

  auto router = std::make_shared<net::Router>(&registry);
  api::install_metrics_api_routes(*router, provider, provider);
  sources::install_push_routes(*router, push);
  api::install_health_routes(*router, info, registry);

  net::Limits limits;
  limits.body_limit = o.max_request_body_bytes;
  net::Server server(router, limits);
  auto tls = or_throw(net::make_server_tls_context(
                          net::TlsOptions{o.tls_cert_file, o.tls_private_key_file, o.cert_dir, o.tls_sni}),
                      "TLS");
  const auto secure = or_throw(server.listen(o.bind_address, static_cast<uint16_t>(o.secure_port), tls), "--secure-port");
  spdlog::info("serving custom.metrics.k8s.io and external.metrics.k8s.io on https://{}:{}", o.bind_address, secure);
  if (o.http_port != 0 || o.secure_port == 0) {
    const auto plain = or_throw(server.listen(o.bind_address, static_cast<uint16_t>(o.http_port), nullptr), "--http-port");
    spdlog::info("serving the push API and health on http://{}:{}", o.bind_address, plain);
  }

  boost::asio::steady_timer eviction(server.io_context());
  schedule_eviction(eviction, store);
  std::unique_ptr<sources::Scraper> scraper;
  boost::asio::steady_timer scrape_reload(server.io_context());
  if (scrape_file) {
    scraper = std::make_unique<sources::Scraper>(
        server.io_context().get_executor(), store, clock,
        std::make_shared<const sources::ScrapeRules>(scrape_file->config.rules), &registry);
    if (auto r = apply_targets(*scraper, scraped_pods, scrape_file->config.targets); !r) {
      throw std::runtime_error("--scrape-config " + o.scrape_config_file + ": " + r.error().message);
    }
    spdlog::info("--scrape-config {}: {} rules, {} targets", o.scrape_config_file, scrape_file->config.rules.size(),
                 scrape_file->config.targets.size());
    schedule_scrape_reload(scrape_reload, *scrape_file, *scraper, scraped_pods);
  }
  boost::asio::steady_timer pod_discovery_timer(server.io_context());
  PodDiscovery pod_discovery;
  if (o.scrape_annotated_pods) {
    const auto interval = or_throw(sources::parse_prometheus_duration(o.scrape_annotated_pods_interval),
                                   "--scrape-annotated-pods-interval");
    pod_discovery = PodDiscovery{o.objects_file, {}, interval, scrape_file->config.targets, scrape_file->config.targets, {}};
    discover_pods(pod_discovery, *scraper);
    schedule_pod_discovery(pod_discovery_timer, pod_discovery, *scraper);
  }
  boost::asio::signal_set signals(server.io_context(), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (!ec) {
      spdlog::info("received signal {}, shutting down", sig);
      eviction.cancel();
      scrape_reload.cancel();
      pod_discovery_timer.cancel();
      if (scraper) {
        scraper->stop();
      }
      server.stop();
    }
  });
  server.run(o.worker_threads);
}

}  // namespace

void add_adapter_command(CLI::App& app) {
  auto opts = std::make_shared<AdapterOptions>();
  auto* cmd = app.add_subcommand("adapter", "Serve custom.metrics.k8s.io and external.metrics.k8s.io, with the push API");
  cmd->add_option("--bind-address", opts->bind_address, "Address to listen on")->capture_default_str();
  cmd->add_option("--secure-port", opts->secure_port, "HTTPS port of the metrics API (0 = any free port)")->capture_default_str();
  cmd->add_option("--http-port", opts->http_port, "Plain HTTP port of the push API and health (0 = any free port)")->capture_default_str();
  cmd->add_option("--cert-dir", opts->cert_dir, "Where a self-signed certificate is written when no TLS files are given")->capture_default_str();
  cmd->add_option("--tls-cert-file", opts->tls_cert_file, "Serving certificate (PEM)");
  cmd->add_option("--tls-private-key-file", opts->tls_private_key_file, "Serving private key (PEM)");
  cmd->add_option("--tls-sni,--advertise-names", opts->tls_sni, "Extra names for the self-signed certificate (service DNS names)")->delimiter(',');
  cmd->add_option("--objects", opts->objects_file, "A Kubernetes List file (kubectl get -o yaml) giving object labels for labelSelector");
  cmd->add_option("--scrape-config", opts->scrape_config_file,
                  "Scrape pods' /metrics: rules (series to metrics: rate, increase, gauge) and targets (YAML; targets reloaded on change)");
  cmd->add_flag("--scrape-annotated-pods", opts->scrape_annotated_pods,
               "Also scrape the pods in --objects annotated prometheus.io/scrape: \"true\" (prometheus.io/port, /path, /scheme), following the file");
  cmd->add_option("--scrape-annotated-pods-interval", opts->scrape_annotated_pods_interval,
                  "Scrape interval of the annotated pods")->capture_default_str();
  cmd->add_option("--metrics-max-age", opts->metrics_max_age, "Values older than this are not served (0 = never)")->capture_default_str();
  cmd->add_option("--worker-threads", opts->worker_threads, "I/O threads")->capture_default_str();
  cmd->add_option("--max-request-body-bytes", opts->max_request_body_bytes, "Larger request bodies get 413")->capture_default_str();
  cmd->add_option("--v", opts->verbosity, "Log verbosity (2+: access log)")->capture_default_str();
  cmd->callback([opts] { run_adapter(*opts); });
}

}  // namespace kscale::cli
