#include "app/pod_discovery.h"

#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "kube/annotated_pods.h"

namespace kscale::app {

namespace {

// Sets the scraper's targets to the static ones plus `pods`; `source` names where they came from.
void apply_pods(PodDiscovery& d, kube::AnnotatedPods pods, sources::Scraper& scraper,
                const std::string& source) {
  std::vector<sources::Target> targets = d.static_targets;
  for (auto& e : pods.endpoints) {
    if (!e.url.starts_with("http://")) {
      pods.skipped.push_back(e.namespace_name + "/" + e.pod + ": only http:// is scraped (" +
                             e.url + ")");
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
  if (pods.skipped != d.skipped) {
    for (const auto& s : pods.skipped) {
      spdlog::info("--scrape-annotated-pods: not scraping {}", s);
    }
    d.skipped = pods.skipped;
  }
  if (targets == d.applied) {
    return;
  }
  if (auto r = scraper.set_targets(targets); !r) {
    spdlog::warn("--scrape-annotated-pods {}: keeping the previous targets: {}", source,
                 r.error().message);
    return;
  }
  spdlog::info("--scrape-annotated-pods {}: scraping {} pod(s)", source,
               targets.size() - d.static_targets.size());
  d.applied = std::move(targets);
}

}  // namespace

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
    spdlog::warn("--scrape-annotated-pods {}: keeping the previous targets: {}", d.objects.string(),
                 pods.error().message);
    return;
  }
  apply_pods(d, std::move(*pods), scraper, d.objects.string());
}

void discover_cluster_pods(PodDiscovery& d, const kube::ClusterCache& cache,
                           sources::Scraper& scraper) {
  const uint64_t version = cache.scrape_version();
  if (version == d.cluster_version) {
    return;
  }
  d.cluster_version = version;
  kube::AnnotatedPods pods;
  pods.endpoints = cache.scrape_endpoints(&pods.skipped);
  apply_pods(d, std::move(pods), scraper, "(cluster)");
}

}  // namespace kscale::app
