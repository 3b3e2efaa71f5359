#include "kube/discovery.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include "core/group_resource.h"
#include "core/json_reader.h"
#include "kube/detail/api_status.h"
#include "net/asio_tokens.h"

namespace kscale::kube {

namespace asio = boost::asio;
namespace json = boost::json;
using core::json_reader::member;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string text(const json::value& v, std::string_view key) {
  const auto* m = member(v, key);
  return m != nullptr && m->is_string() ? std::string(m->get_string()) : std::string();
}

// GET path as JSON; errors carry the HTTP code (503: an unavailable APIService).
asio::awaitable<core::Result<json::value>> get_json(ApiClient& client, std::string path) {
  net::RequestOptions options;
  options.headers.emplace_back("Accept", "application/json");
  auto answer = co_await client.request(net::http::verb::get, path, "", options);
  if (!answer) {
    co_return core::fail(answer.error());
  }
  if (answer->result_int() != 200) {
    co_return core::fail(detail::answer_error(*answer, "discovery " + path));
  }
  boost::system::error_code ec;
  auto v = json::parse(answer->body(), ec);
  if (ec || !v.is_object()) {
    co_return core::fail(core::Error::internal("discovery " + path + ": invalid JSON"));
  }
  co_return v;
}

// An APIResourceList (metav1): its resources in `group` at `version`.
std::vector<ApiResource> decode_resources(const json::value& list, const std::string& group,
                                          const std::string& version) {
  std::vector<ApiResource> out;
  const auto* resources = member(list, "resources");
  if (resources == nullptr || !resources->is_array()) {
    return out;
  }
  for (const auto& r : resources->get_array()) {
    ApiResource a{group, version, text(r, "name"), text(r, "singularName"), text(r, "kind")};
    const auto* namespaced = member(r, "namespaced");
    a.namespaced = namespaced != nullptr && namespaced->is_bool() && namespaced->get_bool();
    if (const auto* verbs = member(r, "verbs"); verbs != nullptr && verbs->is_array()) {
      for (const auto& verb : verbs->get_array()) {
        if (verb.is_string()) {
          a.verbs.emplace_back(verb.get_string());
        }
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

// (group, preferred version) of each group in an APIGroupList.
std::vector<std::pair<std::string, std::string>> preferred_versions(const json::value& list) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto* groups = member(list, "groups");
  if (groups == nullptr || !groups->is_array()) {
    return out;
  }
  for (const auto& g : groups->get_array()) {
    std::string version;
    if (const auto* preferred = member(g, "preferredVersion")) {
      version = text(*preferred, "version");
    }
    if (const auto* versions = member(g, "versions"); version.empty() && versions != nullptr &&
                                                      versions->is_array() &&
                                                      !versions->get_array().empty()) {
      version = text(versions->get_array().front(), "version");
    }
    if (!version.empty()) {
      out.emplace_back(text(g, "name"), std::move(version));
    }
  }
  return out;
}

}  // namespace

bool ApiResource::can_list_and_watch() const {
  const auto has = [&](std::string_view v) {
    return std::find(verbs.begin(), verbs.end(), v) != verbs.end();
  };
  return has("list") && has("watch");
}

std::string ApiResource::group_resource() const {
  return group.empty() ? resource : resource + "." + group;
}

std::string ApiResource::path(std::string_view namespace_name) const {
  std::string p = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !namespace_name.empty()) {
    p += "/namespaces/" + std::string(namespace_name);
  }
  return p + "/" + resource;
}

// Upstream: the RESTMapper's resource matching (k8s.io/apimachinery meta.DefaultRESTMapper,
// ResourceFor) accepts the plural, the singular or the lower-case kind; subresources ("pods/log")
// are not resources.
std::optional<ApiResource> match_resource(const std::vector<ApiResource>& group_resources,
                                          std::string_view resource) {
  const std::string wanted = lower(resource);
  for (auto field : {0, 1, 2}) {
    for (const auto& r : group_resources) {
      if (r.resource.find('/') != std::string::npos) {
        continue;
      }
      const std::string& candidate = field == 0   ? r.resource
                                     : field == 1 ? r.singular
                                                  : lower(r.kind);
      if (!candidate.empty() && candidate == wanted) {
        return r;
      }
    }
  }
  return std::nullopt;
}

Discovery::Discovery(ApiClient& client, const core::Clock& clock,
                     std::chrono::milliseconds interval, std::chrono::milliseconds miss_interval)
    : client_(client),
      clock_(clock),
      interval_(interval),
      miss_interval_(miss_interval),
      groups_(std::make_shared<const Groups>()) {}

asio::awaitable<core::Result<void>> Discovery::refresh() {
  {
    std::lock_guard lock(mutex_);
    attempted_ = clock_.monotonic_now();
  }
  auto core_versions = co_await get_json(client_, "/api");
  if (!core_versions) {
    co_return core::fail(core_versions.error());
  }
  auto groups_list = co_await get_json(client_, "/apis");
  if (!groups_list) {
    co_return core::fail(groups_list.error());
  }
  // The core group's version: v1 when /api lists it (it always has), else its first.
  std::string core_version = "v1";
  if (const auto* versions = member(*core_versions, "versions");
      versions != nullptr && versions->is_array() && !versions->get_array().empty()) {
    const auto& list = versions->get_array();
    if (std::none_of(list.begin(), list.end(), [](const json::value& v) { return v == "v1"; }) &&
        list.front().is_string()) {
      core_version = std::string(list.front().get_string());
    }
  }
  std::vector<std::pair<std::string, std::string>> wanted{{"", core_version}};
  for (auto& g : preferred_versions(*groups_list)) {
    wanted.push_back(std::move(g));
  }
  Groups groups;
  for (const auto& [group, version] : wanted) {
    const std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
    auto list = co_await get_json(client_, path);
    if (!list) {
      // An unavailable aggregated API (503) must not hide every other group.
      spdlog::warn("discovery: skipping {}: {}", path, list.error().message);
      continue;
    }
    groups[group] = decode_resources(*list, group, version);
  }
  std::lock_guard lock(mutex_);
  groups_ = std::make_shared<const Groups>(std::move(groups));
  refreshed_ = clock_.monotonic_now();
  co_return core::Result<void>{};
}

std::optional<ApiResource> Discovery::find(std::string_view group_resource) const {
  const auto gr = core::GroupResource::parse(group_resource);
  std::shared_ptr<const Groups> groups;
  {
    std::lock_guard lock(mutex_);
    groups = groups_;
  }
  const auto it = groups->find(gr.group);
  if (it == groups->end()) {
    return std::nullopt;
  }
  return match_resource(it->second, gr.resource);
}

bool Discovery::ready() const {
  std::lock_guard lock(mutex_);
  return refreshed_.has_value();
}

asio::awaitable<std::optional<ApiResource>> Discovery::resolve(std::string group_resource) {
  const auto now = clock_.monotonic_now();
  bool stale = false;
  bool may_retry = false;
  {
    std::lock_guard lock(mutex_);
    stale = !refreshed_ || now - *refreshed_ >= interval_;
    may_retry = !attempted_ || now - *attempted_ >= miss_interval_;
  }
  if (stale && may_retry) {
    if (auto r = co_await refresh(); !r) {
      spdlog::warn("discovery: {}", r.error().message);
    }
    co_return find(group_resource);
  }
  if (auto found = find(group_resource)) {
    co_return found;
  }
  if (!may_retry) {
    co_return std::nullopt;
  }
  if (auto r = co_await refresh(); !r) {
    spdlog::warn("discovery: {}", r.error().message);
  }
  co_return find(group_resource);
}

asio::awaitable<void> Discovery::run() {
  co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
  co_await asio::this_coro::throw_if_cancelled(false);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    const auto r = co_await refresh();
    if ((co_await asio::this_coro::cancellation_state).cancelled() !=
        asio::cancellation_type::none) {
      co_return;
    }
    if (!r) {
      spdlog::warn("discovery: {}", r.error().message);
    }
    timer.expires_after(r ? interval_ : miss_interval_);
    auto [ec] = co_await timer.async_wait(net::use_nothrow);
    if (ec) {
      co_return;
    }
  }
}

}  // namespace kscale::kube
