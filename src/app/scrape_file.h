#pragma once
// app::ScrapeFile: the adapter's --scrape-config file, its rules and targets; the targets are
// re-read when the file changes (as Prometheus's file_sd does), so that another process, such as
// the local control loop, can add and remove replicas by rewriting it. Rules are read once.

#include <filesystem>
#include <vector>

#include "core/errors.h"
#include "kube/static_cluster_view.h"
#include "sources/scrape_config.h"
#include "sources/scraper.h"

namespace kscale::app {

struct ScrapeFile {
  std::filesystem::path path;
  std::filesystem::file_time_type mtime{};
  sources::ScrapeConfig config;
};

[[nodiscard]] core::Result<ScrapeFile> read_scrape_file(const std::filesystem::path& path);

/// The scraper's targets, and (`pods` not null, i.e. without --objects) the pods the cluster
/// view knows.
[[nodiscard]] core::Result<void> apply_targets(sources::Scraper& scraper,
                                               kube::StaticClusterView* pods,
                                               const std::vector<sources::Target>& targets);

/// One reload check: when the file's mtime changed, re-reads it and applies its targets (keeping
/// the previous ones, with a warning, when it is invalid).
void reload_scrape_file(ScrapeFile& file, sources::Scraper& scraper, kube::StaticClusterView* pods);

}  // namespace kscale::app
