#include "kube/reflector.h"

#include <cctype>
#include <memory>
#include <random>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include "kube/detail/api_status.h"
#include "kube/watch_event.h"
#include "net/asio_tokens.h"

namespace kscale::kube {

namespace asio = boost::asio;

namespace {

constexpr int kPageSize = 500;

asio::awaitable<bool> cancelled() {
  const auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}

asio::awaitable<bool> timer_sleep(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  auto [ec] = co_await timer.async_wait(net::use_nothrow);
  co_return !ec;
}

bool contains_ci(std::string_view text, std::string_view needle) {
  const auto lower = [](unsigned char c) { return static_cast<char>(std::tolower(c)); };
  return std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != text.end();
}

// The relist's RV is gone from the watch cache (410) or ahead of it ("Too large resource
// version", a 504 Timeout): upstream then lists without RV from etcd (reflector.go,
// isExpiredError / isTooLargeResourceVersionError → setIsLastSyncResourceVersionUnavailable).
bool needs_quorum_list(const core::Error& e) {
  return e.code == 410 || contains_ci(e.message, "too large resource version");
}

}  // namespace

ReflectorEnv default_reflector_env(const core::Clock& clock) {
  ReflectorEnv env;
  env.clock = &clock;
  env.sleep = timer_sleep;
  auto rng = std::make_shared<std::pair<std::mutex, std::mt19937_64>>();
  rng->second.seed(std::random_device{}());
  env.random = [rng] {
    std::lock_guard lock(rng->first);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng->second);
  };
  return env;
}

Reflector::Reflector(ApiClient& client, WatchTarget target, ObjectStore& store, ReflectorEnv env)
    : client_(client),
      target_(std::move(target)),
      store_(store),
      env_(std::move(env)),
      backoff_(env_.backoff, *env_.clock, env_.random) {
  if (!env_.sleep) {
    env_.sleep = timer_sleep;
  }
}

std::string Reflector::resource_version() const {
  std::lock_guard lock(mutex_);
  return rv_;
}

std::optional<core::Error> Reflector::last_error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

void Reflector::set_resource_version(std::string rv) {
  std::lock_guard lock(mutex_);
  rv_ = std::move(rv);
}

void Reflector::set_error(std::optional<core::Error> error) {
  std::lock_guard lock(mutex_);
  error_ = std::move(error);
}

std::string Reflector::query(std::string params) const {
  if (!target_.field_selector.empty()) {
    params += params.empty() ? "" : "&";
    params += "fieldSelector=" + detail::query_value(target_.field_selector);
  }
  return params.empty() ? target_.path : target_.path + "?" + params;
}

net::RequestOptions Reflector::options(bool list) const {
  net::RequestOptions o;
  std::string accept = "application/json";
  if (target_.metadata_only) {
    accept = list ? detail::kAcceptMetadataList : detail::kAcceptMetadata;
  }
  o.headers.emplace_back("Accept", std::move(accept));
  if (list) {
    o.timeout = env_.list_timeout;
  }
  return o;
}

asio::awaitable<void> Reflector::run() {
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  co_await asio::this_coro::throw_if_cancelled(false);
  bool need_list = true;
  ListKind kind = ListKind::First;
  for (;;) {
    if (co_await cancelled()) {
      co_return;
    }
    if (need_list) {
      auto listed = co_await list(kind);
      if (co_await cancelled()) {
        co_return;
      }
      if (!listed) {
        spdlog::warn("cluster cache: listing {} failed: {}", target_.name, listed.error().message);
        set_error(listed.error());
        if (!co_await env_.sleep(backoff_.next())) {
          co_return;
        }
        continue;
      }
      set_error(std::nullopt);
      synced_.store(true);
      need_list = false;
    }
    const WatchEnd end = co_await watch();
    if (end == WatchEnd::Cancelled) {
      co_return;
    }
    if (end == WatchEnd::Normal) {
      continue;
    }
    if (end == WatchEnd::Expired) {
      // Upstream relists after the reflector's backoff (wait.BackoffUntil around ListAndWatch).
      need_list = true;
      kind = ListKind::Relist;
    }
    if (!co_await env_.sleep(backoff_.next())) {
      co_return;
    }
  }
}

// Upstream: client-go tools/cache/reflector.go list() with tools/pager: the first list asks the
// watch cache (resourceVersion=0) in pages of 500; a relist asks for at least the last seen RV.
asio::awaitable<core::Result<void>> Reflector::list(ListKind kind) {
  if (kind == ListKind::First) {
    co_return co_await list_pages("resourceVersion=0", true);
  }
  if (kind == ListKind::Relist) {
    auto r =
        co_await list_pages("resourceVersion=" + detail::query_value(resource_version()), false);
    if (r || !needs_quorum_list(r.error())) {
      co_return r;
    }
    spdlog::info("cluster cache: relisting {} from etcd: {}", target_.name, r.error().message);
  }
  co_return co_await list_pages("", true);
}

asio::awaitable<core::Result<void>> Reflector::list_pages(std::string rv_param, bool paged) {
  const std::string what = "listing " + target_.name;
  store_.begin_replace();
  std::string params = paged ? "limit=" + std::to_string(kPageSize) : "";
  if (!rv_param.empty()) {
    params += (params.empty() ? "" : "&") + rv_param;
  }
  bool continuing = false;
  for (;;) {
    auto answer = co_await client_.request(net::http::verb::get, query(params), "", options(true));
    if (!answer) {
      co_return core::fail(answer.error());
    }
    if (answer->result_int() == 410 && continuing) {
      // The continue token expired: upstream's pager falls back to one full list
      // (tools/pager FullListIfExpired), with the first page's options minus limit.
      store_.begin_replace();
      params = rv_param;
      continuing = false;
      continue;
    }
    if (answer->result_int() != 200) {
      co_return core::fail(detail::answer_error(*answer, what));
    }
    boost::json::monotonic_resource arena;
    boost::system::error_code ec;
    const auto doc = boost::json::parse(answer->body(), ec, &arena);
    if (ec) {
      co_return core::fail(core::Error::internal(what + ": invalid JSON: " + ec.message()));
    }
    auto meta = decode_object_list(doc, target_.shape,
                                   [&](ObjectMetadata&& o) { store_.replace_item(std::move(o)); });
    if (!meta) {
      co_return core::fail(meta.error().with_context(what + ": "));
    }
    if (meta->continue_token.empty()) {
      store_.end_replace();
      set_resource_version(std::move(meta->resource_version));
      co_return core::Result<void>{};
    }
    // Never resourceVersion with continue: the token carries it.
    params = "limit=" + std::to_string(kPageSize) +
             "&continue=" + detail::query_value(meta->continue_token);
    continuing = true;
  }
}

core::Result<void> Reflector::apply(WatchEvent&& event, WatchEnd& end) {
  switch (event.type) {
    case WatchEventType::Added:
    case WatchEventType::Modified:
      set_resource_version(event.object.resource_version);
      store_.upsert(std::move(event.object));
      return {};
    case WatchEventType::Deleted:
      set_resource_version(event.object.resource_version);
      store_.remove(event.object.namespace_name, event.object.name);
      return {};
    case WatchEventType::Bookmark:
      set_resource_version(std::move(event.object.resource_version));
      return {};
    case WatchEventType::Error:
      break;
  }
  end = event.code == 410 ? WatchEnd::Expired : WatchEnd::Backoff;
  const std::string text = "watch of " + target_.name + ": " + std::to_string(event.code) + " " +
                           event.reason + ": " + event.message;
  if (end == WatchEnd::Backoff) {
    spdlog::warn("cluster cache: {}", text);
  }
  return core::fail(core::Error::internal(text));
}

// Upstream: client-go reflector.go watch()/handleWatch: timeoutSeconds in [5m, 10m) so watchers
// spread out; a watch that ends within a second without an event is an error.
asio::awaitable<Reflector::WatchEnd> Reflector::watch() {
  const auto timeout = 300 + static_cast<int>(env_.random() * 300.0);
  const std::string target =
      query("watch=true&resourceVersion=" + detail::query_value(resource_version()) +
            "&allowWatchBookmarks=true&timeoutSeconds=" + std::to_string(std::min(timeout, 599)));
  WatchEnd end = WatchEnd::Normal;
  WatchEventStream events(target_.shape, [&](WatchEvent&& e) { return apply(std::move(e), end); });
  const auto started = env_.clock->monotonic_now();
  auto answer = co_await client_.stream(target, options(false),
                                        [&](std::string_view piece) { return events.feed(piece); });
  if (co_await cancelled()) {
    co_return WatchEnd::Cancelled;
  }
  if (end != WatchEnd::Normal) {
    co_return end;
  }
  if (!answer) {
    spdlog::warn("cluster cache: watch of {} failed: {}", target_.name, answer.error().message);
    co_return WatchEnd::Backoff;
  }
  if (answer->result_int() == 410) {
    co_return WatchEnd::Expired;
  }
  if (answer->result_int() != 200) {
    spdlog::warn("cluster cache: {}",
                 detail::answer_error(*answer, "watch of " + target_.name).message);
    co_return WatchEnd::Backoff;
  }
  if (auto r = events.finish(); !r) {
    spdlog::warn("cluster cache: watch of {}: {}", target_.name, r.error().message);
    co_return WatchEnd::Backoff;
  }
  if (events.events() == 0 && env_.clock->monotonic_now() - started < std::chrono::seconds(1)) {
    spdlog::warn("cluster cache: watch of {} ended at once without an event", target_.name);
    co_return WatchEnd::Backoff;
  }
  co_return WatchEnd::Normal;
}

}  // namespace kscale::kube
