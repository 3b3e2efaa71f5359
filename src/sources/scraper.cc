#include "sources/scraper.h"

#include <atomic>
#include <functional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "net/asio_tokens.h"
#include "net/http_client.h"

namespace kscale::sources {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace detail {

// One target's loop state. Shared (the only non-const shared_ptr here) between the Scraper's
// table and the loop coroutine: set_targets drops its entry at once, while the coroutine may
// still be inside a request and must finish with the state it started with.
struct ScrapeLoop {
  ScrapeLoop(asio::any_io_executor strand, Target t, net::HttpUrl u,
             std::shared_ptr<const ScrapeRules> rules, store::SeriesStore& s, const core::Clock& c)
      : target(std::move(t)),
        connection(strand, std::move(u)),
        evaluator(std::move(rules), target.namespace_name, target.pod),
        timer(std::move(strand)),
        store(s),
        clock(c) {}

  const Target target;
  net::HttpConnection connection;  // kept open between scrapes; touched only by the coroutine
  ScraperEvaluator evaluator;      // touched only by the coroutine
  asio::steady_timer timer;        // on the loop's strand
  store::SeriesStore& store;
  const core::Clock& clock;
  std::atomic<bool> stopped{false};

  mutable std::mutex status_mutex;
  TargetStatus status;  // guarded by status_mutex

  net::Gauge* up = nullptr;
  net::Gauge* duration = nullptr;
  net::Counter* failures = nullptr;
  net::Gauge* samples = nullptr;
};

}  // namespace detail

namespace {

using net::use_nothrow;

// Upstream: prometheus scrape/target.go Target.offset: the first scrape waits until the next
// wall-clock multiple of the interval plus a per-target hash offset, so targets spread over the
// interval and each keeps a stable phase across restarts.
milliseconds first_offset(const Target& target, core::SystemTime now) {
  const int64_t interval = target.interval.count();
  const int64_t now_ms = std::chrono::duration_cast<milliseconds>(now.time_since_epoch()).count();
  const auto hash =
      std::hash<std::string>{}(target.namespace_name + "/" + target.pod + "/" + target.url);
  int64_t next =
      (interval - now_ms % interval) + static_cast<int64_t>(hash % static_cast<uint64_t>(interval));
  if (next > interval) {
    next -= interval;
  }
  return milliseconds{next};
}

std::string timeout_header(milliseconds timeout) {
  return fmt::format("{:g}", std::chrono::duration<double>(timeout).count());
}

// One scrape: fetch, parse, evaluate, store. Returns the error that makes the target down.
asio::awaitable<core::Result<ScrapeOutcome>> scrape_once(std::shared_ptr<detail::ScrapeLoop> loop,
                                                         core::SystemTime when);

void record(detail::ScrapeLoop& loop, core::SystemTime when, std::chrono::duration<double> took,
            const core::Result<ScrapeOutcome>& outcome) {
  bool was_up = false;
  bool first = false;
  {
    std::lock_guard lock(loop.status_mutex);
    auto& h = loop.status.health;
    was_up = h.up;
    first = h.scrapes == 0;
    h.last_scrape = when;
    h.last_duration = took;
    ++h.scrapes;
    h.up = outcome.has_value();
    if (outcome) {
      h.last_error.clear();
      h.samples_scraped = outcome->samples_scraped;
    } else {
      h.last_error = outcome.error().message;
      ++h.failures;
    }
  }
  if (loop.up != nullptr) {
    loop.up->set(outcome ? 1 : 0);
    loop.duration->set(took.count());
    if (outcome) {
      loop.samples->set(static_cast<double>(outcome->samples_scraped));
    } else {
      loop.failures->inc();
    }
  }
  const auto& t = loop.target;
  if (!outcome && (was_up || first)) {
    spdlog::warn("scrape target {}/{} ({}) is down: {}", t.namespace_name, t.pod, t.url,
                 outcome.error().message);
  } else if (outcome && !was_up) {
    spdlog::info("scrape target {}/{} ({}) is up", t.namespace_name, t.pod, t.url);
  }
}

bool cancelled(const asio::cancellation_state& state) {
  return state.cancelled() != asio::cancellation_type::none;
}

// A member of the app's TaskGroup: ends on Scraper::stop_loop or on the group's total cancellation.
asio::awaitable<void> run_loop(std::shared_ptr<detail::ScrapeLoop> loop) {
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  co_await asio::this_coro::throw_if_cancelled(false);
  const milliseconds interval = loop->target.interval;
  loop->timer.expires_after(first_offset(loop->target, loop->clock.system_now()));
  while (!loop->stopped) {
    if (auto [ec] = co_await loop->timer.async_wait(use_nothrow); ec || loop->stopped) {
      break;
    }
    // The sample time is when the scrape starts, as Prometheus stamps it (scrape/scrape.go
    // scrapeLoop.run: scrapeTime := time.Now() before the request).
    const auto when = loop->clock.system_now();
    const auto started = loop->clock.monotonic_now();
    auto outcome = co_await scrape_once(loop, when);
    const auto took = loop->clock.monotonic_now() - started;
    if (loop->stopped || cancelled(co_await asio::this_coro::cancellation_state)) {
      break;
    }
    if (outcome && !outcome->points.empty()) {
      loop->store.put_custom(std::move(outcome->points));
    }
    record(*loop, when, took, outcome);
    // Next tick on the fixed grid; ticks a slow scrape overran are skipped, as Go's ticker
    // drops them, so a target is never scraped back to back.
    const auto missed = std::chrono::duration_cast<milliseconds>(took) / interval;
    loop->timer.expires_at(loop->timer.expiry() + interval * (1 + missed));
  }
}

asio::awaitable<core::Result<ScrapeOutcome>> scrape_once(std::shared_ptr<detail::ScrapeLoop> loop,
                                                         core::SystemTime when) {
  net::GetOptions options;
  options.timeout = loop->target.effective_timeout();
  options.headers = {{"Accept", std::string(kScrapeAcceptHeader)},
                     {"X-Prometheus-Scrape-Timeout-Seconds", timeout_header(options.timeout)}};
  auto response = co_await loop->connection.get(std::move(options));
  if (!response) {
    co_return core::fail(response.error());
  }
  // Upstream: prometheus scrape/scrape.go targetScraper.scrape: anything but 200 fails the
  // scrape with "server returned HTTP status <status line>".
  if (response->result() != net::http::status::ok) {
    co_return core::fail(core::Error::unavailable(fmt::format("server returned HTTP status {} {}",
                                                              response->result_int(),
                                                              std::string(response->reason()))));
  }
  // Prometheus 2.x parses anything that is not OpenMetrics as the 0.0.4 text format.
  const auto content_type = (*response)[net::http::field::content_type];
  auto format = format_from_content_type(content_type, ExpositionFormat::PrometheusText);
  if (!format) {
    co_return core::fail(format.error());
  }
  auto outcome = loop->evaluator.evaluate(response->body(), *format, when);
  loop->connection.recycle(std::move(response->body()));
  if (!outcome) {
    co_return core::fail(outcome.error().with_context("parse " + loop->target.url));
  }
  co_return outcome;
}

}  // namespace

Scraper::Scraper(asio::any_io_executor executor, net::TaskGroup& tasks, store::SeriesStore& store,
                 const core::Clock& clock, std::shared_ptr<const ScrapeRules> rules,
                 net::MetricsRegistry* registry)
    : executor_(std::move(executor)),
      tasks_(tasks),
      store_(store),
      clock_(clock),
      rules_(std::move(rules)),
      registry_(registry) {
  if (registry_ != nullptr) {
    targets_gauge_ = &registry_->gauge("kscale_scrape_targets", "Targets the scraper scrapes.");
  }
}

Scraper::~Scraper() { stop(); }

asio::any_io_executor Scraper::loop_strand() const {
  // A strand over any_io_executor is too big for any_io_executor's small-object buffer, so each
  // asynchronous operation of the loop would allocate to track its work; a strand over the
  // io_context's own executor type fits.
  if (const auto* concrete = executor_.target<asio::io_context::executor_type>()) {
    return asio::make_strand(*concrete);
  }
  return asio::make_strand(executor_);
}

void Scraper::stop_loop(const std::shared_ptr<Loop>& loop) {
  loop->stopped = true;
  // The timer belongs to the loop's strand; cancel it there. A coroutine inside a request
  // notices `stopped` when the request ends (bounded by the target's timeout).
  auto cancel = [loop] { loop->timer.cancel(); };
  asio::post(loop->timer.get_executor(), cancel);
}

void Scraper::stop() {
  std::lock_guard lock(mutex_);
  for (auto& [key, loop] : loops_) {
    stop_loop(loop);
  }
  loops_.clear();
  if (targets_gauge_ != nullptr) {
    targets_gauge_->set(0);
  }
}

core::Result<void> Scraper::set_targets(std::vector<Target> targets) {
  std::map<std::pair<std::string, std::string>, size_t> seen;
  std::vector<net::HttpUrl> urls;
  for (size_t i = 0; i < targets.size(); ++i) {
    const auto& t = targets[i];
    const std::string path = "targets[" + std::to_string(i) + "]";
    if (auto r = validate_target(t); !r) {
      auto e = r.error();
      e.message = path + "." + e.message;
      return core::fail(e);
    }
    if (auto [it, fresh] = seen.emplace(std::pair{t.namespace_name, t.pod}, i); !fresh) {
      return core::fail(core::Error::bad_request(path + ".pod: pod " + t.namespace_name + "/" +
                                                 t.pod + " is already targets[" +
                                                 std::to_string(it->second) + "]"));
    }
    for (const auto& rule : *rules_) {
      if (rule.kind != RuleKind::Gauge && rule.window < 2 * t.interval) {
        return core::fail(core::Error::bad_request(
            path + ".interval: " + format_prometheus_duration(t.interval) +
            " leaves fewer than two scrapes in the " + format_prometheus_duration(rule.window) +
            " window of the rule for " + rule.metric));
      }
    }
    urls.push_back(*net::parse_http_url(t.url));
  }

  std::lock_guard lock(mutex_);
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Loop>> next;
  for (size_t i = 0; i < targets.size(); ++i) {
    auto& t = targets[i];
    auto key = std::pair{t.namespace_name, t.pod};
    if (auto it = loops_.find(key); it != loops_.end()) {
      const Target& old = it->second->target;
      if (old.url == t.url && old.interval == t.interval &&
          old.effective_timeout() == t.effective_timeout()) {
        {
          std::lock_guard status_lock(it->second->status_mutex);
          it->second->status.target.labels = t.labels;
        }
        next.emplace(key, std::move(it->second));
        loops_.erase(it);
        continue;
      }
    }
    auto loop =
        std::make_shared<Loop>(loop_strand(), t, std::move(urls[i]), rules_, store_, clock_);
    loop->status.target = std::move(t);
    if (registry_ != nullptr) {
      const std::map<std::string, std::string> labels{{"namespace", key.first},
                                                      {"pod", key.second}};
      loop->up = &registry_->gauge(
          "kscale_scrape_up", "1 when the last scrape of the target succeeded, else 0.", labels);
      loop->duration = &registry_->gauge("kscale_scrape_duration_seconds",
                                         "Duration of the last scrape of the target.", labels);
      loop->failures = &registry_->counter("kscale_scrape_failures_total",
                                           "Failed scrapes of the target.", labels);
      loop->samples = &registry_->gauge("kscale_scrape_samples_scraped",
                                        "Samples in the last successful scrape.", labels);
      loop->up->set(0);
    }
    spdlog::info("scraping {}/{} at {} every {}", key.first, key.second, loop->target.url,
                 format_prometheus_duration(loop->target.interval));
    tasks_.spawn(loop->timer.get_executor(), run_loop(loop),
                 "scrape loop " + key.first + "/" + key.second);
    next.emplace(std::move(key), std::move(loop));
  }
  for (auto& [key, loop] : loops_) {
    spdlog::info("stopped scraping {}/{}", key.first, key.second);
    stop_loop(loop);
  }
  loops_ = std::move(next);
  if (targets_gauge_ != nullptr) {
    targets_gauge_->set(static_cast<double>(loops_.size()));
  }
  return {};
}

std::vector<TargetStatus> Scraper::status() const {
  std::vector<TargetStatus> out;
  std::lock_guard lock(mutex_);
  for (const auto& [key, loop] : loops_) {
    std::lock_guard status_lock(loop->status_mutex);
    out.push_back(loop->status);
  }
  return out;
}

}  // namespace kscale::sources
