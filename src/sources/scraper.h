#pragma once
// sources::Scraper: scrapes each target's /metrics on its interval (one Asio coroutine per
// target), applies the rules (ScraperEvaluator) and writes the pods' metrics into the store,
// where the metrics API serves them like pushed ones.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/clock.h"
#include "core/errors.h"
#include "net/metrics_registry.h"
#include "net/task_group.h"
#include "sources/scrape_config.h"
#include "sources/scraper_evaluator.h"
#include "store/series_store.h"

namespace kscale::sources {

namespace detail {
struct ScrapeLoop;
}

/// The health of one target, as Prometheus's `up` and scrape_* series describe it.
struct TargetHealth {
  bool up = false;                 // the last scrape fetched and parsed; false before the first
  std::string last_error;          // why the last scrape failed; empty when up
  core::SystemTime last_scrape{};  // when the last scrape started (zero before the first)
  std::chrono::duration<double> last_duration{};
  uint64_t scrapes = 0;
  uint64_t failures = 0;
  size_t samples_scraped = 0;  // in the last successful scrape
};

struct TargetStatus {
  Target target;
  TargetHealth health;
};

/// Thread-safety: every public member may be called from any thread, concurrently.
/// Lifetime: `store`, `clock` and `registry` must outlive the executor's io_context run (the
/// loops use them until they see the stop); the Scraper itself may be destroyed at any time,
/// which stops every loop.
class Scraper {
 public:
  /// Loops run on strands of `executor` as members of `tasks` (they end on its total
  /// cancellation); `tasks` must outlive them (wait for it to be empty). `rules` must be valid (validate_rule, or from
  /// load_scrape_config). `registry` (optional) receives, per target:
  /// kscale_scrape_up{namespace,pod}, kscale_scrape_duration_seconds{namespace,pod} (last
  /// scrape), kscale_scrape_failures_total{namespace,pod}, kscale_scrape_samples_scraped
  /// {namespace,pod}; and kscale_scrape_targets.
  Scraper(boost::asio::any_io_executor executor, net::TaskGroup& tasks, store::SeriesStore& store,
          const core::Clock& clock, std::shared_ptr<const ScrapeRules> rules,
          net::MetricsRegistry* registry = nullptr);
  ~Scraper();
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  /// Makes `targets` the complete target list, e.g. as a local process group's replicas start
  /// and stop. A target is identified by (namespace, pod): one whose URL, interval and timeout
  /// are unchanged keeps its loop and its rate history (a label change only updates its
  /// status); a changed one restarts; a missing one stops (its last values stay in the store
  /// until the store's max age). All-or-nothing: BadRequest naming the target
  /// (`targets[2].url: ...`) when any target is invalid (validate_target), two share a pod, or a
  /// rate/increase window holds fewer than two of a target's scrapes.
  [[nodiscard]] core::Result<void> set_targets(std::vector<Target> targets);

  /// Every current target with its health, sorted by (namespace, pod).
  std::vector<TargetStatus> status() const;

  /// Stops every loop (idempotent); set_targets afterwards starts new ones.
  void stop();

 private:
  using Loop = detail::ScrapeLoop;
  static void stop_loop(const std::shared_ptr<Loop>& loop);
  boost::asio::any_io_executor loop_strand() const;

  boost::asio::any_io_executor executor_;
  net::TaskGroup& tasks_;
  store::SeriesStore& store_;
  const core::Clock& clock_;
  std::shared_ptr<const ScrapeRules> rules_;
  net::MetricsRegistry* registry_;
  net::Gauge* targets_gauge_ = nullptr;
  mutable std::mutex mutex_;
  // Shared with the loop's coroutine, which outlives its entry here until it sees the stop.
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Loop>> loops_;
};

}  // namespace kscale::sources
