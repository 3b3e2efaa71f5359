#pragma once
// app::PodDiscovery: --scrape-annotated-pods. The pods annotated prometheus.io/scrape: "true" —
// of the cluster (watched) or of the --objects file offline — are scraped at
// <scheme>://<podIP>:<port><path> (the kubernetes-pods convention), joined with --scrape-config's
// own targets, and followed as the cluster or the file changes (e.g. as `kscale autoscale --local`
// starts and stops replicas).

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "kube/annotated_pods.h"
#include "kube/cluster_cache.h"
#include "sources/scraper.h"

namespace kscale::app {

struct PodDiscovery {
  std::filesystem::path objects;
  std::filesystem::file_time_type mtime{};
  std::chrono::milliseconds interval{5'000};
  std::vector<sources::Target> static_targets;
  std::vector<sources::Target> applied;
  std::vector<std::string> skipped;
  uint64_t cluster_version = 0;  // the cluster cache's scrape_version() last applied
};

/// One discovery pass: when the objects file changed, re-reads it and sets the scraper's targets.
void discover_pods(PodDiscovery& d, sources::Scraper& scraper);

/// One discovery pass over the cluster: when the cache's annotated pods changed, sets the
/// scraper's targets (a deleted pod stops being scraped at once).
void discover_cluster_pods(PodDiscovery& d, const kube::ClusterCache& cache,
                           sources::Scraper& scraper);

}  // namespace kscale::app
