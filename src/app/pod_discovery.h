#pragma once
// app::PodDiscovery: --scrape-annotated-pods. The pods of the --objects file annotated
// prometheus.io/scrape: "true" are scraped at <scheme>://<podIP>:<port><path> (the kubernetes-pods
// convention), joined with --scrape-config's own targets, and followed as the file changes (e.g.
// as `kscale autoscale --local` starts and stops replicas).

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "sources/scraper.h"

namespace kscale::app {

struct PodDiscovery {
  std::filesystem::path objects;
  std::filesystem::file_time_type mtime{};
  std::chrono::milliseconds interval{5'000};
  std::vector<sources::Target> static_targets;
  std::vector<sources::Target> applied;
  std::vector<std::string> skipped;
};

/// One discovery pass: when the objects file changed, re-reads it and sets the scraper's targets.
void discover_pods(PodDiscovery& d, sources::Scraper& scraper);

}  // namespace kscale::app
