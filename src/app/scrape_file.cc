#include "app/scrape_file.h"

#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

namespace kscale::app {

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

void reload_scrape_file(ScrapeFile& file, sources::Scraper& scraper,
                        kube::StaticClusterView* pods) {
  std::error_code fec;
  const auto mtime = std::filesystem::last_write_time(file.path, fec);
  if (fec || mtime == file.mtime) {
    return;
  }
  file.mtime = mtime;
  auto next = read_scrape_file(file.path);
  if (!next) {
    spdlog::warn("--scrape-config {}: keeping the previous targets: {}", file.path.string(),
                 next.error().message);
    return;
  }
  if (next->config.rules != file.config.rules) {
    spdlog::warn(
        "--scrape-config {}: rules changed; restart the adapter to apply them (targets are reloaded)",
        file.path.string());
  }
  if (auto r = apply_targets(scraper, pods, next->config.targets); !r) {
    spdlog::warn("--scrape-config {}: keeping the previous targets: {}", file.path.string(),
                 r.error().message);
  } else {
    spdlog::info("--scrape-config {}: {} targets", file.path.string(), next->config.targets.size());
    file.config.targets = std::move(next->config.targets);
  }
}

}  // namespace kscale::app
