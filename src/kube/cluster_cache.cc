#include "kube/cluster_cache.h"

#include <algorithm>
#include <utility>

#include <boost/asio/strand.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include "kube/detail/api_status.h"

namespace kscale::kube {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kConfigMapKey =
    "configmaps/kube-system/extension-apiserver-authentication";

ApiResource core_resource(std::string resource, std::string singular, std::string kind,
                          bool namespaced) {
  return ApiResource{"",
                     "v1",
                     std::move(resource),
                     std::move(singular),
                     std::move(kind),
                     namespaced,
                     {"get", "list", "watch"}};
}

core::Error not_synced(std::string_view gr) {
  return core::Error::unavailable("the cluster cache has not listed " + std::string(gr) +
                                  " yet; try again shortly");
}

core::Error may_not_list(std::string_view gr, std::string_view answer) {
  return core::Error::internal("kscale may not list " + std::string(gr) +
                               ": grant its service account list,watch on " + std::string(gr) +
                               " (" + std::string(answer) + ")");
}

core::Error unknown_resource(std::string_view gr) {
  return core::Error::not_found("the server has no resource \"" + std::string(gr) +
                                "\" that can be listed and watched");
}

}  // namespace

ClusterCache::ClusterCache(ApiClient& client, net::TaskGroup& tasks, asio::any_io_executor executor,
                           ClusterCacheOptions options, ReflectorEnv env)
    : client_(client),
      tasks_(tasks),
      executor_(std::move(executor)),
      options_(options),
      env_(std::move(env)),
      discovery_(std::make_unique<Discovery>(client, *env_.clock, options.discovery_interval,
                                             options.discovery_miss_interval)) {}

ClusterCache::~ClusterCache() = default;

ClusterCache::Watch* ClusterCache::add_watch(
    const std::string& key, ApiResource resource, WatchTarget target,
    std::function<bool(const ObjectMetadata&)> keep_detail) const {
  if (const auto it = watches_.find(key); it != watches_.end()) {
    return it->second.get();
  }
  auto w = std::make_unique<Watch>();
  w->resource = std::move(resource);
  w->store = std::make_unique<ObjectStore>(std::move(keep_detail));
  w->reflector = std::make_unique<Reflector>(client_, std::move(target), *w->store, env_);
  Watch* raw = w.get();
  watches_.emplace(key, std::move(w));
  return raw;
}

void ClusterCache::start() {
  if (started_.exchange(true)) {
    return;
  }
  std::lock_guard lock(mutex_);
  const bool scrape = options_.scrape_annotated_pods;
  pods_ = add_watch("pods", core_resource("pods", "pod", "Pod", true),
                    WatchTarget{"/api/v1/pods", "", !scrape,
                                scrape ? ObjectShape::ScrapedPod : ObjectShape::Metadata, "pods"},
                    scrape ? [](const ObjectMetadata& o) {
                      const auto it = o.annotations.find("prometheus.io/scrape");
                      return it != o.annotations.end() && it->second == "true";
                    } : std::function<bool(const ObjectMetadata&)>{});
  namespaces_ =
      add_watch("namespaces", core_resource("namespaces", "namespace", "Namespace", false),
                WatchTarget{"/api/v1/namespaces", "", true, ObjectShape::Metadata, "namespaces"});
  // The reader Role is limited by resourceNames, so the watch must name the object.
  config_map_ = add_watch(
      std::string(kConfigMapKey), core_resource("configmaps", "configmap", "ConfigMap", true),
      WatchTarget{"/api/v1/namespaces/kube-system/configmaps",
                  "metadata.name=" + std::string(kAuthenticationConfigMap), false,
                  ObjectShape::ConfigMapData, std::string(kConfigMapKey)},
      [](const ObjectMetadata& o) { return o.name == kAuthenticationConfigMap; });
  if (on_scrape_change_) {
    pods_->store->set_on_detail_change(on_scrape_change_);
  }
  if (on_auth_change_) {
    config_map_->store->set_on_detail_change(on_auth_change_);
  }
  for (const auto& [key, w] : watches_) {
    tasks_.spawn(asio::make_strand(executor_), w->reflector->run(), "watch " + key);
  }
  tasks_.spawn(asio::make_strand(executor_), discovery_->run(), "discovery");
}

bool ClusterCache::synced() const { return unsynced().empty(); }

std::vector<std::string> ClusterCache::unsynced() const {
  std::vector<std::string> out;
  for (const Watch* w : {pods_, namespaces_, config_map_}) {
    if (w == nullptr) {
      return {"pods", "namespaces", std::string(kConfigMapKey)};
    }
    if (!w->reflector->synced()) {
      out.push_back(w->reflector->target().name);
    }
  }
  return out;
}

std::optional<core::Labels> ClusterCache::authentication_config() const {
  if (config_map_ == nullptr || !config_map_->reflector->synced()) {
    return std::nullopt;
  }
  auto details = config_map_->store->details();
  if (details.empty()) {
    return std::nullopt;
  }
  return std::move(details.front().data);
}

uint64_t ClusterCache::authentication_config_version() const {
  return config_map_ == nullptr ? 0 : config_map_->store->detail_version();
}

void ClusterCache::on_authentication_config_change(std::function<void()> callback) {
  on_auth_change_ = std::move(callback);
}

std::vector<ScrapeEndpoint> ClusterCache::scrape_endpoints(
    std::vector<std::string>* skipped) const {
  std::vector<ScrapeEndpoint> out;
  if (pods_ == nullptr || !options_.scrape_annotated_pods) {
    return out;
  }
  for (const auto& pod : pods_->store->details()) {
    std::string why_not;
    if (auto endpoint = scrape_endpoint(pod, why_not)) {
      out.push_back(std::move(*endpoint));
    } else if (skipped != nullptr && !why_not.empty()) {
      skipped->push_back(pod.namespace_name + "/" + pod.name + ": " + why_not);
    }
  }
  return out;
}

uint64_t ClusterCache::scrape_version() const {
  return pods_ == nullptr ? 0 : pods_->store->detail_version();
}

void ClusterCache::on_scrape_change(std::function<void()> callback) {
  on_scrape_change_ = std::move(callback);
}

ClusterCache::Watch* ClusterCache::watch_for(const ApiResource& resource) const {
  std::lock_guard lock(mutex_);
  const std::string key = resource.group_resource();
  const bool existed = watches_.contains(key);
  Watch* w =
      add_watch(key, resource, WatchTarget{resource.path(), "", true, ObjectShape::Metadata, key});
  if (!existed && started_.load()) {
    spdlog::info("cluster cache: watching {} (first wildcard request naming it)", key);
    tasks_.spawn(asio::make_strand(executor_), w->reflector->run(), "watch " + key);
  }
  return w;
}

ClusterCache::Watch* ClusterCache::find_watch(const core::GroupResource& gr) const {
  {
    std::lock_guard lock(mutex_);
    if (const auto it = watches_.find(gr.to_string()); it != watches_.end()) {
      return it->second.get();
    }
  }
  const auto resource = discovery_->find(gr.to_string());
  if (!resource || !resource->can_list_and_watch()) {
    return nullptr;
  }
  return watch_for(*resource);
}

void ClusterCache::resolve_later(const core::GroupResource& gr) const {
  const std::string key = gr.to_string();
  {
    std::lock_guard lock(mutex_);
    if (!resolving_.emplace(key, true).second || !started_.load()) {
      return;
    }
  }
  tasks_.spawn(
      asio::make_strand(executor_),
      [](const ClusterCache* cache, std::string key) -> asio::awaitable<void> {
        const auto resource = co_await cache->discovery_->resolve(key);
        if (resource && resource->can_list_and_watch()) {
          cache->watch_for(*resource);
        }
        std::lock_guard lock(cache->mutex_);
        cache->resolving_.erase(key);
      }(this, key),
      "discovery " + key);
}

core::Result<std::vector<std::string>> ClusterCache::answer(
    const Watch& w, std::string_view namespace_name, const core::LabelSelector& selector) const {
  const std::string gr = w.resource.group_resource();
  if (!w.reflector->synced()) {
    if (const auto error = w.reflector->last_error(); error && error->code == 403) {
      return core::fail(may_not_list(gr, error->message));
    }
    return core::fail(not_synced(gr));
  }
  return w.store->select(w.resource.namespaced ? namespace_name : std::string_view(), selector);
}

std::optional<core::Labels> ClusterCache::labels_of(const core::GroupResource& gr,
                                                    std::string_view namespace_name,
                                                    std::string_view name) const {
  const Watch* w = find_watch(gr);
  if (w == nullptr) {
    return std::nullopt;
  }
  return w->store->labels_of(w->resource.namespaced ? namespace_name : std::string_view(), name);
}

core::Result<std::vector<std::string>> ClusterCache::select(
    const core::GroupResource& gr, std::string_view namespace_name,
    const core::LabelSelector& selector) const {
  if (const Watch* w = find_watch(gr)) {
    return answer(*w, namespace_name, selector);
  }
  const auto resource = discovery_->find(gr.to_string());
  if (resource) {  // known, but without list+watch
    return core::fail(unknown_resource(gr.to_string()));
  }
  resolve_later(gr);
  if (!discovery_->ready()) {
    return core::fail(not_synced(gr.to_string()));
  }
  return core::fail(unknown_resource(gr.to_string()));
}

asio::awaitable<core::Result<std::vector<std::string>>> ClusterCache::select_async(
    core::GroupResource gr, std::string namespace_name, core::LabelSelector selector) {
  const Watch* w = find_watch(gr);
  if (w == nullptr) {
    const auto resource = co_await discovery_->resolve(gr.to_string());
    if (!resource || !resource->can_list_and_watch()) {
      co_return core::fail(unknown_resource(gr.to_string()));
    }
    w = watch_for(*resource);
  }
  if (w->reflector->synced()) {
    co_return answer(*w, namespace_name, selector);
  }
  if (const auto error = w->reflector->last_error(); error && error->code == 403) {
    co_return core::fail(may_not_list(w->resource.group_resource(), error->message));
  }
  co_return co_await live_list(w->resource, std::move(namespace_name), std::move(selector));
}

// Before the watch has synced: one metadata LIST of the selected objects, as the reference
// adapters list on every request.
asio::awaitable<core::Result<std::vector<std::string>>> ClusterCache::live_list(
    ApiResource resource, std::string namespace_name, core::LabelSelector selector) {
  const std::string gr = resource.group_resource();
  std::string target = resource.path(namespace_name);
  if (!selector.empty()) {
    target += "?labelSelector=" + detail::query_value(selector.to_string());
  }
  net::RequestOptions options;
  options.headers.emplace_back("Accept", std::string(detail::kAcceptMetadataList));
  options.timeout = options_.live_list_budget;
  auto answer = co_await client_.request(net::http::verb::get, target, "", options);
  if (answer && answer->result_int() == 403) {
    co_return core::fail(may_not_list(gr, detail::answer_error(*answer, "list").message));
  }
  if (!answer || answer->result_int() != 200) {
    spdlog::warn("cluster cache: live list of {}: {}", gr,
                 answer ? detail::answer_error(*answer, target).message : answer.error().message);
    co_return core::fail(not_synced(gr));
  }
  boost::json::monotonic_resource arena;
  boost::system::error_code ec;
  const auto doc = boost::json::parse(answer->body(), ec, &arena);
  std::vector<std::string> names;
  auto meta = ec ? core::Result<ListMeta>(core::fail(core::Error::internal("invalid JSON")))
                 : decode_object_list(doc, ObjectShape::Metadata, [&](ObjectMetadata&& o) {
                     if (selector.matches(o.labels)) {
                       names.push_back(std::move(o.name));
                     }
                   });
  if (!meta) {
    spdlog::warn("cluster cache: live list of {}: {}", gr, meta.error().message);
    co_return core::fail(not_synced(gr));
  }
  std::sort(names.begin(), names.end());
  co_return names;
}

}  // namespace kscale::kube
